"""Twelve Data ``/time_series`` for currency pairs (symbols like ``EUR/USD``), daily OHLC bars.
Needs a key (``SPARTAN_TWELVEDATA_API_KEYS``, comma-separated, rotated when refused); without
one its catalog entries are "not configured", never failures."""

from __future__ import annotations

from datetime import date

import pandas as pd

from datasources.base import HttpRequest, ParseError, ProviderSpec, bars_frame
from datasources.wire import api_error, day_windows, describe, load_json, member, require_fields

# Twelve Data answers at most this many points a request.
MAX_OUTPUTSIZE = 5000


class TwelveDataForexConnector:
    """``/time_series?symbol=EUR/USD&interval=1day&start_date=&end_date=``: ``values`` of
    ``{"datetime", "open", "high", "low", "close"}`` strings, newest first; errors are
    ``{"code", "message", "status": "error"}`` (often with status 200)."""

    provider = "twelvedata"
    kind = "bars"

    def build_requests(
        self, base_url: str, symbol: str, since: date | None, api_key: str | None = None
    ) -> list[HttpRequest]:
        if len(symbol) != 7 or symbol[3] != "/":
            raise ValueError(f"not a Twelve Data currency pair like EUR/USD: {symbol!r}")
        return [
            HttpRequest(
                url=f"{base_url}/time_series",
                params={
                    "symbol": symbol,
                    "interval": "1day",
                    "start_date": first.isoformat(),
                    "end_date": last.isoformat(),
                    "outputsize": str(MAX_OUTPUTSIZE),
                    "timezone": "UTC",
                    "apikey": api_key or "",
                },
                key_param="apikey",
            )
            for first, last in day_windows(since, MAX_OUTPUTSIZE)
        ]

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        doc = load_json(body)
        if member(doc, "status") != "ok":
            if member(doc, "status") == "error":
                raise api_error("Twelve Data", doc, "code", "message")
            raise ParseError(f"Twelve Data: no status ok in {describe(doc)}")
        values = member(doc, "values") or []
        require_fields(values, ("datetime", "close"), "values")
        try:
            stamps = pd.to_datetime([v["datetime"] for v in values], format="%Y-%m-%d")
        except ValueError as exc:
            raise ParseError(f"unparseable datetime: {exc}") from None
        frame = bars_frame(
            symbol,
            stamps,
            [v.get("open") for v in values],
            [v.get("high") for v in values],
            [v.get("low") for v in values],
            [v["close"] for v in values],
        )
        return frame.sort_values("ts").reset_index(drop=True)


PROVIDER = ProviderSpec(
    "twelvedata",
    (TwelveDataForexConnector(),),
    rate_limit_per_minute=8,
    credentials={"twelvedata": "SPARTAN_TWELVEDATA_API_KEYS"},
)
