"""Parsers of Nasdaq historical quotes."""

from __future__ import annotations

import pytest

from datasources.base import ParseError
from datasources.providers.nasdaq import NasdaqHistoricalConnector
from tests.unit.providers.bodies import body


def test_nasdaq_historical_quotes_with_commas_and_dollars():
    doc = {"data": {"symbol": "SPY", "tradesTable": {"rows": [
        {"date": "11/22/2024", "close": "$595.51", "volume": "42,303,830", "open": "$593.66", "high": "$596.15", "low": "$593.15"},
        {"date": "11/21/2024", "close": "$593.67", "volume": "46,750,290", "open": "$593.40", "high": "$595.12", "low": "$587.45"}]}},
        "message": None, "status": {"rCode": 200}}  # fmt: skip
    bars = NasdaqHistoricalConnector().parse(body(doc), "SPY:etf")
    assert bars.iloc[-1][["open", "high", "low", "close", "volume"]].tolist() == [
        593.66,
        596.15,
        593.15,
        595.51,
        42303830,
    ]
    assert bars["symbol"].iloc[0] == "SPY"
    index = {
        "data": {
            "tradesTable": {
                "rows": [
                    {
                        "date": "11/22/2024",
                        "close": "5,969.34",
                        "volume": "--",
                        "open": "5,944.36",
                        "high": "5,972.90",
                        "low": "5,944.36",
                    }
                ]
            }
        }
    }
    assert NasdaqHistoricalConnector().parse(body(index), "SPX:index")["volume"].isna().all()
    error = {
        "data": None,
        "status": {"rCode": 400, "bCodeMessage": [{"code": 1001, "errorMessage": "Symbol not exists"}]},
    }
    with pytest.raises(ParseError, match="Symbol not exists"):
        NasdaqHistoricalConnector().parse(body(error), "NOPE:stocks")
