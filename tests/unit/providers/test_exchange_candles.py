"""Parsers of the exchanges' candle endpoints, on bodies in each exchange's documented wire
format: field order matters, each exchange has its own, and all become the same bars."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from datasources.base import ParseError
from datasources.providers.bitfinex import BitfinexCandlesConnector
from datasources.providers.bitstamp import BitstampOhlcConnector
from datasources.providers.bybit import BybitKlineConnector
from datasources.providers.coinbase import CoinbaseCandlesConnector
from datasources.providers.cryptocom import CryptoComCandlesConnector
from datasources.providers.gemini import GeminiCandlesConnector
from datasources.providers.kraken import KrakenOhlcConnector
from datasources.providers.kucoin import KucoinCandlesConnector
from datasources.providers.okx import OkxCandlesConnector
from tests.unit.providers.bodies import body

DAY1, DAY2 = 1732406400, 1732492800  # 2024-11-24, 2024-11-25 00:00 UTC
EXPECTED = [  # ts, open, high, low, close, volume
    (pd.Timestamp("2024-11-24", tz="UTC"), 100.0, 110.0, 95.0, 105.0, 12.5),
    (pd.Timestamp("2024-11-25", tz="UTC"), 105.0, 108.0, 101.0, 102.0, 7.25),
]


def as_rows(frame: pd.DataFrame) -> list[tuple]:
    return [tuple(r) for r in frame[["ts", "open", "high", "low", "close", "volume"]].itertuples(index=False)]


EXCHANGES = {
    "kraken": (
        KrakenOhlcConnector(),
        {"error": [], "result": {"XXBTZUSD": [[DAY1, "100.0", "110.0", "95.0", "105.0", "104.0", "12.5", 10],
                                              [DAY2, "105.0", "108.0", "101.0", "102.0", "103.0", "7.25", 8]], "last": DAY2}},
    ),
    "coinbase": (  # [time, low, high, open, close, volume], newest first
        CoinbaseCandlesConnector(),
        [[DAY2, 101.0, 108.0, 105.0, 102.0, 7.25], [DAY1, 95.0, 110.0, 100.0, 105.0, 12.5]],
    ),
    "bitstamp": (
        BitstampOhlcConnector(),
        {"data": {"pair": "BTC/USD", "ohlc": [
            {"timestamp": str(DAY1), "open": "100.0", "high": "110.0", "low": "95.0", "close": "105.0", "volume": "12.5"},
            {"timestamp": str(DAY2), "open": "105.0", "high": "108.0", "low": "101.0", "close": "102.0", "volume": "7.25"}]}},
    ),
    "okx": (  # ms timestamps, newest first
        OkxCandlesConnector(),
        {"code": "0", "msg": "", "data": [[str(DAY2 * 1000), "105.0", "108.0", "101.0", "102.0", "7.25", "0", "0", "1"],
                                          [str(DAY1 * 1000), "100.0", "110.0", "95.0", "105.0", "12.5", "0", "0", "1"]]},
    ),
    "kucoin": (  # [time, open, close, high, low, volume, turnover]
        KucoinCandlesConnector(),
        {"code": "200000", "data": [[str(DAY2), "105.0", "102.0", "108.0", "101.0", "7.25", "0"],
                                    [str(DAY1), "100.0", "105.0", "110.0", "95.0", "12.5", "0"]]},
    ),
    "bybit": (
        BybitKlineConnector(),
        {"retCode": 0, "retMsg": "OK", "result": {"list": [[str(DAY2 * 1000), "105.0", "108.0", "101.0", "102.0", "7.25", "0"],
                                                            [str(DAY1 * 1000), "100.0", "110.0", "95.0", "105.0", "12.5", "0"]]}},
    ),
}  # fmt: skip

ERRORS = {
    "kraken": ({"error": ["EQuery:Unknown asset pair"]}, "Unknown asset pair"),
    "coinbase": ({"message": "NotFound"}, "NotFound"),
    "bitstamp": ({"errors": [{"message": "Invalid pair"}]}, "Invalid pair"),
    "okx": ({"code": "51001", "msg": "Instrument ID does not exist"}, "51001"),
    "kucoin": ({"code": "400100", "msg": "This pair is not provided at present"}, "400100"),
    "bybit": ({"retCode": 10001, "retMsg": "Not supported symbols"}, "Not supported symbols"),
}


@pytest.mark.parametrize("exchange", list(EXCHANGES))
def test_exchange_candles_become_the_same_bars_whatever_the_field_order(exchange):
    connector, doc = EXCHANGES[exchange]
    assert as_rows(connector.parse(body(doc), "BTC")) == EXPECTED


@pytest.mark.parametrize("exchange", list(ERRORS))
def test_exchange_error_bodies_are_parse_errors(exchange):
    connector, _ = EXCHANGES[exchange]
    doc, message = ERRORS[exchange]
    with pytest.raises(ParseError, match=message):
        connector.parse(body(doc), "BTC")


# Bodies no exchange documents: each is refused with what it held, never a Python error.
ODD_BODIES = [({}, "an empty object"), ({"status": 503}, "object with status"), ("maintenance", "str"), (None, "None"),
              ([["not-a-time", 1, 2, 3, 4, 5]], "timestamp is not a number")]  # fmt: skip


@pytest.mark.parametrize(("doc", "message"), ODD_BODIES)
def test_coinbase_refuses_a_body_of_another_shape_saying_what_it_held(doc, message):
    with pytest.raises(ParseError, match=message):
        EXCHANGES["coinbase"][0].parse(body(doc), "BTC-USD")


@pytest.mark.parametrize("exchange", list(EXCHANGES))
def test_exchange_requests_ask_for_daily_candles(exchange):
    connector, _ = EXCHANGES[exchange]
    requests = connector.build_requests("https://x", "BTC-USD", date(2026, 1, 1))
    assert requests
    for request in requests:
        assert request.url.startswith("https://x/")
        assert {"1440", "86400", "1Dutc", "1day", "D"} & set(request.params.values())


MS1, MS2 = 1732406400000, 1732492800000  # 2024-11-24, 2024-11-25


CANDLES = {
    "gemini": (
        GeminiCandlesConnector(),
        [[MS2, 105.0, 108.0, 101.0, 102.0, 7.25], [MS1, 100.0, 110.0, 95.0, 105.0, 12.5]],
    ),
    "bitfinex": (
        BitfinexCandlesConnector(),
        [[MS1, 100.0, 105.0, 110.0, 95.0, 12.5], [MS2, 105.0, 102.0, 108.0, 101.0, 7.25]],
    ),
    "cryptocom": (
        CryptoComCandlesConnector(),
        {
            "code": 0,
            "result": {
                "data": [
                    {"t": MS1, "o": "100.0", "h": "110.0", "l": "95.0", "c": "105.0", "v": "12.5"},
                    {"t": MS2, "o": "105.0", "h": "108.0", "l": "101.0", "c": "102.0", "v": "7.25"},
                ]
            },
        },
    ),  # fmt: skip
}


@pytest.mark.parametrize("exchange", list(CANDLES))
def test_more_exchange_candles(exchange):
    connector, doc = CANDLES[exchange]
    bars = connector.parse(body(doc), "BTC")
    assert bars[["open", "high", "low", "close", "volume"]].values.tolist() == [
        [100.0, 110.0, 95.0, 105.0, 12.5],
        [105.0, 108.0, 101.0, 102.0, 7.25],
    ]
    assert bars["ts"].iloc[0] == pd.Timestamp("2024-11-24", tz="UTC")


def test_exchange_errors_of_gemini_bitfinex_cryptocom():
    with pytest.raises(ParseError, match="InvalidSymbol"):
        GeminiCandlesConnector().parse(body({"result": "error", "reason": "InvalidSymbol", "message": "bad"}), "x")
    with pytest.raises(ParseError, match="Bitfinex error 10020: symbol: invalid"):
        BitfinexCandlesConnector().parse(body(["error", 10020, "symbol: invalid"]), "x")
    with pytest.raises(ParseError, match="40101"):
        CryptoComCandlesConnector().parse(body({"code": 40101, "message": "Not found"}), "x")
