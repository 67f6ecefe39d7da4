"""Parsers of Open Exchange Rates ``/api/historical/{date}.json``.

Wire-format facts: ``{"disclaimer", "license", "timestamp", "base", "rates": {CUR: number}}``
from public clients' response models (vtb-open-api-2024/vtb-backend
``src/modules/payment/interface/exchange_rates.interface.ts``; an
``OpenExchangeRatesHistoricalResponse`` C# model with the same members) and the endpoint
``https://openexchangerates.org/api/historical/:date.json``; the error body ``{"error": true,
"status", "message", "description"}`` from https://docs.openexchangerates.org/reference/errors.
No recorded body under ../shared/samples/real."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from datasources.base import ParseError
from datasources.providers.openexchangerates import OpenExchangeRatesHistoricalConnector
from tests.unit.providers.bodies import body

CONNECTOR = OpenExchangeRatesHistoricalConnector()
DAY = {
    "disclaimer": "Usage subject to terms: https://openexchangerates.org/terms",
    "license": "https://openexchangerates.org/license",
    "timestamp": 1704239999,  # 2024-01-02 23:59:59 UTC
    "base": "USD",
    "rates": {"EUR": 0.913, "JPY": 142.03, "USD": 1},
}


def test_one_day_is_one_close_only_bar():
    bars = CONNECTOR.parse(body(DAY), "USDJPY")
    assert (bars["ts"].iloc[0], bars["close"].iloc[0]) == (pd.Timestamp("2024-01-02", tz="UTC"), 142.03)


def test_bad_bodies_are_parse_errors():
    error = {"error": True, "status": 401, "message": "invalid_app_id", "description": "Invalid App ID provided."}
    with pytest.raises(ParseError, match="error 401: invalid_app_id"):
        CONNECTOR.parse(body(error), "USDJPY")
    with pytest.raises(ParseError, match="CHF not among"):
        CONNECTOR.parse(body(DAY), "USDCHF")
    with pytest.raises(ParseError, match="asked for base USD"):
        CONNECTOR.parse(body(DAY | {"base": "EUR"}), "USDJPY")
    with pytest.raises(ParseError, match="no rates and timestamp"):
        CONNECTOR.parse(body({"rates": {}}), "USDJPY")


def test_a_request_per_weekday_each_with_the_key():
    requests = CONNECTOR.build_requests("https://oxr", "USDJPY", date(2024, 1, 1), "k1")
    assert requests and all(r.params == {"app_id": "k1"} and r.key_param == "app_id" for r in requests)
    assert all(r.url.startswith("https://oxr/api/historical/") and r.url.endswith(".json") for r in requests)
    days = [date.fromisoformat(r.url.rsplit("/", 1)[1].removesuffix(".json")) for r in requests]
    assert days == sorted(days) and all(d.weekday() < 5 for d in days)
    with pytest.raises(ValueError, match="per USD"):
        CONNECTOR.build_requests("https://oxr", "EURUSD", None)
