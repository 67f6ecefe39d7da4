"""Fixer (apilayer) ``/api/{date}``: one day's ECB-sourced rates per request, EUR base (the free
plan's only base), so it serves ``EURxxx`` pairs. Needs a key (``SPARTAN_FIXER_API_KEYS``);
without one its entries are "not configured". The time-series endpoint is paid: this reads the
free historical endpoint a day a request, over the last weeks only
(:func:`datasources.wire.snapshot_days`), every currency at once so all EUR pairs of a run share
each day's request."""

from __future__ import annotations

from datetime import date

import pandas as pd

from datasources.base import HttpRequest, ParseError, ProviderSpec
from datasources.wire import SNAPSHOT_MAX_DAYS, day_rate_bar, describe, fixed_base_days, load_json, member, split_pair


class FixerHistoricalConnector:
    """``{"success": true, "historical": true, "date": "2024-01-02", "timestamp", "base": "EUR",
    "rates": {"USD": 1.0956, …}}``; errors are ``{"success": false, "error": {"code", "type", "info"}}``."""

    provider = "fixer"
    kind = "bars"
    max_history_days = SNAPSHOT_MAX_DAYS  # a request per day: the last month only

    def build_requests(
        self, base_url: str, symbol: str, since: date | None, api_key: str | None = None
    ) -> list[HttpRequest]:
        return [
            HttpRequest(
                url=f"{base_url}/api/{day.isoformat()}", params={"access_key": api_key or ""}, key_param="access_key"
            )
            for day in fixed_base_days("Fixer", "EUR", symbol, since)
        ]

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        doc = load_json(body)
        if member(doc, "success") is not True:
            error = member(doc, "error")
            if isinstance(error, dict):
                raise ParseError(
                    f"Fixer error {error.get('code')} {error.get('type')}: {error.get('info', '')}".strip()
                )
            raise ParseError(f"Fixer: not a successful answer: {describe(doc)}")
        base, quote = split_pair(symbol)
        rates = member(doc, "rates")
        if not isinstance(rates, dict) or "date" not in doc:
            raise ParseError(f"no date and rates in {describe(doc)}")
        if doc.get("base") != base:
            raise ParseError(f"asked for base {base}, got {doc.get('base')}")
        return day_rate_bar(symbol, doc["date"], rates, quote)


PROVIDER = ProviderSpec(
    "fixer",
    (FixerHistoricalConnector(),),
    rate_limit_per_minute=30,
    credentials={"fixer": "SPARTAN_FIXER_API_KEYS"},
)
