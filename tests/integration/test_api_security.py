"""Hostile input to the REST API: every validation error is a JSON 400 naming the parameter;
SQL-injection and XSS payloads in every parameter of every operation execute nothing (the tables
are all still there, unchanged) and come back, if at all, as escaped JSON; stored text holding
markup is plain data in JSON, CSV and TOON and inert text on the docs page and a dashboard."""

from __future__ import annotations

import json
from urllib.parse import quote, urlencode

import pandas as pd
import pytest
import toon_format
from sqlalchemy import inspect, text

from api.schemas import MAX_SYMBOLS
from tests.conftest import SHIPPED_CATALOG, demo_settings, drop_backend, make_settings
from tests.integration.test_api import bars, bind, csv_rows, store_rows
from tests.layouts import page_json

NO_RATE_LIMIT = {"SPARTAN_RATE_LIMIT_ENABLED": "0"}
SQL_INJECTION = [
    "' OR '1'='1",
    "SPX'; DROP TABLE market_indices; --",
    "1 UNION SELECT source_id, base_url FROM data_sources",
    '" OR ""="',
    "1); DELETE FROM dataset_versions; --",
]
XSS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(document.cookie)",
    "<svg/onload=alert(1)>",
]


@pytest.fixture(scope="module")
def demo_app(demo_root):
    import app as webapp

    settings = demo_settings(demo_root, **NO_RATE_LIMIT)
    return webapp.create_app(settings), settings


@pytest.fixture
def demo(demo_app):
    return bind(*demo_app)


@pytest.fixture
def small_api(tmp_path, backend):
    """The app on a database holding a few rows (SQLite, and PostgreSQL + Redis when set)."""
    import app as webapp

    settings = make_settings(tmp_path, backend, SPARTAN_SOURCES_FILE=SHIPPED_CATALOG, **NO_RATE_LIMIT)
    dash_app = webapp.create_app(settings)
    store_rows("market_indices", bars("SPX", [100.0, 101.0, 99.5]))
    yield dash_app
    drop_backend(settings)


# --- validation ------------------------------------------------------------------------------------

BAD_QUERIES = [
    ("/api/market/indices", "limit=0", "limit"),
    ("/api/market/indices", "limit=10001", "limit"),
    ("/api/market/indices", "limit=ten", "limit"),
    ("/api/market/indices", "offset=-1", "offset"),
    ("/api/market/indices", "offset=1.5", "offset"),
    ("/api/market/indices", "format=xml", "format"),
    ("/api/market/indices", "symbols=SPX,%3Cx%3E", "symbols"),
    ("/api/market/indices", "symbols=", "symbols"),
    ("/api/market/indices", "symbols=" + ",".join(["SPX"] * (MAX_SYMBOLS + 1)), "symbols"),
    ("/api/market/indices", "limt=10", "limt"),
    ("/api/market/indices/SPX", "start=2024-13-01", "start"),
    ("/api/market/indices/SPX", "start=yesterday", "start"),
    ("/api/market/indices/SPX", "end=2024-02-30", "end"),
    ("/api/market/indices/SPX", "start=2025-01-02&end=2025-01-01", "start"),
    ("/api/market/indices/SPX", "start=1600-01-01", "start"),
    ("/api/market/indices/SPX", "interval=hourly", "interval"),
    ("/api/market/indices/SPX", "order=up", "order"),
    ("/api/market/indices/SPX", "symbols=SPX", "symbols"),
    ("/api/analytics/correlations", "window=1", "window"),
    ("/api/analytics/correlations/SPX/GC", "window=sixty", "window"),
    ("/api/economic/fred/DGS10", "format=", "format"),
    ("/api/system/download-log", "status=exploded", "status"),
    ("/api/system/download-log", "source=Robert%27)", "source"),
    ("/api/system/download-log", "dataset=Market%20Indices", "dataset"),
    ("/api/system/sources", "limit=-5", "limit"),
    ("/api/system/status", "verbose=1", "verbose"),
]


