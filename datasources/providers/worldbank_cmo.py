"""World Bank commodity price data (the "Pink Sheet"), keyless: ``CMO-Historical-Data-Monthly.xlsx``,
monthly averages of ~70 commodities since 1960 in one workbook (read with openpyxl). Symbols are
the workbook's series codes (``COPPER``, ``IRON_ORE``, ``NGAS_EUR``…), matched without regard to
case (the workbook spells a few in mixed case: ``Tin``, ``Zinc``). Bars are dated on the first
of their month (the month the average covers).

The workbook's address carries a document id; it has stayed the same across the monthly
updates for years, and a new one is a one-line change here (or a base URL override)."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date
from functools import lru_cache

import pandas as pd
from openpyxl import load_workbook

from datasources.base import HttpRequest, ParseError, ProviderSpec, bars_frame

DOCUMENT = "/en/doc/5d903e848db1d1b83e0ec8f744e55570-0350012021/related/CMO-Historical-Data-Monthly.xlsx"
SHEET = "Monthly Prices"
MONTH = re.compile(r"^(\d{4})M(\d{2})$")  # the first column of a data row: 1960M01


@lru_cache(maxsize=2)
def _columns(body: bytes) -> tuple[tuple[str, ...], dict[str, tuple]]:
    """The workbook's months and each code's column of values (one read per distinct body: a
    run asks for a dozen series of the same file)."""
    try:
        book = load_workbook(io.BytesIO(body), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ParseError(f"World Bank CMO: not an xlsx workbook: {exc}") from None
    try:
        if SHEET not in book.sheetnames:
            raise ParseError(f"World Bank CMO: no {SHEET!r} sheet in {book.sheetnames[:6]}")
        rows = list(book[SHEET].iter_rows(values_only=True))
    finally:
        book.close()
    first = next((n for n, r in enumerate(rows) if _is_month(r)), None)
    data = [r for r in rows if _is_month(r)]
    if not data:
        raise ParseError("World Bank CMO: no monthly rows (YYYYMmm) in the sheet")
    codes_row = next((r for r in reversed(rows[:first]) if _is_codes_row(r)), None)
    if codes_row is None:
        raise ParseError("World Bank CMO: no row of series codes above the data")
    months = tuple(r[0].strip() for r in data)
    columns = {
        str(code).strip().upper(): tuple(r[i] if i < len(r) else None for r in data)
        for i, code in enumerate(codes_row)
        if i > 0 and _is_code(code)
    }
    return months, columns


def _is_month(row) -> bool:
    return bool(row) and isinstance(row[0], str) and MONTH.match(row[0].strip()) is not None


def _is_codes_row(row) -> bool:
    """The row of codes: a blank first cell, then codes only (the names row above it has
    commas and spaces: ``Crude oil, Brent``)."""
    cells = [c for c in row[1:] if c not in (None, "")] if row else []
    return bool(row) and row[0] in (None, "") and len(cells) >= 2 and all(_is_code(c) for c in cells)


def _is_code(cell) -> bool:
    """A series code: one word of letters, digits and underscores (``CRUDE_BRENT``, ``Zinc``)."""
    return isinstance(cell, str) and re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", cell.strip()) is not None


class WorldBankCmoConnector:
    """Sheet ``Monthly Prices``: a few title lines, then a row of names (``Copper``), of units
    (``($/mt)``) and of codes (``COPPER``); then one row a month, ``1960M01`` in the first column.
    Missing values are blank or ``…``."""

    provider = "worldbank_cmo"
    kind = "bars"

    def build_requests(
        self, base_url: str, symbol: str, since: date | None, api_key: str | None = None
    ) -> list[HttpRequest]:
        if not _is_code(symbol):
            raise ValueError(f"not a Pink Sheet series code like COPPER: {symbol!r}")
        return [HttpRequest(url=f"{base_url}{DOCUMENT}")]

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        if not body or not body.strip():
            raise ParseError("empty body")
        if body.lstrip()[:1] == b"<":
            raise ParseError("World Bank CMO: expected an xlsx workbook, got HTML or XML (an error page?)")
        months, columns = _columns(body)
        values = columns.get(symbol.upper())
        if values is None:
            raise ParseError(f"World Bank CMO: no series {symbol} among {len(columns)} codes")
        stamps = pd.to_datetime([f"{m[:4]}-{m[5:7]}-01" for m in months], format="%Y-%m-%d")
        closes = [v if isinstance(v, int | float) else None for v in values]
        frame = bars_frame(symbol, stamps, close=closes)
        if frame.empty:
            raise ParseError(f"World Bank CMO: series {symbol} has no value")
        return frame.sort_values("ts").drop_duplicates(subset=["ts"], keep="last").reset_index(drop=True)


PROVIDER = ProviderSpec("worldbank_cmo", (WorldBankCmoConnector(),), rate_limit_per_minute=10)
