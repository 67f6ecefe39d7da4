"""Search: ``/api/search`` on five years of demo data (the catalog synced as a run syncs it) and on
an empty database — ranking, paging, formats, bad input, one indexed query, no outbound call —
the /search page, and the detail pages' "Shown on" dashboards and related series."""

from __future__ import annotations

import csv
import io
import json
import re
import socket

import dash
import pytest
from plotly.utils import PlotlyJSONEncoder

from tests.conftest import SHIPPED_CATALOG, demo_settings, drop_backend, make_settings
from tests.integration.test_api import bind
from tests.integration.test_page_queries import Statements

NO_RATE_LIMIT = {"SPARTAN_RATE_LIMIT_ENABLED": "0"}


@pytest.fixture(scope="module")
def demo_app(demo_root):
    import app as webapp

    settings = demo_settings(demo_root, **NO_RATE_LIMIT)
    return webapp.create_app(settings), settings


@pytest.fixture
def client(demo_app):
    from api import response_cache

    response_cache.clear_local()
    return bind(*demo_app)


def search(client, query: str, **params) -> dict:
    response = client.get("/api/search", query_string={"q": query, **params})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def keys(body: dict) -> list:
    return [item["key"] for item in body["items"]]


# --- ranking ------------------------------------------------------------------------------------


def test_an_exact_symbol_comes_first_whatever_its_case(client):
    for query in ("SPX", "spx", "SpX"):
        first = search(client, query)["items"][0]
        assert first == {
            "kind": "instrument",
            "label": "S&P 500",
            "detail": "Market indices · SPX",
            "href": "/instrument/SPX?dataset=market_indices",
            "key": "SPX",
            "dataset": "market_indices",
        }


def test_symbols_with_punctuation_are_found_as_written_or_without_it(client):
    for query in ("BRK-B", "brkb", "brk b"):
        assert keys(search(client, query))[0] == "BRK-B", query
    assert keys(search(client, "hy_oas"))[0] == "HY_OAS"


def test_a_series_id_leads_to_its_series_page(client):
    first = search(client, "dgs10")["items"][0]
    assert first["kind"] == "series" and first["key"] == "DGS10"
    assert first["href"] == "/series/DGS10?dataset=fred_series"


def test_names_that_start_with_the_query_come_before_names_that_contain_it(client):
    body = search(client, "gold", limit=50)
    labels = [item["label"] for item in body["items"] if item["kind"] in ("instrument", "series")]
    assert labels[0] == "Gold"
    starting = [i for i, label in enumerate(labels) if label.lower().startswith("gold")]
    containing = [i for i, label in enumerate(labels) if not label.lower().startswith("gold")]
    assert containing and max(starting) < min(containing)  # "CBOE Gold Volatility" after them


def test_every_word_of_the_query_starts_a_word_of_each_result(client):
    body = search(client, "us dollar", limit=50)
    assert body["words"] == ["us", "dollar"] and body["count"] > 5
    for item in body["items"]:
        text = (item["label"] + " " + item["detail"]).lower().replace(".", "")
        assert re.search(r"\bus", text) or "usd" in text, item
        assert "dollar" in text, item


def test_dashboards_and_panels_are_found_by_title_with_their_links(client):
    body = search(client, "treasury curve", limit=50)
    by_kind = {}
    for item in body["items"]:
        by_kind.setdefault(item["kind"], []).append(item)
    assert by_kind["dashboard"][0]["href"] == "/treasury-curve"
    assert by_kind["dashboard"][0]["key"] is None
    panels = {item["href"] for item in by_kind["panel"]}
    assert "/rates#panel-rates-curve" in panels
    assert search(client, "rates")["items"][0] == {
        "kind": "dashboard",
        "label": "Rates & spreads",
        "detail": "Rates dashboard · US Treasury curve, term spreads and corporate credit spreads (FRED).",
        "href": "/rates",
        "key": None,
        "dataset": None,
    }


def test_series_with_data_come_before_those_without_among_equal_matches(client):
    body = search(client, "unemployment", limit=50)
    stored = [not item["detail"].endswith("no data yet") for item in body["items"] if item["kind"] == "series"]
    assert True in stored and stored == sorted(stored, reverse=True)