@pytest.mark.parametrize(("path", "query", "parameter"), BAD_QUERIES)
def test_every_bad_parameter_is_a_json_400_naming_it(demo, path, query, parameter):
    response = demo.get(f"{path}?{query}")
    assert response.status_code == 400, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert body["code"] == 400 and body["status"] == "Bad Request"
    assert parameter in body["errors"] and body["errors"][parameter]
    assert body["error"].startswith("invalid query parameter(s): ") and parameter in body["error"]


def test_an_unknown_parameter_is_named_with_the_allowed_ones(demo):
    body = demo.get("/api/market/indices/SPX?limt=10").get_json()
    assert body["errors"] == {
        "limt": ["unknown parameter; allowed: end, format, interval, limit, offset, order, start"]
    }


def test_unknown_instrument_keys_in_symbols_are_a_400_naming_them(demo):
    response = demo.get("/api/market/indices?symbols=SPX,NOPE,ALSO_NOPE")
    assert response.status_code == 400
    assert response.get_json()["error"] == (
        "unknown instrument key(s) in symbols: NOPE, ALSO_NOPE; /api/market/indices lists them"
    )


# --- injection ---------------------------------------------------------------------------------------


def _operations(client) -> list[tuple[str, list[dict]]]:
    spec = client.get("/api/openapi.json").get_json()
    return [
        (path, item.get("parameters", []) + item["get"].get("parameters", [])) for path, item in spec["paths"].items()
    ]


def _requests_with(client, payload: str):
    """One request per parameter of every operation, that parameter set to ``payload`` (path
    parameters URL-quoted), the others to their examples; plus the payload as a parameter name."""
    for path, parameters in _operations(client):
        examples = {p["name"]: p.get("example", "SPX") for p in parameters if p["in"] == "path"}
        base = path
        for name, value in examples.items():
            base = base.replace("{" + name + "}", value)
        yield f"{base}?{urlencode({payload: '1'})}"
        for parameter in parameters:
            if parameter["in"] == "path":
                url = path
                for name, value in examples.items():
                    url = url.replace("{" + name + "}", quote(payload, safe="") if name == parameter["name"] else value)
                yield url
            else:
                yield f"{base}?{urlencode({parameter['name']: payload})}"


def _table_counts(engine) -> dict[str, int]:
    with engine.connect() as conn:
        names = sorted(inspect(conn).get_table_names())
        return {name: conn.execute(text(f'SELECT count(*) FROM "{name}"')).scalar_one() for name in names}


def test_sql_injection_in_any_parameter_executes_nothing(small_api):
    from sql.store import get_store

    client = small_api.server.test_client()
    before = _table_counts(get_store().engine)
    assert {"market_indices", "data_sources", "dataset_versions"} <= set(before)
    statuses = set()
    for payload in SQL_INJECTION:
        for url in _requests_with(client, payload):
            response = client.get(url)
            assert response.status_code < 500 and response.mimetype == "application/json", url
            statuses.add(response.status_code)
    assert statuses <= {200, 400, 404}  # /health ignores its query; every other payload is refused
    assert _table_counts(get_store().engine) == before
    body = client.get("/api/market/indices/SPX").get_json()
    assert [item["close"] for item in body["items"]] == [100.0, 101.0, 99.5]


def test_markup_in_any_parameter_never_comes_back_as_markup(demo):
    for payload in XSS:
        for url in _requests_with(demo, payload):
            response = demo.get(url)
            assert response.status_code in (200, 400, 404), url
            assert response.mimetype == "application/json", url
            raw = response.get_data(as_text=True)
            assert "<script" not in raw and "<img" not in raw and "<svg" not in raw, url
            assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_an_echoed_payload_is_escaped_json_that_parses_back(demo):
    payload = "<img src=x onerror=alert(1)>"
    response = demo.get("/api/market/indices/" + quote(payload, safe=""))
    assert response.status_code == 404
    assert "\\u003cimg src=x onerror=alert(1)\\u003e" in response.get_data(as_text=True)
    assert f"unknown symbol {payload!r}" in response.get_json()["error"]


# --- stored markup -------------------------------------------------------------------------------

STORED_SOURCE = "<script>alert('src')</script>"
STORED_LABEL = '<img src=x onerror="alert(1)">'
STORED_SERIES = "<script>alert(2)</script>"


