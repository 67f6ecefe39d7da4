"""Open Exchange Rates ``/api/historical/{date}.json``: one day's rates per request, USD base
(the free plan's only base), so it serves ``USDxxx`` pairs. Needs a key
(``SPARTAN_OPENEXCHANGERATES_API_KEYS``); without one its entries are "not configured".
A request per day: it covers the last weeks only (:func:`datasources.wire.snapshot_days`),
and it asks for every currency so all USD pairs of a run share each day's request."""

from __future__ import annotations

from datetime import date

import pandas as pd

from datasources.base import HttpRequest, ParseError, ProviderSpec, bars_frame
from datasources.wire import SNAPSHOT_MAX_DAYS, describe, fixed_base_days, load_json, member, split_pair


class OpenExchangeRatesHistoricalConnector:
    """``{"disclaimer", "license", "timestamp", "base": "USD", "rates": {"JPY": 141.2, …}}``;
    errors are ``{"error": true, "status": 401, "message": "invalid_app_id", "description"}``."""

    provider = "openexchangerates"
    kind = "bars"
    max_history_days = SNAPSHOT_MAX_DAYS  # a request per day: the last month only

    def build_requests(
        self, base_url: str, symbol: str, since: date | None, api_key: str | None = None
    ) -> list[HttpRequest]:
        return [
            HttpRequest(
                url=f"{base_url}/api/historical/{day.isoformat()}.json",
                params={"app_id": api_key or ""},
                key_param="app_id",
            )
            for day in fixed_base_days("Open Exchange Rates", "USD", symbol, since)
        ]

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        doc = load_json(body)
        if member(doc, "error"):
            raise ParseError(f"Open Exchange Rates error {doc.get('status')}: {doc.get('message')}")
        base, quote = split_pair(symbol)
        rates = member(doc, "rates")
        if not isinstance(rates, dict) or not isinstance(member(doc, "timestamp"), int | float):
            raise ParseError(f"no rates and timestamp in {describe(doc)}")
        if doc.get("base") != base:
            raise ParseError(f"asked for base {base}, got {doc.get('base')}")
        if quote not in rates:
            raise ParseError(f"{quote} not among the quoted currencies")
        # The day's rates are stamped with the last update of that (UTC) day: keep its date.
        day = pd.to_datetime(doc["timestamp"], unit="s", utc=True).normalize()
        return bars_frame(symbol, [day], close=[rates[quote]])


PROVIDER = ProviderSpec(
    "openexchangerates",
    (OpenExchangeRatesHistoricalConnector(),),
    rate_limit_per_minute=60,
    credentials={"openexchangerates": "SPARTAN_OPENEXCHANGERATES_API_KEYS"},
)
