"""Parsers of Fixer's historical rates (``/api/{date}``).

Wire-format facts: ``{"success": true, "historical": true, "date": "2013-12-24", "timestamp",
"base": "EUR", "rates": {CUR: number}}`` from public clients' response models (a
``FixerHistoricalRatesResponseJson`` C# model with success/historical/date/timestamp/base/rates;
philipslan/exchange-rate-service ``src/Entities/FixerEntities.ts``) and the fixerio client tests
(historical path ``/{date}``); the error body ``{"success": false, "error": {"code", "type",
"info"}}`` from https://fixer.io/documentation. No recorded body under ../shared/samples/real."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pandas as pd
import pytest

from datasources.base import ParseError
from datasources.providers.fixer import FixerHistoricalConnector
from tests.unit.providers.bodies import body

CONNECTOR = FixerHistoricalConnector()
DAY = {"success": True, "historical": True, "date": "2024-01-02", "timestamp": 1704239999, "base": "EUR",
       "rates": {"USD": 1.094, "JPY": 155.68}}  # fmt: skip


def test_one_day_is_one_close_only_bar():
    bars = CONNECTOR.parse(body(DAY), "EURUSD")
    assert (bars["ts"].iloc[0], bars["close"].iloc[0]) == (pd.Timestamp("2024-01-02", tz="UTC"), 1.094)


def test_bad_bodies_are_parse_errors():
    error = {"success": False, "error": {"code": 101, "type": "invalid_access_key", "info": "You have not supplied a valid API Access Key."}}  # fmt: skip
    with pytest.raises(ParseError, match="Fixer error 101 invalid_access_key"):
        CONNECTOR.parse(body(error), "EURUSD")
    with pytest.raises(ParseError, match="GBP not among"):
        CONNECTOR.parse(body(DAY), "EURGBP")
    with pytest.raises(ParseError, match="asked for base EUR"):
        CONNECTOR.parse(body(DAY | {"base": "USD"}), "EURJPY")
    with pytest.raises(ParseError, match="not a successful answer"):
        CONNECTOR.parse(body({"rates": {}}), "EURUSD")
    with pytest.raises(ParseError, match="unparseable date"):
        CONNECTOR.parse(body(DAY | {"date": "02.01.2024"}), "EURUSD")


def test_a_request_per_weekday_never_more_than_a_month_back():
    today = datetime.now(UTC).date()
    requests = CONNECTOR.build_requests("https://fx", "EURUSD", today - timedelta(days=400), "k1")
    days = [date.fromisoformat(r.url.rsplit("/", 1)[1]) for r in requests]
    assert min(days) >= today - timedelta(days=31) and all(d.weekday() < 5 for d in days)
    assert all(r.params == {"access_key": "k1"} and r.key_param == "access_key" for r in requests)
    with pytest.raises(ValueError, match="per EUR"):
        CONNECTOR.build_requests("https://fx", "USDJPY", None)
