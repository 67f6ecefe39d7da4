"""The REST data endpoints through Flask's test client: every endpoint on an empty database
(SQLite, and PostgreSQL + Redis when configured) and on five years of demo data, in JSON, CSV
and TOON; latest values and changes checked against the database; history windows and
resampling; paging; ETag / Last-Modified / 304; gzip; freshness; system lists; JSON errors."""

from __future__ import annotations

import csv
import gzip
import io
from datetime import UTC, datetime

import pandas as pd
import pytest
import toon_format
from sqlalchemy import text

from api.datasets import API_DATASETS
from api.schemas import MAX_LIMIT, history_item_columns, latest_item_columns
from tests.conftest import SHIPPED_CATALOG, demo_settings, drop_backend, make_settings

NO_RATE_LIMIT = {"SPARTAN_RATE_LIMIT_ENABLED": "0"}
FORMATS = ("json", "csv", "toon")


def history_path(ds, keys=None) -> str:
    return ds.path + "/" + "/".join(keys or ds.example)


def csv_rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def store_rows(dataset: str, frame: pd.DataFrame, source: str = "test") -> int:
    """Write rows as the sidecar does (one transaction, version bumped and published)."""
    from sql.store import get_store
    from sql.versions import publish_version
    from sql.write import write_dataset

    frame = frame.assign(source=source, fetched_at=datetime.now(UTC))
    with get_store().engine.begin() as conn:
        _written, version = write_dataset(conn, dataset, frame, source)
    publish_version(dataset, version)
    return version


def bars(symbol: str, closes: list[float], start: str = "2024-01-01") -> pd.DataFrame:
    ts = pd.bdate_range(start, periods=len(closes), tz="UTC")
    return pd.DataFrame(
        {
            "symbol": symbol,
            "interval": "1d",
            "ts": ts,
            "open": closes,
            "high": [c * 1.01 for c in closes],
            "low": [c * 0.99 for c in closes],
            "close": closes,
            "volume": 1000.0,
        }
    )


@pytest.fixture
def empty_api(tmp_path, backend):
    """The app on an empty, migrated database of the shipped catalog."""
    import app as webapp

    settings = make_settings(tmp_path, backend, SPARTAN_SOURCES_FILE=SHIPPED_CATALOG, **NO_RATE_LIMIT)
    dash_app = webapp.create_app(settings)
    yield dash_app.server.test_client()
    drop_backend(settings)


def bind(dash_app, settings):
    """Point the process-wide store at ``settings`` again (another test's app may have moved it)
    and return the app's test client."""
    from sql.store import configure

    configure(settings, dash_app.server)
    return dash_app.server.test_client()


@pytest.fixture(scope="module")
def demo_app(demo_root):
    import app as webapp

    settings = demo_settings(demo_root, **NO_RATE_LIMIT)
    return webapp.create_app(settings), settings


@pytest.fixture
def demo(demo_app):
    return bind(*demo_app)


def demo_engine(demo):
    from sql.store import get_store

    return get_store().engine


# --- every endpoint, every format ---------------------------------------------------------------


def test_every_endpoint_answers_on_an_empty_database_in_every_format(empty_api):
    for ds in API_DATASETS:
        for path, columns in ((ds.path, latest_item_columns(ds)), (history_path(ds), history_item_columns(ds))):
            body = empty_api.get(path).get_json()
            assert body["items"] == [] and body["total"] == 0 and body["next"] is None, path
            assert body["as_of"] is None and body["last_update"] is None and body["version"] == 0, path
            csv_response = empty_api.get(path + "?format=csv")
            assert csv_response.status_code == 200 and csv_response.mimetype == "text/csv"
            assert csv_response.get_data(as_text=True).strip() == ",".join(columns), path
            toon = empty_api.get(path + "?format=toon")
            assert toon.status_code == 200 and toon.mimetype == "text/toon"
            assert toon_format.decode(toon.get_data(as_text=True)) == body, path
    for path in ("/api/system/sources", "/api/system/download-log"):
        assert empty_api.get(path).get_json()["items"] == []
    assert empty_api.get("/api/system/status").status_code == 200


