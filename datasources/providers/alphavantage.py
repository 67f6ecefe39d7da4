"""Alpha Vantage ``TIME_SERIES_DAILY`` and the commodity functions (``WTI``, ``BRENT``,
``NATURAL_GAS``, ``COPPER``…) of ``/query``. Needs a key (``SPARTAN_ALPHAVANTAGE_API_KEYS``,
comma-separated, rotated when refused, shared by both connectors); without one their catalog
entries are "not configured"."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pandas as pd

from datasources.base import HttpRequest, ParseError, ProviderSpec, bars_frame
from datasources.wire import describe, load_json, member, require_fields

# The commodity functions, and the intervals each answers (the energy ones daily; the others,
# the IMF's global prices, monthly at best).
COMMODITY_INTERVALS = {
    **dict.fromkeys(("WTI", "BRENT", "NATURAL_GAS"), ("daily", "weekly", "monthly")),
    **dict.fromkeys(
        ("COPPER", "ALUMINUM", "WHEAT", "CORN", "COTTON", "SUGAR", "COFFEE", "ALL_COMMODITIES"),
        ("monthly", "quarterly", "annual"),
    ),
}


class AlphaVantageDailyConnector:
    """``/query?function=TIME_SERIES_DAILY``: a ``Time Series (…)`` object keyed by date with
    ``"1. open"`` … ``"5. volume"`` strings. Notes and errors come back with status 200."""

    provider = "alphavantage"
    kind = "bars"

    def build_requests(
        self, base_url: str, symbol: str, since: date | None, api_key: str | None = None
    ) -> list[HttpRequest]:
        size = "compact" if since and since > datetime.now(UTC).date() - timedelta(days=90) else "full"
        params = {"function": "TIME_SERIES_DAILY", "symbol": symbol, "outputsize": size, "apikey": api_key or ""}
        return [HttpRequest(url=f"{base_url}/query", params=params, key_param="apikey")]

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        doc = load_json(body)
        if not isinstance(doc, dict):
            raise ParseError("not an object")
        for key in ("Error Message", "Note", "Information"):
            if key in doc and not any(k.startswith("Time Series") for k in doc):
                raise ParseError(f"Alpha Vantage: {doc[key]}")
        series_key = next((k for k in doc if k.startswith("Time Series")), None)
        if series_key is None:
            raise ParseError("no 'Time Series (…)' object")
        series = doc[series_key]
        stamps = sorted(series)
        field = {
            name: [series[s].get(f"{i}. {name}") for s in stamps]
            for i, name in enumerate(("open", "high", "low", "close", "volume"), 1)
        }
        return bars_frame(
            symbol, pd.to_datetime(stamps), field["open"], field["high"], field["low"], field["close"], field["volume"]
        )


def _raise_notice(doc: dict) -> None:
    """The Note / Information / Error Message that Alpha Vantage answers with status 200."""
    for key in ("Error Message", "Note", "Information"):
        if key in doc:
            raise ParseError(f"Alpha Vantage: {doc[key]}")


class AlphaVantageCommodityConnector:
    """``/query?function=WTI&interval=daily``: ``{"name", "interval", "unit", "data": [{"date",
    "value"}, …]}``, newest first, ``"."`` where a day has no value (FRED's marker). A symbol is
    the function, with its interval after a colon where not the finest it has (``COPPER`` is
    ``COPPER:monthly`` by default)."""

    provider = "alphavantage_commodities"
    kind = "bars"

    @staticmethod
    def split_symbol(symbol: str) -> tuple[str, str]:
        function, _, interval = symbol.partition(":")
        intervals = COMMODITY_INTERVALS.get(function)
        if intervals is None or (interval and interval not in intervals):
            raise ValueError(f"not an Alpha Vantage commodity like WTI or COPPER:monthly: {symbol!r}")
        return function, interval or intervals[0]

    def build_requests(
        self, base_url: str, symbol: str, since: date | None, api_key: str | None = None
    ) -> list[HttpRequest]:
        function, interval = self.split_symbol(symbol)
        params = {"function": function, "interval": interval, "datatype": "json", "apikey": api_key or ""}
        return [HttpRequest(url=f"{base_url}/query", params=params, key_param="apikey")]

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        doc = load_json(body)
        if not isinstance(doc, dict):
            raise ParseError(f"Alpha Vantage: expected an object, got {describe(doc)}")
        if "data" not in doc:
            _raise_notice(doc)
            raise ParseError(f"Alpha Vantage: no data list in {describe(doc)}")
        data = member(doc, "data")
        if not isinstance(data, list):
            raise ParseError("Alpha Vantage: data is not a list")
        require_fields(data, ("date", "value"), "Alpha Vantage data points")
        try:
            stamps = pd.to_datetime([p["date"] for p in data], format="%Y-%m-%d")
        except (TypeError, ValueError) as exc:
            raise ParseError(f"Alpha Vantage: unparseable date: {exc}") from None
        frame = bars_frame(symbol, stamps, close=[p["value"] for p in data])  # "." → NaN → dropped
        return frame.sort_values("ts").drop_duplicates(subset=["ts"], keep="last").reset_index(drop=True)


PROVIDER = ProviderSpec(
    "alphavantage",
    (AlphaVantageDailyConnector(), AlphaVantageCommodityConnector()),
    rate_limit_per_minute=5,
    credentials={
        "alphavantage": "SPARTAN_ALPHAVANTAGE_API_KEYS",
        "alphavantage_commodities": "SPARTAN_ALPHAVANTAGE_API_KEYS",
    },
)
