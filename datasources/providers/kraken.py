"""Kraken public OHLC (keyless), daily bars. Symbols are Kraken's own (``XBTUSD``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd

from datasources.base import HttpRequest, ParseError, ProviderSpec
from datasources.wire import backfill_start, candle_rows, day_seconds, load_json

# Kraken's OHLC "returns up to 720 of the most recent entries (older data cannot be retrieved,
# regardless of the value of since)" (docs.kraken.com, Get OHLC Data): no paging back.
MAX_HISTORY_DAYS = 720


class KrakenOhlcConnector:
    """``/0/public/OHLC?pair=XBTUSD&interval=1440``: ``[time, open, high, low, close, vwap, volume, count]``,
    the last 720 days at most, whatever ``since`` asks (one request; there is nothing to page)."""

    provider = "kraken"
    kind = "bars"
    max_history_days = MAX_HISTORY_DAYS

    def build_requests(self, base_url, symbol, since, api_key=None) -> list[HttpRequest]:
        oldest = datetime.now(UTC).date() - timedelta(days=MAX_HISTORY_DAYS)
        params = {"pair": symbol, "interval": "1440", "since": str(day_seconds(max(backfill_start(since), oldest)))}
        return [HttpRequest(url=f"{base_url}/0/public/OHLC", params=params)]

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        doc = load_json(body)
        if not isinstance(doc, dict) or doc.get("error"):
            raise ParseError(f"Kraken error: {doc.get('error') if isinstance(doc, dict) else 'not an object'}")
        series = [v for k, v in (doc.get("result") or {}).items() if k != "last"]
        if len(series) != 1:
            raise ParseError("expected one pair in result")
        positions = {"ts": 0, "open": 1, "high": 2, "low": 3, "close": 4, "volume": 6}
        return candle_rows(series[0], positions, "s", symbol)


PROVIDER = ProviderSpec("kraken", (KrakenOhlcConnector(),), rate_limit_per_minute=60)
