"""Intrinio API v2 stock prices (``/securities/{identifier}/prices``), daily OHLCV bars for US
stocks and ETFs. Needs a key (``SPARTAN_INTRINIO_API_KEYS``, comma-separated, rotated when
refused); without one its entries are "not configured"."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pandas as pd

from datasources.base import HttpRequest, ParseError, ProviderSpec
from datasources.wire import backfill_start, describe, load_json, member, record_bars

PAGE_SIZE = 10_000  # five years of days in one page


class IntrinioPricesConnector:
    """``{"stock_prices": [{"date": "2024-01-02", "intraperiod": false, "frequency": "daily",
    "open", "high", "low", "close", "volume", "adj_open", …, "factor", "split_ratio",
    "dividend"}], "security": {…}, "next_page": null}`` newest first; errors are ``{"error",
    "message"}`` (a refused key: 401)."""

    provider = "intrinio"
    kind = "bars"

    def build_requests(
        self, base_url: str, symbol: str, since: date | None, api_key: str | None = None
    ) -> list[HttpRequest]:
        params = {
            "start_date": backfill_start(since).isoformat(),
            "end_date": datetime.now(UTC).date().isoformat(),
            "frequency": "daily",
            "page_size": str(PAGE_SIZE),
            "api_key": api_key or "",
        }
        return [HttpRequest(url=f"{base_url}/securities/{symbol}/prices", params=params, key_param="api_key")]

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        doc = load_json(body)
        if member(doc, "error") or (member(doc, "message") and "stock_prices" not in doc):
            raise ParseError(f"Intrinio error: {doc.get('error') or ''} {doc.get('message') or ''}".strip())
        rows = member(doc, "stock_prices")
        if not isinstance(rows, list):
            raise ParseError(f"Intrinio: no stock_prices in {describe(doc)}")
        if doc.get("next_page"):
            raise ParseError(f"Intrinio: more than {PAGE_SIZE} prices in one range")
        rows = [r for r in rows if not isinstance(r, dict) or not r.get("intraperiod")]  # today's partial bar
        return record_bars(rows, symbol, "date", what="stock prices")


PROVIDER = ProviderSpec(
    "intrinio",
    (IntrinioPricesConnector(),),
    rate_limit_per_minute=60,
    credentials={"intrinio": "SPARTAN_INTRINIO_API_KEYS"},
)
