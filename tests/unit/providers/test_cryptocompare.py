"""Parsers and request builder of CryptoCompare's daily OHLCV (``/data/v2/histoday``).

Where the wire-format facts come from (no recorded body in ../shared/samples/real):
- the envelope ``{"Response": "Success", "Message", "HasWarning", "Type": 100, "RateLimit",
  "Data": {"Aggregated", "TimeFrom", "TimeTo", "Data": [{time, high, low, open, volumefrom,
  volumeto, close, conversionType, conversionSymbol}]}}`` and the error envelope
  ``{"Response": "Error", "Message": "fsym is a required param.", "Type": 1, "Data": {}}``,
  the 2000-candle ``limit`` and ``limit + 1`` candles per answer ("2020-07-30 to 2026-01-20
  (2001 days returned)"): a research note with live results, code search "CryptoCompare API
  Research" (repository not named by the index; 2026-01-20); the run report
  quanhua92/aipriceaction scripts/crypto_compare/HISTORICAL.md (2025-11-16, ``toTs`` paging);
- the candle field names as clients declare them: robertjuh/btc-index
  src/app/models/interface/cryptoCompare-api-data-point.interface.ts;
- all-zero candles before a pair traded: CryptoCompare's documented padding (documentation
  only; the parser drops them rather than storing prices of 0).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest

from datasources.base import ParseError
from datasources.providers.cryptocompare import CryptoCompareHistodayConnector, parse_histoday, split_symbol
from datasources.wire import BACKFILL_DAYS
from tests.unit.providers.bodies import body, day

# Two candles shaped as the recorded examples (values of 2023-12-18 and the day after).
CANDLES = [
    {"time": 1702857600, "high": 43500.12, "low": 42100.45, "open": 42500.0, "volumefrom": 12345.67,
     "volumeto": 534567890.12, "close": 43200.5, "conversionType": "direct", "conversionSymbol": ""},
    {"time": 1702944000, "high": 43650.0, "low": 42900.1, "open": 43200.5, "volumefrom": 11002.3,
     "volumeto": 475000000.0, "close": 42980.75, "conversionType": "direct", "conversionSymbol": ""},
]  # fmt: skip


def envelope(rows, **extra):
    data = {"Aggregated": False, "TimeFrom": rows[0]["time"] if rows else 0, "TimeTo": rows[-1]["time"] if rows else 0}
    return {"Response": "Success", "Message": "", "HasWarning": False, "Type": 100, "RateLimit": {},
            "Data": data | {"Data": rows}} | extra  # fmt: skip


def test_histoday_candles_become_daily_bars():
    bars = CryptoCompareHistodayConnector().parse(body(envelope(CANDLES)), "BTC-USD")
    assert bars["ts"].tolist() == [pd.Timestamp("2023-12-18", tz="UTC"), pd.Timestamp("2023-12-19", tz="UTC")]
    assert day(bars, "2023-12-18")[["open", "high", "low", "close", "volume"]].tolist() == [
        42500.0, 43500.12, 42100.45, 43200.5, 12345.67,
    ]  # fmt: skip
    assert set(bars["symbol"]) == {"BTC-USD"}


def test_zero_candles_before_the_pair_traded_are_not_prices():
    padding = {"time": 1702771200, "high": 0, "low": 0, "open": 0, "volumefrom": 0, "volumeto": 0, "close": 0,
               "conversionType": "direct", "conversionSymbol": ""}  # fmt: skip
    bars = parse_histoday(envelope([padding, *CANDLES]), "BTC-USD")
    assert len(bars) == 2 and (bars["close"] > 0).all()


def test_an_error_envelope_is_a_parse_error_with_its_message():
    doc = {"Response": "Error", "Message": "fsym is a required param.", "HasWarning": False, "Type": 1, "Data": {}}
    with pytest.raises(ParseError, match="fsym is a required param"):
        parse_histoday(doc, "BTC-USD")


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ([1, 2], "expected a CryptoCompare histoday response"),
        ({"Response": "Success", "Data": {}}, "no Data.Data candles"),
        (envelope([{"time": 1702857600, "close": 1.0}]), "candles lack"),
        (envelope([CANDLES[0] | {"time": "yesterday"}]), "time is not a number"),
    ],
)
def test_bodies_of_the_wrong_shape_are_parse_errors(doc, message):
    with pytest.raises(ParseError, match=message):
        parse_histoday(doc, "BTC-USD")


def test_a_first_download_is_one_request_for_the_whole_depth():
    (request,) = CryptoCompareHistodayConnector().build_requests("https://cc", "eth-usd", None)
    today = datetime.now(UTC).date()
    assert request.url == "https://cc/data/v2/histoday"
    assert (request.params["fsym"], request.params["tsym"]) == ("ETH", "USD")
    assert int(request.params["limit"]) == BACKFILL_DAYS  # limit + 1 days: from the depth start to today
    last_second = pd.Timestamp(int(request.params["toTs"]), unit="s", tz="UTC")
    assert last_second.date() == today and last_second.hour == 23


def test_a_deeper_span_is_paged_by_2000_days_ending_each_page_on_its_last_day():
    since = datetime.now(UTC).date() - timedelta(days=4100)
    requests = CryptoCompareHistodayConnector().build_requests("https://cc", "BTC-USD", since)
    assert len(requests) == 3
    ends = [pd.Timestamp(int(r.params["toTs"]), unit="s", tz="UTC").date() for r in requests]
    starts = [end - timedelta(days=int(r.params["limit"])) for end, r in zip(ends, requests, strict=True)]
    assert starts[0] == since and ends[-1] == datetime.now(UTC).date()
    assert all(b == a + timedelta(days=1) for a, b in zip(ends, starts[1:], strict=False))
    assert all(int(r.params["limit"]) <= 2000 for r in requests)


def test_a_one_day_refresh_still_asks_for_a_valid_limit():
    (request,) = CryptoCompareHistodayConnector().build_requests("https://cc", "BTC-USD", datetime.now(UTC).date())
    assert request.params["limit"] == "1"


def test_symbols_are_pairs():
    assert split_symbol("sol-usd") == ("SOL", "USD")
    with pytest.raises(ValueError, match="BTC-USD"):
        split_symbol("BTCUSD")
