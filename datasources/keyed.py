"""Providers that need an API key (``SPARTAN_<PROVIDER>_API_KEYS``, comma-separated, rotated on
401/403/429). Without a key their catalog entries are "not configured", never failures."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pandas as pd

from datasources._json import load_json
from datasources.base import OBSERVATION_COLUMNS, HttpRequest, ParseError, bars_frame

BACKFILL_DAYS = 5 * 365 + 7


class FredApiConnector:
    """``/fred/series/observations?series_id=…&file_type=json``: ``observations`` of ``date`` and
    ``value`` strings (``"."`` for missing)."""

    provider = "fred_api"
    kind = "observations"

    def build_requests(
        self, base_url: str, symbol: str, since: date | None, api_key: str | None = None
    ) -> list[HttpRequest]:
        params = {"series_id": symbol, "file_type": "json", "api_key": api_key or ""}
        if since:
            params["observation_start"] = since.isoformat()
        return [HttpRequest(url=f"{base_url}/fred/series/observations", params=params)]

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        doc = load_json(body)
        if not isinstance(doc, dict) or not isinstance(doc.get("observations"), list):
            message = doc.get("error_message") if isinstance(doc, dict) else None
            raise ParseError(f"FRED API error: {message or 'no observations'}")
        rows = doc["observations"]
        if any("date" not in r or "value" not in r for r in rows):
            raise ParseError("observations lack date/value")
        values = pd.to_numeric([None if r["value"] == "." else r["value"] for r in rows], errors="coerce")
        frame = pd.DataFrame(
            {"series_id": symbol, "date": pd.to_datetime([r["date"] for r in rows]).date, "value": values}
        )
        return frame.dropna(subset=["value"]).reset_index(drop=True)[OBSERVATION_COLUMNS]


class PolygonAggregatesConnector:
    """``/v2/aggs/ticker/{T}/range/1/day/{from}/{to}``: ``results`` of ``{t ms, o, h, l, c, v}``."""

    provider = "polygon"
    kind = "bars"

    def build_requests(
        self, base_url: str, symbol: str, since: date | None, api_key: str | None = None
    ) -> list[HttpRequest]:
        start = since or (datetime.now(UTC).date() - timedelta(days=BACKFILL_DAYS))
        end = datetime.now(UTC).date()
        params = {"adjusted": "true", "sort": "asc", "limit": "50000", "apiKey": api_key or ""}
        return [HttpRequest(url=f"{base_url}/v2/aggs/ticker/{symbol}/range/1/day/{start}/{end}", params=params)]

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        doc = load_json(body)
        if not isinstance(doc, dict) or doc.get("status") not in ("OK", "DELAYED"):
            detail = (doc.get("error") or doc.get("message")) if isinstance(doc, dict) else None
            raise ParseError(
                f"Polygon error: {doc.get('status') if isinstance(doc, dict) else ''} {detail or ''}".strip()
            )
        rows = doc.get("results") or []
        if any("t" not in r or "c" not in r for r in rows):
            raise ParseError("results lack t/c")
        # Daily aggregates are stamped at the session's start in New York time: keep its date.
        days = pd.to_datetime([r["t"] for r in rows], unit="ms", utc=True).tz_convert("America/New_York").normalize()
        return bars_frame(
            symbol,
            days.tz_localize(None),
            [r.get("o") for r in rows],
            [r.get("h") for r in rows],
            [r.get("l") for r in rows],
            [r["c"] for r in rows],
            [r.get("v") for r in rows],
        )


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
        return [HttpRequest(url=f"{base_url}/query", params=params)]

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
