"""Binance USD-M futures (keyless): perpetual funding and open interest, one row a UTC day
(``crypto_derivatives``, datasources/derivatives.py). Symbols: ``BTCUSDT``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd

from datasources.base import HttpRequest, ParseError, ProviderSpec
from datasources.derivatives import funding_days, join_days, open_interest_days
from datasources.wire import DAY_SECONDS, api_error, day_seconds, day_windows, describe, load_json, require_fields


class BinanceFuturesConnector:
    """Two endpoints, one frame:

    - ``/fapi/v1/fundingRate?symbol=BTCUSDT&startTime&endTime&limit=1000``: a list of
      ``{symbol, fundingTime (ms), fundingRate, markPrice}``, oldest first, at most ``limit``
      (1000: 333 days at 8 h) from ``startTime``: one request per 300 days.
    - ``/futures/data/openInterestHist?symbol=BTCUSDT&period=1d``: a list of ``{symbol,
      sumOpenInterest (coins), sumOpenInterestValue (USD), timestamp (ms)}``; Binance serves
      the last 30 days only, so one request from at most 29 days back.

    An error is an object ``{code, msg}``."""

    provider = "binance_futures"
    kind = "rows"
    page_days = 300
    open_interest_days = 29

    def build_requests(self, base_url, symbol, since, api_key=None) -> list[HttpRequest]:
        funding = [
            HttpRequest(
                url=f"{base_url}/fapi/v1/fundingRate",
                params={
                    "symbol": symbol,
                    "startTime": str(day_seconds(first) * 1000),
                    "endTime": str((day_seconds(last) + DAY_SECONDS) * 1000 - 1),
                    "limit": "1000",
                },
            )
            for first, last in day_windows(since, self.page_days)
        ]
        today = datetime.now(UTC).date()
        start = today - timedelta(days=self.open_interest_days)
        if since is not None:
            start = max(start, since)
        interest = HttpRequest(
            url=f"{base_url}/futures/data/openInterestHist",
            params={"symbol": symbol, "period": "1d", "limit": "30", "startTime": str(day_seconds(start) * 1000)},
        )
        return [*funding, interest]

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        doc = load_json(body)
        if isinstance(doc, dict):
            raise api_error("Binance", doc, "code", "msg")
        if not isinstance(doc, list):
            raise ParseError(f"Binance: expected a list, got {describe(doc)}")
        if not doc:
            return join_days([])
        if isinstance(doc[0], dict) and "fundingRate" in doc[0]:
            require_fields(doc, ("fundingTime", "fundingRate"), "funding rows")
            return funding_days([r["fundingTime"] for r in doc], [r["fundingRate"] for r in doc])
        require_fields(doc, ("timestamp", "sumOpenInterest"), "open-interest rows")
        return open_interest_days(
            [r["timestamp"] for r in doc],
            [r["sumOpenInterest"] for r in doc],
            [r.get("sumOpenInterestValue") for r in doc],
        )

    def join_pages(self, frames: list[pd.DataFrame]) -> pd.DataFrame:
        return join_days(frames)


PROVIDER = ProviderSpec("binance_futures", (BinanceFuturesConnector(),), rate_limit_per_minute=300)
