# Spartan Research Station — `make run` starts everything, `make test` checks everything.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
PY     := $(VENV)/bin/python
HOST   ?= $(or $(SPARTAN_HOST),127.0.0.1)
PORT   ?= $(or $(SPARTAN_PORT),8888)
WORKERS ?= 2

.PHONY: run web scheduler preload migrate test lint audit install install-dev clean plotly-bundle css loadtest soak

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

## Migrate, preload (a failed source is reported, not fatal), then run the sidecar and the web;
## the browser opens on the station once it is ready, where there is a display
## (jobs/open_browser.py; SPARTAN_OPEN_BROWSER=0: never).
run: migrate
	-$(PY) -m jobs preload
	@echo "Spartan Research Station: http://localhost:$(PORT)  (Ctrl-C stops the web and the sidecar)"
	@$(PY) -m jobs scheduler --no-preload & SCHED=$$!; \
	$(PY) -m jobs.open_browser http://localhost:$(PORT) & OPENER=$$!; \
	trap 'kill $$SCHED $$OPENER 2>/dev/null' EXIT INT TERM; \
	$(VENV)/bin/gunicorn -c config/gunicorn.conf.py app:server --bind $(HOST):$(PORT) --workers $(WORKERS)

web: migrate
	$(VENV)/bin/gunicorn -c config/gunicorn.conf.py app:server --bind $(HOST):$(PORT) --workers $(WORKERS)

scheduler: migrate
	$(PY) -m jobs scheduler

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/bandit -c pyproject.toml -q -ll -r app.py api components config datasources jobs middleware pages sql

## Lint, then every suite: unit, integration (SQLite; PostgreSQL + Redis when
## SPARTAN_TEST_DATABASE_URL / SPARTAN_TEST_REDIS_URL are set) and e2e (headless Chromium).
test: lint
	$(PY) -m pytest --headless --cov --cov-report=term:skip-covered --cov-fail-under=85

## 1,000 Locust users on a station of its own (PostgreSQL + Redis started for the run, or
## SPARTAN_DATABASE_URL / SPARTAN_REDIS_URL; five years of demo data; gunicorn as in
## production) beside the trivial-Flask ceiling; fails when any request errors or the
## station's p95 reaches 200 ms (tests/load/run.py; Locust in var/bench/locust-venv).
LOADTEST_ARGS ?=
loadtest: install
	$(PY) -m tests.load.run --users 1000 $(LOADTEST_ARGS)

## The same mix for SOAK_SECONDS (default 10 min): fails when a worker's memory grows more
## than 32 MiB after the warm-up or the database pool exhausts.
SOAK_SECONDS ?= 600
SOAK_USERS ?= 1000
soak: install
	$(PY) -m tests.load.run --no-load --soak $(SOAK_SECONDS) --soak-users $(SOAK_USERS) $(SOAK_ARGS)

## Known vulnerabilities in requirements.txt and everything it pulls in: pip-audit (own venv)
## against the PyPA advisory data served by PyPI. Needs network: with no way to the advisory
## data it FAILS (--strict: a package it could not check is an error), it never passes blind.
AUDIT_VENV := var/audit-venv
$(AUDIT_VENV)/.installed: requirements-audit.txt
	test -x $(AUDIT_VENV)/bin/python || $(PYTHON) -m venv $(AUDIT_VENV)
	$(AUDIT_VENV)/bin/python -m pip install --quiet -r requirements-audit.txt
	touch $@

audit: $(AUDIT_VENV)/.installed
	@$(AUDIT_VENV)/bin/pip-audit --requirement requirements.txt --strict --desc on --progress-spinner off \
	|| { echo "make audit FAILED: vulnerable packages (listed above), or the advisory data could not be" \
	     "reached (pip-audit needs network, docs/DEPLOYMENT.md \"Dependency audit\")" >&2; exit 1; }

clean:
	rm -rf $(VENV) var .pytest_cache .coverage .ruff_cache

## Bootstrap trimmed to the selectors the station draws (PurgeCSS, config/purgecss.config.cjs)
css:
	out=$$(mktemp -d) && npx --yes purgecss@6.0.0 --config config/purgecss.config.cjs --output $$out \
		&& mv $$out/bootstrap.min.css assets/00-bootstrap.min.css && rmdir $$out

## Rebuild assets/plotly-spartan.min.js: plotly.js (the version plotly.py bundles) with only
## the trace types the station draws, instead of Dash's 4.8 MB full bundle (see assets/README.md).
PLOTLYJS_VERSION = $(shell $(PY) -c "from plotly.offline import get_plotlyjs_version as v; print(v())")
PLOTLY_TRACES = scatter bar heatmap candlestick indicator treemap
plotly-bundle: install
	rm -rf var/plotly-bundle && mkdir -p var/plotly-bundle
	cd var/plotly-bundle && npm init -y >/dev/null && \
	npm install --no-audit --no-fund --silent plotly.js@$(PLOTLYJS_VERSION) esbuild@0.25.12 && \
	{ echo "var Plotly = require('plotly.js/lib/core');"; \
	  echo "Plotly.register([$(foreach t,$(PLOTLY_TRACES),require('plotly.js/lib/$(t)'),)]);"; \
	  echo "window.Plotly = Plotly;"; } > entry.js && \
	npx esbuild entry.js --bundle --minify --format=iife --target=es2017 --loader:.css=empty --define:global=window \
	  --legal-comments=eof --log-level=warning \
	  --banner:js="/*! plotly.js $(PLOTLYJS_VERSION) (MIT, LICENSE-plotly.txt), traces: $(PLOTLY_TRACES); make plotly-bundle */" \
	  --outfile=$(CURDIR)/assets/plotly-spartan.min.js && \
	cp node_modules/plotly.js/LICENSE $(CURDIR)/assets/LICENSE-plotly.txt
	# The only CDN address left is the default topojson URL of geo maps, a trace type not in
	# the bundle: point it at the station, so nothing could ever be fetched from a CDN.
	sed -i 's#https://cdn.plot.ly/un/#/assets/topojson/#' assets/plotly-spartan.min.js
	! grep -qE 'https?://(cdn\.|cdnjs\.|unpkg\.com)' assets/plotly-spartan.min.js
