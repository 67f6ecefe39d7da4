"""Polygon.io aggregates v2 (``/v2/aggs/ticker/{T}/range/1/day/{from}/{to}``), daily bars.
Needs a key (``SPARTAN_POLYGON_API_KEYS``, comma-separated, rotated when refused); without one
its catalog entries are "not configured", never failures."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pandas as pd

from datasources.base import HttpRequest, ParseError, ProviderSpec, bars_frame
from datasources.wire import backfill_start, load_json, require_fields


class PolygonAggregatesConnector:
    """``/v2/aggs/ticker/{T}/range/1/day/{from}/{to}``: ``results`` of ``{t ms, o, h, l, c, v}``."""

    provider = "polygon"
    kind = "bars"

    def build_requests(
        self, base_url: str, symbol: str, since: date | None, api_key: str | None = None
    ) -> list[HttpRequest]:
        start = backfill_start(since)
        end = datetime.now(UTC).date()
        params = {"adjusted": "true", "sort": "asc", "limit": "50000", "apiKey": api_key or ""}
        return [
            HttpRequest(
                url=f"{base_url}/v2/aggs/ticker/{symbol}/range/1/day/{start}/{end}", params=params, key_param="apiKey"
            )
        ]

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        doc = load_json(body)
        if not isinstance(doc, dict) or doc.get("status") not in ("OK", "DELAYED"):
            detail = (doc.get("error") or doc.get("message")) if isinstance(doc, dict) else None
            raise ParseError(
                f"Polygon error: {doc.get('status') if isinstance(doc, dict) else ''} {detail or ''}".strip()
            )
        rows = doc.get("results") or []
        require_fields(rows, ("t", "c"), "results")
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


PROVIDER = ProviderSpec(
    "polygon",
    (PolygonAggregatesConnector(),),
    rate_limit_per_minute=5,
    credentials={"polygon": "SPARTAN_POLYGON_API_KEYS"},
)
