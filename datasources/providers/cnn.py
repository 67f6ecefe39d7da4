"""CNN Fear & Greed graph data (``/index/fearandgreed/graphdata/{start}``): the index and its
seven components, each a history of ``{x: epoch ms, y: value, rating}`` points."""

from __future__ import annotations

from datetime import date

import pandas as pd

from datasources.base import HttpRequest, ParseError, ProviderSpec
from datasources.wire import backfill_start, load_json, member

HISTORY_KEYS = {
    "fear_and_greed": "fear_and_greed_historical",
    "put_call_options": "put_call_options",
    "market_volatility_vix": "market_volatility_vix",
    "junk_bond_demand": "junk_bond_demand",
    "safe_haven_demand": "safe_haven_demand",
    "market_momentum_sp500": "market_momentum_sp500",
    "stock_price_strength": "stock_price_strength",
    "stock_price_breadth": "stock_price_breadth",
}


class CnnFearGreedConnector:
    provider = "cnn"
    kind = "observations"

    def build_requests(
        self, base_url: str, symbol: str, since: date | None, api_key: str | None = None
    ) -> list[HttpRequest]:
        start = backfill_start(since, 365)
        # CNN refuses requests without a browser-like Accept header.
        return [
            HttpRequest(
                url=f"{base_url}/index/fearandgreed/graphdata/{start.isoformat()}",
                headers={"Accept": "application/json"},
            )
        ]

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        return parse_graphdata(load_json(body), symbol)


def parse_graphdata(doc, symbol: str) -> pd.DataFrame:
    """``symbol`` is one of HISTORY_KEYS; returns ``series_id, date, value, label`` (label = rating)."""
    key = HISTORY_KEYS.get(symbol)
    if key is None:
        raise ParseError(f"unknown Fear & Greed component {symbol!r}")
    block = member(doc, key)
    if not isinstance(block, dict) or not isinstance(block.get("data"), list):
        raise ParseError(f"no {key}.data in the response")
    points = [p for p in block["data"] if isinstance(p, dict) and p.get("x") is not None and p.get("y") is not None]
    frame = pd.DataFrame(
        {
            "series_id": symbol,
            "date": pd.to_datetime([p["x"] for p in points], unit="ms", utc=True).date,
            "value": pd.to_numeric([p["y"] for p in points], errors="coerce"),
            "label": [p.get("rating") for p in points],
        }
    )
    # Several points can fall on one day (intraday updates): the last one stands.
    return frame.dropna(subset=["value"]).drop_duplicates(subset=["date"], keep="last").reset_index(drop=True)


PROVIDER = ProviderSpec("cnn", (CnnFearGreedConnector(),), rate_limit_per_minute=10)
