"""Parsers of the Moscow Exchange ISS index history.

Wire-format facts: ``{"history": {"metadata", "columns", "data"}, "history.cursor": {"columns":
["INDEX", "TOTAL", "PAGESIZE"], "data": [[index, total, pagesize]]}}``, rows as arrays in the order
of ``columns`` (``BOARDID, SECID, TRADEDATE, SHORTNAME, NAME, CLOSE, OPEN, HIGH, LOW, VALUE, …``
for indices on board SNDX), 100 rows a page, from public ISS clients' tests found with the search
tool (history bodies with ``history.cursor`` ``[[0, 1, 100]]``) and the ISS reference
(https://iss.moex.com/iss/reference/). No recorded body under ../shared/samples/real."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pandas as pd
import pytest

from datasources.base import ParseError
from datasources.providers.moex import PAGE_ROWS, WINDOW_DAYS, MoexIndexHistoryConnector
from tests.unit.providers.bodies import body, day

CONNECTOR = MoexIndexHistoryConnector()
COLUMNS = ["BOARDID", "SECID", "TRADEDATE", "SHORTNAME", "NAME", "CLOSE", "OPEN", "HIGH", "LOW", "VALUE"]


def history(rows, columns=COLUMNS, cursor=(0, 2, 100)):
    return body(
        {
            "history": {"columns": columns, "data": rows},
            "history.cursor": {"columns": ["INDEX", "TOTAL", "PAGESIZE"], "data": [list(cursor)]},
        }
    )


def test_rows_become_bars_by_their_columns():
    rows = [
        ["SNDX", "IMOEX", "2025-11-27", "Индекс МосБиржи", "Индекс МосБиржи", 2691.41, 2675.2, 2699.87, 2668.3, 61528391201.5],
        ["SNDX", "IMOEX", "2025-11-28", "Индекс МосБиржи", "Индекс МосБиржи", 2703.77, 2693.01, 2712.4, 2688.9, 58371020391.1],
    ]  # fmt: skip
    bars = CONNECTOR.parse(history(rows), "IMOEX")
    assert bars["ts"].tolist() == [pd.Timestamp("2025-11-27", tz="UTC"), pd.Timestamp("2025-11-28", tz="UTC")]
    assert day(bars, "2025-11-28")[["open", "high", "low", "close"]].tolist() == [2693.01, 2712.4, 2688.9, 2703.77]
    only = CONNECTOR.parse(history([["2025-11-28", 1050.5]], ["TRADEDATE", "CLOSE"], (0, 1, 100)), "RTSI")
    assert only["close"].tolist() == [1050.5] and only["open"].isna().all()


def test_wrong_shapes_and_a_truncated_window_are_parse_errors():
    with pytest.raises(ParseError, match="no history columns and data"):
        CONNECTOR.parse(body({"securities": {"columns": [], "data": []}}), "IMOEX")
    with pytest.raises(ParseError, match="lacks CLOSE"):
        CONNECTOR.parse(history([["2025-11-28"]], ["TRADEDATE"]), "IMOEX")
    with pytest.raises(ParseError, match="does not match its columns"):
        CONNECTOR.parse(history([["2025-11-28", 1.0, 2.0]], ["TRADEDATE", "CLOSE"]), "IMOEX")
    with pytest.raises(ParseError, match="250 rows for a window of 100"):
        CONNECTOR.parse(history([["2025-11-28", 1.0]], ["TRADEDATE", "CLOSE"], (0, 250, 100)), "IMOEX")
    assert CONNECTOR.parse(history([], cursor=(0, 0, 100)), "IMOEX").empty


def test_requests_cover_the_range_in_windows_of_one_page():
    assert WINDOW_DAYS * 5 // 7 + 2 <= PAGE_ROWS
    (refresh,) = CONNECTOR.build_requests("https://iss", "IMOEX", date.today() - timedelta(days=10))
    assert refresh.url == "https://iss/iss/history/engines/stock/markets/index/securities/IMOEX.json"
    assert refresh.params["iss.meta"] == "off" and refresh.params["history.columns"].startswith("TRADEDATE,")
    first = datetime.now(UTC).date() - timedelta(days=400)
    windows = CONNECTOR.build_requests("https://iss", "RTSI", first)
    assert len(windows) == 4 and windows[0].params["from"] == first.isoformat()
    with pytest.raises(ValueError, match="SECID"):
        CONNECTOR.build_requests("https://iss", "../x", None)
