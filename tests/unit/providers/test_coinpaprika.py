"""Parser and request builder of CoinPaprika's daily OHLCV (``/v1/coins/{id}/ohlcv/historical``).

Where the wire-format facts come from (no recorded body in ../shared/samples/real):
- the candle ``{time_open: "2023-05-29T00:00:00Z", time_close: "2023-05-29T23:59:59Z", open,
  high, low, close, volume: 12695505083, market_cap: 538210000932}`` (BTC, volume in USD) and
  the error body ``{"error": "<error message>"}`` with 400/402/403/404/429/500: the tests of
  CoinPaprika's own Python client, coinpaprika/coinpaprika-api-python-client
  tests/test_api_request.py (``test_api_candle`` / ``test_api_today`` / the exception tests);
- the free plan's depth (one year of daily history, 20,000 calls a month) and ``limit`` 1-366:
  KomodoPlatform/komodo-defi-sdk-flutter
  packages/komodo_cex_market_data/lib/src/coinpaprika/models/coinpaprika_api_plan.dart, and a
  CoinPaprika route's parameter table found by code search (repository not named by the index:
  ``limit`` 1-366, ``start``/``end`` ISO dates, ``quote`` usd). Documentation-level facts: no
  recorded body of a refused (older than a year) request was found.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest

from datasources.base import ParseError
from datasources.providers.coinpaprika import CoinPaprikaOhlcvConnector, parse_ohlcv
from tests.unit.providers.bodies import body, day

# As CoinPaprika's client tests record them (ohlcv/latest and ohlcv/today, same candle shape).
CANDLES = [
    {"time_open": "2023-05-29T00:00:00Z", "time_close": "2023-05-29T23:59:59Z", "open": 28105.47629947261,
     "high": 28417.14983419335, "low": 27586.800483051946, "close": 27760.510213035497, "volume": 12695505083,
     "market_cap": 538210000932},
    {"time_open": "2023-05-30T00:00:00Z", "time_close": "2023-05-30T12:41:00Z", "open": 27761.43024929449,
     "high": 28035.19508306931, "low": 27658.85948325011, "close": 27881.16647625301, "volume": 11137079269,
     "market_cap": 540564070529},
]  # fmt: skip


def test_candles_become_daily_bars_with_base_volume():
    bars = CoinPaprikaOhlcvConnector().parse(body(CANDLES), "btc-bitcoin")
    assert bars["ts"].tolist() == [pd.Timestamp("2023-05-29", tz="UTC"), pd.Timestamp("2023-05-30", tz="UTC")]
    first = day(bars, "2023-05-29")
    assert first[["open", "high", "low", "close"]].tolist() == pytest.approx(
        [28105.47629947261, 28417.14983419335, 27586.800483051946, 27760.510213035497]
    )
    # 12.7 billion USD traded at ~27,760 USD: ~457,000 BTC.
    assert first["volume"] == pytest.approx(12695505083 / 27760.510213035497)


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ({"error": "id not found"}, "CoinPaprika error: id not found"),
        ({"time_open": "2023-05-29T00:00:00Z"}, "expected a list of daily candles"),
        ([{"time_open": "2023-05-29T00:00:00Z", "close": 1.0}], "candles lack"),
        ([CANDLES[0] | {"time_open": "last monday"}], "unparseable time_open 'last monday'"),
    ],
)
def test_bodies_of_the_wrong_shape_are_parse_errors(doc, message):
    with pytest.raises(ParseError, match=message):
        parse_ohlcv(doc, "btc-bitcoin")


def test_an_empty_list_is_no_bars_not_an_error():
    assert parse_ohlcv([], "btc-bitcoin").empty


def test_a_first_download_asks_for_the_free_tiers_year_in_one_request():
    connector = CoinPaprikaOhlcvConnector()
    assert connector.max_history_days == 365
    (request,) = connector.build_requests("https://p", "eth-ethereum", None)
    today = datetime.now(UTC).date()
    assert request.url == "https://p/v1/coins/eth-ethereum/ohlcv/historical"
    assert request.params == {
        "start": (today - timedelta(days=364)).isoformat(),
        "end": today.isoformat(),
        "quote": "usd",
        "limit": "366",
    }


def test_a_refresh_asks_from_since_and_never_before_the_free_tiers_year():
    connector = CoinPaprikaOhlcvConnector()
    today = datetime.now(UTC).date()
    (refresh,) = connector.build_requests("https://p", "btc-bitcoin", today - timedelta(days=14))
    assert (refresh.params["start"], refresh.params["end"]) == (
        (today - timedelta(days=14)).isoformat(),
        today.isoformat(),
    )
    (old,) = connector.build_requests("https://p", "btc-bitcoin", today - timedelta(days=900))
    assert old.params["start"] == (today - timedelta(days=364)).isoformat()
