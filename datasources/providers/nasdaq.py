"""Nasdaq's public quote API (keyless): historical daily prices of indices, ETFs and stocks."""

from __future__ import annotations

from datetime import date

import pandas as pd

from datasources.base import HttpRequest, ParseError, ProviderSpec, bars_frame
from datasources.wire import backfill_start, load_json, member, require_fields


def _number(text) -> float | None:
    if text is None:
        return None
    cleaned = str(text).replace(",", "").replace("$", "").strip()
    return None if cleaned in ("", "--", "N/A") else float(cleaned)


class NasdaqHistoricalConnector:
    """``/api/quote/{symbol}/historical?assetclass=index|etf|stocks``: ``data.tradesTable.rows``
    with ``MM/DD/YYYY`` dates and comma-grouped, $-prefixed numbers. Symbol: ``SPX:index``."""

    provider = "nasdaq"
    kind = "bars"

    def build_requests(
        self, base_url: str, symbol: str, since: date | None, api_key: str | None = None
    ) -> list[HttpRequest]:
        ticker, asset_class = symbol.split(":", 1)
        start = backfill_start(since)
        params = {"assetclass": asset_class, "fromdate": start.isoformat(), "limit": "9999"}
        return [HttpRequest(url=f"{base_url}/api/quote/{ticker}/historical", params=params)]

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        doc = load_json(body)
        status = (doc.get("status") or {}) if isinstance(doc, dict) else {}
        data = member(doc, "data")
        if not data:
            messages = status.get("bCodeMessage") or []
            detail = "; ".join(m.get("errorMessage", "") for m in messages if isinstance(m, dict))
            raise ParseError(f"Nasdaq: no data ({detail or status.get('rCode')})")
        rows = ((data.get("tradesTable") or {}).get("rows")) or []
        require_fields(rows, ("date", "close"), "rows")
        days = pd.to_datetime([r["date"] for r in rows], format="%m/%d/%Y")
        frame = bars_frame(
            symbol.split(":", 1)[0],
            days,
            [_number(r.get("open")) for r in rows],
            [_number(r.get("high")) for r in rows],
            [_number(r.get("low")) for r in rows],
            [_number(r.get("close")) for r in rows],
            [_number(r.get("volume")) for r in rows],
        )
        return frame.sort_values("ts").reset_index(drop=True)


PROVIDER = ProviderSpec("nasdaq", (NasdaqHistoricalConnector(),), rate_limit_per_minute=30)
