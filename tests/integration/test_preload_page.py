"""The preload progress page and banner, on each storage backend: the status the sidecar writes
(jobs.status, the real writer) read back from the shared cache by the web — no status, running,
stalled, interrupted, complete (with failures, skipped, or completed by a refresh) — the
interval callback called directly, the banner on other pages only while a preload runs or
after it was interrupted, and /health following the status.

The ``web`` fixture holds the jobs run lock, as the live sidecar of a running preload does;
``web_without_sidecar`` does not (a "running" status there belongs to a dead run)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from components import preload as preload_view
from config.catalog import load_catalog
from jobs import status as sidecar_status
from jobs.locks import run_lock
from jobs.summary import Attempt, RunSummary
from sql import preload_status as status_reader
from sql.cache import PRELOAD_STATUS_KEY, cache
from tests.conftest import drop_backend, make_settings


@pytest.fixture
def web_without_sidecar(tmp_path, backend):
    """The app on an empty, migrated database (nothing in the cache), no run holding the lock."""
    import app as webapp
    from sql.store import get_store

    settings = make_settings(tmp_path, backend)
    dash_app = webapp.create_app(settings)
    yield dash_app, settings
    get_store().engine.dispose()
    drop_backend(settings)


@pytest.fixture
def web(web_without_sidecar):
    """The same, with the run lock held throughout: the sidecar of a running preload is alive."""
    from sql.store import get_store

    with run_lock(get_store()) as held:
        assert held
        yield web_without_sidecar


def page(dash_app):
    """The /preload layout as the pages router builds it for the browser."""
    from dash._pages import _path_to_page

    found, _ = _path_to_page("preload")
    assert found and found["title"].startswith("Preload progress")
    with dash_app.server.test_request_context("/preload"):
        return found["layout"]()


def text_of(component) -> str:
    """The text a reader sees, children joined in order."""
    if component is None:
        return ""
    if isinstance(component, (str, int, float)):
        return str(component)
    if isinstance(component, (list, tuple)):
        return "".join(text_of(child) for child in component)
    return text_of(getattr(component, "children", None))


def dump(component) -> str:
    """Every prop of every component (ids, hrefs, classes), as JSON."""
    return json.dumps(component, default=lambda c: c.to_plotly_json() if hasattr(c, "to_plotly_json") else str(c))


def running(done: int = 4, total: int = 10, failed: int = 1, current: str = "treasury_yields/10Y") -> None:
    sidecar_status.preload_started(total)
    sidecar_status.preload_progress(done, total, failed, current)


def summary_with_a_failed_source() -> RunSummary:
    start = datetime.now(UTC) - timedelta(minutes=3, seconds=5)
    end = start + timedelta(minutes=3)
    ok = Attempt("fred_graph", "treasury_yields", "10Y", start, end, "ok", 200, rows=530)
    bad = Attempt(
        "treasury_direct", "treasury_yields", "2Y", start, end, "failed", 503, error="HTTP 503 from treasury_direct"
    )
    return RunSummary(
        run_id="run-42",
        kind="preload",
        started_at=start,
        finished_at=end,
        attempts=[ok, bad],
        rows_written={"treasury_yields": 530},
        instruments_total=2,
        instruments_ok=1,
    )


def test_no_status_is_a_clear_unknown_state_and_keeps_watching(web):
    dash_app, _ = web
    assert status_reader.preload_status() is None and status_reader.preload_phase(None) == "unknown"
    layout = page(dash_app)
    body = text_of(layout)
    assert "No preload status" in body and "status unknown" in body
    assert '"href": "/system"' in dump(layout)
    assert "preload-progress" not in dump(layout)
    interval = layout[preload_view.INTERVAL_ID]
    assert interval.disabled is False and interval.interval == preload_view.IDLE_POLL_MS
    assert dash_app.server.test_client().get("/preload").status_code == 200


def test_running_preload_shows_its_figures_in_the_first_paint_and_polls(web):
    dash_app, _ = web
    running(done=4, total=10, failed=1)
    layout = page(dash_app)
    body = text_of(layout)
    for part in ("4 / 10", "4 of 10 instruments (40%)", "treasury_yields/10Y", "Elapsed", "Remaining", "Last update"):
        assert part in body
    bar = layout["preload-progress"]
    assert (bar.value, bar.max, bar.animated) == (4, 10, True)
    assert layout["preload-state"].children == "running"
    assert "Failed sources1" in body  # the KPI card: label, then the count
    interval = layout[preload_view.INTERVAL_ID]
    assert interval.disabled is False and interval.interval == preload_view.POLL_MS


def test_a_running_status_silent_for_ten_minutes_is_flagged_stalled(web):
    dash_app, _ = web
    running(done=6, total=10, failed=0)
    status = cache.get(PRELOAD_STATUS_KEY)
    quiet = datetime.now(UTC) - timedelta(minutes=9)
    cache.set(PRELOAD_STATUS_KEY, {**status, "updated_at": quiet.isoformat()}, timeout=0)
    assert status_reader.preload_phase(status_reader.preload_status()) == "running"  # slow is not stalled yet
    assert "preload-stalled" not in dump(page(dash_app))

    silent = datetime.now(UTC) - timedelta(minutes=15)
    cache.set(PRELOAD_STATUS_KEY, {**status, "updated_at": silent.isoformat()}, timeout=0)
    assert status_reader.preload_phase(status_reader.preload_status()) == "stalled"
    layout = page(dash_app)
    assert "no progress reported for 15 min" in text_of(layout["preload-stalled"])
    assert layout["preload-state"].children == "stalled"
    assert layout["preload-progress"].animated is False
    assert "6 of 10 instruments" in text_of(layout)
    # Still watched (a new preload replaces the status), but less often.
    assert layout[preload_view.INTERVAL_ID].disabled is False
    assert layout[preload_view.INTERVAL_ID].interval == preload_view.IDLE_POLL_MS


def test_a_running_status_whose_sidecar_holds_no_lock_reads_interrupted_with_when_it_was_last_heard_of(
    web_without_sidecar,
):
    dash_app, _ = web_without_sidecar
    running(done=3, total=8, failed=0)
    status = cache.get(PRELOAD_STATUS_KEY)
    heard = (datetime.now(UTC) - timedelta(minutes=4)).isoformat()
    cache.set(PRELOAD_STATUS_KEY, {**status, "started_at": heard, "updated_at": heard, "heartbeat_at": heard})
    status = status_reader.preload_status()
    assert status["lock_held"] is False and status_reader.preload_phase(status) == "interrupted"
    layout = page(dash_app)
    notice = text_of(layout["preload-interrupted"])
    assert "stopped before it finished (last heard of 4 min ago)" in notice
    assert "the next refresh" in notice and "completes the data" in notice
    assert layout["preload-state"].children == "interrupted"
    assert layout["preload-progress"].animated is False
    assert "3 of 8 instruments" in text_of(layout) and "Last heard of" in text_of(layout)
    assert layout[preload_view.INTERVAL_ID].disabled is False
    assert layout[preload_view.INTERVAL_ID].interval == preload_view.IDLE_POLL_MS
    shell = app_shell(dash_app)
    assert "Preload interrupted (last heard of 4 min ago): data may be incomplete until the next refresh" in shell


def test_a_refresh_that_completed_an_interrupted_preload_says_so_and_stops_polling(web_without_sidecar):
    dash_app, _ = web_without_sidecar
    running(done=3, total=8, failed=0)
    summary = summary_with_a_failed_source()
    summary.kind, summary.run_id = "refresh", "run-43"
    sidecar_status.refresh_finished(summary)
    status = status_reader.preload_status()
    assert status["state"] == "complete" and status["completed_by"] == "refresh" and status["run_id"] == "run-43"
    assert status["interrupted"]["done"] == 3 and status["interrupted"]["last_heard_at"]
    layout = page(dash_app)
    result = text_of(layout["preload-result"])
    assert "Refresh completed the data with 1 failed source(s): 1 of 2 instruments OK" in result
    assert "The preload before it had been interrupted" in result
    assert layout[preload_view.INTERVAL_ID].disabled is True
    assert preload_view.banner_for_page("/rates") is None


def test_complete_with_failures_lists_them_links_to_sources_and_stops_polling(web):
    dash_app, _ = web
    running(done=1, total=2)
    written = sidecar_status.preload_finished(summary_with_a_failed_source())
    assert written["state"] == "complete" and written["failed"] == 1
    layout = page(dash_app)
    result = text_of(layout["preload-result"])
    assert "Preload complete with 1 failed source(s)" in result and "1 of 2 instruments OK" in result
    failures = text_of(layout["preload-failed-sources"])
    assert "treasury_direct" in failures and "HTTP 503 from treasury_direct" in failures
    assert "fred_graph" not in failures
    body = text_of(layout)
    for part in ("Duration3 min", "Rows written530", "run-42"):
        assert part in body
    assert '"href": "/system"' in dump(layout)
    assert layout["preload-state"].children == "complete with failures"
    assert layout["preload-progress"].value == 2
    assert layout[preload_view.INTERVAL_ID].disabled is True


def test_a_clean_or_skipped_preload_reads_as_done(web):
    dash_app, _ = web
    summary = summary_with_a_failed_source()
    summary.attempts = summary.attempts[:1]
    summary.instruments_ok = 2
    sidecar_status.preload_finished(summary)
    layout = page(dash_app)
    assert "Preload complete: 2 of 2 instruments OK, no source failed" in text_of(layout["preload-result"])
    assert "preload-failed-sources" not in dump(layout)
    assert layout[preload_view.INTERVAL_ID].disabled is True

    sidecar_status.preload_skipped()
    layout = page(dash_app)
    assert "No preload needed" in text_of(layout)
    assert layout[preload_view.INTERVAL_ID].disabled is True


def test_the_interval_callback_follows_the_status_until_complete(web):
    running(done=2, total=10, failed=0, current="credit_spreads/HY_OAS")
    body, disabled, period = preload_view.refresh(1)
    assert "2 of 10 instruments (20%)" in text_of(body) and "credit_spreads/HY_OAS" in text_of(body)
    assert (disabled, period) == (False, preload_view.POLL_MS)

    sidecar_status.preload_progress(9, 10, 1, "treasury_yields/30Y")
    body, disabled, _ = preload_view.refresh(2)
    assert "9 of 10 instruments (90%)" in text_of(body) and disabled is False

    sidecar_status.preload_finished(summary_with_a_failed_source())
    body, disabled, _ = preload_view.refresh(3)
    assert "Preload complete with 1 failed source(s)" in text_of(body)
    assert "HTTP 503 from treasury_direct" in text_of(body)
    assert disabled is True


def test_a_real_preload_with_an_unreachable_source_ends_on_the_page(tmp_path, backend):
    import app as webapp
    from jobs.commands import preload
    from sql.store import get_store

    settings = make_settings(tmp_path, backend, SPARTAN_FRED_BASE_URL="http://127.0.0.1:9", SPARTAN_HTTP_RETRIES="0")
    try:
        dash_app = webapp.create_app(settings)
        assert preload(get_store(), load_catalog(settings), show_progress=False) == 2
        status = status_reader.preload_status()
        assert status["state"] == "complete" and status["done"] == status["total"] > 0
        layout = page(dash_app)
        assert "fred_graph" in text_of(layout["preload-failed-sources"])
        assert "FetchError" in text_of(layout["preload-failed-sources"])
        assert layout[preload_view.INTERVAL_ID].disabled is True
    finally:
        drop_backend(settings)


def app_shell(dash_app) -> str:
    """The app layout (shell around the page) as served to a browser's first load."""
    response = dash_app.server.test_client().get("/_dash-layout")
    assert response.status_code == 200
    return json.dumps(response.get_json())


