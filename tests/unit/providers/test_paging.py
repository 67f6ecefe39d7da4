"""Request builders of the providers with a per-request limit: a first download (no ``since``)
asks for the five-year history depth in as many pages as the limit needs, each page a range of
whole days that starts the day after the previous one ends; a refresh asks for one page."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta

import pandas as pd
import pytest

from datasources.providers.binance import BinanceKlinesConnector
from datasources.providers.bitfinex import BitfinexCandlesConnector
from datasources.providers.bitstamp import BitstampOhlcConnector
from datasources.providers.bybit import BybitKlineConnector
from datasources.providers.coinbase import CoinbaseCandlesConnector
from datasources.providers.cryptocom import CryptoComCandlesConnector
from datasources.providers.deribit import DeribitVolatilityConnector
from datasources.providers.kraken import KrakenOhlcConnector
from datasources.providers.kucoin import KucoinCandlesConnector
from datasources.providers.okx import OkxCandlesConnector
from datasources.wire import BACKFILL_DAYS, day_windows

DAY_MS = 86_400_000


def _day(ms: int | str) -> date:
    return datetime.fromtimestamp(int(ms) / 1000, UTC).date()


def _iso_day(text: str) -> date:
    stamp = pd.Timestamp(text)
    assert stamp == stamp.normalize(), f"{text} is not a midnight"
    return stamp.date()


# Per paged provider: the connector, the most days one request may cover (its documented limit),
# and how to read back the (first, last) day a request's parameters ask for.
PAGED = {
    "binance": (BinanceKlinesConnector(), 1000, lambda p: (_day(p["startTime"]), _day(p["endTime"]))),
    "bybit": (BybitKlineConnector(), 1000, lambda p: (_day(p["start"]), _day(p["end"]))),
    "kucoin": (KucoinCandlesConnector(), 1500, lambda p: (_day(int(p["startAt"]) * 1000), _day(int(p["endAt"]) * 1000))),
    "coinbase": (CoinbaseCandlesConnector(), 300, lambda p: (_iso_day(p["start"]), _iso_day(p["end"]))),
    "okx": (OkxCandlesConnector(), 100, lambda p: (_day(int(p["before"]) + 1), _day(int(p["after"]) - 1))),
    "bitstamp": (
        BitstampOhlcConnector(),
        1000,
        lambda p: (_day(int(p["start"]) * 1000), _day(int(p["start"]) * 1000) + timedelta(days=int(p["limit"]) - 1)),
    ),
    "bitfinex": (BitfinexCandlesConnector(), 10_000, lambda p: (_day(p["start"]), _day(p["end"]))),
    "cryptocom": (CryptoComCandlesConnector(), 300, lambda p: (_day(p["start_ts"]), _day(p["end_ts"]))),
    "deribit": (DeribitVolatilityConnector(), 1000, lambda p: (_day(p["start_timestamp"]), _day(p["end_timestamp"]))),
}  # fmt: skip
# Pages of a first download: five years and a week (1833 days, today included) over each limit.
EXPECTED_PAGES = {"binance": 2, "bybit": 2, "kucoin": 2, "coinbase": 7, "okx": 19, "bitstamp": 2, "bitfinex": 1,
                  "cryptocom": 7, "deribit": 2}  # fmt: skip
# Per-request limits as each request states them (the parameter the provider reads).
LIMIT_PARAMS = {"binance": ("limit", "1000"), "bybit": ("limit", "1000"), "okx": ("limit", "100"),
                "bitfinex": ("limit", "10000"), "cryptocom": ("count", "300")}  # fmt: skip


def windows_of(provider: str, since: date | None) -> list[tuple[date, date]]:
    connector, _, window = PAGED[provider]
    return [window(r.params) for r in connector.build_requests("https://x", "BTC-USD", since)]


def test_the_depth_is_five_years_and_a_week():
    assert BACKFILL_DAYS == 5 * 365 + 7
    days = BACKFILL_DAYS + 1  # from the first day asked for to today, both included
    assert {p: math.ceil(days / limit) for p, (_c, limit, _w) in PAGED.items()} == EXPECTED_PAGES


@pytest.mark.parametrize("provider", list(PAGED))
def test_a_first_download_asks_for_five_years_in_contiguous_pages(provider):
    _, limit, _ = PAGED[provider]
    today = datetime.now(UTC).date()
    windows = windows_of(provider, None)
    assert len(windows) == EXPECTED_PAGES[provider]
    assert windows[0][0] == today - timedelta(days=BACKFILL_DAYS)
    assert windows[-1][1] == today
    for first, last in windows:
        assert first <= last and (last - first).days + 1 <= limit
    # Each page starts the day after the one before ends: no day twice, none left out.
    assert all(b[0] == a[1] + timedelta(days=1) for a, b in zip(windows, windows[1:], strict=False))


@pytest.mark.parametrize("provider", list(PAGED))
def test_a_refresh_asks_for_one_page_from_since(provider):
    since = datetime.now(UTC).date() - timedelta(days=14)
    assert windows_of(provider, since) == [(since, datetime.now(UTC).date())]


@pytest.mark.parametrize("provider", list(LIMIT_PARAMS))
def test_every_page_states_the_providers_limit(provider):
    connector, _, _ = PAGED[provider]
    name, value = LIMIT_PARAMS[provider]
    assert {r.params[name] for r in connector.build_requests("https://x", "S", None)} == {value}


def test_binance_pages_bound_open_times_to_whole_days():
    first, second = BinanceKlinesConnector().build_requests("https://b", "BTCUSDT", None)
    # endTime is the last millisecond of the page's last day; the next page opens at the next midnight.
    assert int(second.params["startTime"]) == int(first.params["endTime"]) + 1
    assert int(first.params["startTime"]) % DAY_MS == 0


def test_okx_cursors_are_exclusive_timestamps_around_each_range():
    first = OkxCandlesConnector().build_requests("https://o", "BTC-USDT", date(2026, 1, 1))[0].params
    assert int(first["before"]) == int(pd.Timestamp("2026-01-01", tz="UTC").timestamp() * 1000) - 1
    assert int(first["after"]) == int(pd.Timestamp("2026-04-11", tz="UTC").timestamp() * 1000)  # day 101


def test_coinbase_ranges_hold_at_most_300_candles():
    for request in CoinbaseCandlesConnector().build_requests("https://c", "BTC-USD", None):
        span = pd.Timestamp(request.params["end"]) - pd.Timestamp(request.params["start"])
        assert span / pd.Timedelta(days=1) + 1 <= 300


def test_kraken_cannot_page_back_and_asks_only_for_its_720_days():
    connector = KrakenOhlcConnector()
    assert connector.max_history_days == 720
    (request,) = connector.build_requests("https://k", "XBTUSD", None)
    oldest = datetime.now(UTC).date() - timedelta(days=720)
    assert _day(int(request.params["since"]) * 1000) == oldest
    (refresh,) = connector.build_requests("https://k", "XBTUSD", oldest + timedelta(days=706))
    assert _day(int(refresh.params["since"]) * 1000) == oldest + timedelta(days=706)


def test_day_windows_cut_any_span_without_overlap():
    today = date(2026, 12, 6)
    assert day_windows(date(2026, 12, 1), 3, today) == [
        (date(2026, 12, 1), date(2026, 12, 3)),
        (date(2026, 12, 4), date(2026, 12, 6)),
    ]
    assert day_windows(date(2026, 12, 6), 100, today) == [(today, today)]
    with pytest.raises(ValueError, match="page_days"):
        day_windows(None, 0, today)
