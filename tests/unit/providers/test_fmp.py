"""Parsers of Financial Modeling Prep end-of-day prices.

Wire-format facts: the stable ``/stable/historical-price-eod/full`` answers a JSON list of
``{"symbol", "date", "open", "high", "low", "close", "volume", "change", "changePercent",
"vwap"}`` newest first; the legacy v3 ``historical-price-full`` wraps its rows in ``{"symbol",
"historical": [...]}``; errors are ``{"Error Message": "…"}``. From FMP's documentation
(https://site.financialmodelingprep.com/developer/docs): no recorded body was found (guessed from
the documentation). No recorded body under ../shared/samples/real."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from datasources.base import ParseError
from datasources.providers.fmp import FmpEodConnector
from tests.unit.providers.bodies import body, day

CONNECTOR = FmpEodConnector()
ROWS = [
    {"symbol": "AAPL", "date": "2025-02-04", "open": 227.2, "high": 233.13, "low": 226.65, "close": 232.8, "volume": 44489128, "change": 5.6, "changePercent": 2.46, "vwap": 230.86},
    {"symbol": "AAPL", "date": "2025-02-03", "open": 229.99, "high": 231.83, "low": 225.7, "close": 228.01, "volume": 73063301, "change": -1.98, "changePercent": -0.86, "vwap": 227.9},
]  # fmt: skip


def test_stable_and_legacy_shapes_become_bars_oldest_first():
    bars = CONNECTOR.parse(body(ROWS), "AAPL")
    assert bars["ts"].tolist() == [pd.Timestamp("2025-02-03", tz="UTC"), pd.Timestamp("2025-02-04", tz="UTC")]
    assert day(bars, "2025-02-04")[["open", "high", "low", "close", "volume"]].tolist() == [
        227.2,
        233.13,
        226.65,
        232.8,
        44489128,
    ]
    legacy = CONNECTOR.parse(body({"symbol": "AAPL", "historical": ROWS}), "AAPL")
    assert legacy["close"].tolist() == bars["close"].tolist()
    assert CONNECTOR.parse(body({}), "ZZZZ").empty and CONNECTOR.parse(body([]), "ZZZZ").empty


def test_errors_are_parse_errors():
    with pytest.raises(ParseError, match="FMP error: Invalid API KEY"):
        CONNECTOR.parse(body({"Error Message": "Invalid API KEY. Feel free to create a Free API Key."}), "AAPL")
    with pytest.raises(ParseError, match="not a price list"):
        CONNECTOR.parse(body({"quotes": []}), "AAPL")


def test_the_request_carries_symbol_range_and_key():
    (request,) = CONNECTOR.build_requests("https://fmp", "^GSPC", date(2024, 1, 2), "k1")
    assert request.url == "https://fmp/stable/historical-price-eod/full"
    assert (request.params["symbol"], request.params["from"], request.params["apikey"]) == ("^GSPC", "2024-01-02", "k1")
    assert request.key_param == "apikey"
