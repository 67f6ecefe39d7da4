"""EODHD (EOD Historical Data) ``/api/eod/{SYMBOL}.{EXCHANGE}`` with ``fmt=json``, daily OHLCV
bars for stocks and ETFs (``SPY.US``) and indices (``GSPC.INDX``). Needs a key
(``SPARTAN_EODHD_API_KEYS``, comma-separated, rotated when refused); without one its entries are
"not configured"."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pandas as pd

from datasources.base import HttpRequest, ParseError, ProviderSpec
from datasources.wire import backfill_start, describe, load_json, record_bars


class EodhdEodConnector:
    """A JSON list of ``{"date": "2025-09-10", "open", "high", "low", "close", "adjusted_close",
    "volume"}``, oldest first (``order=a``). A refused key is a 401/402/403 with a short text;
    other errors an object (``{"error": …}`` or ``{"errors": …}``)."""

    provider = "eodhd"
    kind = "bars"

    def build_requests(
        self, base_url: str, symbol: str, since: date | None, api_key: str | None = None
    ) -> list[HttpRequest]:
        if "." not in symbol:
            raise ValueError(f"not an EODHD ticker with its exchange, like SPY.US: {symbol!r}")
        params = {
            "from": backfill_start(since).isoformat(),
            "to": datetime.now(UTC).date().isoformat(),
            "period": "d",
            "order": "a",
            "fmt": "json",
            "api_token": api_key or "",
        }
        return [HttpRequest(url=f"{base_url}/api/eod/{symbol}", params=params, key_param="api_token")]

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        doc = load_json(body)
        if isinstance(doc, dict):
            detail = doc.get("error") or doc.get("errors") or doc.get("message")
            raise ParseError(f"EODHD error: {detail}" if detail else f"EODHD: not a price list: {describe(doc)}")
        return record_bars(doc, symbol, "date", what="prices")


PROVIDER = ProviderSpec(
    "eodhd",
    (EodhdEodConnector(),),
    rate_limit_per_minute=60,
    credentials={"eodhd": "SPARTAN_EODHD_API_KEYS"},
)
