"""The download run end to end against a real local HTTP server serving FRED's wire format:
tables filled, loads idempotent, every failure recorded and never a crash or partial write."""

from __future__ import annotations

import time

import pandas as pd
import pytest
from sqlalchemy import select
from werkzeug import Response

from config.catalog import load_catalog
from datasources.http import HttpClient
from jobs import commands
from jobs.pipeline import run_downloads
from sql import read
from sql.cache import PRELOAD_STATUS_KEY, SYSTEM_DATASET, cache, health_key
from sql.schema import data_sources, dataset_versions, download_log, health_status
from sql.store import configure
from sql.write import row_count
from tests.conftest import fred_fixture, make_settings, serve_fred

FIXTURE_ROWS = {"treasury_yields": 5 * 530, "credit_spreads": 3 * 530}


@pytest.fixture
def fred_store(tmp_path, backend, httpserver, request):
    """A migrated store whose catalog points FRED at the local server (overrides via param)."""
    from sql.migrate import upgrade
    from tests.conftest import drop_backend

    overrides = getattr(request, "param", None) or {}
    base_url = serve_fred(httpserver, overrides)
    settings = make_settings(tmp_path, backend, SPARTAN_FRED_BASE_URL=base_url)
    store = configure(settings)
    upgrade(settings, store.engine)
    yield store, load_catalog(settings)
    store.engine.dispose()
    drop_backend(settings)


def counts(store) -> dict[str, int]:
    with store.engine.connect() as conn:
        return {name: row_count(conn, name) for name in FIXTURE_ROWS}


def log_rows(store) -> pd.DataFrame:
    with store.engine.connect() as conn:
        return pd.DataFrame(conn.execute(select(download_log)).mappings().all())


def health(store) -> dict:
    with store.engine.connect() as conn:
        return {r.source_id: r for r in conn.execute(select(health_status))}


def test_preload_fills_treasury_yields_and_credit_spreads(fred_store):
    store, catalog = fred_store
    summary = run_downloads(store, catalog, "preload")
    assert counts(store) == FIXTURE_ROWS
    assert summary.instruments_ok == summary.instruments_total == 8
    assert summary.failed_sources() == {}
    curve = read.observations("treasury_yields", ["10Y"])
    # DGS10 fixture, 2026-11-20 (its last line), as the wire bytes say.
    last_line = fred_fixture("DGS10").decode().strip().splitlines()[-1]
    assert last_line.startswith("2026-11-20,")
    assert curve["value"].iloc[-1] == pytest.approx(float(last_line.split(",")[1]))
    assert set(curve["source"]) == {"fred_graph"}
    with store.engine.connect() as conn:
        assert conn.execute(select(data_sources.c.source_id)).scalars().all() == ["fred_graph"]
        assert {r.dataset for r in conn.execute(select(dataset_versions))} == {*FIXTURE_ROWS, SYSTEM_DATASET}
    assert health(store)["fred_graph"].state == "ok"
    assert (log_rows(store)["status"] == "ok").sum() == 8


def test_loading_the_same_data_twice_leaves_identical_row_counts(fred_store):
    store, catalog = fred_store
    run_downloads(store, catalog, "preload")
    first = counts(store)
    second_run = run_downloads(store, catalog, "refresh")
    assert counts(store) == first == FIXTURE_ROWS
    assert second_run.rows_written == {"treasury_yields": 0, "credit_spreads": 0}


def test_refresh_asks_only_for_recent_observations(fred_store, httpserver):
    store, catalog = fred_store
    run_downloads(store, catalog, "preload")
    httpserver.clear_log()
    run_downloads(store, catalog, "refresh")
    cosd = {req.args.get("cosd") for req, _ in httpserver.log}
    # Newest fixture date 2026-11-20 minus the 14-day overlap for revisions.
    assert cosd == {"2026-11-06"}


def _slow(_request):
    time.sleep(1)
    return Response("observation_date,DGS2\n2026-11-20,4.00\n")


FAILURES = {
    "http 500": Response("Internal Server Error", status=500),
    "429 retry-after": Response("slow down", status=429, headers={"Retry-After": "120"}),
    "malformed": Response("<html><body>Service unavailable</body></html>", content_type="text/html"),
    "empty body": Response(b"", content_type="text/csv"),
    "garbage values": Response("observation_date,DGS2\n2026-11-19,4.1\n2026-11-20,N/A\n"),
}


@pytest.mark.parametrize("fred_store", [{"DGS2": r} for r in FAILURES.values()], ids=list(FAILURES), indirect=True)
def test_a_failing_series_is_recorded_and_the_others_are_written(fred_store):
    store, catalog = fred_store
    summary = run_downloads(store, catalog, "preload")
    with store.engine.connect() as conn:
        tenors = set(pd.read_sql("SELECT DISTINCT tenor FROM treasury_yields", conn)["tenor"])
    assert tenors == {"3M", "5Y", "10Y", "30Y"}  # nothing at all of 2Y: no partial write
    assert counts(store)["credit_spreads"] == FIXTURE_ROWS["credit_spreads"]
    failed = log_rows(store).query("status == 'failed'")
    assert list(failed["instrument"]) == ["2Y"]
    assert failed["error"].iloc[0]
    state = health(store)["fred_graph"]
    assert state.state == "degraded"
    assert state.last_error == failed["error"].iloc[0]
    assert summary.instruments_ok == 7


