"""The option venues beyond CBOE end to end: each venue's chain from the local fixture server
through a download run into ``options_chain`` (the multi-request hook: a chain that takes
several endpoints is fetched whole, parsed once, written once), and the crypto demo chains."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pandas as pd
import pytest

from config.catalog import Instrument, load_catalog
from datasources.validate import validate_option_chain
from tests.conftest import drop_backend, make_settings
from tests.fixtures.option_quotes import spot_of
from tests.fixtures.server import respond

# One instrument per venue (key: the venue's own), so that every venue is asked.
VENUES = {
    "deribit_options": ("BTC", ["/api/v2/public/get_book_summary_by_currency", "/api/v2/public/get_index_price"]),
    "bybit_options": ("ETH", ["/v5/market/tickers"]),
    "binance_options": ("SOL", ["/eapi/v1/ticker", "/eapi/v1/mark"]),
    "polygon_options": ("QQQ", ["/v3/snapshot/options/QQQ"] * 14),  # keyed: the test sets a key
    "eodhd_options": ("AAPL", ["/api/mp/unicornbay/options/contracts"] * 6),  # keyed as well
    "okx_options": (
        "BTC",
        [
            "/api/v5/public/opt-summary",
            "/api/v5/market/tickers",
            "/api/v5/public/open-interest",
            "/api/v5/market/index-tickers",
        ],
    ),
}


def catalog_text(base: str) -> str:
    sources = "\n".join(
        f"  - {{id: {venue}, provider: {venue}, category: options, base_url: '{base}', rate_limit_per_minute: 6000}}"
        for venue in VENUES
    )
    chains = "\n".join(
        f"    - {{key: {venue.upper()[:16]}, providers: [{{source: {venue}, symbol: {symbol}}}]}}"
        for venue, (symbol, _paths) in VENUES.items()
    )
    return f"sources:\n{sources}\ndatasets:\n  options_chain:\n{chains}\n"


@pytest.fixture
def venue_store(tmp_path, backend, httpserver, monkeypatch):
    from sql.migrate import upgrade
    from sql.store import configure

    monkeypatch.setenv("SPARTAN_POLYGON_API_KEYS", "polygon-test-key")
    monkeypatch.setenv("SPARTAN_EODHD_API_KEYS", "eodhd-test-key")
    httpserver.expect_request(re.compile(".*")).respond_with_handler(respond)
    path = tmp_path / "catalog.yaml"
    path.write_text(catalog_text(httpserver.url_for("").rstrip("/")))
    settings = make_settings(tmp_path, backend, SPARTAN_SOURCES_FILE=str(path))
    store = configure(settings)
    upgrade(settings, store.engine)
    yield store, load_catalog(settings)
    store.engine.dispose()
    drop_backend(settings)


def test_a_run_writes_every_venues_chain_from_all_its_requests(venue_store, httpserver):
    from jobs.pipeline import run_downloads
    from sql import read

    store, catalog = venue_store
    summary = run_downloads(store, catalog, "preload")
    assert summary.failed_sources() == {} and summary.instruments_ok == len(VENUES)
    asked = [r.path for r, _ in httpserver.log]
    for _venue, (_symbol, paths) in VENUES.items():
        assert all(asked.count(p) == paths.count(p) for p in paths), asked  # every request, once
    rows = read.rows("options_chain")
    for venue, (symbol, _paths) in VENUES.items():
        chain = rows[rows["source"] == venue]
        assert len(chain) >= 10, venue
        assert set(chain["underlying"]) == {venue.upper()[:16]}
        assert (chain["underlying_price"] == spot_of(symbol)).all(), venue
        assert chain["atm_iv"].dropna().between(5, 150).all() and chain["atm_iv"].notna().any(), venue
        assert validate_option_chain(chain, venue) is chain
    again = run_downloads(store, catalog, "refresh")
    assert again.rows_written["options_chain"] == 0


@pytest.mark.parametrize("underlying", ["BTC", "ETH"])
def test_crypto_demo_chains_follow_the_coin_and_its_dvol(underlying):
    from jobs.demo.seed import demo_frame, demo_path
    from jobs.demo.specs import CHAIN_SNAPSHOTS

    days = pd.bdate_range("2026-06-01", "2026-11-24")
    inst = Instrument("options_chain", underlying, underlying, ())
    frame = demo_frame("options_chain", inst, days, datetime.now(UTC))
    assert validate_option_chain(frame, underlying) is frame
    assert sorted(set(frame["date"])) == [d.date() for d in days[-CHAIN_SNAPSHOTS:]]
    latest = frame[frame["date"] == days[-1].date()]
    spot = demo_path(f"{underlying}USD", days, "crypto_prices")[-1]
    assert latest["underlying_price"].iloc[0] == pytest.approx(spot, abs=0.01)
    dvol = demo_path(f"DVOL_{underlying}", days)[-1]
    month = latest[latest["days_to_expiry"].between(20, 40)]
    assert (month["atm_iv"] - dvol).abs().max() < 0.3 * dvol
    assert latest["contracts"].max() < 400  # strikes 1000 apart for BTC, not 100
