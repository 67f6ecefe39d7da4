"""Bybit v5 spot klines (keyless), daily bars. Symbols: ``BTCUSDT``."""

from __future__ import annotations

import pandas as pd

from datasources.base import HttpRequest, ProviderSpec
from datasources.wire import DAY_SECONDS, api_error, candle_rows, day_seconds, day_windows, load_json


class BybitKlineConnector:
    """``/v5/market/kline?category=spot&symbol=BTCUSDT&interval=D``: ``result.list`` of
    ``[start ms, open, high, low, close, volume, turnover]``, newest first, at most ``limit``
    (1000) a request between ``start`` and ``end`` (epoch ms): two ranges for the history depth."""

    provider = "bybit"
    kind = "bars"
    page_days = 1000

    def build_requests(self, base_url, symbol, since, api_key=None) -> list[HttpRequest]:
        return [
            HttpRequest(
                url=f"{base_url}/v5/market/kline",
                params={
                    "category": "spot",
                    "symbol": symbol,
                    "interval": "D",
                    "limit": str(self.page_days),
                    "start": str(day_seconds(first) * 1000),
                    "end": str((day_seconds(last) + DAY_SECONDS) * 1000 - 1),
                },
            )
            for first, last in day_windows(since, self.page_days)
        ]

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        doc = load_json(body)
        if not isinstance(doc, dict) or doc.get("retCode") != 0:
            raise api_error("Bybit", doc, "retCode", "retMsg")
        rows = (doc.get("result") or {}).get("list") or []
        return candle_rows(rows, {"ts": 0, "open": 1, "high": 2, "low": 3, "close": 4, "volume": 5}, "ms", symbol)


PROVIDER = ProviderSpec("bybit", (BybitKlineConnector(),), rate_limit_per_minute=600)
