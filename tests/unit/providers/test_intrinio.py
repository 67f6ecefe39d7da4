"""Parsers of Intrinio stock prices.

Wire-format facts: ``/securities/{identifier}/prices`` answers ``{"stock_prices": [{"date",
"intraperiod", "frequency", "open", "high", "low", "close", "volume", "adj_open", …}],
"security": {…}, "next_page": null}`` newest first; errors ``{"error", "message"}``. Field names
from the Intrinio SDK's ``StockPriceSummary`` as used by intrinio/sdk-code-samples
``python/stock_prices.py``; the envelope from https://docs.intrinio.com (guessed from the
documentation: no recorded body was found). No recorded body under ../shared/samples/real."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from datasources.base import ParseError
from datasources.providers.intrinio import IntrinioPricesConnector
from tests.unit.providers.bodies import body, day

CONNECTOR = IntrinioPricesConnector()


def price(d, close, intraperiod=False):
    return {"date": d, "intraperiod": intraperiod, "frequency": "daily", "open": close - 1, "high": close + 1,
            "low": close - 2, "close": close, "volume": 1000.0, "adj_close": close}  # fmt: skip


def test_daily_prices_become_bars_and_todays_partial_bar_is_left_out():
    doc = {"stock_prices": [price("2024-01-04", 184.25, intraperiod=True), price("2024-01-03", 184.25), price("2024-01-02", 185.64)],
           "security": {"ticker": "AAPL"}, "next_page": None}  # fmt: skip
    bars = CONNECTOR.parse(body(doc), "AAPL")
    assert bars["ts"].tolist() == [pd.Timestamp("2024-01-02", tz="UTC"), pd.Timestamp("2024-01-03", tz="UTC")]
    assert day(bars, "2024-01-02")[["open", "high", "low", "close"]].tolist() == [184.64, 186.64, 183.64, 185.64]


def test_errors_and_a_second_page_are_parse_errors():
    with pytest.raises(ParseError, match="Intrinio error: Unauthorized"):
        CONNECTOR.parse(body({"error": "Unauthorized", "message": "The API key provided is not valid"}), "AAPL")
    with pytest.raises(ParseError, match="no stock_prices"):
        CONNECTOR.parse(body({"security": {}}), "AAPL")
    with pytest.raises(ParseError, match="more than"):
        CONNECTOR.parse(body({"stock_prices": [price("2024-01-02", 1.0)], "next_page": "abc"}), "AAPL")


def test_the_request_names_the_security_and_carries_the_key():
    (request,) = CONNECTOR.build_requests("https://intrinio", "BRK.B", date(2024, 1, 2), "k1")
    assert request.url == "https://intrinio/securities/BRK.B/prices"
    assert (request.params["start_date"], request.params["frequency"], request.params["api_key"]) == (
        "2024-01-02",
        "daily",
        "k1",
    )
