"""Paged providers over a real local HTTP server whose fixtures honour each provider's paging
parameters and per-request limits: a first download's pages, fetched and parsed one by one,
join into one continuous five-year daily history with no bar twice at a seam."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest

from datasources.base import FetchError, HttpRequest
from datasources.http import HttpClient
from datasources.registry import CONNECTORS
from datasources.wire import BACKFILL_DAYS
from jobs.history import join_pages
from tests.conftest import make_settings
from tests.fixtures.server import respond
from tests.fixtures.synthetic import LISTED

# Provider → a symbol the fixture serves the whole synthetic history of (more than five years).
PAGED = {
    "binance": "BTCUSDT",
    "bybit": "BTCUSDT",
    "kucoin": "BTC-USDT",
    "coinbase": "BTC-USD",
    "okx": "BTC-USDT",
    "bitstamp": "btcusd",
    "bitfinex": "tBTCUSD",
    "cryptocom": "BTC_USD",
    "deribit": "BTC",
}
# Bitfinex answers up to 10000 candles a request: five years are one page.
SINGLE_PAGE = {"bitfinex"}


@pytest.fixture
def client(tmp_path):
    return HttpClient(make_settings(tmp_path, "sqlite", SPARTAN_HTTP_RETRIES="0"), sleep=lambda _s: None)


@pytest.fixture
def server(httpserver):
    httpserver.expect_request(re.compile(".*")).respond_with_handler(respond)
    return httpserver


def pages(client, server, provider: str, symbol: str, since=None) -> list[pd.DataFrame]:
    connector = CONNECTORS[provider]
    base = server.url_for("").rstrip("/")
    return [connector.parse(client.get(r).body, symbol) for r in connector.build_requests(base, symbol, since)]


@pytest.mark.parametrize("provider", list(PAGED))
def test_a_first_download_pages_into_five_continuous_years(provider, client, server):
    fetched = pages(client, server, provider, PAGED[provider])
    assert len(fetched) == 1 if provider in SINGLE_PAGE else len(fetched) > 1
    assert all(len(page) for page in fetched)  # every page served bars
    raw = pd.concat(fetched, ignore_index=True)
    # The pages meet without overlapping: not one bar twice, before any de-duplication.
    assert not raw["ts"].duplicated().any()
    days = raw["ts"].sort_values().dt.normalize()
    assert set(days.diff().dropna()) == {pd.Timedelta(days=1)}  # no day missing at a seam
    today = datetime.now(UTC).date()
    depth_start = today - timedelta(days=BACKFILL_DAYS)
    first = days.iloc[0].date()
    if provider == "deribit":  # DVOL starts in March 2021, before the depth asked for
        assert first == max(depth_start, LISTED["DVOLBTC"])
    else:
        assert first == depth_start
    assert days.iloc[-1].date() == today - timedelta(days=1)  # up to the last complete day
    assert len(join_pages(fetched)) == len(raw)


@pytest.mark.parametrize("provider", list(PAGED))
def test_a_refresh_is_one_page_of_the_recent_days(provider, client, server):
    since = datetime.now(UTC).date() - timedelta(days=14)
    (page,) = pages(client, server, provider, PAGED[provider], since)
    assert page["ts"].min().date() == since
    assert len(page) == 14


def test_a_coin_listed_within_the_five_years_starts_at_its_listing(client, server):
    bars = join_pages(pages(client, server, "binance", "SUIUSDT"))
    assert bars["ts"].min().date() == LISTED["SUIUSD"]
    assert not bars["ts"].duplicated().any()


def test_kraken_serves_its_last_720_days_whatever_since_asks(client, server):
    (bars,) = pages(client, server, "kraken", "XBTUSD")
    assert len(bars) == 720
    base = server.url_for("").rstrip("/")
    asked_for_more = HttpRequest(f"{base}/0/public/OHLC", {"pair": "XBTUSD", "interval": "1440", "since": "0"})
    assert len(CONNECTORS["kraken"].parse(client.get(asked_for_more).body, "XBTUSD")) == 720


def test_the_coinbase_fixture_refuses_a_range_of_more_than_300_candles_as_coinbase_does(client, server):
    base = server.url_for("").rstrip("/")
    too_long = HttpRequest(
        f"{base}/products/BTC-USD/candles",
        {"granularity": "86400", "start": "2025-01-01T00:00:00+00:00", "end": "2025-10-28T00:00:00+00:00"},
    )
    with pytest.raises(FetchError, match="400"):
        client.get(too_long)


def test_overlapping_pages_keep_each_bar_once_the_later_pages(client, server):
    first, second = pages(client, server, "binance", "BTCUSDT")
    overlap = first.tail(3).assign(close=first.tail(3)["close"] + 1)
    joined = join_pages([first, pd.concat([overlap, second], ignore_index=True)])
    assert not joined["ts"].duplicated().any()
    assert len(joined) == len(first) + len(second)
    assert joined.set_index("ts").loc[overlap["ts"], "close"].tolist() == overlap["close"].tolist()
