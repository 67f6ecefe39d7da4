# Spartan Research Station — `make run` starts everything, `make test` checks everything.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
PY     := $(VENV)/bin/python
HOST   ?= $(or $(SPARTAN_HOST),127.0.0.1)
PORT   ?= $(or $(SPARTAN_PORT),8888)
WORKERS ?= 2

.PHONY: run web scheduler preload migrate test lint install install-dev clean

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

migrate: install
	$(PY) -m jobs migrate

preload: migrate
	$(PY) -m jobs preload

## Migrate, preload (a failed source is reported, not fatal), then run the sidecar and the web.
run: migrate
	-$(PY) -m jobs preload
	@echo "Spartan Research Station: http://localhost:$(PORT)  (Ctrl-C stops the web and the sidecar)"
	@$(PY) -m jobs scheduler --no-preload & SCHED=$$!; \
	trap 'kill $$SCHED 2>/dev/null' EXIT INT TERM; \
	$(VENV)/bin/gunicorn app:server --bind $(HOST):$(PORT) --workers $(WORKERS) --threads 4 --timeout 60 --access-logfile -

web: migrate
	$(VENV)/bin/gunicorn app:server --bind $(HOST):$(PORT) --workers $(WORKERS) --threads 4 --timeout 60

scheduler: migrate
	$(PY) -m jobs scheduler

lint: install-dev
	$(VENV)/bin/ruff check .

## Lint, then every suite: unit, integration (SQLite; PostgreSQL + Redis when
## SPARTAN_TEST_DATABASE_URL / SPARTAN_TEST_REDIS_URL are set) and e2e (headless Chromium).
test: lint
	$(PY) -m pytest --headless --cov --cov-report=term:skip-covered --cov-fail-under=85

clean:
	rm -rf $(VENV) var .pytest_cache .coverage .ruff_cache