def test_timeout_is_recorded_as_a_failure(fred_store, httpserver):
    store, catalog = fred_store
    httpserver.clear_all_handlers()
    httpserver.expect_request("/graph/fredgraph.csv").respond_with_handler(_slow)
    impatient = make_settings(
        store.settings.var_dir.parent, "sqlite", SPARTAN_HTTP_TIMEOUT="0.3", SPARTAN_HTTP_RETRIES="0"
    )
    summary = run_downloads(store, catalog, "preload", datasets=["treasury_yields"], client=HttpClient(impatient))
    assert summary.instruments_ok == 0
    assert counts(store)["treasury_yields"] == 0
    log = log_rows(store)
    # The five tenors are one batched request: it timed out once, and all five failed with it.
    assert list(log["status"]) == ["failed"] * 5
    assert all("timed out" in e for e in log["error"])
    state = health(store)["fred_graph"]
    assert state.state == "failing"
    assert state.consecutive_failures == 5
    assert "timed out" in state.last_error


def test_unreachable_source_fails_every_instrument_without_crashing(tmp_path, backend):
    from sql.migrate import upgrade
    from tests.conftest import drop_backend

    settings = make_settings(tmp_path, backend, SPARTAN_FRED_BASE_URL="http://127.0.0.1:9", SPARTAN_HTTP_RETRIES="0")
    store = configure(settings)
    upgrade(settings, store.engine)
    try:
        catalog = load_catalog(settings)
        assert commands.preload(store, catalog, show_progress=False) == 2  # below the 90% bar
        assert counts(store) == {"treasury_yields": 0, "credit_spreads": 0}
        status = cache.get(PRELOAD_STATUS_KEY)
        assert status["state"] == "complete"
        assert status["failed_sources"] == {"fred_graph": "FetchError: connection failed: connection refused"}
        assert cache.get(health_key("fred_graph"))["state"] == "failing"
        assert health(store)["fred_graph"].consecutive_failures == 8  # two batched requests, eight series
        # The next run opens the circuit from that record and does not call the source at all.
        summary = run_downloads(store, catalog, "refresh")
        assert {a.status for a in summary.attempts} == {"circuit_open"}
        assert health(store)["fred_graph"].consecutive_failures == 8
        assert cache.get(health_key("fred_graph"))["state"] == "circuit_open"
        assert summary.failed_sources() == {"fred_graph": "skipped: circuit open after repeated failures"}
    finally:
        store.engine.dispose()
        drop_backend(settings)


def test_preload_writes_status_and_prints_a_summary(fred_store, capsys):
    store, catalog = fred_store
    assert commands.preload(store, catalog, show_progress=False) == 0
    out = capsys.readouterr().out
    assert "instruments: 8/8 downloaded" in out
    assert "treasury_yields: 2650 rows" in out
    status = cache.get(PRELOAD_STATUS_KEY)
    assert status["state"] == "complete"
    assert (status["done"], status["total"], status["failed"]) == (8, 8, 0)
    assert not commands.needs_preload(store)


def test_a_database_error_during_the_write_records_it_and_writes_nothing(fred_store, monkeypatch):
    store, catalog = fred_store
    from sqlalchemy.exc import OperationalError

    import sql.write as sql_write

    real_upsert = sql_write._upsert

    def broken(conn, tbl, frame, *args, **kwargs):
        if tbl.name != "treasury_yields":
            return real_upsert(conn, tbl, frame, *args, **kwargs)
        raise OperationalError("INSERT", {}, Exception("server closed the connection unexpectedly"))

    monkeypatch.setattr(sql_write, "_upsert", broken)
    summary = run_downloads(store, catalog, "refresh", datasets=["treasury_yields"])
    assert "treasury_yields" in summary.write_errors
    assert counts(store)["treasury_yields"] == 0
    assert commands.needs_preload(store)


def test_requests_per_source_are_recorded_in_api_rate_limits(fred_store):
    from sql.schema import api_rate_limits

    store, catalog = fred_store
    run_downloads(store, catalog, "preload")
    run_downloads(store, catalog, "refresh")
    with store.engine.connect() as conn:
        rows = conn.execute(select(api_rate_limits)).mappings().all()
    assert {r["source_id"] for r in rows} == {"fred_graph"}
    assert sum(r["requests"] for r in rows) == 4  # eight series in two batched requests, twice
    assert {r["limit_per_window"] for r in rows} == {60}


def test_a_frame_the_writer_refuses_fails_its_dataset_not_the_run(fred_store, monkeypatch):
    import sql.write as sql_write
    from sql.write import WriteError

    store, catalog = fred_store
    real = sql_write._upsert

    def refuse_yields(conn, tbl, frame, *args, **kwargs):
        if tbl.name == "treasury_yields":
            raise WriteError("treasury_yields: 3 rows repeat a primary key ['tenor', 'date']")
        return real(conn, tbl, frame, *args, **kwargs)

    monkeypatch.setattr(sql_write, "_upsert", refuse_yields)
    summary = run_downloads(store, catalog, "preload")
    assert summary.write_errors == {
        "treasury_yields": "WriteError: treasury_yields: 3 rows repeat a primary key ['tenor', 'date']"
    }
    assert counts(store) == {"treasury_yields": 0, "credit_spreads": FIXTURE_ROWS["credit_spreads"]}
