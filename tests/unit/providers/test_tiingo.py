"""Parsers of Tiingo end-of-day prices.

Wire-format facts: a JSON list of ``{"date": "2024-12-31T00:00:00.000Z", "close", "high", "low",
"open", "volume", "adjClose", "adjHigh", "adjLow", "adjOpen", "adjVolume", "divCash",
"splitFactor"}``, from a response printed in a public repository's Tiingo client script and the
type definitions of GoPlan-Finance/goplan-app and SlickyCorp-Heavy-Manufacturing/SlickBot;
``{"detail": …}`` errors and the ``Authorization: Token`` header from Tiingo's documentation.
No recorded body under ../shared/samples/real."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from datasources.base import ParseError
from datasources.providers.tiingo import TiingoDailyConnector
from tests.unit.providers.bodies import body, day

CONNECTOR = TiingoDailyConnector()


def test_prices_become_unadjusted_daily_bars():
    doc = [
        {"date": "2024-12-30T00:00:00.000Z", "close": 252.2, "high": 253.5, "low": 250.75, "open": 252.23, "volume": 35557542,
         "adjClose": 251.92, "adjHigh": 253.22, "adjLow": 250.47, "adjOpen": 251.95, "adjVolume": 35557542, "divCash": 0.0, "splitFactor": 1.0},
        {"date": "2024-12-31T00:00:00.000Z", "close": 250.42, "high": 253.28, "low": 249.43, "open": 252.44, "volume": 39480718,
         "adjClose": 250.1452961825, "adjHigh": 253.0021588416, "adjLow": 249.1563821852, "adjOpen": 252.1630802984, "adjVolume": 39480718, "divCash": 0.0, "splitFactor": 1.0},
    ]  # fmt: skip
    bars = CONNECTOR.parse(body(doc), "AAPL")
    assert bars["ts"].tolist() == [pd.Timestamp("2024-12-30", tz="UTC"), pd.Timestamp("2024-12-31", tz="UTC")]
    assert day(bars, "2024-12-31")[["open", "high", "low", "close", "volume"]].tolist() == [
        252.44, 253.28, 249.43, 250.42, 39480718
    ]  # fmt: skip


def test_errors_and_wrong_shapes_are_parse_errors():
    with pytest.raises(ParseError, match="Tiingo error: Error: Ticker 'ZZZZ' not found"):
        CONNECTOR.parse(body({"detail": "Error: Ticker 'ZZZZ' not found"}), "ZZZZ")
    with pytest.raises(ParseError, match="lack date/close"):
        CONNECTOR.parse(body([{"date": "2024-12-31T00:00:00.000Z"}]), "AAPL")
    with pytest.raises(ParseError, match="unparseable date"):
        CONNECTOR.parse(body([{"date": "yesterday", "close": 1}]), "AAPL")
    assert CONNECTOR.parse(body([]), "AAPL").empty


def test_the_request_carries_the_key_in_the_authorization_header():
    (request,) = CONNECTOR.build_requests("https://tiingo", "BRK-B", date(2024, 1, 2), "tok")
    assert request.url == "https://tiingo/tiingo/daily/brk-b/prices"
    assert request.params == {"startDate": "2024-01-02", "resampleFreq": "daily", "format": "json"}
    assert request.headers["Authorization"] == "Token tok" and "tok" not in repr(request)
    (bare,) = CONNECTOR.build_requests("https://tiingo", "SPY", None)
    assert "Authorization" not in bare.headers
