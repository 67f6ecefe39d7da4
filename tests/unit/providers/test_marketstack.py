"""Parsers of Marketstack ``/v1/eod``.

Wire-format facts: ``{"pagination": {"limit", "offset", "count", "total"}, "data": [{"open",
"high", "low", "close", "volume", "adj_*", "symbol", "exchange", "date":
"2019-02-01T00:00:00+0000"}]}``, from the mocked response of sleonovets/marketstack-chart-react
(``src/helpers/mockedDataResponse.ts``) and the output shown in smartcontractkit/external-adapters-js
``marketstack/README.md``; the ``{"error": {"code", "message"}}`` envelope from Marketstack's
documentation. No recorded body under ../shared/samples/real."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest

from datasources.base import ParseError
from datasources.providers.marketstack import LIMIT, WINDOW_DAYS, MarketstackEodConnector
from tests.unit.providers.bodies import body, day

CONNECTOR = MarketstackEodConnector()
ROWS = [
    {"date": "2019-02-01T00:00:00+0000", "symbol": "AAPL", "exchange": "XNAS", "open": 166.96, "high": 168.98, "low": 165.93, "close": 166.52, "volume": 32668138.0,
     "adj_open": 164.0861621594, "adj_high": 166.0713924395, "adj_low": 163.073891274, "adj_close": 163.6537357617, "adj_volume": 32668138.0},
    {"date": "2019-01-31T00:00:00+0000", "symbol": "AAPL", "exchange": "XNAS", "open": 166.11, "high": 169.0, "low": 164.56, "close": 166.44, "volume": 40739649.0,
     "adj_open": 163.2507929821, "adj_high": 166.0910481848, "adj_low": 161.7274727177, "adj_close": 163.5751127804, "adj_volume": 40739649.0},
    {"date": "2019-02-01T00:00:00+0000", "symbol": "GOGL", "exchange": "XNAS", "open": 166.96, "high": 168.98, "low": 165.93, "close": 79.52, "volume": 1.0},
]  # fmt: skip


def test_rows_of_the_symbol_become_bars():
    doc = {"pagination": {"limit": 100, "offset": 0, "count": 3, "total": 3}, "data": ROWS}
    bars = CONNECTOR.parse(body(doc), "AAPL")
    assert bars["ts"].tolist() == [pd.Timestamp("2019-01-31", tz="UTC"), pd.Timestamp("2019-02-01", tz="UTC")]
    assert day(bars, "2019-02-01")[["open", "high", "low", "close"]].tolist() == [166.96, 168.98, 165.93, 166.52]


def test_errors_and_a_truncated_page_are_parse_errors():
    with pytest.raises(ParseError, match="Marketstack error invalid_access_key: You have not supplied"):
        CONNECTOR.parse(
            body({"error": {"code": "invalid_access_key", "message": "You have not supplied a valid API Access Key."}}),
            "AAPL",
        )
    with pytest.raises(ParseError, match="no data list"):
        CONNECTOR.parse(body({"pagination": {}}), "AAPL")
    with pytest.raises(ParseError, match="1200 rows for a page of 1000"):
        CONNECTOR.parse(
            body({"pagination": {"limit": 1000, "offset": 0, "count": 1000, "total": 1200}, "data": ROWS[:1]}), "AAPL"
        )


def test_requests_page_by_windows_under_the_limit():
    assert WINDOW_DAYS * 5 // 7 + 2 <= LIMIT
    first = datetime.now(UTC).date() - timedelta(days=5 * 365)
    pages = CONNECTOR.build_requests("https://ms", "BRK.B", first, "k1")
    assert len(pages) == 2 and pages[0].params["date_from"] == first.isoformat()
    assert pages[0].url == "https://ms/v1/eod" and pages[0].params["symbols"] == "BRK.B"
    assert all(p.params["access_key"] == "k1" and p.key_param == "access_key" for p in pages)
