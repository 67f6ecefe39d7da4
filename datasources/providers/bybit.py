"""Bybit v5 spot klines (keyless), daily bars. Symbols: ``BTCUSDT``."""

from __future__ import annotations

import pandas as pd

from datasources.base import HttpRequest, ProviderSpec
from datasources.wire import api_error, candle_rows, epoch_seconds, load_json


class BybitKlineConnector:
    """``/v5/market/kline?category=spot&symbol=BTCUSDT&interval=D``: ``result.list`` of
    ``[start ms, open, high, low, close, volume, turnover]``, newest first."""

    provider = "bybit"
    kind = "bars"

    def build_requests(self, base_url, symbol, since, api_key=None) -> list[HttpRequest]:
        params = {
            "category": "spot",
            "symbol": symbol,
            "interval": "D",
            "limit": "1000",
            "start": str(epoch_seconds(since) * 1000),
        }
        return [HttpRequest(url=f"{base_url}/v5/market/kline", params=params)]

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        doc = load_json(body)
        if not isinstance(doc, dict) or doc.get("retCode") != 0:
            raise api_error("Bybit", doc, "retCode", "retMsg")
        rows = (doc.get("result") or {}).get("list") or []
        return candle_rows(rows, {"ts": 0, "open": 1, "high": 2, "low": 3, "close": 4, "volume": 5}, "ms", symbol)


PROVIDER = ProviderSpec("bybit", (BybitKlineConnector(),), rate_limit_per_minute=600)