def test_the_banner_shows_on_other_pages_only_while_a_preload_runs(web):
    dash_app, _ = web
    assert "Preload running" not in app_shell(dash_app)
    assert preload_view.banner_for_page("/rates") is None

    running(done=4, total=10, failed=1)
    shell = app_shell(dash_app)
    assert "Preload running: 4 of 10 instruments, 1 failed source(s) so far" in shell
    assert '"href": "/preload"' in shell
    for path in ("/", "/rates", "/system"):
        assert "Preload running: 4 of 10" in text_of(preload_view.banner_for_page(path))
    assert preload_view.banner_for_page("/preload") is None  # the page itself says it all

    status = cache.get(PRELOAD_STATUS_KEY)
    silent = datetime.now(UTC) - timedelta(minutes=30)
    cache.set(PRELOAD_STATUS_KEY, {**status, "updated_at": silent.isoformat()}, timeout=0)
    assert "Preload stalled: no progress reported for 30 min" in app_shell(dash_app)

    sidecar_status.preload_finished(summary_with_a_failed_source())
    assert "Preload running" not in app_shell(dash_app) and "Preload stalled" not in app_shell(dash_app)
    assert preload_view.banner_for_page("/rates") is None


def test_health_readiness_follows_the_preload_status(web):
    client = web[0].server.test_client()
    running(done=1, total=10)
    response = client.get("/health")
    assert response.status_code == 503
    check = response.get_json()["checks"]["preload"]
    assert {k: check[k] for k in ("ok", "state", "has_data", "done", "total")} == {
        "ok": False,
        "state": "running",
        "has_data": False,
        "done": 1,
        "total": 10,
    }
    assert response.get_json()["status"] == "no_data" and "preload is running" in response.get_json()["hint"]
    # A preload that finished having stored nothing (offline) leaves nothing to serve: still
    # not ready, and the answer says how to get data (the README says the same).
    sidecar_status.preload_finished(summary_with_a_failed_source())
    response = client.get("/health")
    check = response.get_json()["checks"]["preload"]
    assert response.status_code == 503 and check["ok"] is False and check["state"] == "complete"
    assert response.get_json()["status"] == "no_data" and "python -m jobs demo" in response.get_json()["hint"]
    assert client.get("/health/live").status_code == 200


