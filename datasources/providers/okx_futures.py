"""OKX perpetual swaps (keyless): funding and open interest, one row a UTC day
(``crypto_derivatives``, datasources/derivatives.py). Symbols: ``BTC-USDT-SWAP``."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pandas as pd

from datasources.base import HttpRequest, ParseError, ProviderSpec
from datasources.derivatives import funding_days, join_days, open_interest_days
from datasources.wire import DAY_SECONDS, api_error, backfill_start, day_seconds, day_windows, load_json

# The first day OKX's daily open-interest statistics reach back to (its documentation).
OPEN_INTEREST_FIRST_DAY = date(2024, 1, 1)


def _cursors(first: date, last: date) -> dict[str, str]:
    # Exclusive cursors: older than the day after ``last``, newer than just before ``first``.
    return {"after": str((day_seconds(last) + DAY_SECONDS) * 1000), "before": str(day_seconds(first) * 1000 - 1)}


class OkxFuturesConnector:
    """Two endpoints, one frame (both ``{code: "0", msg, data}``, newest first):

    - ``/api/v5/public/funding-rate-history?instId=BTC-USDT-SWAP``: ``{instId, fundingRate,
      realizedRate, fundingTime (ms), …}``, at most ``limit`` (100) a request between the
      ``before``/``after`` cursors. OKX serves the last three months only: 30 days a request
      over the last 92 days. The settled ``realizedRate`` is summed (``fundingRate`` without it).
    - ``/api/v5/rubik/stat/contracts/open-interest-history?instId=…&period=1Dutc``: arrays
      ``[ts, oi (contracts), oiCcy (coins), oiUsd]``, 100 a request between ``begin`` and
      ``end`` (exclusive), from 2024-01-01 on."""

    provider = "okx_futures"
    kind = "rows"
    funding_days_served = 92
    funding_page_days = 30
    interest_page_days = 100
    history_note = "okx_futures: open interest from 2024-01-01, funding the last three months"

    def build_requests(self, base_url, symbol, since, api_key=None) -> list[HttpRequest]:
        today = datetime.now(UTC).date()
        funding_start = max(backfill_start(since), today - timedelta(days=self.funding_days_served))
        funding = [
            HttpRequest(
                f"{base_url}/api/v5/public/funding-rate-history",
                {"instId": symbol, "limit": "100", **_cursors(first, last)},
            )
            for first, last in day_windows(funding_start, self.funding_page_days)
        ]
        interest = [
            HttpRequest(
                f"{base_url}/api/v5/rubik/stat/contracts/open-interest-history",
                {
                    "instId": symbol,
                    "period": "1Dutc",
                    "limit": "100",
                    "begin": str(day_seconds(first) * 1000 - 1),
                    "end": str((day_seconds(last) + DAY_SECONDS) * 1000),
                },
            )
            for first, last in day_windows(max(backfill_start(since), OPEN_INTEREST_FIRST_DAY), self.interest_page_days)
        ]
        return [*funding, *interest]

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        doc = load_json(body)
        if not isinstance(doc, dict) or str(doc.get("code")) != "0":
            raise api_error("OKX", doc, "code", "msg")
        rows = doc.get("data")
        if not isinstance(rows, list):
            raise ParseError("OKX: expected a data list")
        if not rows:
            return join_days([])
        if all(isinstance(r, dict) for r in rows):
            if any("fundingTime" not in r or "fundingRate" not in r for r in rows):
                raise ParseError("funding rows lack fundingTime/fundingRate")
            rates = [r["realizedRate"] if r.get("realizedRate") not in (None, "") else r["fundingRate"] for r in rows]
            return funding_days([r["fundingTime"] for r in rows], rates)
        if any(not isinstance(r, list) or len(r) < 4 for r in rows):
            raise ParseError("OKX: expected [ts, oi, oiCcy, oiUsd] arrays")
        return open_interest_days([r[0] for r in rows], [r[2] for r in rows], [r[3] for r in rows])

    def join_pages(self, frames: list[pd.DataFrame]) -> pd.DataFrame:
        return join_days(frames)


PROVIDER = ProviderSpec("okx_futures", (OkxFuturesConnector(),), rate_limit_per_minute=300)
