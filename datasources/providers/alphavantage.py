"""Alpha Vantage ``TIME_SERIES_DAILY`` (``/query``). Needs a key (``SPARTAN_ALPHAVANTAGE_API_KEYS``,
comma-separated, rotated when refused); without one its catalog entries are "not configured"."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pandas as pd

from datasources.base import HttpRequest, ParseError, ProviderSpec, bars_frame
from datasources.wire import load_json


class AlphaVantageDailyConnector:
    """``/query?function=TIME_SERIES_DAILY``: a ``Time Series (…)`` object keyed by date with
    ``"1. open"`` … ``"5. volume"`` strings. Notes and errors come back with status 200."""

    provider = "alphavantage"
    kind = "bars"

    def build_requests(
        self, base_url: str, symbol: str, since: date | None, api_key: str | None = None
    ) -> list[HttpRequest]:
        size = "compact" if since and since > datetime.now(UTC).date() - timedelta(days=90) else "full"
        params = {"function": "TIME_SERIES_DAILY", "symbol": symbol, "outputsize": size, "apikey": api_key or ""}
        return [HttpRequest(url=f"{base_url}/query", params=params, key_param="apikey")]

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        doc = load_json(body)
        if not isinstance(doc, dict):
            raise ParseError("not an object")
        for key in ("Error Message", "Note", "Information"):
            if key in doc and not any(k.startswith("Time Series") for k in doc):
                raise ParseError(f"Alpha Vantage: {doc[key]}")
        series_key = next((k for k in doc if k.startswith("Time Series")), None)
        if series_key is None:
            raise ParseError("no 'Time Series (…)' object")
        series = doc[series_key]
        stamps = sorted(series)
        field = {
            name: [series[s].get(f"{i}. {name}") for s in stamps]
            for i, name in enumerate(("open", "high", "low", "close", "volume"), 1)
        }
        return bars_frame(
            symbol, pd.to_datetime(stamps), field["open"], field["high"], field["low"], field["close"], field["volume"]
        )


PROVIDER = ProviderSpec(
    "alphavantage",
    (AlphaVantageDailyConnector(),),
    rate_limit_per_minute=5,
    credentials={"alphavantage": "SPARTAN_ALPHAVANTAGE_API_KEYS"},
)
