"""Coinbase Exchange public candles (keyless), daily bars. Symbols: ``BTC-USD``."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd

from datasources.base import HttpRequest, ParseError, ProviderSpec
from datasources.wire import candle_rows, describe, epoch_seconds, load_json


class CoinbaseCandlesConnector:
    """``/products/BTC-USD/candles?granularity=86400``: ``[time, low, high, open, close, volume]``,
    newest first, at most 300 per request."""

    provider = "coinbase"
    kind = "bars"

    def build_requests(self, base_url, symbol, since, api_key=None) -> list[HttpRequest]:
        start = max(epoch_seconds(since, 299), int(datetime.now(UTC).timestamp()) - 299 * 86400)
        params = {"granularity": "86400", "start": datetime.fromtimestamp(start, UTC).isoformat()}
        return [HttpRequest(url=f"{base_url}/products/{symbol}/candles", params=params)]

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        doc = load_json(body)
        if isinstance(doc, dict) and isinstance(doc.get("message"), str):
            raise ParseError(f"Coinbase error: {doc['message']}")
        if not isinstance(doc, list):
            raise ParseError(f"Coinbase: expected a list of candles, got {describe(doc)}")
        return candle_rows(doc, {"ts": 0, "low": 1, "high": 2, "open": 3, "close": 4, "volume": 5}, "s", symbol)


PROVIDER = ProviderSpec("coinbase", (CoinbaseCandlesConnector(),), rate_limit_per_minute=300)
