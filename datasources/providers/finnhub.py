"""Finnhub ``/api/v1/stock/candle`` (resolution ``D``), daily OHLCV bars for US stocks and ETFs.
Needs a key (``SPARTAN_FINNHUB_API_KEYS``, comma-separated, rotated when refused), sent in the
``X-Finnhub-Token`` header; without one its entries are "not configured"."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pandas as pd

from datasources.base import HttpRequest, ParseError, ProviderSpec
from datasources.wire import backfill_start, candle_rows, day_seconds, describe, load_json, member


class FinnhubCandleConnector:
    """``{"s": "ok", "t": [unix s], "o": […], "h": […], "l": […], "c": […], "v": […]}`` parallel
    arrays, oldest first; ``{"s": "no_data"}`` for a range without trading; errors are
    ``{"error": "…"}`` (a refused key: 401/403)."""

    provider = "finnhub"
    kind = "bars"

    def build_requests(
        self, base_url: str, symbol: str, since: date | None, api_key: str | None = None
    ) -> list[HttpRequest]:
        tomorrow = datetime.now(UTC).date() + timedelta(days=1)
        request = HttpRequest(
            url=f"{base_url}/api/v1/stock/candle",
            params={
                "symbol": symbol,
                "resolution": "D",
                "from": str(day_seconds(backfill_start(since))),
                "to": str(day_seconds(tomorrow)),
            },
            key_headers={"X-Finnhub-Token": "{key}"},
        )
        return [request.with_key(api_key)]

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        doc = load_json(body)
        if member(doc, "error"):
            raise ParseError(f"Finnhub error: {doc['error']}")
        status = member(doc, "s")
        if status == "no_data":
            return candle_rows([], {"ts": 0, "open": 1, "high": 2, "low": 3, "close": 4, "volume": 5}, "s", symbol)
        if status != "ok":
            raise ParseError(f"Finnhub: no status ok in {describe(doc)}")
        arrays = [doc.get(k) for k in ("t", "o", "h", "l", "c", "v")]
        if any(not isinstance(a, list) for a in arrays[:1] + arrays[4:5]) or any(
            isinstance(a, list) and len(a) != len(arrays[0]) for a in arrays
        ):
            raise ParseError("Finnhub: candle arrays missing or of unequal length")
        n = len(arrays[0])
        rows = [[a[i] if isinstance(a, list) else None for a in arrays] for i in range(n)]
        # Stamped at the day's midnight or its open (UTC): the UTC day is the session's.
        frame = candle_rows(rows, {"ts": 0, "open": 1, "high": 2, "low": 3, "close": 4, "volume": 5}, "s", symbol)
        frame["ts"] = frame["ts"].dt.normalize()
        return frame.drop_duplicates(subset=["ts"], keep="last").reset_index(drop=True)


PROVIDER = ProviderSpec(
    "finnhub",
    (FinnhubCandleConnector(),),
    rate_limit_per_minute=60,
    credentials={"finnhub": "SPARTAN_FINNHUB_API_KEYS"},
)
