"""Parsers of Finnhub stock candles and quotes.

Wire-format facts: ``/api/v1/stock/candle`` answers parallel arrays ``{"c", "h", "l", "o", "s",
"t", "v"}`` (``s`` ``"ok"``, or ``"no_data"`` with nothing else) and ``{"error": "…"}``; the key
goes in ``X-Finnhub-Token`` (or ``token``). From Finnhub's documentation
(https://finnhub.io/docs/api/stock-candles): no recorded body was found (guessed from the
documentation). The quote is ``{"c", "d", "dp", "h", "l", "o", "pc", "t"}``, all zeros for an
unknown symbol (https://finnhub.io/docs/api/quote). No recorded body under
../shared/samples/real."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from datasources.base import ParseError
from datasources.providers.finnhub import FinnhubCandleConnector, FinnhubQuoteConnector
from datasources.wire import day_seconds
from tests.unit.providers.bodies import body, day

CONNECTOR = FinnhubCandleConnector()


def test_candles_are_dated_by_their_utc_day():
    doc = {"c": [217.68, 221.03], "h": [222.49, 221.5], "l": [217.19, 217.1402], "o": [221.03, 218.55],
           "s": "ok", "t": [1569297600, 1569384000], "v": [33463820, 24018876]}  # fmt: skip
    bars = CONNECTOR.parse(body(doc), "AAPL")
    assert bars["ts"].tolist() == [pd.Timestamp("2019-09-24", tz="UTC"), pd.Timestamp("2019-09-25", tz="UTC")]
    assert day(bars, "2019-09-24")[["open", "high", "low", "close", "volume"]].tolist() == [
        221.03,
        222.49,
        217.19,
        217.68,
        33463820,
    ]
    assert CONNECTOR.parse(body({"s": "no_data"}), "AAPL").empty


def test_errors_and_broken_arrays_are_parse_errors():
    with pytest.raises(ParseError, match="Finnhub error: You don't have access to this resource."):
        CONNECTOR.parse(body({"error": "You don't have access to this resource."}), "AAPL")
    with pytest.raises(ParseError, match="no status ok"):
        CONNECTOR.parse(body({"c": [1.0]}), "AAPL")
    with pytest.raises(ParseError, match="unequal length"):
        CONNECTOR.parse(body({"s": "ok", "t": [1569297600], "c": [1.0, 2.0]}), "AAPL")


def test_the_request_carries_the_range_in_seconds_and_the_key_in_a_header():
    (request,) = CONNECTOR.build_requests("https://fh", "SPY", date(2024, 1, 2), "tok")
    assert request.url == "https://fh/api/v1/stock/candle"
    assert (request.params["resolution"], request.params["from"]) == ("D", str(day_seconds(date(2024, 1, 2))))
    assert request.headers == {"X-Finnhub-Token": "tok"} and "tok" not in str(request.params)


QUOTE = FinnhubQuoteConnector()


def test_a_quote_is_the_bar_of_its_new_york_day():
    doc = {"c": 261.74, "d": 0.61, "dp": 0.2336, "h": 263.31, "l": 260.68, "o": 261.07, "pc": 261.13, "t": 1727380800}
    bars = QUOTE.parse(body(doc), "AAPL")  # 2024-09-26 20:00 UTC: 16:00 in New York
    assert bars["ts"].tolist() == [pd.Timestamp("2024-09-26", tz="UTC")]
    assert bars.iloc[0][["open", "high", "low", "close"]].tolist() == [261.07, 263.31, 260.68, 261.74]


def test_an_unknown_symbol_or_a_refusal_is_a_parse_error():
    zeros = {"c": 0, "d": None, "dp": None, "h": 0, "l": 0, "o": 0, "pc": 0, "t": 0}
    with pytest.raises(ParseError, match="no price for 'ZZZZ'"):
        QUOTE.parse(body(zeros), "ZZZZ")
    with pytest.raises(ParseError, match="Finnhub error: Invalid API key"):
        QUOTE.parse(body({"error": "Invalid API key"}), "AAPL")
    with pytest.raises(ParseError, match="no c and t"):
        QUOTE.parse(body([]), "AAPL")
    (request,) = QUOTE.build_requests("https://fh", "SPY", None, "tok")
    assert request.url == "https://fh/api/v1/quote" and request.headers == {"X-Finnhub-Token": "tok"}
