"""Euro reference rates: the ECB data API (SDMX-JSON, EXR dataflow) and Frankfurter (which
republishes them). Symbols are pairs like ``EURUSD`` = USD per 1 EUR."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pandas as pd

from datasources._json import load_json
from datasources.base import HttpRequest, ParseError, bars_frame

BACKFILL_DAYS = 5 * 365 + 7


def split_pair(symbol: str) -> tuple[str, str]:
    if len(symbol) != 6 or not symbol.isalpha():
        raise ValueError(f"not a currency pair like EURUSD: {symbol!r}")
    return symbol[:3].upper(), symbol[3:].upper()


def _start(since: date | None) -> date:
    return since or (datetime.now(UTC).date() - timedelta(days=BACKFILL_DAYS))


class FrankfurterConnector:
    """``/v1/{start}..?base=EUR&symbols=USD`` (time series) or ``/v1/{date}`` (one day)."""

    provider = "frankfurter"
    kind = "bars"

    def build_requests(
        self, base_url: str, symbol: str, since: date | None, api_key: str | None = None
    ) -> list[HttpRequest]:
        base, quote = split_pair(symbol)
        return [
            HttpRequest(url=f"{base_url}/v1/{_start(since).isoformat()}..", params={"base": base, "symbols": quote})
        ]

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        return parse_frankfurter(load_json(body), symbol)


def parse_frankfurter(doc, symbol: str) -> pd.DataFrame:
    base, quote = split_pair(symbol)
    if not isinstance(doc, dict) or "rates" not in doc:
        message = doc.get("message") if isinstance(doc, dict) else None
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


class EcbExrConnector:
    """``/service/data/EXR/D.{CUR}.EUR.SP00.A?format=jsondata``: the ECB's daily reference rate."""

    provider = "ecb"
    kind = "bars"

    def build_requests(
        self, base_url: str, symbol: str, since: date | None, api_key: str | None = None
    ) -> list[HttpRequest]:
        base, quote = split_pair(symbol)
        if base != "EUR":
            raise ValueError(f"ECB reference rates are quoted per EUR, not per {base}")
        params = {"format": "jsondata", "startPeriod": _start(since).isoformat(), "detail": "dataonly"}
        return [HttpRequest(url=f"{base_url}/service/data/EXR/D.{quote}.EUR.SP00.A", params=params)]

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        return parse_sdmx_json(load_json(body), symbol)


def parse_sdmx_json(doc, symbol: str) -> pd.DataFrame:
    """SDMX-JSON data message with one series → close-only daily bars."""
    try:
        series = doc["dataSets"][0]["series"]
        periods = next(d for d in doc["structure"]["dimensions"]["observation"] if d["id"] == "TIME_PERIOD")["values"]
    except (KeyError, IndexError, TypeError, StopIteration):
        raise ParseError("not an SDMX-JSON data message (dataSets/structure missing)") from None
    if len(series) != 1:
        raise ParseError(f"expected one series, got {len(series)}")
    observations = next(iter(series.values())).get("observations") or {}
    days, values = [], []
    for index, obs in sorted(observations.items(), key=lambda kv: int(kv[0])):
        if obs and obs[0] is not None:
            days.append(periods[int(index)]["id"])
            values.append(obs[0])
    return bars_frame(symbol, pd.to_datetime(days, format="%Y-%m-%d"), close=values)
