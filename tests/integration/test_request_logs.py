"""Logs of the web and the sidecar: a request id on every line of a request (honoured from
X-Request-ID when sane, echoed back), one access line per request, a run id on every line of
a sidecar run that is also the run's id in the download log."""

from __future__ import annotations

import io
import json
import logging

import pytest
from sqlalchemy import select
from werkzeug import Response

from config.catalog import load_catalog
from config.logging_setup import make_handler
from tests.conftest import drop_backend, make_settings, serve_fred


@pytest.fixture
def log_lines():
    """Every record of the process as JSON lines in a buffer (the station's own handler)."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    buffer = io.StringIO()

    def install(level: int = logging.INFO) -> None:
        root.handlers[:] = [make_handler("json", stream=buffer)]
        root.setLevel(level)

    def lines() -> list[dict]:
        return [json.loads(line) for line in buffer.getvalue().splitlines()]

    lines.install = install
    yield lines
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.fixture
def web(tmp_path, log_lines):
    import app as webapp

    settings = make_settings(tmp_path, "sqlite")
    dash_app = webapp.create_app(settings)
    server = dash_app.server
    work_log = logging.getLogger("spartan.test.work")

    def work():
        work_log.info("reading %s", "treasury_yields", extra={"dataset": "treasury_yields"})
        work_log.warning("slow read")
        return "done"

    def boom():
        raise RuntimeError("kaput")

    server.add_url_rule("/_test/work", "test_work", work)
    server.add_url_rule("/_test/boom", "test_boom", boom)
    log_lines.install()  # after create_app, which sets up logging itself
    yield server.test_client()
    drop_backend(settings)


def test_every_line_of_a_request_carries_the_clients_request_id(web, log_lines):
    response = web.get("/_test/work", headers={"X-Request-ID": "client-req.42"})
    assert response.status_code == 200 and response.get_data(as_text=True) == "done"
    assert response.headers["X-Request-ID"] == "client-req.42"
    records = log_lines()
    loggers = [r["logger"] for r in records]
    assert loggers[:2] == ["spartan.test.work", "spartan.test.work"] and loggers[-1] == "spartan.access"
    assert set(loggers) <= {"spartan.test.work", "spartan.audit", "spartan.access"}
    assert {r["request_id"] for r in records} == {"client-req.42"}
    assert records[0]["dataset"] == "treasury_yields"
    access = records[-1]
    assert access["method"] == "GET" and access["path"] == "/_test/work" and access["status"] == 200
    assert access["remote_addr"] == "127.0.0.1" and access["endpoint"] == "/_test/work"
    assert isinstance(access["duration_ms"], float) and access["duration_ms"] >= 0
    assert access["level"] == "INFO" and access["message"].startswith("GET /_test/work 200 ")


@pytest.mark.parametrize("bad", ["has space", "x" * 200, "<script>alert(1)</script>", "ü-nicode"])
def test_an_insane_request_id_is_replaced_by_a_new_one(web, log_lines, bad):
    response = web.get("/_test/work", headers={"X-Request-ID": bad})
    new = response.headers["X-Request-ID"]
    assert new != bad and len(new) == 32 and int(new, 16) >= 0
    assert {r["request_id"] for r in log_lines()} == {new}
    assert bad not in json.dumps(log_lines())


def test_each_request_gets_its_own_id_and_exactly_one_access_line(web, log_lines):
    ids = [web.get(path).headers["X-Request-ID"] for path in ("/health", "/api/system/status", "/", "/health")]
    assert len(set(ids)) == 4
    access = [r for r in log_lines() if r["logger"] == "spartan.access"]
    assert [r["request_id"] for r in access] == ids
    assert [(r["path"], r["status"]) for r in access] == [
        ("/health", 503),
        ("/api/system/status", 200),
        ("/", 200),
        ("/health", 503),
    ]
    # Every line of the four requests belongs to one of them.
    assert {r.get("request_id") for r in log_lines()} <= set(ids)


def test_an_unhandled_error_is_logged_with_the_request_id_and_a_500(web, log_lines):
    response = web.get("/_test/boom", headers={"X-Request-ID": "err-1"})
    assert response.status_code == 500
    assert response.headers["X-Request-ID"] == "err-1"
    records = log_lines()
    error = next(r for r in records if r["level"] == "ERROR")
    assert error["request_id"] == "err-1"
    assert "RuntimeError: kaput" in error["exc_info"]
    access = records[-1]
    assert access["logger"] == "spartan.access" and access["status"] == 500 and access["request_id"] == "err-1"


def test_no_request_id_leaks_past_its_request(web, log_lines):
    web.get("/_test/work", headers={"X-Request-ID": "only-this-one"})
    logging.getLogger("spartan.test.after").info("outside any request")
    assert "request_id" not in log_lines()[-1]


def test_a_refresh_has_one_run_id_on_its_lines_and_in_the_download_log(tmp_path, httpserver, log_lines):
    from jobs import commands
    from sql.cache import REFRESH_LAST_RUN_KEY, cache
    from sql.migrate import upgrade
    from sql.schema import download_log
    from sql.store import configure

    # One series fails: its line is logged from a download thread (at DEBUG: per instrument),
    # not the run's own.
    base = serve_fred(httpserver, {"DGS10": Response("upstream broke", status=500)})
    settings = make_settings(tmp_path, "sqlite", SPARTAN_FRED_BASE_URL=base)
    store = configure(settings)
    upgrade(settings, store.engine)
    log_lines.install(logging.DEBUG)
    try:
        commands.refresh(store, load_catalog(settings))
        with store.engine.connect() as conn:
            run_ids = set(conn.execute(select(download_log.c.run_id).distinct()).scalars())
    finally:
        store.engine.dispose()
        drop_backend(settings)
    (run_id,) = run_ids
    assert cache.get(REFRESH_LAST_RUN_KEY)["run_id"] == run_id
    run_lines = [r for r in log_lines() if "run_id" in r]
    assert {r["run_id"] for r in run_lines} == {run_id}
    assert {r["run_kind"] for r in run_lines} == {"refresh"}
    failed = [r for r in run_lines if r["logger"] == "jobs.pipeline" and "treasury_yields/10Y" in r["message"]]
    assert failed and {r["level"] for r in failed} == {"DEBUG"}, [r["message"] for r in log_lines()]
    # At INFO and up, one line for the source: how many of its instruments failed, the last error.
    (source,) = [r for r in run_lines if r["level"] == "WARNING" and r.get("source_id") == "fred_graph"]
    assert source["message"] == "source fred_graph: 1 of 8 instruments failed, last 10Y: FetchError: HTTP 500"
    assert "printed" not in source
    # The run's outcome is one record with its numbers as fields (what the scheduler logs
    # instead of printing the summary).
    (finished,) = [r for r in run_lines if r["logger"] == "jobs.commands" and "finished in" in r["message"]]
    assert finished["instruments_total"] == 8 and finished["instruments_ok"] == 7
    assert finished["failed_sources"] == [] and finished["write_errors"] == []
    assert finished["rows_written"] > 0 and finished["duration_s"] >= 0
    # After the run, lines carry no run id any more.
    logging.getLogger("jobs.scheduler").info("idle")
    assert "run_id" not in log_lines()[-1]


def test_the_scheduler_logs_its_runs_summaries_instead_of_printing_them(tmp_path):
    from jobs import commands, scheduler
    from sql.store import configure

    settings = make_settings(tmp_path, "sqlite")
    store = configure(settings)
    try:
        job = scheduler.build_scheduler(store, load_catalog(settings)).get_job("hourly-refresh")
    finally:
        store.engine.dispose()
    assert job.func is commands.refresh and job.kwargs == {"report": False}
