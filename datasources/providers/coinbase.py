"""Coinbase Exchange public candles (keyless), daily bars. Symbols: ``BTC-USD``."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pandas as pd

from datasources.base import HttpRequest, ParseError, ProviderSpec
from datasources.wire import candle_rows, day_windows, describe, load_json


def _iso(day) -> str:
    return datetime.combine(day, time(), tzinfo=UTC).isoformat()


class CoinbaseCandlesConnector:
    """``/products/BTC-USD/candles?granularity=86400&start=…&end=…`` (ISO 8601): ``[time, low,
    high, open, close, volume]``, newest first. A request whose range holds more than 300 candles
    is refused, so the history depth is asked for in ranges of 300 days (start and end the
    midnights of a range's first and last day)."""

    provider = "coinbase"
    kind = "bars"
    page_days = 300

    def build_requests(self, base_url, symbol, since, api_key=None) -> list[HttpRequest]:
        return [
            HttpRequest(
                url=f"{base_url}/products/{symbol}/candles",
                params={"granularity": "86400", "start": _iso(first), "end": _iso(last)},
            )
            for first, last in day_windows(since, self.page_days)
        ]

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        doc = load_json(body)
        if isinstance(doc, dict) and isinstance(doc.get("message"), str):
            raise ParseError(f"Coinbase error: {doc['message']}")
        if not isinstance(doc, list):
            raise ParseError(f"Coinbase: expected a list of candles, got {describe(doc)}")
        return candle_rows(doc, {"ts": 0, "low": 1, "high": 2, "open": 3, "close": 4, "volume": 5}, "s", symbol)


PROVIDER = ProviderSpec("coinbase", (CoinbaseCandlesConnector(),), rate_limit_per_minute=300)
