"""KuCoin public candles (keyless), daily bars. Symbols: ``BTC-USDT``."""

from __future__ import annotations

import pandas as pd

from datasources.base import HttpRequest, ProviderSpec
from datasources.wire import api_error, candle_rows, epoch_seconds, load_json


class KucoinCandlesConnector:
    """``/api/v1/market/candles?type=1day&symbol=BTC-USDT``: ``[time s, open, close, high, low, volume, turnover]``
    (note: close before high and low)."""

    provider = "kucoin"
    kind = "bars"

    def build_requests(self, base_url, symbol, since, api_key=None) -> list[HttpRequest]:
        params = {"type": "1day", "symbol": symbol, "startAt": str(epoch_seconds(since))}
        return [HttpRequest(url=f"{base_url}/api/v1/market/candles", params=params)]

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        doc = load_json(body)
        if not isinstance(doc, dict) or str(doc.get("code")) != "200000":
            raise api_error("KuCoin", doc, "code", "msg")
        return candle_rows(
            doc.get("data") or [], {"ts": 0, "open": 1, "close": 2, "high": 3, "low": 4, "volume": 5}, "s", symbol
        )


PROVIDER = ProviderSpec("kucoin", (KucoinCandlesConnector(),), rate_limit_per_minute=600)
