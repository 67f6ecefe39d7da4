"""Bitstamp public OHLC (keyless), daily bars. Symbols: ``btcusd``."""

from __future__ import annotations

import pandas as pd

from datasources.base import HttpRequest, ParseError, ProviderSpec
from datasources.wire import candle_rows, day_seconds, day_windows, load_json, require_fields


class BitstampOhlcConnector:
    """``/api/v2/ohlc/btcusd/?step=86400&limit=…&start=…``: ``data.ohlc`` objects with string
    values, ``limit`` (1 to 1000) candles from ``start`` (epoch seconds). Each request asks for
    one range of at most 1000 days, ``limit`` its length: two for the history depth."""

    provider = "bitstamp"
    kind = "bars"
    page_days = 1000

    def build_requests(self, base_url, symbol, since, api_key=None) -> list[HttpRequest]:
        return [
            HttpRequest(
                url=f"{base_url}/api/v2/ohlc/{symbol}/",
                params={"step": "86400", "limit": str((last - first).days + 1), "start": str(day_seconds(first))},
            )
            for first, last in day_windows(since, self.page_days)
        ]

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        doc = load_json(body)
        candles = (doc.get("data") or {}).get("ohlc") if isinstance(doc, dict) else None
        if not isinstance(candles, list):
            raise ParseError(
                f"Bitstamp error: {doc.get('errors') or doc.get('reason') if isinstance(doc, dict) else doc}"
            )
        fields = ("timestamp", "open", "high", "low", "close", "volume")
        require_fields(candles, fields, "ohlc entries")
        rows = [[c[f] for f in fields] for c in candles]
        return candle_rows(rows, {"ts": 0, "open": 1, "high": 2, "low": 3, "close": 4, "volume": 5}, "s", symbol)


PROVIDER = ProviderSpec("bitstamp", (BitstampOhlcConnector(),), rate_limit_per_minute=600)
