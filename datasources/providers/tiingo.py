"""Tiingo end-of-day prices (``/tiingo/daily/{ticker}/prices``), daily OHLCV bars for US stocks
and ETFs. Needs a key (``SPARTAN_TIINGO_API_KEYS``, comma-separated, rotated when refused), sent
as the header ``Authorization: Token KEY``; without one its entries are "not configured"."""

from __future__ import annotations

from datetime import date

import pandas as pd

from datasources.base import HttpRequest, ParseError, ProviderSpec
from datasources.wire import backfill_start, describe, load_json, record_bars


class TiingoDailyConnector:
    """A JSON list of ``{"date": "2024-12-31T00:00:00.000Z", "open", "high", "low", "close",
    "volume", "adjOpen", …, "divCash", "splitFactor"}``, oldest first; errors are an object
    ``{"detail": "Error: …"}`` (with 4xx, or 200 for an unknown ticker on some plans)."""

    provider = "tiingo"
    kind = "bars"

    def build_requests(
        self, base_url: str, symbol: str, since: date | None, api_key: str | None = None
    ) -> list[HttpRequest]:
        request = HttpRequest(
            url=f"{base_url}/tiingo/daily/{symbol.lower()}/prices",
            params={"startDate": backfill_start(since).isoformat(), "resampleFreq": "daily", "format": "json"},
            headers={"Accept": "application/json"},
            key_headers={"Authorization": "Token {key}"},
        )
        return [request.with_key(api_key)]

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        doc = load_json(body)
        if isinstance(doc, dict):
            raise ParseError(f"Tiingo error: {doc.get('detail') or describe(doc)}")
        # Unadjusted prices, as the cascade's other providers give them.
        return record_bars(doc, symbol, "date", what="prices")


PROVIDER = ProviderSpec(
    "tiingo",
    (TiingoDailyConnector(),),
    rate_limit_per_minute=50,
    credentials={"tiingo": "SPARTAN_TIINGO_API_KEYS"},
)
