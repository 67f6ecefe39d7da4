"""OKX public history candles (keyless), daily bars (UTC days). Symbols: ``BTC-USDT``."""

from __future__ import annotations

import pandas as pd

from datasources.base import HttpRequest, ProviderSpec
from datasources.wire import api_error, candle_rows, load_json


class OkxCandlesConnector:
    """``/api/v5/market/history-candles?instId=BTC-USDT&bar=1Dutc``: ``[ts ms, o, h, l, c, vol, …]``."""

    provider = "okx"
    kind = "bars"

    def build_requests(self, base_url, symbol, since, api_key=None) -> list[HttpRequest]:
        return [
            HttpRequest(
                url=f"{base_url}/api/v5/market/history-candles",
                params={"instId": symbol, "bar": "1Dutc", "limit": "100"},
            )
        ]

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        doc = load_json(body)
        if not isinstance(doc, dict) or str(doc.get("code")) != "0":
            raise api_error("OKX", doc, "code", "msg")
        return candle_rows(
            doc.get("data") or [], {"ts": 0, "open": 1, "high": 2, "low": 3, "close": 4, "volume": 5}, "ms", symbol
        )


PROVIDER = ProviderSpec("okx", (OkxCandlesConnector(),), rate_limit_per_minute=600)
