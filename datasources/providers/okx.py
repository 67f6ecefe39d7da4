"""OKX public history candles (keyless), daily bars (UTC days). Symbols: ``BTC-USDT``."""

from __future__ import annotations

import pandas as pd

from datasources.base import HttpRequest, ProviderSpec
from datasources.wire import DAY_SECONDS, api_error, candle_rows, day_seconds, day_windows, load_json


class OkxCandlesConnector:
    """``/api/v5/market/history-candles?instId=BTC-USDT&bar=1Dutc``: ``[ts ms, o, h, l, c, vol, …]``,
    newest first, ``limit`` candles a request (100 by default). Its cursors are timestamps:
    ``after`` returns candles older than it, ``before`` newer than it; both together bound a
    range. A range of 100 days a request: the history depth is 19 of them."""

    provider = "okx"
    kind = "bars"
    page_days = 100

    def build_requests(self, base_url, symbol, since, api_key=None) -> list[HttpRequest]:
        return [
            HttpRequest(
                url=f"{base_url}/api/v5/market/history-candles",
                params={
                    "instId": symbol,
                    "bar": "1Dutc",
                    "limit": str(self.page_days),
                    # Exclusive cursors: older than the day after ``last``, newer than just before ``first``.
                    "after": str((day_seconds(last) + DAY_SECONDS) * 1000),
                    "before": str(day_seconds(first) * 1000 - 1),
                },
            )
            for first, last in day_windows(since, self.page_days)
        ]

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        doc = load_json(body)
        if not isinstance(doc, dict) or str(doc.get("code")) != "0":
            raise api_error("OKX", doc, "code", "msg")
        return candle_rows(
            doc.get("data") or [], {"ts": 0, "open": 1, "high": 2, "low": 3, "close": 4, "volume": 5}, "ms", symbol
        )


PROVIDER = ProviderSpec("okx", (OkxCandlesConnector(),), rate_limit_per_minute=600)
