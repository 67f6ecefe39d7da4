"""Moscow Exchange ISS (``iss.moex.com``, keyless): the daily history of its indices
(``/iss/history/engines/stock/markets/index/securities/{SECID}.json``: IMOEX in roubles, RTSI in
dollars). The ISS answers at most 100 rows a request: a request per window of
:data:`WINDOW_DAYS` calendar days keeps each under that."""

from __future__ import annotations

from datetime import date

import pandas as pd

from datasources.base import HttpRequest, ParseError, ProviderSpec
from datasources.wire import day_windows, describe, load_json, member, record_bars

# 100 rows a page; 130 calendar days hold at most 94 weekdays (and the exchange trades on some
# Saturdays only rarely), so one window is one page.
PAGE_ROWS = 100
WINDOW_DAYS = 130
COLUMNS = ("TRADEDATE", "OPEN", "HIGH", "LOW", "CLOSE", "VALUE")


class MoexIndexHistoryConnector:
    """``{"history": {"metadata": {…}, "columns": ["BOARDID", "SECID", "TRADEDATE", "SHORTNAME",
    "NAME", "CLOSE", "OPEN", "HIGH", "LOW", "VALUE", …], "data": [[…], …]}, "history.cursor":
    {"columns": ["INDEX", "TOTAL", "PAGESIZE"], "data": [[0, 1262, 100]]}}``: rows as arrays in
    the order of ``columns``; ``VALUE`` is the turnover in roubles (kept as the volume)."""

    provider = "moex"
    kind = "bars"

    def build_requests(
        self, base_url: str, symbol: str, since: date | None, api_key: str | None = None
    ) -> list[HttpRequest]:
        if not symbol.isalnum():
            raise ValueError(f"not a MOEX index SECID like IMOEX: {symbol!r}")
        return [
            HttpRequest(
                url=f"{base_url}/iss/history/engines/stock/markets/index/securities/{symbol}.json",
                params={
                    "from": first.isoformat(),
                    "till": last.isoformat(),
                    "iss.meta": "off",
                    "iss.only": "history,history.cursor",
                    "history.columns": ",".join(COLUMNS),
                    "limit": str(PAGE_ROWS),
                },
            )
            for first, last in day_windows(since, WINDOW_DAYS)
        ]

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        doc = load_json(body)
        table = member(doc, "history")
        columns, data = member(table, "columns"), member(table, "data")
        if not isinstance(columns, list) or not isinstance(data, list):
            raise ParseError(f"MOEX ISS: no history columns and data in {describe(doc)}")
        missing = {"TRADEDATE", "CLOSE"} - set(columns)
        if missing:
            raise ParseError(f"MOEX ISS: history lacks {'/'.join(sorted(missing))} in {columns[:8]}")
        if any(not isinstance(row, list) or len(row) != len(columns) for row in data):
            raise ParseError("MOEX ISS: a history row does not match its columns")
        cursor = member(member(doc, "history.cursor"), "data")
        if isinstance(cursor, list) and cursor and isinstance(cursor[0], list) and len(cursor[0]) == 3:
            index, total, size = cursor[0]
            if isinstance(total, int) and isinstance(size, int) and total > index + size:
                raise ParseError(f"MOEX ISS: {total} rows for a window of {size}: the window is too wide")
        rows = [dict(zip(columns, row, strict=True)) for row in data]
        fields = tuple(c if c in columns else None for c in ("OPEN", "HIGH", "LOW", "CLOSE", "VALUE"))
        frame = record_bars(rows, symbol, "TRADEDATE", fields, what="history rows")
        return frame[frame["close"] > 0].reset_index(drop=True)


PROVIDER = ProviderSpec("moex", (MoexIndexHistoryConnector(),), rate_limit_per_minute=120)
