"""Bitfinex public candles (keyless), daily bars. Symbols: ``tBTCUSD``."""

from __future__ import annotations

import pandas as pd

from datasources.base import HttpRequest, ParseError, ProviderSpec
from datasources.wire import DAY_SECONDS, candle_rows, day_seconds, day_windows, load_json


class BitfinexCandlesConnector:
    """``/v2/candles/trade:1D:tBTCUSD/hist?sort=1&start=…&end=…&limit=…``: ``[MTS, OPEN, CLOSE,
    HIGH, LOW, VOLUME]``, oldest first with ``sort=1``, at most 10000 a request: the whole
    history depth fits one request (paged all the same, should the depth grow past it)."""

    provider = "bitfinex"
    kind = "bars"
    page_days = 10_000

    def build_requests(self, base_url, symbol, since, api_key=None) -> list[HttpRequest]:
        return [
            HttpRequest(
                url=f"{base_url}/v2/candles/trade:1D:{symbol}/hist",
                params={
                    "limit": str(self.page_days),
                    "sort": "1",
                    "start": str(day_seconds(first) * 1000),
                    "end": str((day_seconds(last) + DAY_SECONDS) * 1000 - 1),
                },
            )
            for first, last in day_windows(since, self.page_days)
        ]

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        doc = load_json(body)
        if isinstance(doc, list) and doc[:1] == ["error"]:
            raise ParseError(f"Bitfinex error {doc[1] if len(doc) > 1 else ''}: {doc[2] if len(doc) > 2 else ''}")
        return candle_rows(doc, {"ts": 0, "open": 1, "close": 2, "high": 3, "low": 4, "volume": 5}, "ms", symbol)


PROVIDER = ProviderSpec("bitfinex", (BitfinexCandlesConnector(),), rate_limit_per_minute=30)
