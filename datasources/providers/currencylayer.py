"""currencylayer (apilayer) ``/historical?date=``: one day's rates per request, USD source (the
free plan's only source), so it serves ``USDxxx`` pairs; quotes are keyed by the pair
(``"USDJPY": 141.2``). Needs a key (``SPARTAN_CURRENCYLAYER_API_KEYS``); without one its entries
are "not configured". The timeframe endpoint is paid: this reads the free historical endpoint a
day a request, over the last weeks only (:func:`datasources.wire.snapshot_days`), every currency
at once so all USD pairs of a run share each day's request."""

from __future__ import annotations

from datetime import date

import pandas as pd

from datasources.base import HttpRequest, ParseError, ProviderSpec
from datasources.wire import SNAPSHOT_MAX_DAYS, day_rate_bar, describe, fixed_base_days, load_json, member, split_pair


class CurrencyLayerHistoricalConnector:
    """``{"success": true, "historical": true, "date": "2024-01-02", "timestamp", "source": "USD",
    "quotes": {"USDJPY": 141.2, …}}``; errors are ``{"success": false, "error": {"code", "type"|"info"}}``."""

    provider = "currencylayer"
    kind = "bars"
    max_history_days = SNAPSHOT_MAX_DAYS  # a request per day: the last month only

    def build_requests(
        self, base_url: str, symbol: str, since: date | None, api_key: str | None = None
    ) -> list[HttpRequest]:
        return [
            HttpRequest(
                url=f"{base_url}/historical",
                params={"date": day.isoformat(), "access_key": api_key or ""},
                key_param="access_key",
            )
            for day in fixed_base_days("currencylayer", "USD", symbol, since)
        ]

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        doc = load_json(body)
        if member(doc, "success") is not True:
            error = member(doc, "error")
            if isinstance(error, dict):
                detail = error.get("info") or error.get("type")
                raise ParseError(f"currencylayer error {error.get('code')}: {detail}")
            raise ParseError(f"currencylayer: not a successful answer: {describe(doc)}")
        base, _quote = split_pair(symbol)
        quotes = member(doc, "quotes")
        if not isinstance(quotes, dict) or "date" not in doc:
            raise ParseError(f"no date and quotes in {describe(doc)}")
        if doc.get("source") != base:
            raise ParseError(f"asked for source {base}, got {doc.get('source')}")
        return day_rate_bar(symbol, doc["date"], quotes, symbol.upper())


PROVIDER = ProviderSpec(
    "currencylayer",
    (CurrencyLayerHistoricalConnector(),),
    rate_limit_per_minute=30,
    credentials={"currencylayer": "SPARTAN_CURRENCYLAYER_API_KEYS"},
)
