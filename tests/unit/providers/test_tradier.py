"""Parsers of Tradier ``/v1/markets/history``.

Wire-format facts: ``{"history": {"day": [{"date": "2024-05-13", "open", "high", "low",
"close", "volume"}]}}``, from the test data of a public Tradier client (``vtiHistory``) and
scripts reading ``json['history']['day']`` (search corpus); the single-day object, ``{"history":
null}`` for no data, the ``fault`` error envelope and ``Authorization: Bearer`` from Tradier's
documentation (https://documentation.tradier.com/brokerage-api/markets/get-history). No recorded
body under ../shared/samples/real."""

from __future__ import annotations

from datetime import date

import pytest

from datasources.base import ParseError
from datasources.providers.tradier import TradierHistoryConnector
from tests.unit.providers.bodies import body, day

CONNECTOR = TradierHistoryConnector()


def test_days_become_daily_bars():
    doc = {"history": {"day": [
        {"date": "2024-05-13", "open": 259.08, "high": 259.08, "low": 257.56, "close": 258.19, "volume": 2771340},
        {"date": "2024-05-14", "open": 258.71, "high": 260.46, "low": 258.5, "close": 260.13, "volume": 3012441},
    ]}}  # fmt: skip
    bars = CONNECTOR.parse(body(doc), "VTI")
    assert len(bars) == 2 and day(bars, "2024-05-14")["close"] == 260.13
    assert day(bars, "2024-05-13")[["open", "high", "low", "volume"]].tolist() == [259.08, 259.08, 257.56, 2771340]


def test_one_day_is_an_object_and_no_data_is_null():
    one = {"history": {"day": {"date": "2024-05-13", "open": 1.0, "high": 2.0, "low": 0.5, "close": 1.5, "volume": 10}}}
    assert CONNECTOR.parse(body(one), "VTI")["close"].tolist() == [1.5]
    assert CONNECTOR.parse(body({"history": None}), "VTI").empty


def test_errors_are_parse_errors():
    fault = {
        "fault": {
            "faultstring": "Invalid access token",
            "detail": {"errorcode": "keymanagement.service.invalid_access_token"},
        }
    }
    with pytest.raises(ParseError, match="Tradier error keymanagement.service.invalid_access_token: Invalid access"):
        CONNECTOR.parse(body(fault), "VTI")
    with pytest.raises(ParseError, match="no history"):
        CONNECTOR.parse(body({"quotes": {}}), "VTI")
    with pytest.raises(ParseError, match="no day list"):
        CONNECTOR.parse(body({"history": {"days": []}}), "VTI")


def test_the_request_carries_a_bearer_token():
    (request,) = CONNECTOR.build_requests("https://tradier", "SPY", date(2024, 1, 2), "tok")
    assert request.url == "https://tradier/v1/markets/history"
    assert (request.params["symbol"], request.params["interval"], request.params["start"]) == (
        "SPY",
        "daily",
        "2024-01-02",
    )
    assert request.headers == {"Accept": "application/json", "Authorization": "Bearer tok"}
