"""Parsers of Frankfurter."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import pytest

from datasources.base import ParseError
from datasources.providers.frankfurter import FrankfurterConnector, parse_frankfurter
from tests.unit.providers.bodies import body, sample


def test_frankfurter_one_day_and_latest():
    bars = parse_frankfurter(json.loads(sample("frankfurter/v1_2025-06-13_base_EUR.json")), "EURJPY")
    assert (bars["ts"].iloc[0], bars["close"].iloc[0]) == (pd.Timestamp("2025-06-13", tz="UTC"), 165.94)
    latest = parse_frankfurter(json.loads(sample("frankfurter/v1_latest_base_USD_symbols_EUR_USD.json")), "USDEUR")
    assert latest["close"].tolist() == [0.8531]


def test_frankfurter_time_series_and_errors():
    doc = {"amount": 1.0, "base": "EUR", "start_date": "2024-01-02", "end_date": "2024-01-03",
           "rates": {"2024-01-03": {"USD": 1.0919}, "2024-01-02": {"USD": 1.0956}}}  # fmt: skip
    assert parse_frankfurter(doc, "EURUSD")["close"].tolist() == [1.0956, 1.0919]
    with pytest.raises(ParseError, match="not found"):
        parse_frankfurter(json.loads(sample("frankfurter/v1_not_found_error.json")), "EURUSD")
    with pytest.raises(ParseError, match="asked for base EUR"):
        parse_frankfurter({"base": "USD", "date": "2024-01-02", "rates": {"EUR": 0.9}}, "EURUSD")


def test_the_connector_asks_for_a_time_series_of_the_pair():
    (request,) = FrankfurterConnector().build_requests("https://f", "EURUSD", date(2024, 1, 2))
    assert (request.url, request.params) == ("https://f/v1/2024-01-02..", {"base": "EUR", "symbols": "USD"})
    doc = {"base": "EUR", "rates": {"2024-01-02": {"USD": 1.0956}}}
    assert FrankfurterConnector().parse(body(doc), "EURUSD")["close"].tolist() == [1.0956]
