"""CoinGecko's public markets snapshot (keyless): today's bar per coin. Symbols: coin ids (``bitcoin``)."""

from __future__ import annotations

from datetime import UTC, date

import pandas as pd

from datasources.base import HttpRequest, ParseError, ProviderSpec, bars_frame
from datasources.wire import load_json


class CoinGeckoMarketsConnector:
    """``/api/v3/coins/markets?vs_currency=usd&ids=bitcoin``: today's price, 24h high/low/volume."""

    provider = "coingecko"
    kind = "bars"
    history_note = "coingecko's markets endpoint is a snapshot: one bar a day from the first download on"

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


PROVIDER = ProviderSpec("coingecko", (CoinGeckoMarketsConnector(),), rate_limit_per_minute=10)
