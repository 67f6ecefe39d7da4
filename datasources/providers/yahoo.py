"""Yahoo Finance chart API v8 (``/v8/finance/chart/{symbol}``): daily bars for indices, ETFs,
stocks, FX (``EURUSD=X``), futures (``GC=F``), crypto (``BTC-USD``) and ``^VIX``/``^MOVE``."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd

from datasources.base import HttpRequest, ParseError, ProviderSpec, bars_frame
from datasources.wire import backfill_start, load_json, member


class YahooChartConnector:
    provider = "yahoo"
    kind = "bars"

    def build_requests(
        self, base_url: str, symbol: str, since: date | None, api_key: str | None = None
    ) -> list[HttpRequest]:
        start = backfill_start(since)
        period1 = int(datetime.combine(start, time(), tzinfo=UTC).timestamp())
        period2 = int(datetime.now(UTC).timestamp()) + 86400
        params = {"interval": "1d", "period1": str(period1), "period2": str(period2), "events": "div,split"}
        return [HttpRequest(url=f"{base_url}/v8/finance/chart/{symbol}", params=params)]

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        return parse_chart(load_json(body), symbol)


def exchange_days(stamps: pd.DatetimeIndex, meta: dict) -> pd.DatetimeIndex:
    """The exchange-local trading day of each bar (as midnight UTC). A bar's timestamp marks its
    session's open (or local midnight, as for FX): each is read in the exchange's time zone
    (``exchangeTimezoneName``) with the offset in force on its own date, so bars on both sides of
    a daylight-saving change keep their day. Without a known zone, the body's single current
    ``gmtoffset`` is the fallback."""
    zone = meta.get("exchangeTimezoneName")
    try:
        local = stamps.tz_convert(ZoneInfo(zone)) if isinstance(zone, str) and zone else None
    except (ZoneInfoNotFoundError, ValueError):
        local = None
    if local is None:
        offset = meta.get("gmtoffset") if isinstance(meta.get("gmtoffset"), (int, float)) else 0
        return (stamps + pd.Timedelta(seconds=offset)).normalize()
    return pd.to_datetime(local.date).tz_localize("UTC") if len(local) else stamps


def parse_chart(doc: dict, symbol: str) -> pd.DataFrame:
    """A decoded chart response → daily bars dated by the exchange's trading day."""
    chart = member(doc, "chart")
    if not isinstance(chart, dict):
        raise ParseError("no 'chart' object")
    if chart.get("error"):
        error = chart["error"]
        raise ParseError(
            f"Yahoo error: {error.get('code')}: {error.get('description')}" if isinstance(error, dict) else str(error)
        )
    results = chart.get("result") or []
    if not results:
        raise ParseError("chart.result is empty")
    result = results[0]
    stamps = result.get("timestamp") or []
    quotes = (result.get("indicators") or {}).get("quote") or [{}]
    quote = quotes[0]
    if stamps and "close" not in quote:
        raise ParseError("indicators.quote has no close")
    if any(len(quote.get(k) or []) not in (0, len(stamps)) for k in ("open", "high", "low", "close", "volume")):
        raise ParseError("quote arrays and timestamps differ in length")
    days = exchange_days(pd.to_datetime(stamps, unit="s", utc=True), result.get("meta") or {})
    frame = bars_frame(
        symbol, days, quote.get("open"), quote.get("high"), quote.get("low"), quote.get("close"), quote.get("volume")
    )
    # A partial bar for today can repeat the date of the last full one: keep the newest.
    return frame.drop_duplicates(subset=["ts"], keep="last").reset_index(drop=True)


PROVIDER = ProviderSpec("yahoo", (YahooChartConnector(),), rate_limit_per_minute=60)
