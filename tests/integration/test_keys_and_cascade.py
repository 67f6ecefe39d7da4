"""Keyed sources in a cascade: without a key they are "not configured" (skipped, not failed);
with several keys a rejected one is rotated out."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from sqlalchemy import select
from werkzeug import Request, Response

from config.catalog import load_catalog
from datasources.providers.fred import FredApiConnector
from datasources.registry import CONNECTORS
from jobs.pipeline import run_downloads
from pages.panels.system import health_rows
from sql import read
from sql.migrate import upgrade
from sql.schema import health_status
from sql.store import configure
from tests.conftest import drop_backend, make_settings
from tests.fixtures.server import respond

CATALOG = """
sources:
  - {id: fred_keyed, provider: fred_api, category: economic, base_url: "https://api.stlouisfed.org", auth_env: SPARTAN_TESTFRED_API_KEYS}
  - {id: fred_graph, provider: fred, category: economic, base_url: "https://fred.stlouisfed.org"}
datasets:
  treasury_yields:
    - {key: 10Y, label: 10-Year, providers: [{source: fred_keyed, symbol: DGS10}, {source: fred_graph, symbol: DGS10}]}
"""


@pytest.fixture
def keyed(tmp_path, backend, httpserver):
    (tmp_path / "catalog.yaml").write_text(CATALOG)
    settings = make_settings(
        tmp_path,
        backend,
        SPARTAN_SOURCES_FILE=str(tmp_path / "catalog.yaml"),
        SPARTAN_BASE_URL_ALL=httpserver.url_for("").rstrip("/"),
    )
    store = configure(settings)
    upgrade(settings, store.engine)
    yield store, settings
    store.engine.dispose()
    drop_backend(settings)


def served_by(store) -> set[str]:
    with store.engine.connect() as conn:
        return set(conn.exec_driver_sql("SELECT DISTINCT source FROM treasury_yields").scalars())


def test_a_keyed_source_without_a_key_is_not_configured_and_the_next_provider_serves(keyed, httpserver, monkeypatch):
    store, settings = keyed
    monkeypatch.delenv("SPARTAN_TESTFRED_API_KEYS", raising=False)
    httpserver.expect_request(re.compile(".*")).respond_with_handler(respond)
    summary = run_downloads(store, load_catalog(settings), "preload")
    assert served_by(store) == {"fred_graph"}
    assert summary.failed_sources() == {}
    assert [a.status for a in summary.attempts] == ["not_configured", "ok"]
    assert not any("/fred/series/observations" in r.path for r, _ in httpserver.log)  # never called
    with store.engine.connect() as conn:
        states = {r.source_id: r.state for r in conn.execute(select(health_status))}
    assert states == {"fred_keyed": "not_configured", "fred_graph": "ok"}


def test_a_rejected_key_is_rotated_and_the_next_key_is_used(keyed, httpserver, monkeypatch):
    store, settings = keyed
    monkeypatch.setenv("SPARTAN_TESTFRED_API_KEYS", "revoked-key,good-key")

    def handler(request: Request) -> Response:
        if request.args.get("api_key") == "revoked-key":
            return Response('{"error_code": 403, "error_message": "api_key revoked"}', status=403)
        return respond(request)

    httpserver.expect_request(re.compile(".*")).respond_with_handler(handler)
    summary = run_downloads(store, load_catalog(settings), "preload")
    assert served_by(store) == {"fred_keyed"}
    keys_used = [r.args.get("api_key") for r, _ in httpserver.log]
    assert keys_used == ["revoked-key", "good-key"]
    assert [a.status for a in summary.attempts] == ["ok"]
    assert "good-key" not in repr(summary.as_dict()) and "revoked-key" not in str(summary.as_dict())


class PagedFredApi(FredApiConnector):
    """The FRED API asked for in two pages (by observation date), as a paged connector would."""

    def build_requests(self, base_url, symbol, since, api_key=None):
        (request,) = super().build_requests(base_url, symbol, since, api_key)
        return [replace(request, params={**request.params, "page": page}) for page in ("1", "2")]


def test_a_key_refused_on_a_later_page_retries_that_page_with_the_next_key(keyed, httpserver, monkeypatch):
    store, settings = keyed
    monkeypatch.setenv("SPARTAN_TESTFRED_API_KEYS", "quota-key,spare-key")
    monkeypatch.setitem(CONNECTORS, "fred_api", PagedFredApi())

    def handler(request: Request) -> Response:
        if request.args.get("api_key") == "quota-key" and request.args.get("page") == "2":
            return Response('{"error_code": 429, "error_message": "Too Many Requests"}', 429, {"Retry-After": "3600"})
        return respond(request)

    httpserver.expect_request(re.compile(".*")).respond_with_handler(handler)
    summary = run_downloads(store, load_catalog(settings), "preload")
    sent = [(r.args.get("page"), r.args.get("api_key")) for r, _ in httpserver.log]
    assert sent == [("1", "quota-key"), ("2", "quota-key"), ("2", "spare-key")]  # not page 1 again
    assert [a.status for a in summary.attempts] == ["ok"]
    assert served_by(store) == {"fred_keyed"}


COMMODITY_CATALOG = """
sources:
  - {id: yahoo_chart, provider: yahoo, category: stocks, base_url: "https://query1.finance.yahoo.com"}
  - {id: eia, provider: eia, category: commodities, base_url: "https://api.eia.gov", auth_env: SPARTAN_EIA_API_KEYS}
  - {id: alphavantage_commodities, provider: alphavantage_commodities, category: commodities, base_url: "https://www.alphavantage.co", auth_env: SPARTAN_ALPHAVANTAGE_API_KEYS}
