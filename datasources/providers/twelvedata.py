"""Twelve Data ``/time_series``, daily bars: for currency pairs (symbols like ``EUR/USD``, OHLC)
and, as ``twelvedata_stocks``, for stocks, ETFs and indices (``SPY``, ``BRK.B``, OHLCV). Needs a
key (``SPARTAN_TWELVEDATA_API_KEYS``, comma-separated, rotated when refused; one key serves
both); without one its catalog entries are "not configured", never failures."""

from __future__ import annotations

import re
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

    def check_symbol(self, symbol: str) -> None:
        if len(symbol) != 7 or symbol[3] != "/":
            raise ValueError(f"not a Twelve Data currency pair like EUR/USD: {symbol!r}")

    def build_requests(
        self, base_url: str, symbol: str, since: date | None, api_key: str | None = None
    ) -> list[HttpRequest]:
        self.check_symbol(symbol)
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
            [v.get("volume") for v in values],  # stocks only: currencies have none
        )
        return frame.sort_values("ts").reset_index(drop=True)


class TwelveDataStocksConnector(TwelveDataForexConnector):
    """The same ``/time_series`` for stocks, ETFs and indices (``SPY``, ``BRK.B``, ``SPX``):
    ``values`` carry a ``volume`` string too."""

    provider = "twelvedata_stocks"

    def check_symbol(self, symbol: str) -> None:
        if not re.fullmatch(r"[A-Z0-9]{1,10}(\.[A-Z]{1,4})?(:[A-Z]{2,6})?", symbol):
            raise ValueError(f"not a Twelve Data stock symbol like SPY or BRK.B: {symbol!r}")


PROVIDER = ProviderSpec(
    "twelvedata",
    (TwelveDataForexConnector(), TwelveDataStocksConnector()),
    rate_limit_per_minute=8,
    credentials={
        "twelvedata": "SPARTAN_TWELVEDATA_API_KEYS",
        "twelvedata_stocks": "SPARTAN_TWELVEDATA_API_KEYS",
    },
)
