"""Marketstack ``/v1/eod``, daily OHLCV bars for stocks and ETFs. Needs a key
(``SPARTAN_MARKETSTACK_API_KEYS``, comma-separated, rotated when refused); without one its
entries are "not configured". At most 1000 rows a request: a request per window of
:data:`WINDOW_DAYS` calendar days keeps each under that."""

from __future__ import annotations

from datetime import date

import pandas as pd

from datasources.base import HttpRequest, ParseError, ProviderSpec
from datasources.wire import day_windows, describe, load_json, member, record_bars

LIMIT = 1000
WINDOW_DAYS = 1350  # at most 965 weekdays: one page


class MarketstackEodConnector:
    """``{"pagination": {"limit", "offset", "count", "total"}, "data": [{"open", "high", "low",
    "close", "volume", "adj_*", "symbol", "exchange", "date": "2019-02-01T00:00:00+0000"}]}``;
    errors are ``{"error": {"code", "message"}}``."""

    provider = "marketstack"
    kind = "bars"

    def build_requests(
        self, base_url: str, symbol: str, since: date | None, api_key: str | None = None
    ) -> list[HttpRequest]:
        return [
            HttpRequest(
                url=f"{base_url}/v1/eod",
                params={
                    "symbols": symbol,
                    "date_from": first.isoformat(),
                    "date_to": last.isoformat(),
                    "limit": str(LIMIT),
                    "sort": "ASC",
                    "access_key": api_key or "",
                },
                key_param="access_key",
            )
            for first, last in day_windows(since, WINDOW_DAYS)
        ]

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        doc = load_json(body)
        error = member(doc, "error")
        if isinstance(error, dict):
            raise ParseError(f"Marketstack error {error.get('code')}: {error.get('message')}")
        rows = member(doc, "data")
        if not isinstance(rows, list):
            raise ParseError(f"Marketstack: no data list in {describe(doc)}")
        page = member(doc, "pagination") or {}
        total, count = page.get("total"), page.get("count", len(rows))
        if isinstance(total, int) and isinstance(count, int) and total > page.get("offset", 0) + count:
            raise ParseError(f"Marketstack: {total} rows for a page of {count}: the window is too wide")
        rows = [r for r in rows if not isinstance(r, dict) or r.get("symbol") in (None, symbol)]
        return record_bars([_iso(r) for r in rows], symbol, "date", what="data rows")


def _iso(row):
    """``+0000`` offsets as ``+00:00`` (the form ISO 8601 parsers take)."""
    if isinstance(row, dict) and isinstance(row.get("date"), str) and row["date"].endswith("+0000"):
        return {**row, "date": row["date"][:-5] + "+00:00"}
    return row


PROVIDER = ProviderSpec(
    "marketstack",
    (MarketstackEodConnector(),),
    rate_limit_per_minute=60,
    credentials={"marketstack": "SPARTAN_MARKETSTACK_API_KEYS"},
)
