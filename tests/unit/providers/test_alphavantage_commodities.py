"""Parser of Alpha Vantage's commodity functions (``/query?function=WTI&interval=daily``).

Wire-format facts: ``{"name": "Crude Oil Prices WTI", "interval": "daily", "unit": "dollars per
barrel", "data": [{"date": "2026-03-05", "value": "94.65"}, {"date": "2026-03-04", "value":
"."}, …]}``, newest first, ``"."`` for a day without a price — the payloads recorded in public
test suites of Alpha Vantage clients (a ``_parse_numeric_series_payload`` test, a Java
``AlphaVantageCommodity`` model test). No recorded body under ../shared/samples/real."""

from __future__ import annotations

import pandas as pd
import pytest

from datasources.base import ParseError
from datasources.providers.alphavantage import AlphaVantageCommodityConnector
from tests.unit.providers.bodies import body

CONNECTOR = AlphaVantageCommodityConnector()
RECORDED = {
    "name": "Crude Oil Prices WTI",
    "interval": "daily",
    "unit": "dollars per barrel",
    "data": [
        {"date": "2026-03-05", "value": "94.65"},
        {"date": "2026-03-04", "value": "."},
        {"date": "2026-03-03", "value": "93.10"},
    ],
}


def test_values_oldest_first_missing_days_dropped():
    bars = CONNECTOR.parse(body(RECORDED), "WTI")
    assert bars["ts"].tolist() == [pd.Timestamp("2026-03-03", tz="UTC"), pd.Timestamp("2026-03-05", tz="UTC")]
    assert bars["close"].tolist() == [93.10, 94.65]


def test_notices_and_bad_bodies_are_parse_errors():
    with pytest.raises(ParseError, match="rate limit"):
        CONNECTOR.parse(
            body({"Information": "We have detected your API key ... standard API rate limit is 25 requests per day."}),
            "WTI",
        )
    with pytest.raises(ParseError, match="Invalid API call"):
        CONNECTOR.parse(body({"Error Message": "Invalid API call. Please retry or visit the documentation."}), "WTI")
    with pytest.raises(ParseError, match="expected an object"):
        CONNECTOR.parse(b"[]", "WTI")
    with pytest.raises(ParseError, match="no data list"):
        CONNECTOR.parse(body({"name": "x"}), "WTI")
    with pytest.raises(ParseError, match="lack date/value"):
        CONNECTOR.parse(body({"data": [{"date": "2026-03-05"}]}), "WTI")
    with pytest.raises(ParseError, match="unparseable date"):
        CONNECTOR.parse(body({"data": [{"date": "March 2026", "value": "1"}]}), "WTI")


def test_function_and_interval_from_the_symbol():
    (daily,) = CONNECTOR.build_requests("https://av", "BRENT", None, "k")
    assert daily.params == {"function": "BRENT", "interval": "daily", "datatype": "json", "apikey": "k"}
    assert daily.url == "https://av/query" and daily.key_param == "apikey"
    assert CONNECTOR.build_requests("https://av", "COPPER", None)[0].params["interval"] == "monthly"
    assert CONNECTOR.build_requests("https://av", "WTI:weekly", None)[0].params["interval"] == "weekly"
    for bad in ("GOLDX", "COPPER:daily", "SPY"):
        with pytest.raises(ValueError, match="not an Alpha Vantage commodity"):
            CONNECTOR.build_requests("https://av", bad, None)
