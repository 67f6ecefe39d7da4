"""CBOE's delayed-quotes CDN for stocks, ETFs and indices (keyless): the daily chart history
(``/api/global/delayed_quotes/charts/historical/{SYM}.json``) and the delayed quote snapshot
(``/api/global/delayed_quotes/quotes/{SYM}.json``) read as today's bar. Index symbols take a
leading underscore (``_SPX``, ``_NDX``, ``_RUT``); stocks and ETFs are bare (``SPY``)."""

from __future__ import annotations

from datetime import date

import pandas as pd

from datasources.base import HttpRequest, ParseError, bars_frame
from datasources.wire import describe, load_json, member, record_bars

CDN = "/api/global/delayed_quotes"


class CboeChartsConnector:
    """``{"data": [{"date": "YYYY-MM-DD", "open", "high", "low", "close", "volume"}]}`` oldest
    first, the whole history in one file; values may be strings, and rows before a listing
    quote 0.0 (dropped here)."""

    provider = "cboe_charts"
    kind = "bars"

    def build_requests(
        self, base_url: str, symbol: str, since: date | None, api_key: str | None = None
    ) -> list[HttpRequest]:
        return [HttpRequest(url=f"{base_url}{CDN}/charts/historical/{symbol}.json")]

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        doc = load_json(body)
        rows = member(doc, "data")
        if not isinstance(rows, list):
            raise ParseError(f"CBOE charts: no data list in {describe(doc)}")
        frame = record_bars(rows, symbol, "date", what="data rows")
        return frame[frame["close"] > 0].reset_index(drop=True)


class CboeQuoteConnector:
    """``{"timestamp": "2024-06-07 16:15:03", "data": {"symbol", "current_price", "open",
    "high", "low", "close", "prev_day_close", "volume", "last_trade_time":
    "2024-06-07T16:14:59", …}}`` (times in New York): one bar for the day of the last trade,
    closing at ``current_price``."""

    provider = "cboe_quotes"
    kind = "bars"
    history_note = "CBOE's delayed quote is a snapshot: one bar a day from the first download on"

    def build_requests(
        self, base_url: str, symbol: str, since: date | None, api_key: str | None = None
    ) -> list[HttpRequest]:
        return [HttpRequest(url=f"{base_url}{CDN}/quotes/{symbol}.json")]

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        doc = load_json(body)
        quote = member(doc, "data")
        if not isinstance(quote, dict) or quote.get("current_price") is None:
            raise ParseError(f"CBOE quote: no data.current_price in {describe(doc)}")
        stamp = quote.get("last_trade_time") or member(doc, "timestamp")
        try:
            day = pd.Timestamp(str(stamp)).normalize().tz_localize(None) if stamp else None
        except ValueError:
            day = None
        if day is None:
            raise ParseError(f"CBOE quote: unparseable last_trade_time/timestamp {stamp!r}")
        return bars_frame(
            symbol,
            [day],
            [quote.get("open")],
            [quote.get("high")],
            [quote.get("low")],
            [quote["current_price"]],
            [quote.get("volume")],
        )
