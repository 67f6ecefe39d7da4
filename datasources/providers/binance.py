"""Binance spot klines (keyless), daily bars. Symbols: ``BTCUSDT``."""

from __future__ import annotations

from datetime import date

import pandas as pd

from datasources.base import HttpRequest, ParseError, ProviderSpec, bars_frame
from datasources.wire import DAY_SECONDS, day_seconds, day_windows, load_json


class BinanceKlinesConnector:
    """``/api/v3/klines?symbol=BTCUSDT&interval=1d``: arrays of open time, O, H, L, C, volume…,
    oldest first, at most 1000 a request (``limit``), between ``startTime`` and ``endTime``
    (epoch milliseconds of the klines' open times): the history depth is two pages."""

    provider = "binance"
    kind = "bars"
    page_days = 1000

    def build_requests(
        self, base_url: str, symbol: str, since: date | None, api_key: str | None = None
    ) -> list[HttpRequest]:
        return [
            HttpRequest(
                url=f"{base_url}/api/v3/klines",
                params={
                    "symbol": symbol,
                    "interval": "1d",
                    "startTime": str(day_seconds(first) * 1000),
                    "endTime": str((day_seconds(last) + DAY_SECONDS) * 1000 - 1),
                    "limit": str(self.page_days),
                },
            )
            for first, last in day_windows(since, self.page_days)
        ]

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        return parse_klines(load_json(body), symbol)


def parse_klines(doc, symbol: str) -> pd.DataFrame:
    if isinstance(doc, dict):
        raise ParseError(f"Binance error {doc.get('code')}: {doc.get('msg')}")
    if not isinstance(doc, list) or any(not isinstance(k, list) or len(k) < 6 for k in doc):
        raise ParseError("expected a list of kline arrays")
    frame = pd.DataFrame([k[:6] for k in doc], columns=["open_ms", "open", "high", "low", "close", "volume"])
    stamps = pd.to_datetime(frame["open_ms"], unit="ms", utc=True)
    return bars_frame(symbol, stamps, frame["open"], frame["high"], frame["low"], frame["close"], frame["volume"])


PROVIDER = ProviderSpec("binance", (BinanceKlinesConnector(),), rate_limit_per_minute=600)
