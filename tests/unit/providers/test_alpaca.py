"""Parsers of Alpaca market data v2 stock bars.

Wire-format facts: ``{"bars": [{"t": "…Z", "o", "h", "l", "c", "v", "n", "vw"}], "symbol",
"next_page_token"}`` (the multi-symbol endpoint keys ``bars`` by symbol), from the type
definitions of public Alpaca clients (``IAlpacaBar``, ``BarsStockResponseDto``) and the API
contract notes of Vallehtelia/ohlcv-hub ``docs/internal/llm-handoff/alpaca-market-data-bars.md``;
the ``APCA-API-KEY-ID`` / ``APCA-API-SECRET-KEY`` headers and ``{"code", "message"}`` errors from
https://docs.alpaca.markets. No recorded body under ../shared/samples/real."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from datasources.base import ParseError
from datasources.providers.alpaca import AlpacaBarsConnector
from tests.unit.providers.bodies import body, day

CONNECTOR = AlpacaBarsConnector()
BARS = [
    {"t": "2024-01-02T05:00:00Z", "o": 472.16, "h": 473.67, "l": 470.49, "c": 472.65, "v": 1224583, "n": 11312, "vw": 472.1},
    {"t": "2024-07-01T04:00:00Z", "o": 545.63, "h": 545.88, "l": 542.52, "c": 545.34, "v": 700329, "n": 8901, "vw": 544.2},
]  # fmt: skip


def test_bars_are_dated_by_their_new_york_session():
    bars = CONNECTOR.parse(body({"bars": BARS, "symbol": "SPY", "next_page_token": None}), "SPY")
    assert bars["ts"].tolist() == [pd.Timestamp("2024-01-02", tz="UTC"), pd.Timestamp("2024-07-01", tz="UTC")]
    assert day(bars, "2024-01-02")[["open", "high", "low", "close", "volume"]].tolist() == [
        472.16, 473.67, 470.49, 472.65, 1224583
    ]  # fmt: skip


def test_the_multi_symbol_form_and_null_bars():
    assert len(CONNECTOR.parse(body({"bars": {"SPY": BARS}, "next_page_token": None}), "SPY")) == 2
    assert CONNECTOR.parse(body({"bars": None, "symbol": "SPY", "next_page_token": None}), "SPY").empty


def test_errors_are_parse_errors():
    with pytest.raises(ParseError, match="Alpaca error 40110000: request is not authorized"):
        CONNECTOR.parse(body({"code": 40110000, "message": "request is not authorized"}), "SPY")
    with pytest.raises(ParseError, match="no bars"):
        CONNECTOR.parse(body({"trades": []}), "SPY")
    with pytest.raises(ParseError, match="lack t/c"):
        CONNECTOR.parse(body({"bars": [{"o": 1}]}), "SPY")


def test_the_key_pair_travels_in_two_headers():
    (request,) = CONNECTOR.build_requests("https://alpaca", "SPY", date(2024, 1, 2), "AKID:s3cret")
    assert request.url == "https://alpaca/v2/stocks/SPY/bars"
    assert (request.params["timeframe"], request.params["start"], request.params["feed"]) == (
        "1Day",
        "2024-01-02",
        "iex",
    )
    assert request.headers == {"APCA-API-KEY-ID": "AKID", "APCA-API-SECRET-KEY": "s3cret"}
    assert request.carried_key() == "AKID:s3cret" and "s3cret" not in repr(request)
