"""CoinGecko's public snapshots (keyless): today's bar per coin (symbols: coin ids, ``bitcoin``),
and the whole crypto market's size and shares (``/global``; symbols: ``GLOBAL_FIGURES``)."""

from __future__ import annotations

from datetime import UTC, date

import pandas as pd

from datasources.base import HttpRequest, ParseError, ProviderSpec, bars_frame, observations_frame
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


# The figures of the /global snapshot a catalog symbol names: a coin's share of the market
# value (% of all coins' market capitalisation), the total in US dollars, or the dollar value
# of the stablecoins among the ten largest coins CoinGecko lists (Tether and USD Coin).
STABLECOINS = ("usdt", "usdc")
GLOBAL_FIGURES = ("btc_dominance", "eth_dominance", "total_market_cap", "stablecoin_market_cap")


class CoinGeckoGlobalConnector:
    """``/api/v3/global``: the market's total capitalisation and the largest coins' shares."""

    provider = "coingecko_global"
    kind = "observations"
    history_note = "coingecko's /global endpoint is a snapshot: one observation a day from the first download on"

    def build_requests(
        self, base_url: str, symbol: str, since: date | None, api_key: str | None = None
    ) -> list[HttpRequest]:
        if symbol not in GLOBAL_FIGURES:
            raise ValueError(f"not a CoinGecko /global figure: {symbol!r} (one of {', '.join(GLOBAL_FIGURES)})")
        return [HttpRequest(url=f"{base_url}/api/v3/global")]

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        return parse_global(load_json(body), symbol)


def parse_global(doc, figure: str) -> pd.DataFrame:
    """One observation of ``figure`` dated by the snapshot's ``updated_at`` (UTC day)."""
    data = doc.get("data") if isinstance(doc, dict) else None
    if not isinstance(data, dict):
        status = (doc.get("status") or doc) if isinstance(doc, dict) else doc
        raise ParseError(f"CoinGecko /global: no data ({status})")
    shares = data.get("market_cap_percentage") or {}
    total = (data.get("total_market_cap") or {}).get("usd")
    if not data.get("updated_at") or total is None or "btc" not in shares:
        raise ParseError("CoinGecko /global: no updated_at, total_market_cap.usd or market_cap_percentage")
    if figure == "btc_dominance":
        value = shares["btc"]
    elif figure == "eth_dominance":
        value = shares.get("eth")
    elif figure == "total_market_cap":
        value = total
    elif figure == "stablecoin_market_cap":
        value = float(total) * sum(float(shares.get(c) or 0) for c in STABLECOINS) / 100 or None
    else:
        raise ParseError(f"CoinGecko /global: unknown figure {figure!r}")
    if value is None:
        raise ParseError(f"CoinGecko /global: no value for {figure}")
    day = pd.Timestamp(int(data["updated_at"]), unit="s", tz=UTC).normalize()
    return observations_frame(figure, [day], [float(value)])


PROVIDER = ProviderSpec(
    "coingecko", (CoinGeckoMarketsConnector(), CoinGeckoGlobalConnector()), rate_limit_per_minute=10
)
