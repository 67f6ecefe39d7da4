"""Financial Modeling Prep end-of-day prices (the ``/stable/historical-price-eod/full`` endpoint),
daily OHLCV bars for stocks, ETFs and indices (``^GSPC``). Needs a key
(``SPARTAN_FMP_API_KEYS``, comma-separated, rotated when refused); without one its entries are
"not configured"."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pandas as pd

from datasources.base import HttpRequest, ParseError, ProviderSpec
from datasources.wire import backfill_start, describe, load_json, member, record_bars


class FmpEodConnector:
    """A JSON list of ``{"symbol", "date": "2025-02-04", "open", "high", "low", "close",
    "volume", "change", "changePercent", "vwap"}``, newest first. The legacy v3
    ``historical-price-full`` shape, ``{"symbol", "historical": [{date, open, …, adjClose}]}``,
    is read too. Errors are ``{"Error Message": "…"}`` (an invalid key: 401 or 200)."""

    provider = "fmp"
    kind = "bars"

    def build_requests(
        self, base_url: str, symbol: str, since: date | None, api_key: str | None = None
    ) -> list[HttpRequest]:
        params = {
            "symbol": symbol,
            "from": backfill_start(since).isoformat(),
            "to": datetime.now(UTC).date().isoformat(),
            "apikey": api_key or "",
        }
        return [HttpRequest(url=f"{base_url}/stable/historical-price-eod/full", params=params, key_param="apikey")]

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        doc = load_json(body)
        if isinstance(doc, dict):
            if "historical" in doc:
                doc = doc["historical"]
            elif member(doc, "Error Message") or member(doc, "error"):
                raise ParseError(f"FMP error: {doc.get('Error Message') or doc.get('error')}")
            elif not doc:  # an unknown symbol on the legacy endpoint
                doc = []
            else:
                raise ParseError(f"FMP: not a price list: {describe(doc)}")
        return record_bars(doc, symbol, "date", what="prices")


PROVIDER = ProviderSpec(
    "fmp",
    (FmpEodConnector(),),
    rate_limit_per_minute=30,
    credentials={"fmp": "SPARTAN_FMP_API_KEYS"},
)
