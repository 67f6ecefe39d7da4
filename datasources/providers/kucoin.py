"""KuCoin public candles (keyless), daily bars. Symbols: ``BTC-USDT``."""

from __future__ import annotations

import pandas as pd

from datasources.base import HttpRequest, ProviderSpec
from datasources.wire import DAY_SECONDS, api_error, candle_rows, day_seconds, day_windows, load_json


class KucoinCandlesConnector:
    """``/api/v1/market/candles?type=1day&symbol=BTC-USDT&startAt=…&endAt=…`` (epoch seconds):
    ``[time s, open, close, high, low, volume, turnover]`` (note: close before high and low),
    newest first, at most 1500 a request: two ranges for the history depth."""

    provider = "kucoin"
    kind = "bars"
    page_days = 1500

    def build_requests(self, base_url, symbol, since, api_key=None) -> list[HttpRequest]:
        return [
            HttpRequest(
                url=f"{base_url}/api/v1/market/candles",
                params={
                    "type": "1day",
                    "symbol": symbol,
                    "startAt": str(day_seconds(first)),
                    "endAt": str(day_seconds(last) + DAY_SECONDS - 1),
                },
            )
            for first, last in day_windows(since, self.page_days)
        ]

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        doc = load_json(body)
        if not isinstance(doc, dict) or str(doc.get("code")) != "200000":
            raise api_error("KuCoin", doc, "code", "msg")
        return candle_rows(
            doc.get("data") or [], {"ts": 0, "open": 1, "close": 2, "high": 3, "low": 4, "volume": 5}, "s", symbol
        )


PROVIDER = ProviderSpec("kucoin", (KucoinCandlesConnector(),), rate_limit_per_minute=600)