@pytest.mark.parametrize(
    "junk",
    [
        "not a dict",
        {"state": "exploded"},
        {"state": "running"},
        {"state": "running", "done": "four", "total": None, "started_at": "yesterday", "updated_at": 7},
        {"state": "complete", "failed_sources": ["not", "a", "dict"], "rows_written": "lots"},
    ],
)
def test_a_malformed_status_never_breaks_the_page_or_the_banner(web, junk):
    dash_app, _ = web
    cache.set(PRELOAD_STATUS_KEY, junk, timeout=0)
    assert preload_view.BODY_ID in dump(page(dash_app))
    preload_view.banner_for_page("/")
    app_shell(dash_app)


def test_status_times_are_read_as_utc():
    assert status_reader.parse_time("2026-11-20T10:00:00+02:00") == datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
    assert status_reader.parse_time("2026-11-20T10:00:00") == datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
    assert status_reader.parse_time("soon") is None and status_reader.parse_time(None) is None
    now = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
    fresh = {"state": "running", "started_at": "2026-11-20T09:00:00+00:00", "updated_at": "2026-11-20T11:55:00+00:00"}
    assert status_reader.preload_phase(fresh, now) == "running"
    assert status_reader.preload_phase({**fresh, "updated_at": "2026-11-20T11:49:00+00:00"}, now) == "stalled"
    assert status_reader.preload_phase({**fresh, "updated_at": None}, now) == "stalled"  # falls back to started_at
