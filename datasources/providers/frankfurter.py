"""Frankfurter (keyless): the ECB's euro reference rates republished as time series.
Symbols are pairs like ``EURUSD`` = USD per 1 EUR."""

from __future__ import annotations

from datetime import date

import pandas as pd

from datasources.base import HttpRequest, ParseError, ProviderSpec, bars_frame
from datasources.wire import backfill_start, load_json, member, split_pair


class FrankfurterConnector:
    """``/v1/{start}..?base=EUR&symbols=USD`` (time series) or ``/v1/{date}`` (one day)."""

    provider = "frankfurter"
    kind = "bars"

    def build_requests(
        self, base_url: str, symbol: str, since: date | None, api_key: str | None = None
    ) -> list[HttpRequest]:
        base, quote = split_pair(symbol)
        return [
            HttpRequest(
                url=f"{base_url}/v1/{backfill_start(since).isoformat()}..", params={"base": base, "symbols": quote}
            )
        ]

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        return parse_frankfurter(load_json(body), symbol)


def parse_frankfurter(doc, symbol: str) -> pd.DataFrame:
    base, quote = split_pair(symbol)
    if not isinstance(doc, dict) or "rates" not in doc:
        message = member(doc, "message")
        raise ParseError(f"Frankfurter error: {message}" if message else "no 'rates' in the response")
    if doc.get("base") != base:
        raise ParseError(f"asked for base {base}, got {doc.get('base')}")
    rates = doc["rates"]
    if "date" in doc:  # one day: {"date": …, "rates": {"USD": 1.08, …}}
        rates = {doc["date"]: rates}
    days, values = [], []
    for day, by_currency in sorted(rates.items()):
        if quote in by_currency:
            days.append(day)
            values.append(by_currency[quote])
    if not days and rates:
        raise ParseError(f"{quote} not among the quoted currencies")
    return bars_frame(symbol, pd.to_datetime(days, format="%Y-%m-%d"), close=values)


PROVIDER = ProviderSpec("frankfurter", (FrankfurterConnector(),), rate_limit_per_minute=60)
