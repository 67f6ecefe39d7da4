"""Crypto exchanges and aggregators: Binance klines and CoinGecko markets."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pandas as pd

from datasources._json import load_json
from datasources.base import HttpRequest, ParseError, bars_frame


class BinanceKlinesConnector:
    """``/api/v3/klines?symbol=BTCUSDT&interval=1d``: arrays of open time, O, H, L, C, volume…"""

    provider = "binance"
    kind = "bars"

    def build_requests(
        self, base_url: str, symbol: str, since: date | None, api_key: str | None = None
    ) -> list[HttpRequest]:
        start = since or (datetime.now(UTC).date() - timedelta(days=1000))
        start_ms = int(datetime.combine(start, time(), tzinfo=UTC).timestamp() * 1000)
        params = {"symbol": symbol, "interval": "1d", "startTime": str(start_ms), "limit": "1000"}
        return [HttpRequest(url=f"{base_url}/api/v3/klines", params=params)]

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


class CoinGeckoMarketsConnector:
    """``/api/v3/coins/markets?vs_currency=usd&ids=bitcoin``: today's price, 24h high/low/volume."""

    provider = "coingecko"
    kind = "bars"

    def build_requests(
        self, base_url: str, symbol: str, since: date | None, api_key: str | None = None
    ) -> list[HttpRequest]:
        return [HttpRequest(url=f"{base_url}/api/v3/coins/markets", params={"vs_currency": "usd", "ids": symbol})]

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        return parse_markets(load_json(body), symbol)


def parse_markets(doc, coin_id: str) -> pd.DataFrame:
    """The coin's snapshot as one daily bar dated by ``last_updated`` (UTC day)."""
    if isinstance(doc, dict):
        status = doc.get("status") or doc
        raise ParseError(f"CoinGecko error: {status.get('error_message') or status.get('error') or status}")
    if not isinstance(doc, list):
        raise ParseError("expected a list of coins")
    rows = [c for c in doc if isinstance(c, dict) and c.get("id") == coin_id]
    if not rows:
        raise ParseError(f"coin {coin_id!r} not in the response")
    coin = rows[0]
    if coin.get("current_price") is None or not coin.get("last_updated"):
        raise ParseError(f"{coin_id}: no current_price/last_updated")
    day = pd.Timestamp(coin["last_updated"]).tz_convert(UTC).normalize()
    return bars_frame(
        coin_id,
        [day],
        None,
        [coin.get("high_24h")],
        [coin.get("low_24h")],
        [coin["current_price"]],
        [coin.get("total_volume")],
    )