# --- paging, formats, caching --------------------------------------------------------------------


def test_limit_and_offset_page_through_one_ranking(client):
    whole = search(client, "cpi", limit=50)
    assert whole["total"] > 6
    first, second = search(client, "cpi", limit=3), search(client, "cpi", limit=3, offset=3)
    assert first["count"] == 3 and first["total"] == whole["total"]
    assert first["items"] + second["items"] == whole["items"][:6]
    assert "offset=3" in first["next"]


def test_csv_and_toon_carry_the_same_results(client):
    items = search(client, "vix")["items"]
    response = client.get("/api/search?q=vix&format=csv")
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [r["href"] for r in rows] == [i["href"] for i in items]
    assert list(rows[0]) == ["kind", "label", "detail", "href", "key", "dataset"]
    toon = client.get("/api/search?q=vix&format=toon")
    assert toon.mimetype == "text/toon" and "/instrument/VIX?dataset=volatility_indicators" in toon.get_data(
        as_text=True
    )


def test_an_unchanged_search_is_a_304_and_a_kept_body(client):
    response = client.get("/api/search?q=gold")
    etag = response.headers["ETag"]
    assert response.headers["Cache-Control"] == "max-age=60"
    again = client.get("/api/search?q=gold", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert client.get("/api/search?q=silver").headers["ETag"] != etag


# --- bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query_string",
    [
        "",
        "q=",
        "q=" + "a" * 65,
        "q=%3Cscript%3Ealert(1)%3C/script%3E",
        "q=gold%00",
        "q=caf%C3%A9",
        "q=%22gold%22",
        "q=gold&limit=0",
        "q=gold&limit=51",
        "q=gold&offset=-1",
        "q=gold&limt=5",
        "q=gold&format=xml",
    ],
)
def test_bad_input_is_a_clear_400(client, query_string):
    response = client.get("/api/search?" + query_string)
    assert response.status_code == 400, query_string
    body = response.get_json()
    assert body["code"] == 400 and body["errors"]


@pytest.mark.parametrize("query", ["-", "...", "  ", "of the", "zzzzqqq"])
def test_a_query_that_names_nothing_is_an_empty_list(client, query):
    body = search(client, query)
    assert body["items"] == [] and body["total"] == 0


# --- the database --------------------------------------------------------------------------------


def test_instruments_and_series_come_from_one_indexed_query(client):
    from sql import memo
    from sql.store import get_store

    search(client, "warmup")  # the versions are read (once a second at most) before any search
    memo.clear_local()
    statements = Statements(get_store().engine)
    try:
        search(client, "natural gas")
    finally:
        statements.close()
    searches = [s for s in statements.seen if "catalog_terms" in s]
    assert len(searches) == 1, statements.seen
    with get_store().engine.connect() as conn:
        plan = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + searches[0].replace("?", "'gas'")).fetchall()
    assert any("USING INDEX" in str(row) or "PRIMARY KEY" in str(row) for row in plan), plan
    assert not any("SCAN catalog_terms" in str(row) for row in plan), plan


