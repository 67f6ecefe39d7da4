"""Finnhub, daily bars for US stocks and ETFs: ``/api/v1/stock/candle`` (resolution ``D``, the
history; a paid plan) and ``/api/v1/quote`` (today's bar; the free plan), as two catalog sources.
Needs a key (``SPARTAN_FINNHUB_API_KEYS``, comma-separated, rotated when refused), sent in the
``X-Finnhub-Token`` header; without one their entries are "not configured"."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pandas as pd

from datasources.base import HttpRequest, ParseError, ProviderSpec, bars_frame
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


class FinnhubQuoteConnector:
    """``{"c": current, "d", "dp", "h", "l", "o", "pc": previous close, "t": unix s}``: the bar
    of the day of ``t`` (New York), closing at ``c``. An unknown symbol answers all zeros."""

    provider = "finnhub_quote"
    kind = "bars"
    history_note = "Finnhub's quote is a snapshot: one bar a day from the first download on"

    def build_requests(
        self, base_url: str, symbol: str, since: date | None, api_key: str | None = None
    ) -> list[HttpRequest]:
        request = HttpRequest(
            url=f"{base_url}/api/v1/quote", params={"symbol": symbol}, key_headers={"X-Finnhub-Token": "{key}"}
        )
        return [request.with_key(api_key)]

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        doc = load_json(body)
        if member(doc, "error"):
            raise ParseError(f"Finnhub error: {doc['error']}")
        if not isinstance(doc, dict) or "c" not in doc or "t" not in doc:
            raise ParseError(f"Finnhub quote: no c and t in {describe(doc)}")
        if not doc["c"] or not doc["t"]:
            raise ParseError(f"Finnhub quote: no price for {symbol!r} (unknown symbol?)")
        try:
            stamp = pd.Timestamp(float(doc["t"]), unit="s", tz="UTC")
        except (TypeError, ValueError):
            raise ParseError(f"Finnhub quote: t is not a time: {doc['t']!r}") from None
        day = stamp.tz_convert("America/New_York").normalize().tz_localize(None)
        return bars_frame(symbol, [day], [doc.get("o")], [doc.get("h")], [doc.get("l")], [doc["c"]])


PROVIDER = ProviderSpec(
    "finnhub",
    (FinnhubCandleConnector(), FinnhubQuoteConnector()),
    rate_limit_per_minute=60,
    credentials={"finnhub": "SPARTAN_FINNHUB_API_KEYS", "finnhub_quote": "SPARTAN_FINNHUB_API_KEYS"},
)