def test_every_endpoint_serves_demo_data_in_every_format(demo):
    for ds in API_DATASETS:
        for path in (ds.path, history_path(ds)):
            response = demo.get(path)
            body = response.get_json()
            assert response.status_code == 200 and body["count"] > 0, path
            assert body["sources"] == ["demo"] and body["demo"] is True and body["version"] > 0
            assert body["as_of"] == max(item["date"] for item in demo.get(path + f"?limit={MAX_LIMIT}").json["items"])
            rows = csv_rows(demo.get(path + "?format=csv"))
            assert len(rows) == body["count"]
            first = body["items"][0]
            assert rows[0]["date"] == first["date"] and rows[0]["source"] == first["source"]
            toon = demo.get(path + "?format=toon").get_data(as_text=True)
            assert f"items[{body['count']}]{{" in toon  # one table: header, then a row per item
            decoded = toon_format.decode(toon)
            assert {**decoded, "next": None} == {**body, "next": None}, path
            assert decoded["next"] is None or "format=toon" in decoded["next"]  # the next page in TOON too


def test_seed_endpoints_are_there(demo):
    for path in (
        "/api/market/indices",
        "/api/market/commodities",
        "/api/market/forex",
        "/api/economic/indicators",
        "/api/analytics/correlations",
    ):
        assert demo.get(path).status_code == 200


# --- what the rows say ---------------------------------------------------------------------------


def test_latest_values_and_changes_match_the_database(demo):
    body = demo.get("/api/market/indices?symbols=SPX,NDX").get_json()
    assert [item["symbol"] for item in body["items"]] == ["NDX", "SPX"]
    spx = next(item for item in body["items"] if item["symbol"] == "SPX")
    with demo_engine(demo).connect() as conn:
        newest = conn.execute(
            text("SELECT ts, open, close FROM market_indices WHERE symbol = 'SPX' ORDER BY ts DESC LIMIT 2")
        ).fetchall()
    assert spx["name"] == "S&P 500"
    assert spx["date"] == pd.Timestamp(newest[0].ts).strftime("%Y-%m-%d")
    assert spx["close"] == pytest.approx(newest[0].close) and spx["open"] == pytest.approx(newest[0].open)
    assert spx["previous"] == pytest.approx(newest[1].close)
    assert spx["change"] == pytest.approx(newest[0].close - newest[1].close)
    assert spx["change_pct"] == pytest.approx(100 * (newest[0].close / newest[1].close - 1))


def test_symbols_are_case_insensitive_and_the_filter_is_exact(demo):
    body = demo.get("/api/market/treasury-yields?symbols=10y,2Y").get_json()
    assert [item["tenor"] for item in body["items"]] == ["10Y", "2Y"]
    assert demo.get("/api/market/indices/spx?limit=1").get_json()["symbol"] == "SPX"


def test_correlations_filter_by_either_asset_and_window(demo):
    body = demo.get("/api/analytics/correlations?symbols=GC&window=60").get_json()
    assert body["total"] > 0
    assert all("GC" in (item["asset_a"], item["asset_b"]) and item["window_days"] == 60 for item in body["items"])
    assert demo.get("/api/analytics/correlations?window=20").get_json()["items"] == []
    forward = demo.get("/api/analytics/correlations/SPX/GC").get_json()
    backward = demo.get("/api/analytics/correlations/GC/SPX").get_json()
    assert forward["items"] == backward["items"] and forward["total"] > 100
    assert (forward["asset_a"], forward["asset_b"]) == ("SPX", "GC")


