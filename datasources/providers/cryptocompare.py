"""CryptoCompare min-api daily OHLCV (keyless at a low rate; a key only raises the limits).
Symbols: ``BTC-USD`` (``fsym-tsym``)."""

from __future__ import annotations

from datetime import date

import pandas as pd

from datasources.base import HttpRequest, ParseError, ProviderSpec, bars_frame
from datasources.wire import DAY_SECONDS, day_seconds, day_windows, describe, load_json, member, require_fields


class CryptoCompareHistodayConnector:
    """``/data/v2/histoday?fsym=BTC&tsym=USD&limit=N&toTs=T``: ``{"Response": "Success",
    "Data": {"TimeFrom", "TimeTo", "Data": [{time, open, high, low, close, volumefrom,
    volumeto, conversionType…}]}}``, oldest first, the ``limit + 1`` days that end with the
    one holding ``toTs`` (``limit`` at most 2000). A failure is ``{"Response": "Error",
    "Message": …}``, often with HTTP 200. Days before a pair traded come as all-zero candles."""

    provider = "cryptocompare"
    kind = "bars"
    page_days = 2000

    def build_requests(
        self, base_url: str, symbol: str, since: date | None, api_key: str | None = None
    ) -> list[HttpRequest]:
        base, quote = split_symbol(symbol)
        return [
            HttpRequest(
                url=f"{base_url}/data/v2/histoday",
                params={
                    "fsym": base,
                    "tsym": quote,
                    # limit + 1 candles come back; a one-day page asks for 1 (the day before too).
                    "limit": str(max((last - first).days, 1)),
                    "toTs": str(day_seconds(last) + DAY_SECONDS - 1),
                },
            )
            for first, last in day_windows(since, self.page_days)
        ]

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        return parse_histoday(load_json(body), symbol)


def split_symbol(symbol: str) -> tuple[str, str]:
    """``BTC-USD`` → ``("BTC", "USD")``."""
    base, sep, quote = symbol.upper().partition("-")
    if not sep or not base or not quote:
        raise ValueError(f"not a CryptoCompare pair like BTC-USD: {symbol!r}")
    return base, quote


def parse_histoday(doc, symbol: str) -> pd.DataFrame:
    status = member(doc, "Response")
    if status == "Error":
        raise ParseError(f"CryptoCompare error: {member(doc, 'Message') or 'no message'}")
    if status != "Success":
        raise ParseError(f"expected a CryptoCompare histoday response, got {describe(doc)}")
    rows = member(member(doc, "Data"), "Data")
    if not isinstance(rows, list):
        raise ParseError(f"no Data.Data candles in the response ({describe(member(doc, 'Data'))})")
    require_fields(rows, ("time", "open", "high", "low", "close"), "candles")
    # An all-zero candle is CryptoCompare's padding for a day before the pair traded, not a price.
    traded = [r for r in rows if any(r.get(k) not in (0, None) for k in ("open", "high", "low", "close"))]
    times = pd.to_numeric(pd.Series([r["time"] for r in traded], dtype=object), errors="coerce")
    if times.isna().any():
        raise ParseError("a candle's time is not a number")
    frame = bars_frame(
        symbol,
        pd.to_datetime(times, unit="s", utc=True),
        [r["open"] for r in traded],
        [r["high"] for r in traded],
        [r["low"] for r in traded],
        [r["close"] for r in traded],
        [r.get("volumefrom") for r in traded],
    )
    return frame.sort_values("ts").drop_duplicates(subset=["ts"], keep="last").reset_index(drop=True)


PROVIDER = ProviderSpec("cryptocompare", (CryptoCompareHistodayConnector(),), rate_limit_per_minute=30)
