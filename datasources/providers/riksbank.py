"""Sveriges Riksbank SWEA API (keyless): the Riksbank's daily exchange rates, series
``SEK{CUR}PMI`` = SEK per one unit of ``CUR`` (``SEKUSDPMI`` is USD/SEK, ``SEKEURPMI`` EUR/SEK).
Symbols are the series ids. The keyless tier allows few calls a minute."""

from __future__ import annotations

from datetime import date

import pandas as pd

from datasources.base import HttpRequest, ParseError, ProviderSpec, bars_frame
from datasources.wire import backfill_start, describe, load_json, member, require_fields


class RiksbankSweaConnector:
    """``/swea/v1/Observations/{series}/{from}``: a list of ``{"date": "2024-01-02", "value": 10.1}``."""

    provider = "riksbank"
    kind = "bars"

    def build_requests(
        self, base_url: str, symbol: str, since: date | None, api_key: str | None = None
    ) -> list[HttpRequest]:
        if not (symbol.startswith("SEK") and symbol.endswith("PMI") and len(symbol) == 9):
            raise ValueError(f"not a SWEA exchange-rate series like SEKUSDPMI: {symbol!r}")
        return [HttpRequest(url=f"{base_url}/swea/v1/Observations/{symbol}/{backfill_start(since).isoformat()}")]

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        doc = load_json(body)
        if not isinstance(doc, list):
            message = member(doc, "message") or member(doc, "title")
            raise ParseError(f"Riksbank: {message}" if message else f"expected a list, got {describe(doc)}")
        require_fields(doc, ("date", "value"), "observations")
        try:
            stamps = pd.to_datetime([r["date"] for r in doc], format="%Y-%m-%d")
        except ValueError as exc:
            raise ParseError(f"unparseable date: {exc}") from None
        frame = bars_frame(symbol, stamps, close=[r["value"] for r in doc])
        return frame.sort_values("ts").reset_index(drop=True)


PROVIDER = ProviderSpec("riksbank", (RiksbankSweaConnector(),), rate_limit_per_minute=5)