@pytest.fixture
def hostile_rows(small_api):
    """Rows whose text (a source, a label, a series id) is markup, as a broken or hostile
    provider could deliver it."""
    dates = pd.to_datetime(["2025-01-02", "2025-01-03"])
    store_rows(
        "sentiment_indicators",
        pd.DataFrame({"indicator_id": "FEAR_GREED", "date": dates.date, "value": [40.0, 45.0], "label": STORED_LABEL}),
        source=STORED_SOURCE,
    )
    store_rows("fred_series", pd.DataFrame({"series_id": STORED_SERIES, "date": dates.date, "value": [1.0, 2.0]}))
    return small_api


def test_stored_markup_is_plain_data_in_json_csv_and_toon(hostile_rows):
    client = hostile_rows.server.test_client()
    response = client.get("/api/analytics/sentiment")
    item = response.get_json()["items"][0]
    assert (item["label"], item["source"]) == (STORED_LABEL, STORED_SOURCE)
    assert "<script" not in response.get_data(as_text=True) and "<img" not in response.get_data(as_text=True)
    series = client.get("/api/economic/fred").get_json()["items"]
    assert [s["series_id"] for s in series] == [STORED_SERIES]
    csv_response = client.get("/api/analytics/sentiment?format=csv")
    assert csv_response.mimetype == "text/csv" and csv_rows(csv_response)[0]["label"] == STORED_LABEL
    toon = client.get("/api/analytics/sentiment?format=toon").get_data(as_text=True)
    assert toon_format.decode(toon)["items"][0]["source"] == STORED_SOURCE


# Where a layout may hold stored text: as the text of an HTML element, or as a grid cell that AG
# Grid renders as text (no cell renderer, or its markdown renderer, which leaves HTML out).
def _markup_places(node, payload: str, found: list, grid: dict | None = None, where=("", "", "")) -> list:
    if isinstance(node, dict) and {"type", "namespace", "props"} <= set(node):
        props = node["props"]
        for name, value in props.items():
            _markup_places(
                value,
                payload,
                found,
                props if node["type"] == "AgGrid" else None,
                (node["namespace"], node["type"], name),
            )
    elif isinstance(node, dict):
        for key, value in node.items():
            if grid is not None and where[2] == "rowData" and isinstance(value, str) and payload in value:
                renderer = next(
                    (c.get("cellRenderer") for c in grid.get("columnDefs", []) if c.get("field") == key), None
                )
                found.append((*where, renderer))
            else:
                _markup_places(value, payload, found, grid, where)
    elif isinstance(node, list):
        for value in node:
            _markup_places(value, payload, found, grid, where)
    elif isinstance(node, str) and payload in node:
        found.append((*where, None))
    return found


def _inert(places: list) -> bool:
    for namespace, _type, prop, renderer in places:
        text_node = namespace == "dash_html_components" and prop == "children"
        grid_text = namespace == "dash_ag_grid" and prop == "rowData" and renderer in (None, "markdown")
        if not (text_node or grid_text):
            return False
    return True


def _render(dash_app, path: str) -> dict:
    import dash

    page = next(p for p in dash.page_registry.values() if p["path"] == path)
    with dash_app.server.test_request_context(path):
        layout = page["layout"]()
    return json.loads(page_json(layout))  # lazy parts as the browser draws them


def test_stored_markup_is_inert_text_on_the_docs_page(hostile_rows):
    layout = _render(hostile_rows, "/api-docs")
    places = _markup_places(layout, STORED_SOURCE, [])
    assert places, "the docs page shows what is stored, its sources included"
    assert _inert(places), places
    assert not any(grid for grid in places if grid[0] == "dash_core_components")
    shell = hostile_rows.server.test_client().get("/api-docs").get_data(as_text=True)
    assert STORED_SOURCE not in shell


def test_stored_markup_is_inert_text_on_a_dashboard(hostile_rows):
    for path, payload in (("/system", STORED_SOURCE), ("/sentiment", STORED_LABEL)):
        places = _markup_places(_render(hostile_rows, path), payload, [])
        assert _inert(places), (path, places)
    assert _markup_places(_render(hostile_rows, "/system"), STORED_SOURCE, [])  # shown, as text
