"""Deribit's DVOL crypto implied-volatility indices (keyless), daily bars. Symbols: ``BTC``, ``ETH``."""

from __future__ import annotations

import pandas as pd

from datasources.base import HttpRequest, ProviderSpec
from datasources.wire import DAY_SECONDS, api_error, candle_rows, day_seconds, day_windows, load_json


class DeribitVolatilityConnector:
    """``/api/v2/public/get_volatility_index_data?currency=BTC&resolution=1D``: the DVOL index,
    ``result.data`` of ``[ts ms, open, high, low, close]`` between ``start_timestamp`` and
    ``end_timestamp`` (epoch ms). A long range comes back in parts (``continuation``: the
    ``end_timestamp`` of the next); ranges of 1000 days are asked for one by one instead, so
    each request is complete on its own. DVOL starts in March 2021."""

    provider = "deribit"
    kind = "bars"
    page_days = 1000

    def build_requests(self, base_url, symbol, since, api_key=None) -> list[HttpRequest]:
        return [
            HttpRequest(
                url=f"{base_url}/api/v2/public/get_volatility_index_data",
                params={
                    "currency": symbol,
                    "resolution": "1D",
                    "start_timestamp": str(day_seconds(first) * 1000),
                    "end_timestamp": str((day_seconds(last) + DAY_SECONDS) * 1000 - 1),
                },
            )
            for first, last in day_windows(since, self.page_days)
        ]

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        doc = load_json(body)
        if not isinstance(doc, dict) or "result" not in doc:
            error = doc.get("error") if isinstance(doc, dict) else {}
            raise api_error("Deribit", error or {}, "code", "message")
        rows = [[*r, None] for r in (doc["result"] or {}).get("data") or []]
        return candle_rows(rows, {"ts": 0, "open": 1, "high": 2, "low": 3, "close": 4, "volume": 5}, "ms", symbol)


PROVIDER = ProviderSpec("deribit", (DeribitVolatilityConnector(),), rate_limit_per_minute=60)
