"""Crypto.com Exchange public candlesticks (keyless), daily bars. Symbols: ``BTC_USD``."""

from __future__ import annotations

import pandas as pd

from datasources.base import HttpRequest, ProviderSpec
from datasources.wire import DAY_SECONDS, api_error, candle_rows, day_seconds, day_windows, load_json, require_fields


class CryptoComCandlesConnector:
    """``/exchange/v1/public/get-candlestick?instrument_name=BTC_USD&timeframe=1D``:
    ``result.data`` objects ``{t, o, h, l, c, v}``, ``count`` candles (at most 300) between
    ``start_ts`` and ``end_ts`` (epoch ms): ranges of 300 days, seven for the history depth."""

    provider = "cryptocom"
    kind = "bars"
    page_days = 300

    def build_requests(self, base_url, symbol, since, api_key=None) -> list[HttpRequest]:
        return [
            HttpRequest(
                url=f"{base_url}/exchange/v1/public/get-candlestick",
                params={
                    "instrument_name": symbol,
                    "timeframe": "1D",
                    "count": str(self.page_days),
                    "start_ts": str(day_seconds(first) * 1000),
                    "end_ts": str((day_seconds(last) + DAY_SECONDS) * 1000 - 1),
                },
            )
            for first, last in day_windows(since, self.page_days)
        ]

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        doc = load_json(body)
        if not isinstance(doc, dict) or doc.get("code") != 0:
            raise api_error("Crypto.com", doc, "code", "message")
        candles = (doc.get("result") or {}).get("data") or []
        require_fields(candles, "tohlcv", "candles")
        rows = [[c["t"], c["o"], c["h"], c["l"], c["c"], c["v"]] for c in candles]
        return candle_rows(rows, {"ts": 0, "open": 1, "high": 2, "low": 3, "close": 4, "volume": 5}, "ms", symbol)


PROVIDER = ProviderSpec("cryptocom", (CryptoComCandlesConnector(),), rate_limit_per_minute=100)
