"""`python -m jobs …` as a user runs it, and the scheduler's wiring."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from config.catalog import load_catalog
from jobs import commands, scheduler
from jobs.pipeline import run_downloads
from tests.conftest import FRED_CATALOG, ROOT, make_settings, serve_fred


def run_jobs(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    full_env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "SPARTAN_SOURCES_FILE": str(FRED_CATALOG), **env}
    return subprocess.run(
        [sys.executable, "-m", "jobs", *args], cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=600
    )


def test_preload_command_downloads_everything_and_reports(tmp_path, httpserver):
    env = {"SPARTAN_VAR_DIR": str(tmp_path / "var"), "SPARTAN_FRED_BASE_URL": serve_fred(httpserver)}
    result = run_jobs("preload", "--quiet", env=env)
    assert result.returncode == 0, result.stderr
    assert "instruments: 8/8 downloaded" in result.stdout
    assert "treasury_yields: 2650 rows" in result.stdout
    status = run_jobs("status", "--wait-complete", env=env)
    assert status.returncode == 0
    assert '"state": "complete"' in status.stdout


def test_preload_without_internet_exits_non_zero_and_names_the_failed_source(tmp_path):
    env = {
        "SPARTAN_VAR_DIR": str(tmp_path / "var"),
        "SPARTAN_FRED_BASE_URL": "http://127.0.0.1:9",
        "SPARTAN_HTTP_RETRIES": "0",
    }
    result = run_jobs("preload", "--quiet", env=env)
    assert result.returncode == 2
    assert "fred_graph: FetchError: connection failed" in result.stdout
    assert "preload degraded: 0% of sources operational" in result.stdout


def test_status_before_any_preload_is_not_complete(tmp_path):
    result = run_jobs("status", "--wait-complete", env={"SPARTAN_VAR_DIR": str(tmp_path / "var")})
    assert result.returncode == 1
    assert '"state": "unknown"' in result.stdout


def test_bad_settings_are_a_clear_error_not_a_traceback(tmp_path):
    result = run_jobs("migrate", env={"SPARTAN_VAR_DIR": str(tmp_path), "SPARTAN_PORT": "eighty"})
    assert result.returncode == 2
    assert "configuration error: SPARTAN_PORT must be an integer" in result.stderr
    assert "Traceback" not in result.stderr


def test_scheduler_refreshes_at_minute_zero_every_hour_one_run_at_a_time(store):
    sched = scheduler.build_scheduler(store, load_catalog(store.settings))
    job = sched.get_job("hourly-refresh")
    assert str(job.trigger) == "cron[minute='0']"
    assert job.coalesce is True
    assert job.max_instances == 1
    assert job.func is commands.refresh


def test_scheduler_preloads_only_when_data_is_missing_or_old(tmp_path, backend, httpserver, monkeypatch):
    from sql.migrate import upgrade
    from sql.store import configure
    from tests.conftest import drop_backend

    settings = make_settings(tmp_path, backend, SPARTAN_FRED_BASE_URL=serve_fred(httpserver))
    store = configure(settings)
    upgrade(settings, store.engine)
    try:
        catalog = load_catalog(settings)
        assert commands.needs_preload(store)  # empty database
        run_downloads(store, catalog, "preload")
        assert not commands.needs_preload(store)
        calls = []
        monkeypatch.setattr(commands, "preload", lambda *a, **k: calls.append("preload"))
        monkeypatch.setattr(scheduler.BlockingScheduler, "start", lambda self: calls.append("start"))
        scheduler.run_scheduler(store, catalog)
        assert calls == ["start"]  # fresh data: straight to the hourly schedule
        old = settings.__class__(**{**settings.__dict__, "preload_max_age_minutes": 0})
        store.settings = old
        scheduler.run_scheduler(store, catalog)
        assert calls == ["start", "preload", "start"]
    finally:
        store.engine.dispose()
        drop_backend(settings)


@pytest.mark.parametrize("minute", ["15"])
def test_refresh_minute_is_a_setting(tmp_path, minute):
    settings = make_settings(tmp_path, "sqlite", SPARTAN_REFRESH_MINUTE=minute)
    from sql.store import configure

    store = configure(settings)
    sched = scheduler.build_scheduler(store, load_catalog(settings))
    assert str(sched.get_job("hourly-refresh").trigger) == f"cron[minute='{minute}']"


def test_a_refresh_records_its_run_and_restores_a_preload_status_the_cache_lost(store, httpserver):
    from sql.cache import PRELOAD_STATUS_KEY, REFRESH_LAST_RUN_KEY, cache

    settings = store.settings.__class__(**{**store.settings.__dict__, "fred_base_url": serve_fred(httpserver)})
    store.settings = settings
    cache.delete(PRELOAD_STATUS_KEY)  # e.g. Redis restarted after the preload
    assert commands.refresh(store, load_catalog(settings)) == 0
    last_run = cache.get(REFRESH_LAST_RUN_KEY)
    assert last_run["kind"] == "refresh" and last_run["instruments_total"] == 8
    assert cache.get(PRELOAD_STATUS_KEY)["state"] == "complete"
