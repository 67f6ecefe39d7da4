"""The whole shipped catalog against a local server speaking every provider's wire format:
every market and economic table fills; a provider that is down hands over to the next."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from werkzeug import Request, Response

from config.catalog import load_catalog
from config.settings import PROJECT_ROOT
from jobs.pipeline import run_downloads
from sql.migrate import upgrade
from sql.schema import DATA_TABLES, health_status
from sql.store import configure
from sql.write import row_count
from tests.conftest import drop_backend, make_settings
from tests.fixtures.server import respond

# Every data table but the analytics ones (computed by the sidecar, not downloaded).
FILLED = [t for t in DATA_TABLES if t not in ("correlations", "sector_rotation", "market_breadth")]


@pytest.fixture
def full_store(tmp_path, backend, httpserver):
    settings = make_settings(
        tmp_path,
        backend,
        SPARTAN_SOURCES_FILE=str(PROJECT_ROOT / "config" / "sources.yaml"),
        SPARTAN_BASE_URL_ALL=httpserver.url_for("/").rstrip("/"),
        SPARTAN_RATE_LIMIT_MULTIPLIER="1000",  # a local server: the providers' limits do not apply
        # One single-threaded server answers ten workers' requests in turn: give the last in line
        # time, on a loaded machine too.
        SPARTAN_HTTP_TIMEOUT="60",
    )
    store = configure(settings)
    upgrade(settings, store.engine)
    yield store, load_catalog(settings)
    store.engine.dispose()
    drop_backend(settings)


def serve(httpserver, down: set[str] = frozenset()):
    """Every provider, except those whose URL contains one of ``down`` (answering 503)."""

    def handler(request: Request) -> Response:
        if any(marker in request.path for marker in down):
            return Response("maintenance", status=503)
        return respond(request)

    httpserver.expect_request(re.compile(".*")).respond_with_handler(handler)


@pytest.mark.parametrize("keys", [False, True], ids=["without-keys", "every-key-set"])
def test_preload_of_the_full_catalog_fills_every_market_and_economic_table(full_store, httpserver, monkeypatch, keys):
    """Every table fills from the fixture server, with no key (the keyless sources alone) and
    with every key set; the keyed sources are usable ("enabled") exactly when their key is set,
    and otherwise "not configured", never a failure."""
    store, catalog = full_store
    keyed = {s.id: s.auth_env for s in catalog.sources.values() if s.auth_env}
    for variable in set(keyed.values()):
        if keys:
            monkeypatch.setenv(variable, "test-key")
        else:
            monkeypatch.delenv(variable, raising=False)
    serve(httpserver)
    summary = run_downloads(store, catalog, "preload")
    assert summary.failed_sources() == {}
    assert summary.instruments_ok == summary.instruments_total == len(catalog.instruments)
    with store.engine.connect() as conn:
        enabled = dict(conn.exec_driver_sql("SELECT source_id, enabled FROM data_sources").all())
        counts = {name: row_count(conn, name) for name in FILLED}
        sources = pd.read_sql("SELECT symbol, source FROM market_indices GROUP BY symbol, source", conn)
        countries = set(pd.read_sql("SELECT DISTINCT country FROM economic_indicators", conn)["country"])
    assert len(keyed) >= 20 and {s: bool(enabled[s]) for s in keyed} == dict.fromkeys(keyed, keys)
    assert all(enabled[s] for s in catalog.sources if s not in keyed)
    assert all(counts[name] > 0 for name in FILLED), counts
    # Each instrument's primary, when it is healthy: Yahoo's, but the Moscow Exchange's own indices.
    primaries = {inst.providers[0].source for inst in catalog.for_dataset("market_indices")}
    assert primaries == {"yahoo_chart", "moex_iss"} and set(sources["source"]) == primaries
    assert len(sources) == len(catalog.for_dataset("market_indices"))
    assert {"USA", "CHN", "JPN", "DEU"} <= countries  # World Bank rows keep their country
    # The FRED cache: over a thousand series in batched requests of up to 40 ids.
    fred_requests = [r for r, _ in httpserver.log if r.path == "/graph/fredgraph.csv"]
    fred_ids = sum(len(r.args["id"].split(",")) for r in fred_requests)
    assert len(catalog.for_dataset("fred_series")) >= 1000
    assert fred_ids >= 1000 and len(fred_requests) <= fred_ids / 20


def test_a_provider_that_is_down_hands_over_to_the_next_in_the_cascade(full_store, httpserver):
    store, catalog = full_store
    serve(httpserver, down={"/v8/finance/chart/", "/api/v3/klines"})  # Yahoo and Binance are down
    datasets = ["market_indices", "volatility_indicators", "crypto_prices"]
    summary = run_downloads(store, catalog, "preload", datasets=datasets)
    with store.engine.connect() as conn:
        used = pd.read_sql("SELECT DISTINCT symbol, source FROM market_indices", conn).set_index("symbol")["source"]
        vix = pd.read_sql("SELECT DISTINCT source FROM volatility_indicators WHERE symbol = 'VIX'", conn)
        crypto = pd.read_sql("SELECT DISTINCT symbol, source FROM crypto_prices", conn).set_index("symbol")["source"]
        health = {r.source_id: r.state for r in conn.execute(health_status.select())}
    assert used["SPX"] == "stooq"  # the secondary took over
    assert used["SPY"] == "stooq"
    assert used["RUT"] == "nasdaq"  # no Stooq symbol for it: the third provider
    assert "NYA" not in used.index  # Yahoo was its only provider: nothing, and no error elsewhere
    assert list(vix["source"]) == ["cboe_indices"]
    assert crypto["BTCUSD"] == "coinbase"  # second in its cascade, Binance being down
    assert crypto["XMRUSD"] == "coingecko"  # not on the exchanges; Yahoo down; the aggregator remains
    assert health["yahoo_chart"] == "circuit_open"  # three failures, then it was not called again
    assert health["stooq"] == "ok"
    yahoo_calls = [r for r, _ in httpserver.log if "/v8/finance/chart/" in r.path]
    # Three failures open its circuit; requests already in flight on the other workers finish.
    in_flight = store.settings.workers
    assert len(yahoo_calls) <= (3 + in_flight) * (1 + store.settings.http_retries)
    yahoo_instruments = sum(p.source == "yahoo_chart" for i in catalog.instruments for p in i.providers)
    assert len(yahoo_calls) < yahoo_instruments / 3
    assert "yahoo_chart" in summary.failed_sources()


def test_a_refresh_skips_monthly_series_checked_today_and_batches_the_rest(full_store, httpserver):
    store, catalog = full_store
    serve(httpserver)
    run_downloads(store, catalog, "preload", datasets=["fred_series"])
    httpserver.clear_log()
    summary = run_downloads(store, catalog, "refresh", datasets=["fred_series"])
    state_monthly = 13 * 51  # the monthly and slower state families (claims are weekly, income annual)
    assert summary.instruments_skipped >= state_monthly
    asked = {i for r, _ in httpserver.log for i in r.args["id"].split(",")}
    assert "CAUR" not in asked and "TXRGSP" not in asked
    assert "DGS10" in asked  # daily: every run
    assert summary.instruments_ok + summary.instruments_skipped == summary.instruments_total
