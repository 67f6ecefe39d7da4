"""Parsers of currencylayer's historical rates (``/historical?date=``).

Wire-format facts: ``{"success": true, "historical": true, "date", "timestamp", "source": "USD",
"quotes": {"USDEUR": number, ...}}`` (quotes keyed by source+currency) and the error body
``{"success": false, "error": {"code", "info"}}`` from currencylayer's documentation
(https://currencylayer.com/documentation): documentation only, no recorded body found in public
repositories by the search; none under ../shared/samples/real."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from datasources.base import ParseError
from datasources.providers.currencylayer import CurrencyLayerHistoricalConnector
from tests.unit.providers.bodies import body

CONNECTOR = CurrencyLayerHistoricalConnector()
DAY = {"success": True, "terms": "https://currencylayer.com/terms", "privacy": "https://currencylayer.com/privacy",
       "historical": True, "date": "2024-01-02", "timestamp": 1704239999, "source": "USD",
       "quotes": {"USDEUR": 0.913, "USDJPY": 142.03}}  # fmt: skip


def test_one_day_is_one_close_only_bar():
    bars = CONNECTOR.parse(body(DAY), "USDJPY")
    assert (bars["ts"].iloc[0], bars["close"].iloc[0]) == (pd.Timestamp("2024-01-02", tz="UTC"), 142.03)


def test_bad_bodies_are_parse_errors():
    error = {"success": False, "error": {"code": 101, "info": "You have not supplied an API Access Key."}}
    with pytest.raises(ParseError, match="currencylayer error 101: You have not supplied"):
        CONNECTOR.parse(body(error), "USDJPY")
    with pytest.raises(ParseError, match="USDCHF not among"):
        CONNECTOR.parse(body(DAY), "USDCHF")
    with pytest.raises(ParseError, match="asked for source USD"):
        CONNECTOR.parse(body(DAY | {"source": "EUR"}), "USDJPY")
    with pytest.raises(ParseError, match="no date and quotes"):
        CONNECTOR.parse(body({"success": True}), "USDJPY")


def test_a_request_per_weekday_with_date_and_key():
    requests = CONNECTOR.build_requests("https://cl", "USDJPY", date(2024, 1, 1), "k1")
    assert requests and all(r.url == "https://cl/historical" and r.key_param == "access_key" for r in requests)
    days = [date.fromisoformat(r.params["date"]) for r in requests]
    assert days == sorted(days) and all(d.weekday() < 5 for d in days)
    assert {r.params["access_key"] for r in requests} == {"k1"}
    with pytest.raises(ValueError, match="per USD"):
        CONNECTOR.build_requests("https://cl", "EURUSD", None)
