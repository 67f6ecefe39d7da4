"""Tradier market data ``/v1/markets/history``, daily OHLCV bars for US stocks, ETFs and
indices. Needs a key (``SPARTAN_TRADIER_API_KEYS``: an access token, comma-separated, rotated
when refused), sent as ``Authorization: Bearer KEY``; without one its entries are "not
configured"."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pandas as pd

from datasources.base import HttpRequest, ParseError, ProviderSpec
from datasources.wire import backfill_start, describe, load_json, member, record_bars


class TradierHistoryConnector:
    """``{"history": {"day": [{"date": "2024-05-13", "open", "high", "low", "close", "volume"}]}}``
    oldest first; a single day comes as an object instead of a list, and no data at all as
    ``{"history": null}``. A refused token is a 401 with a plain-text body; other errors are
    ``{"fault": {"faultstring", "detail": {"errorcode"}}}``."""

    provider = "tradier"
    kind = "bars"

    def build_requests(
        self, base_url: str, symbol: str, since: date | None, api_key: str | None = None
    ) -> list[HttpRequest]:
        params = {
            "symbol": symbol,
            "interval": "daily",
            "start": backfill_start(since).isoformat(),
            "end": datetime.now(UTC).date().isoformat(),
        }
        request = HttpRequest(
            url=f"{base_url}/v1/markets/history",
            params=params,
            headers={"Accept": "application/json"},
            key_headers={"Authorization": "Bearer {key}"},
        )
        return [request.with_key(api_key)]

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        doc = load_json(body)
        fault = member(doc, "fault")
        if isinstance(fault, dict):
            raise ParseError(f"Tradier error {member(fault.get('detail'), 'errorcode')}: {fault.get('faultstring')}")
        if not isinstance(doc, dict) or "history" not in doc:
            raise ParseError(f"Tradier: no history in {describe(doc)}")
        history = doc["history"]
        days = [] if history in (None, "null", "") else member(history, "day")
        if isinstance(days, dict):  # one day: an object, not a list of one
            days = [days]
        if days is None:
            raise ParseError(f"Tradier: no day list in {describe(history)}")
        return record_bars(days, symbol, "date", what="days")


PROVIDER = ProviderSpec(
    "tradier",
    (TradierHistoryConnector(),),
    rate_limit_per_minute=60,
    credentials={"tradier": "SPARTAN_TRADIER_API_KEYS"},
)
