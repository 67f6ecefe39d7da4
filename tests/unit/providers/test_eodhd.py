"""Parsers of EODHD end-of-day prices.

Wire-format facts: ``/api/eod/{SYMBOL}.{EXCHANGE}?fmt=json`` answers a JSON list of ``{"date",
"open", "high", "low", "close", "adjusted_close", "volume"}``, as typed by public clients of the
``eodhd`` Python package (``EODHDResponseItem``) and an EODHD endpoint write-up found with the
search tool; ``order=a`` (oldest first), ``api_token`` and the error objects from
https://eodhd.com/financial-apis/api-for-historical-data-and-volumes. No recorded body under
../shared/samples/real."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from datasources.base import ParseError
from datasources.providers.eodhd import EodhdEodConnector
from tests.unit.providers.bodies import body, day

CONNECTOR = EodhdEodConnector()


def test_rows_become_unadjusted_bars():
    rows = [
        {"date": "2025-09-10", "open": 225.5, "high": 227.8, "low": 224.2, "close": 226.79, "adjusted_close": 226.79, "volume": 45000000},
        {"date": "2025-09-11", "open": 226.88, "high": 230.45, "low": 226.65, "close": 230.03, "adjusted_close": 230.03, "volume": 50208600},
    ]  # fmt: skip
    bars = CONNECTOR.parse(body(rows), "AAPL.US")
    assert bars["ts"].tolist() == [pd.Timestamp("2025-09-10", tz="UTC"), pd.Timestamp("2025-09-11", tz="UTC")]
    assert day(bars, "2025-09-10")[["open", "high", "low", "close", "volume"]].tolist() == [
        225.5,
        227.8,
        224.2,
        226.79,
        45000000,
    ]


def test_errors_are_parse_errors():
    with pytest.raises(ParseError, match="EODHD error: Ticker not found"):
        CONNECTOR.parse(body({"error": "Ticker not found"}), "ZZZZ.US")
    with pytest.raises(ParseError, match="not a price list"):
        CONNECTOR.parse(body({"data": []}), "SPY.US")
    with pytest.raises(ParseError, match="lack date/close"):
        CONNECTOR.parse(body([{"date": "2025-09-10"}]), "SPY.US")


def test_the_request_names_ticker_and_exchange():
    (request,) = CONNECTOR.build_requests("https://eodhd", "GSPC.INDX", date(2024, 1, 2), "k1")
    assert request.url == "https://eodhd/api/eod/GSPC.INDX"
    assert (request.params["fmt"], request.params["from"], request.params["api_token"]) == ("json", "2024-01-02", "k1")
    with pytest.raises(ValueError, match="SPY.US"):
        CONNECTOR.build_requests("https://eodhd", "SPY", None)
