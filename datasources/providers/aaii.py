"""AAII Investor Sentiment Survey (keyless): the weekly share of members bullish, neutral and
bearish on the stock market over the next six months, from the spreadsheet AAII serves,
``/files/surveys/sentiment.xls`` (Excel 97 ``.xls``, read with ``xlrd``).

The workbook's first sheet holds a few title rows, a header row (``Reported Date``, ``Bullish``,
``Neutral``, ``Bearish``, ``Total``, the 8-week average, ``Bull-Bear Spread``, …, the S&P 500's
weekly high / low / close), one row per week since June 1987 with the date as an Excel date cell
and the shares as fractions (0.375), and summary rows below (``Count``, ``Average``, …) whose
first cell is no date. Symbols: ``bullish``, ``neutral``, ``bearish`` (percent of respondents)
and ``bull_bear_spread`` (bullish minus bearish, percentage points).
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
from datetime import date, datetime

import pandas as pd
import xlrd
from xlrd.compdoc import CompDocError

from datasources.base import HttpRequest, ParseError, ProviderSpec, observations_frame

COLUMNS = ("bullish", "neutral", "bearish")
SYMBOLS = (*COLUMNS, "bull_bear_spread")
# Text dates in the oldest rows of some copies of the file (``6-26-87``, ``7/3/1987``).
TEXT_DATE = re.compile(r"^\s*(\d{1,2})[-/](\d{1,2})[-/](\d{2}|\d{4})\s*$")
# What xlrd raises on a body that is no sound .xls (a truncated or foreign file).
UNREADABLE = (xlrd.XLRDError, CompDocError, zipfile.BadZipFile, struct.error, OSError, ValueError, IndexError, KeyError)
# Header search: the row naming the three columns is within the first rows of the sheet.
HEADER_ROWS = 20


class AaiiSentimentConnector:
    """The whole survey history in one workbook (about 120 kB): one request, whatever ``since``."""

    provider = "aaii"
    kind = "observations"

    def build_requests(
        self, base_url: str, symbol: str, since: date | None, api_key: str | None = None
    ) -> list[HttpRequest]:
        return [
            HttpRequest(
                url=f"{base_url}/files/surveys/sentiment.xls",
                headers={"Accept": "application/vnd.ms-excel, application/octet-stream;q=0.9, */*;q=0.5"},
            )
        ]

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        if symbol not in SYMBOLS:
            raise ParseError(f"unknown AAII series {symbol!r}; known: {', '.join(SYMBOLS)}")
        survey = parse_workbook(body)
        values = survey["bullish"] - survey["bearish"] if symbol == "bull_bear_spread" else survey[symbol]
        return observations_frame(symbol, pd.DatetimeIndex(survey["date"]), values.to_numpy())


def parse_workbook(body: bytes) -> pd.DataFrame:
    """``date, bullish, neutral, bearish`` (percent) of every dated week in the workbook."""
    if not body or not body.strip():
        raise ParseError("empty body")
    if body.lstrip()[:1] == b"<":
        raise ParseError("expected an .xls workbook, got HTML or XML (an error or bot-check page?)")
    try:
        # xlrd writes its warnings on a damaged file to stdout unless given a log of its own.
        book = xlrd.open_workbook(file_contents=body, on_demand=True, logfile=io.StringIO())
        sheets = [book.sheet_by_index(i) for i in range(book.nsheets)]
    except UNREADABLE as exc:
        raise ParseError(f"not an .xls workbook: {exc}") from None
    sheet, positions = survey_sheet(sheets)
    rows = []
    for r in range(sheet.nrows):
        day = cell_date(sheet.cell(r, 0), book.datemode)
        if day is None:
            continue
        shares = [number(sheet.cell(r, positions[c])) for c in COLUMNS]
        if any(s is None for s in shares):
            continue  # a week announced without figures yet
        rows.append((day, *shares))
    if not rows:
        raise ParseError("no dated survey rows in the workbook")
    frame = pd.DataFrame(rows, columns=["date", *COLUMNS])
    # The file holds fractions (0.375); a copy holding percents (37.5) is read as it is.
    if frame[list(COLUMNS)].max().max() <= 1.0:
        frame[list(COLUMNS)] = frame[list(COLUMNS)] * 100.0
    return frame.drop_duplicates(subset=["date"], keep="last").sort_values("date").reset_index(drop=True)


def survey_sheet(sheets: list) -> tuple[object, dict[str, int]]:
    """The survey's sheet (the first whose header row names Bullish, Neutral and Bearish: the
    file has one, ``SENTIMENT``) and the column of each of ``COLUMNS`` on it."""
    for sheet in sheets:
        positions = header_positions(sheet)
        if positions is not None:
            return sheet, positions
    raise ParseError("no header row naming Bullish, Neutral and Bearish in the workbook")


def header_positions(sheet) -> dict[str, int] | None:
    """The column of each of ``COLUMNS``, from the header row (the first naming all three)."""
    for r in range(min(sheet.nrows, HEADER_ROWS)):
        labels = [str(sheet.cell_value(r, c)).strip().lower() for c in range(sheet.ncols)]
        found = {name: labels.index(name) for name in COLUMNS if name in labels}
        if len(found) == len(COLUMNS):
            return found
    return None


def cell_date(cell, datemode: int) -> date | None:
    """A row's first cell as a date: an Excel date (or a plain number formatted as one), or text
    ``m-d-yy`` / ``m/d/yyyy``; None for anything else (titles, summary rows, blanks)."""
    if cell.ctype in (xlrd.XL_CELL_DATE, xlrd.XL_CELL_NUMBER):
        if not 10000 < float(cell.value) < 80000:  # 1927 … 2119: an Excel serial date
            return None
        return xlrd.xldate_as_datetime(cell.value, datemode).date()
    if cell.ctype == xlrd.XL_CELL_TEXT:
        match = TEXT_DATE.match(cell.value)
        if match:
            month, day, year = match.groups()
            try:
                return datetime.strptime(f"{month}-{day}-{year}", "%m-%d-%y" if len(year) == 2 else "%m-%d-%Y").date()
            except ValueError:
                return None
    return None


def number(cell) -> float | None:
    """A numeric cell's value; text holding a number or a percent (``37.5%``) too; else None."""
    if cell.ctype == xlrd.XL_CELL_NUMBER:
        return float(cell.value)
    if cell.ctype == xlrd.XL_CELL_TEXT:
        text = cell.value.strip()
        try:
            return float(text.rstrip("%")) / (100.0 if text.endswith("%") else 1.0)
        except ValueError:
            return None
    return None


PROVIDER = ProviderSpec("aaii", (AaiiSentimentConnector(),), rate_limit_per_minute=6)