def test_a_search_opens_no_outbound_connection(client, monkeypatch):
    def refuse(self, address):
        raise ConnectionRefusedError(f"outbound connection to {address} refused by the test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    assert keys(search(client, "bitcoin"))[0] == "BTCUSD"


@pytest.fixture
def empty_client(tmp_path, backend):
    import app as webapp

    settings = make_settings(tmp_path, backend, SPARTAN_SOURCES_FILE=SHIPPED_CATALOG, **NO_RATE_LIMIT)
    yield webapp.create_app(settings).server.test_client()
    drop_backend(settings)


def test_searches_count_against_the_api_rate_limit(tmp_path):
    import app as webapp

    settings = make_settings(
        tmp_path, "sqlite", SPARTAN_SOURCES_FILE=SHIPPED_CATALOG, SPARTAN_RATE_LIMIT_API="3/minute"
    )
    client = webapp.create_app(settings).server.test_client()
    statuses = [client.get(f"/api/search?q=gold{i}").status_code for i in range(4)]
    assert statuses == [200, 200, 200, 429]


def test_before_the_first_sync_only_dashboards_and_panels_are_found(empty_client):
    response = empty_client.get("/api/search?q=rates")
    assert response.status_code == 200
    body = response.get_json()
    assert body["items"] and {item["kind"] for item in body["items"]} <= {"dashboard", "panel"}
    spx = empty_client.get("/api/search?q=spx").get_json()["items"]
    assert spx and {item["kind"] for item in spx} <= {"dashboard", "panel"}


def test_the_catalog_is_written_once_and_again_only_when_it_changes(tmp_path):
    from dataclasses import replace

    from config.catalog import load_catalog
    from sql.migrate import upgrade
    from sql.search import write_index
    from sql.store import configure

    settings = make_settings(tmp_path, "sqlite", SPARTAN_SOURCES_FILE=SHIPPED_CATALOG)
    store = configure(settings)
    upgrade(settings, store.engine)
    catalog = load_catalog(settings)
    with store.engine.begin() as conn:
        assert write_index(conn, catalog) is True
    with store.engine.begin() as conn:
        assert write_index(conn, catalog) is False
    renamed = replace(catalog, instruments=(replace(catalog.instruments[0], label="Renamed"), *catalog.instruments[1:]))
    with store.engine.begin() as conn:
        assert write_index(conn, renamed) is True
        label = conn.exec_driver_sql("SELECT label FROM catalog_entries WHERE key = 'SPX'").scalar()
    assert label == "Renamed"


# --- the /search page and the detail pages -------------------------------------------------------


def render(demo_app, path: str, **query) -> str:
    bind(*demo_app)
    page = next(p for p in dash.page_registry.values() if p["path"] == path)
    with demo_app[0].server.test_request_context(path):
        return json.dumps(page["layout"](**query), cls=PlotlyJSONEncoder)


def render_detail(demo_app, kind: str, key: str) -> str:
    from pages.detail import detail_page

    bind(*demo_app)
    with demo_app[0].server.test_request_context(f"/{kind}/{key}"):
        return json.dumps(detail_page(kind, key, {}), cls=PlotlyJSONEncoder)


def test_the_search_page_lists_every_result_by_kind_with_links(demo_app):
    body = render(demo_app, "/search", q="treasury")
    for heading in ("Dashboards (", "Instruments (", "Economic series (", "Panels ("):
        assert heading in body
    assert '"/treasury-curve"' in body and '"/series/DGS10?dataset=fred_series"' in body
    assert '"action": "/search"' in body and '"value": "treasury"' in body


def test_the_search_page_without_a_query_shows_a_hint_and_reads_nothing(demo_app):
    body = render(demo_app, "/search")
    assert "Press / on any page to search" in body and "results" not in body
    assert '"/search?q=DGS10"' in body


def test_the_search_page_says_when_nothing_matches_or_the_query_is_odd(demo_app):
    assert "Nothing found" in render(demo_app, "/search", q="zzzzqqq")
    odd = render(demo_app, "/search", q="<b>gold</b>")
    assert "Nothing to search for" in odd and "Gold" not in odd


def test_an_instrument_page_names_the_dashboards_that_show_it(demo_app):
    body = render_detail(demo_app, "instrument", "SPX")
    assert "Shown on: " in body
    for path in ('"/"', '"/indices"', '"/indices/detail"', '"/correlations"'):
        assert f'"href": {path}' in body, path
    assert "Related series" not in body


def test_a_series_page_names_its_dashboards_and_related_series(demo_app):
    body = render_detail(demo_app, "series", "DGS10")
    related = body.split("Related series", 1)[1]
    assert '"/series/DGS2?dataset=fred_series"' in related and '"/series/DFII10?dataset=fred_series"' in related
    assert "/series/DGS10?" not in related  # not itself
    assert "Shown on: " in body and '"href": "/economy"' in body


def test_a_series_no_dashboard_shows_has_no_shown_on_line(demo_app):
    from config.dashboard_index import shown_on

    assert shown_on("fred_series", "WYPOP") == ()
    assert "Shown on" not in render_detail(demo_app, "series", "WYPOP")
