"""Parser of the World Bank Pink Sheet workbook (``CMO-Historical-Data-Monthly.xlsx``).

Wire-format facts, from public readers of the real workbook: sheet ``Monthly Prices``; a few
title lines, then rows of names (``Copper``, ``Iron ore, cfr spot``), units (``($/mt)``) and
codes (``COPPER``, mixed case for a few: ``Zinc``), then one row a month with ``1960M01`` in the
first column (``read_excel(sheet = "Monthly Prices", skip = 6)`` then a ``GOLD`` column; a note
"row 5 names, data from row 7" of another reader; ``…`` where a month has no value). The real
workbook is binary and not recorded here: these workbooks are written with openpyxl to that
layout."""

from __future__ import annotations

import io
import zipfile

import pandas as pd
import pytest
from openpyxl import Workbook

from datasources.base import ParseError
from datasources.providers.worldbank_cmo import WorldBankCmoConnector

CONNECTOR = WorldBankCmoConnector()


def workbook(rows: list[list], sheet: str = "Monthly Prices") -> bytes:
    book = Workbook()
    book.active.title = sheet
    for r in rows:
        book.active.append(r)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


HEAD = [
    ["World Bank Commodity Price Data (The Pink Sheet)"],
    ["Monthly prices in nominal US dollars, 1960 to present"],
    ["(monthly series are available only in excel)"],
    ["Updated on December 02, 2025"],
    [None, "Crude oil, Brent", "Copper", "Zinc"],
    [None, "($/bbl)", "($/mt)", "($/mt)"],
    [None, "CRUDE_BRENT", "COPPER", "Zinc"],
]
BODY = workbook(
    HEAD + [["2025M09", 67.99, 9990.31, 2900.5], ["2025M10", 64.04, 10739.25, "…"], ["2025M11", 63.6, None, 3100]]
)


def test_a_series_by_code_dated_on_the_first_of_its_month():
    bars = CONNECTOR.parse(BODY, "COPPER")
    assert bars["ts"].tolist() == [pd.Timestamp("2025-09-01", tz="UTC"), pd.Timestamp("2025-10-01", tz="UTC")]
    assert bars["close"].tolist() == [9990.31, 10739.25]


def test_codes_match_without_regard_to_case_and_gaps_are_skipped():
    zinc = CONNECTOR.parse(BODY, "ZINC")
    assert zinc["close"].tolist() == [2900.5, 3100.0]
    assert CONNECTOR.parse(BODY, "crude_brent")["close"].iloc[-1] == 63.6


def test_bad_bodies_are_parse_errors():
    with pytest.raises(ParseError, match="no series GOLD"):
        CONNECTOR.parse(BODY, "GOLD")
    with pytest.raises(ParseError, match="not an xlsx workbook"):
        CONNECTOR.parse(b"PK\x03\x04 not really a zip", "COPPER")
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("readme.txt", "no workbook here")
    with pytest.raises(ParseError, match="not an xlsx workbook"):
        CONNECTOR.parse(archive.getvalue(), "COPPER")
    with pytest.raises(ParseError, match="HTML or XML"):
        CONNECTOR.parse(b"<!DOCTYPE html><html>Access denied</html>", "COPPER")
    with pytest.raises(ParseError, match="no 'Monthly Prices' sheet"):
        CONNECTOR.parse(workbook(HEAD, sheet="Annual Prices (Nominal)"), "COPPER")
    with pytest.raises(ParseError, match="no monthly rows"):
        CONNECTOR.parse(workbook(HEAD), "COPPER")
    with pytest.raises(ParseError, match="no row of series codes"):
        CONNECTOR.parse(workbook(HEAD[:4] + [["2025M09", 1.0, 2.0]]), "COPPER")
    with pytest.raises(ParseError, match="has no value"):
        CONNECTOR.parse(workbook(HEAD + [["2025M09", 67.99, "…", 1.0]]), "COPPER")


def test_one_request_for_the_workbook():
    (request,) = CONNECTOR.build_requests("https://thedocs.worldbank.org", "IRON_ORE", None)
    assert request.url.startswith("https://thedocs.worldbank.org/en/doc/")
    assert request.url.endswith("/CMO-Historical-Data-Monthly.xlsx")
    with pytest.raises(ValueError, match="not a Pink Sheet series code"):
        CONNECTOR.build_requests("https://thedocs.worldbank.org", "Iron ore, cfr spot", None)
