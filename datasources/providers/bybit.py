"""Bybit v5 (keyless): spot klines as daily bars (symbols ``BTCUSDT``), and the option chains of
BTC, ETH and SOL summarised per expiry (symbols ``BTC``…)."""

from __future__ import annotations

import pandas as pd

from datasources.base import HttpRequest, ParseError, ProviderSpec
from datasources.chains import first_number, numbers, summarize_named, utc_day
from datasources.wire import DAY_SECONDS, api_error, candle_rows, day_seconds, day_windows, load_json


class BybitKlineConnector:
    """``/v5/market/kline?category=spot&symbol=BTCUSDT&interval=D``: ``result.list`` of
    ``[start ms, open, high, low, close, volume, turnover]``, newest first, at most ``limit``
    (1000) a request between ``start`` and ``end`` (epoch ms): two ranges for the history depth."""

    provider = "bybit"
    kind = "bars"
    page_days = 1000

    def build_requests(self, base_url, symbol, since, api_key=None) -> list[HttpRequest]:
        return [
            HttpRequest(
                url=f"{base_url}/v5/market/kline",
                params={
                    "category": "spot",
                    "symbol": symbol,
                    "interval": "D",
                    "limit": str(self.page_days),
                    "start": str(day_seconds(first) * 1000),
                    "end": str((day_seconds(last) + DAY_SECONDS) * 1000 - 1),
                },
            )
            for first, last in day_windows(since, self.page_days)
        ]

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        doc = load_json(body)
        if not isinstance(doc, dict) or doc.get("retCode") != 0:
            raise api_error("Bybit", doc, "retCode", "retMsg")
        rows = (doc.get("result") or {}).get("list") or []
        return candle_rows(rows, {"ts": 0, "open": 1, "high": 2, "low": 3, "close": 4, "volume": 5}, "ms", symbol)


class BybitOptionChainConnector:
    """``/v5/market/tickers?category=option&baseCoin=BTC``: every listed option of the coin in
    ``result.list`` (``symbol`` such as ``BTC-27DEC24-60000-C``, strings: ``volume24h`` and
    ``openInterest`` in coins, ``markIv`` a fraction, ``delta``, ``indexPrice``,
    ``underlyingPrice``) and the answer's ``time`` (ms); summarised per expiry (``kind = rows``)."""

    provider = "bybit_options"
    kind = "rows"

    def build_requests(self, base_url, symbol, since, api_key=None) -> list[HttpRequest]:
        return [
            HttpRequest(url=f"{base_url}/v5/market/tickers", params={"category": "option", "baseCoin": symbol.upper()})
        ]

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        doc = load_json(body)
        if not isinstance(doc, dict) or doc.get("retCode") != 0:
            raise api_error("Bybit", doc, "retCode", "retMsg")
        listed = [t for t in (doc.get("result") or {}).get("list") or [] if isinstance(t, dict)]
        quotes = pd.DataFrame.from_records(listed)
        if quotes.empty or "symbol" not in quotes:
            raise ParseError("Bybit: no option tickers in result.list")
        frame = pd.DataFrame(
            {
                "name": quotes["symbol"],
                "volume": numbers(quotes, "volume24h"),
                "open_interest": numbers(quotes, "openInterest"),
                "iv": numbers(quotes, "markIv"),
                "delta": numbers(quotes, "delta"),
            }
        )
        spot = first_number(numbers(quotes, "indexPrice").median(), numbers(quotes, "underlyingPrice").median())
        return summarize_named(frame, spot, utc_day(doc.get("time")), symbol.upper())


PROVIDER = ProviderSpec("bybit", (BybitKlineConnector(), BybitOptionChainConnector()), rate_limit_per_minute=600)