datasets:
  commodities:
    - {key: CL, label: WTI crude oil, providers: [{source: yahoo_chart, symbol: CL=F}, {source: eia, symbol: 'petroleum/pri/spt:RWTC'}, {source: alphavantage_commodities, symbol: WTI}]}
"""


def test_keyed_commodity_sources_close_the_cascade_when_the_keyless_one_fails(
    tmp_path, backend, httpserver, monkeypatch
):
    (tmp_path / "catalog.yaml").write_text(COMMODITY_CATALOG)
    settings = make_settings(
        tmp_path,
        backend,
        SPARTAN_SOURCES_FILE=str(tmp_path / "catalog.yaml"),
        SPARTAN_BASE_URL_ALL=httpserver.url_for("").rstrip("/"),
        SPARTAN_HTTP_RETRIES="0",
    )
    monkeypatch.setenv("SPARTAN_EIA_API_KEYS", "eia-key")
    monkeypatch.delenv("SPARTAN_ALPHAVANTAGE_API_KEYS", raising=False)

    def handler(request: Request) -> Response:
        if request.path.startswith("/v8/finance/chart"):
            return Response("upstream exploded", status=502)
        return respond(request)

    httpserver.expect_request(re.compile(".*")).respond_with_handler(handler)
    store = configure(settings)
    try:
        upgrade(settings, store.engine)
        summary = run_downloads(store, load_catalog(settings), "preload")
        with store.engine.connect() as conn:
            sources = set(conn.exec_driver_sql("SELECT DISTINCT source FROM commodities").scalars())
    finally:
        store.engine.dispose()
        drop_backend(settings)
    assert sources == {"eia"}
    assert [(a.source_id, a.status) for a in summary.attempts] == [("yahoo_chart", "failed"), ("eia", "ok")]
    eia = [r for r, _ in httpserver.log if r.path.startswith("/v2/")]
    assert eia and all(r.args.get("api_key") == "eia-key" for r in eia)
    assert not any(r.path == "/query" for r, _ in httpserver.log)  # the cascade stopped at EIA


FALLBACK_LAST = CATALOG.replace(
    "[{source: fred_keyed, symbol: DGS10}, {source: fred_graph, symbol: DGS10}]",
    "[{source: fred_graph, symbol: DGS10}, {source: fred_keyed, symbol: DGS10}]",
)


@pytest.mark.parametrize("key", [None, "a-key"], ids=["without-key", "with-key"])
def test_the_sources_page_shows_access_and_key_variable_and_a_missing_key_as_not_configured(
    keyed, httpserver, monkeypatch, tmp_path, key
):
    """Access and key variable per source; a keyed source without a key is "not configured" on
    the System page even when no cascade reached it (it is last), never failing; with a key, an
    unneeded fallback is "not used yet"."""
    store, settings = keyed
    (tmp_path / "catalog.yaml").write_text(FALLBACK_LAST)
    if key:
        monkeypatch.setenv("SPARTAN_TESTFRED_API_KEYS", key)
    else:
        monkeypatch.delenv("SPARTAN_TESTFRED_API_KEYS", raising=False)
    httpserver.expect_request(re.compile(".*")).respond_with_handler(respond)
    summary = run_downloads(store, load_catalog(settings), "preload")
    assert [a.source_id for a in summary.attempts] == ["fred_graph"]  # the keyed fallback is never reached
    health = read.source_health().set_index("source_id")
    assert health.loc["fred_keyed", "access"] == "key"
    assert health.loc["fred_keyed", "auth_env"] == "SPARTAN_TESTFRED_API_KEYS"
    assert health.loc["fred_keyed", "state"] == ("not_used_yet" if key else "not_configured")
    assert health.loc["fred_graph", "access"] == "keyless" and health.loc["fred_graph", "state"] == "ok"
    shown = health_rows(read.source_health()).set_index("source_id")
    assert shown.loc["fred_keyed", ["access", "auth_env"]].tolist() == ["key", "SPARTAN_TESTFRED_API_KEYS"]
    assert shown.loc["fred_graph", "auth_env"] == "—"
    assert shown.loc["fred_keyed", "state"] == ("not used yet" if key else "not configured")
