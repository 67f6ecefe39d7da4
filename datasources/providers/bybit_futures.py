"""Bybit v5 linear perpetuals (keyless): funding and open interest, one row a UTC day
(``crypto_derivatives``, datasources/derivatives.py). Symbols: ``BTCUSDT``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd

from datasources.base import HttpRequest, ParseError, ProviderSpec
from datasources.derivatives import funding_days, join_days, open_interest_days
from datasources.wire import DAY_SECONDS, api_error, day_seconds, day_windows, describe, load_json, require_fields


def _window(first, last) -> dict[str, str]:
    return {"startTime": str(day_seconds(first) * 1000), "endTime": str((day_seconds(last) + DAY_SECONDS) * 1000 - 1)}


class BybitFuturesConnector:
    """Two endpoints, one frame (both ``{retCode, retMsg, result: {list}}``, newest first):

    - ``/v5/market/funding/history?category=linear&symbol=BTCUSDT``: ``{symbol, fundingRate,
      fundingRateTimestamp (ms)}``, at most ``limit`` (200) between ``startTime`` and
      ``endTime``: 60 days a request (180 settlements at 8 h).
    - ``/v5/market/open-interest?category=linear&intervalTime=1d``: ``{openInterest (coins),
      timestamp (ms)}``, 200 a request: 200 days a request. No dollar value.

    Two years are asked for on a first download (the funding pages make it 17 requests)."""

    provider = "bybit_futures"
    kind = "rows"
    funding_page_days = 60
    interest_page_days = 200
    ask_days = 730
    history_note = "bybit_futures is asked for two years at most (60-day funding pages)"

    def build_requests(self, base_url, symbol, since, api_key=None) -> list[HttpRequest]:
        start = since or datetime.now(UTC).date() - timedelta(days=self.ask_days)
        common = {"category": "linear", "symbol": symbol}
        funding = [
            HttpRequest(f"{base_url}/v5/market/funding/history", {**common, "limit": "200", **_window(first, last)})
            for first, last in day_windows(start, self.funding_page_days)
        ]
        interest = [
            HttpRequest(
                f"{base_url}/v5/market/open-interest",
                {**common, "intervalTime": "1d", "limit": "200", **_window(first, last)},
            )
            for first, last in day_windows(start, self.interest_page_days)
        ]
        return [*funding, *interest]

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        doc = load_json(body)
        if not isinstance(doc, dict) or doc.get("retCode") != 0:
            raise api_error("Bybit", doc, "retCode", "retMsg")
        rows = (doc.get("result") or {}).get("list")
        if not isinstance(rows, list):
            raise ParseError(f"Bybit: expected result.list, got {describe(doc.get('result'))}")
        if not rows:
            return join_days([])
        if isinstance(rows[0], dict) and "fundingRate" in rows[0]:
            require_fields(rows, ("fundingRateTimestamp", "fundingRate"), "funding rows")
            return funding_days([r["fundingRateTimestamp"] for r in rows], [r["fundingRate"] for r in rows])
        require_fields(rows, ("timestamp", "openInterest"), "open-interest rows")
        return open_interest_days([r["timestamp"] for r in rows], [r["openInterest"] for r in rows])

    def join_pages(self, frames: list[pd.DataFrame]) -> pd.DataFrame:
        return join_days(frames)


PROVIDER = ProviderSpec("bybit_futures", (BybitFuturesConnector(),), rate_limit_per_minute=600)