def test_history_covers_start_to_end_inclusive_in_either_order(demo):
    body = demo.get("/api/market/indices/SPX?start=2025-03-03&end=2025-03-07").get_json()
    assert [item["date"] for item in body["items"]] == [f"2025-03-0{d}" for d in range(3, 8)]
    assert body["start"] == "2025-03-03" and body["end"] == "2025-03-07" and body["as_of"] == "2025-03-07"
    newest_first = demo.get("/api/market/indices/SPX?start=2025-03-03&end=2025-03-07&order=desc").get_json()
    assert newest_first["items"] == body["items"][::-1]
    later = demo.get("/api/market/indices/SPX?start=2099-01-01").get_json()
    assert later["items"] == [] and later["as_of"] is None


def test_weekly_and_monthly_bars_aggregate_their_days(demo):
    days = demo.get("/api/market/indices/SPX?start=2025-03-01&end=2025-03-31").get_json()["items"]
    month = demo.get("/api/market/indices/SPX?start=2025-03-01&end=2025-03-31&interval=monthly").get_json()
    assert month["interval"] == "monthly" and month["total"] == 1
    (bar,) = month["items"]
    assert bar["date"] == days[-1]["date"]
    assert bar["open"] == days[0]["open"] and bar["close"] == days[-1]["close"]
    assert bar["high"] == max(d["high"] for d in days) and bar["low"] == min(d["low"] for d in days)
    assert bar["volume"] == pytest.approx(sum(d["volume"] for d in days))
    weeks = demo.get("/api/market/indices/SPX?start=2025-03-03&end=2025-03-16&interval=weekly").get_json()["items"]
    assert [w["date"] for w in weeks] == ["2025-03-07", "2025-03-14"]  # ISO weeks, dated by their last day
    assert weeks[0]["close"] == next(d["close"] for d in days if d["date"] == "2025-03-07")


def test_monthly_series_take_the_last_observation_of_each_month(demo):
    days = demo.get("/api/economic/fred/DGS10?start=2025-01-01&end=2025-02-28").get_json()["items"]
    months = demo.get("/api/economic/fred/DGS10?start=2025-01-01&end=2025-02-28&interval=monthly").get_json()["items"]
    for month in months:
        last = [d for d in days if d["date"][:7] == month["date"][:7]][-1]
        assert month == last


def test_economic_and_analytics_rows_carry_their_own_columns(demo):
    indicator = demo.get("/api/economic/indicators?symbols=SOFR_NYFED").get_json()["items"][0]
    assert indicator["country"] == "USA" and indicator["name"] == "SOFR (New York Fed)"
    rotation = demo.get("/api/analytics/sector-rotation/XLK?limit=1&order=desc").get_json()
    assert rotation["name"] and set(rotation["items"][0]) >= {"benchmark", "rs_ratio", "rs_momentum"}
    breadth = demo.get("/api/analytics/market-breadth").get_json()["items"][0]
    assert breadth["universe"] == "LARGE_CAP" and isinstance(breadth["advancers"], int)


def test_fundamentals_are_a_company_a_row_newest_year_first_then_its_history(demo):
    latest = demo.get("/api/market/fundamentals?symbols=AAPL,MSFT").get_json()
    assert [item["symbol"] for item in latest["items"]] == ["AAPL", "MSFT"]
    apple = latest["items"][0]
    assert apple["name"] == "Apple" and apple["form"] == "10-K" and apple["revenue"] > apple["net_income"] > 0
    history = demo.get("/api/market/fundamentals/AAPL?order=asc").get_json()["items"]
    assert len(history) >= 4 and all(item["date"].endswith("-09-30") for item in history)
    assert history[-1]["date"] == apple["date"] and history[-1]["fiscal_year"] == int(apple["date"][:4])


# --- paging --------------------------------------------------------------------------------------


