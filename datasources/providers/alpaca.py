"""Alpaca market data v2 stock bars (``/v2/stocks/{symbol}/bars``, timeframe ``1Day``, the free
IEX feed), daily OHLCV bars for US stocks and ETFs. Needs a key pair: ``SPARTAN_ALPACA_API_KEYS``
holds ``KEYID:SECRET`` entries (comma-separated, rotated when refused), sent as the headers
``APCA-API-KEY-ID`` and ``APCA-API-SECRET-KEY``; without one its entries are "not configured"."""

from __future__ import annotations

from datetime import date

import pandas as pd

from datasources.base import HttpRequest, ParseError, ProviderSpec
from datasources.wire import backfill_start, describe, load_json, member, record_bars

# Bars a request may answer (five years of days fit in one).
MAX_LIMIT = 10_000


class AlpacaBarsConnector:
    """``{"bars": [{"t": "2024-01-03T05:00:00Z", "o", "h", "l", "c", "v", "n", "vw"}], "symbol",
    "next_page_token"}`` (the multi-symbol form keys ``bars`` by symbol); ``"bars": null`` when
    there are none. A daily bar is stamped at midnight New York time. Errors are ``{"code",
    "message"}`` (a refused key pair: 401/403)."""

    provider = "alpaca"
    kind = "bars"

    def build_requests(
        self, base_url: str, symbol: str, since: date | None, api_key: str | None = None
    ) -> list[HttpRequest]:
        request = HttpRequest(
            url=f"{base_url}/v2/stocks/{symbol}/bars",
            params={
                "timeframe": "1Day",
                "start": backfill_start(since).isoformat(),
                "limit": str(MAX_LIMIT),
                "adjustment": "raw",
                "feed": "iex",
            },
            key_headers={"APCA-API-KEY-ID": "{key_id}", "APCA-API-SECRET-KEY": "{secret}"},
        )
        return [request.with_key(api_key)]

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        doc = load_json(body)
        if not isinstance(doc, dict) or "bars" not in doc:
            if member(doc, "message"):
                raise ParseError(f"Alpaca error {doc.get('code')}: {doc['message']}")
            raise ParseError(f"Alpaca: no bars in {describe(doc)}")
        bars = doc["bars"]
        if isinstance(bars, dict):  # the multi-symbol form
            bars = bars.get(symbol)
        fields = ("o", "h", "l", "c", "v")
        return record_bars(bars or [], symbol, "t", fields, what="bars", session_tz="America/New_York")


PROVIDER = ProviderSpec(
    "alpaca",
    (AlpacaBarsConnector(),),
    rate_limit_per_minute=200,
    credentials={"alpaca": "SPARTAN_ALPACA_API_KEYS"},
)
