"""Bitfinex public candles (keyless), daily bars. Symbols: ``tBTCUSD``."""

from __future__ import annotations

import pandas as pd

from datasources.base import HttpRequest, ParseError, ProviderSpec
from datasources.wire import candle_rows, epoch_seconds, load_json


class BitfinexCandlesConnector:
    """``/v2/candles/trade:1D:tBTCUSD/hist?sort=1``: ``[MTS, OPEN, CLOSE, HIGH, LOW, VOLUME]``."""

    provider = "bitfinex"
    kind = "bars"

    def build_requests(self, base_url, symbol, since, api_key=None) -> list[HttpRequest]:
        params = {"limit": "10000", "sort": "1", "start": str(epoch_seconds(since) * 1000)}
        return [HttpRequest(url=f"{base_url}/v2/candles/trade:1D:{symbol}/hist", params=params)]

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        doc = load_json(body)
        if isinstance(doc, list) and doc[:1] == ["error"]:
            raise ParseError(f"Bitfinex error {doc[1] if len(doc) > 1 else ''}: {doc[2] if len(doc) > 2 else ''}")
        return candle_rows(doc, {"ts": 0, "open": 1, "close": 2, "high": 3, "low": 4, "volume": 5}, "ms", symbol)


PROVIDER = ProviderSpec("bitfinex", (BitfinexCandlesConnector(),), rate_limit_per_minute=30)