def test_pages_follow_next_and_link_through_the_whole_result_once(demo):
    everything = demo.get(f"/api/market/indices/SPX?limit={MAX_LIMIT}").get_json()
    assert everything["next"] is None and everything["total"] == everything["count"] > 1000
    dates, url, pages = [], "/api/market/indices/SPX?limit=500&interval=daily", 0
    while url:
        response = demo.get(url)
        body = response.get_json()
        assert body["limit"] == 500 and body["total"] == everything["total"]
        assert response.headers["X-Total-Count"] == str(everything["total"])
        dates += [item["date"] for item in body["items"]]
        if body["next"]:
            assert response.headers["Link"] == f'<{body["next"]}>; rel="next"'
            assert "interval=daily" in body["next"]  # the rest of the query is kept
        else:
            assert "Link" not in response.headers
        url, pages = body["next"], pages + 1
    assert dates == [item["date"] for item in everything["items"]]
    assert pages == -(-everything["total"] // 500)


def test_the_default_limit_pages_large_lists(demo):
    body = demo.get("/api/economic/fred").get_json()
    assert body["limit"] == 1000 and body["count"] == 1000 and body["total"] > 1000
    rest = demo.get(body["next"]).get_json()
    assert rest["offset"] == 1000 and rest["count"] == body["total"] - 1000
    assert demo.get("/api/economic/fred?offset=5000").get_json()["items"] == []


# --- caching --------------------------------------------------------------------------------------


def test_etag_and_last_modified_answer_304_until_the_data_moves(empty_api):
    path = "/api/market/indices/SPX"
    store_rows("market_indices", bars("SPX", [100.0, 101.0, 102.0]))
    first = empty_api.get(path)
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert etag.startswith('W/"') and first.headers["Cache-Control"] == "max-age=60"
    assert "Accept" in first.headers["Vary"]
    again = empty_api.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == etag
    assert empty_api.get(path, headers={"If-Modified-Since": modified}).status_code == 304
    # If-None-Match wins over If-Modified-Since (RFC 9110).
    assert empty_api.get(path, headers={"If-None-Match": 'W/"x"', "If-Modified-Since": modified}).status_code == 200
    assert empty_api.get(path + "?format=csv", headers={"If-None-Match": etag}).status_code == 200
    assert empty_api.get(path + "?start=2024-01-02", headers={"If-None-Match": etag}).status_code == 200
    store_rows("market_indices", bars("SPX", [100.0, 101.0, 102.0, 103.0]))
    moved = empty_api.get(path, headers={"If-None-Match": etag})
    assert moved.status_code == 200 and moved.headers["ETag"] != etag
    assert moved.get_json()["items"][-1]["close"] == 103.0
    assert empty_api.get(path, headers={"If-Modified-Since": "Mon, 01 Jan 2024 00:00:00 GMT"}).status_code == 200


def test_freshness_is_in_the_body_and_in_headers(empty_api):
    version = store_rows("commodities", bars("GC", [2000.0, 2010.0]), source="stooq")
    body = empty_api.get("/api/market/commodities").get_json()
    assert body["as_of"] == "2024-01-02" and body["sources"] == ["stooq"] and body["version"] == version
    updated = datetime.fromisoformat(body["last_update"])
    assert (datetime.now(UTC) - updated).total_seconds() < 120
    for fmt in FORMATS:
        headers = empty_api.get(f"/api/market/commodities?format={fmt}").headers
        assert headers["X-Data-As-Of"] == "2024-01-02" and headers["X-Data-Sources"] == "stooq"
        assert headers["X-Dataset-Version"] == str(version) and headers["X-Total-Count"] == "1"
        assert datetime.fromisoformat(headers["X-Data-Last-Update"]) == updated
    gc = body["items"][0]
    assert (gc["close"], gc["previous"], gc["change"]) == (2010.0, 2000.0, 10.0)
    assert gc["change_pct"] == pytest.approx(0.5)


def test_json_csv_and_toon_are_gzip_compressed(demo):
    for fmt in FORMATS:
        plain = demo.get(f"/api/market/indices?format={fmt}", headers={"Accept-Encoding": "identity"})
        packed = demo.get(f"/api/market/indices?format={fmt}", headers={"Accept-Encoding": "gzip"})
        assert "Content-Encoding" not in plain.headers
        assert packed.headers["Content-Encoding"] == "gzip", fmt
        assert gzip.decompress(packed.data) == plain.data
        assert len(packed.data) < len(plain.data)
        assert packed.headers["ETag"] == plain.headers["ETag"]  # weak: the same resource either way


def test_the_format_follows_the_accept_header_unless_format_is_given(demo):
    cases = {
        "text/csv": "text/csv",
        "text/toon": "text/toon",
        "application/toon": "text/toon",
        "application/json": "application/json",
        "text/html,application/xhtml+xml,*/*;q=0.8": "application/json",  # a browser
        "application/xml": "application/json",  # nothing offered: the default
        "text/csv;q=0.5, text/toon": "text/toon",
    }
    for accept, mimetype in cases.items():
        assert demo.get("/api/market/forex", headers={"Accept": accept}).mimetype == mimetype, accept
    assert demo.get("/api/market/forex?format=json", headers={"Accept": "text/csv"}).mimetype == "application/json"
    csv_download = demo.get("/api/market/forex/EURUSD?format=csv")
    assert 'filename="spartan-forex-EURUSD.csv"' in csv_download.headers["Content-Disposition"]


def test_head_requests_get_the_headers_only(demo):
    response = demo.head("/api/market/indices")
    assert response.status_code == 200 and response.data == b"" and response.headers["ETag"]


# --- system lists ----------------------------------------------------------------------------------


@pytest.fixture
def api_after_a_run(tmp_path, backend, httpserver):
    """The app after one preload of the FRED fixture catalog: health and download log filled."""
    import app as webapp
    from config.catalog import load_catalog
    from jobs.pipeline import run_downloads
    from sql.store import get_store
    from tests.conftest import serve_fred

    settings = make_settings(tmp_path, backend, **NO_RATE_LIMIT)
    client = webapp.create_app(settings).server.test_client()
    fred = settings.__class__(**{**settings.__dict__, "fred_base_url": serve_fred(httpserver)})
    run_downloads(get_store(), load_catalog(fred), "preload")
    yield client
    drop_backend(settings)


def test_sources_and_download_log_list_the_runs(api_after_a_run):
    client = api_after_a_run
    sources = client.get("/api/system/sources").get_json()
    fred = next(item for item in sources["items"] if item["source_id"] == "fred_graph")
    assert fred["state"] == "ok" and fred["last_success_at"] and fred["consecutive_failures"] == 0
    assert sources["as_of"] and sources["sources"] == ["health_status"]
    log = client.get("/api/system/download-log").get_json()
    assert log["total"] > 0 and all(item["status"] == "ok" for item in log["items"])
    ids = [item["id"] for item in log["items"]]
    assert ids == sorted(ids, reverse=True)  # newest first
    first = client.get("/api/system/download-log?limit=1").get_json()
    assert first["items"][0]["id"] == ids[0] and first["next"]
    assert client.get(first["next"]).get_json()["items"][0]["id"] == ids[1]
    assert client.get("/api/system/download-log?source=fred_graph&status=ok").get_json()["total"] == log["total"]
    assert client.get("/api/system/download-log?status=failed").get_json()["items"] == []
    yields = client.get("/api/system/download-log?dataset=treasury_yields").get_json()
    assert yields["total"] > 0 and {item["dataset"] for item in yields["items"]} == {"treasury_yields"}
    rows = csv_rows(client.get("/api/system/download-log?format=csv&limit=2"))
    assert len(rows) == 2 and rows[0]["source_id"] == "fred_graph"
    tag = client.get("/api/system/sources").headers["ETag"]
    assert client.get("/api/system/sources", headers={"If-None-Match": tag}).status_code == 304


def test_health_and_status_are_still_served(api_after_a_run):
    assert api_after_a_run.get("/health").get_json()["ready"] is True
    status = api_after_a_run.get("/api/system/status").get_json()
    assert {d["dataset"] for d in status["datasets"]} >= {"treasury_yields", "market_indices"}
    # One schema for a source's row: the status's rows are /api/system/sources' without checked_at.
    from api.schemas_system import SourceItem, SourceStatus

    assert set(SourceStatus().fields) == set(SourceItem().fields) - {"checked_at"}
    listed = {row["source_id"]: row for row in api_after_a_run.get("/api/system/sources").get_json()["items"]}
    assert status["sources"] and listed.keys() == {row["source_id"] for row in status["sources"]}
    for row in status["sources"]:
        assert set(row) == set(SourceStatus().fields)
        assert (
            row["state"] == listed[row["source_id"]]["state"]
            and row["provider"] == listed[row["source_id"]]["provider"]
        )


# --- errors are JSON -------------------------------------------------------------------------------


def test_unknown_paths_and_methods_under_api_are_json(demo):
    for path in ("/api/nope", "/api/market/nope", "/api/market/indices/SPX/extra", "/api/market/indices/"):
        response = demo.get(path)
        assert response.status_code == 404 and response.mimetype == "application/json", path
        assert response.get_json()["error"].startswith("no such endpoint")
    for method in ("post", "put", "delete", "patch"):
        response = getattr(demo, method)("/api/market/indices")
        assert response.status_code == 405 and response.mimetype == "application/json"
        assert "GET" in response.headers["Allow"] and response.get_json()["code"] == 405
    index = demo.get("/api").get_json()
    assert index["openapi"] == "/api/openapi.json" and "/api/market/indices/{symbol}" in index["paths"]


def test_an_unknown_instrument_is_a_json_404_naming_it(demo):
    response = demo.get("/api/market/indices/NOPE")
    assert response.status_code == 404
    assert response.get_json()["error"] == (
        "unknown symbol 'NOPE' in market indices; /api/market/indices lists the known ones"
    )
    assert demo.get("/api/analytics/correlations/SPX/NOPE").status_code == 404


def test_an_unexpected_error_is_a_json_500_without_details(demo, monkeypatch):
    import api.data

    def broken(*_args, **_kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(api.data, "latest", broken)
    response = demo.get("/api/market/indices?symbols=SPX")
    body = response.get_data(as_text=True)
    assert response.status_code == 500 and response.mimetype == "application/json"
    assert "secret internals" not in body and "Traceback" not in body
    assert response.get_json()["error"] == "internal error; it has been logged"


def test_the_database_down_is_a_json_503_everywhere(tmp_path, backend, monkeypatch):
    from sqlalchemy import create_engine

    import app as webapp
    from sql.store import get_store

    settings = make_settings(tmp_path, backend, SPARTAN_SOURCES_FILE=SHIPPED_CATALOG, **NO_RATE_LIMIT)
    client = webapp.create_app(settings).server.test_client()
    dead = "postgresql+psycopg2://nobody@127.0.0.1:9/none" if settings.is_postgres else "sqlite:////nonexistent/x.db"
    monkeypatch.setattr(get_store(), "engine", create_engine(dead))
    try:
        paths = [p for ds in API_DATASETS for p in (ds.path, history_path(ds))]
        for path in [*paths, "/api/system/sources", "/api/system/download-log", "/api/system/status"]:
            response = client.get(path)
            assert response.status_code == 503 and response.mimetype == "application/json", path
            assert "database unavailable" in response.get_json()["error"], path
            assert response.headers["Cache-Control"] == "no-store"
    finally:
        drop_backend(settings)


def test_pages_outside_the_api_keep_their_own_errors(demo):
    response = demo.get("/assets/no-such-file.css")
    assert response.status_code == 404 and response.mimetype != "application/json"
