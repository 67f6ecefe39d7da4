"""CoinPaprika's public API (keyless free tier), daily OHLCV of a coin in USD. Symbols: the coin
ids of CoinPaprika (``btc-bitcoin``, ``eth-ethereum``)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pandas as pd

from datasources.base import HttpRequest, ParseError, ProviderSpec, bars_frame
from datasources.wire import backfill_start, day_windows, describe, load_json, member, require_fields

# The free plan serves one year of daily history (older ``start`` dates are refused), at most
# 366 candles a request (``limit``).
MAX_HISTORY_DAYS = 365
PAGE_DAYS = 366


class CoinPaprikaOhlcvConnector:
    """``/v1/coins/{coin_id}/ohlcv/historical?start=YYYY-MM-DD&end=YYYY-MM-DD&quote=usd&limit=366``:
    a list of ``{time_open, time_close, open, high, low, close, volume, market_cap}``, one per
    UTC day, oldest first; ``volume`` is the day's traded value in the quote currency. A failure
    is ``{"error": "…"}``. A first download asks for the last year only (the free tier's depth)."""

    provider = "coinpaprika"
    kind = "bars"
    page_days = PAGE_DAYS
    max_history_days = MAX_HISTORY_DAYS

    def build_requests(
        self, base_url: str, symbol: str, since: date | None, api_key: str | None = None
    ) -> list[HttpRequest]:
        oldest = datetime.now(UTC).date() - timedelta(days=MAX_HISTORY_DAYS - 1)
        return [
            HttpRequest(
                url=f"{base_url}/v1/coins/{symbol}/ohlcv/historical",
                params={
                    "start": first.isoformat(),
                    "end": last.isoformat(),
                    "quote": "usd",
                    "limit": str(self.page_days),
                },
            )
            for first, last in day_windows(max(backfill_start(since), oldest), self.page_days)
        ]

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        return parse_ohlcv(load_json(body), symbol)


def parse_ohlcv(doc, symbol: str) -> pd.DataFrame:
    if isinstance(doc, dict) and "error" in doc:
        raise ParseError(f"CoinPaprika error: {member(doc, 'error')}")
    if not isinstance(doc, list):
        raise ParseError(f"expected a list of daily candles, got {describe(doc)}")
    require_fields(doc, ("time_open", "open", "high", "low", "close"), "candles")
    stamps = pd.to_datetime(pd.Series([c["time_open"] for c in doc], dtype=object), utc=True, errors="coerce")
    if stamps.isna().any():
        raise ParseError(f"unparseable time_open {doc[int(stamps.isna().to_numpy().argmax())]['time_open']!r}")
    closes = pd.to_numeric(pd.Series([c["close"] for c in doc], dtype=object), errors="coerce")
    # Volume in base units, as the exchanges give theirs: CoinPaprika's is the quote value traded,
    # so the base volume is approximated as that value over the day's close.
    volumes = pd.to_numeric(pd.Series([c.get("volume") for c in doc], dtype=object), errors="coerce") / closes
    frame = bars_frame(
        symbol,
        stamps.dt.normalize(),
        [c["open"] for c in doc],
        [c["high"] for c in doc],
        [c["low"] for c in doc],
        closes,
        volumes,
    )
    return frame.sort_values("ts").drop_duplicates(subset=["ts"], keep="last").reset_index(drop=True)


PROVIDER = ProviderSpec("coinpaprika", (CoinPaprikaOhlcvConnector(),), rate_limit_per_minute=20)
