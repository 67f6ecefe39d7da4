"""Deribit's DVOL crypto implied-volatility indices (keyless), daily bars. Symbols: ``BTC``, ``ETH``."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd

from datasources.base import HttpRequest, ProviderSpec
from datasources.wire import api_error, candle_rows, epoch_seconds, load_json


class DeribitVolatilityConnector:
    """``/api/v2/public/get_volatility_index_data?currency=BTC&resolution=1D``: the DVOL index,
    ``result.data`` of ``[ts ms, open, high, low, close]``."""

    provider = "deribit"
    kind = "bars"

    def build_requests(self, base_url, symbol, since, api_key=None) -> list[HttpRequest]:
        end_ms = int(datetime.now(UTC).timestamp() * 1000)
        params = {
            "currency": symbol,
            "resolution": "1D",
            "start_timestamp": str(epoch_seconds(since) * 1000),
            "end_timestamp": str(end_ms),
        }
        return [HttpRequest(url=f"{base_url}/api/v2/public/get_volatility_index_data", params=params)]

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        doc = load_json(body)
        if not isinstance(doc, dict) or "result" not in doc:
            error = doc.get("error") if isinstance(doc, dict) else {}
            raise api_error("Deribit", error or {}, "code", "message")
        rows = [[*r, None] for r in (doc["result"] or {}).get("data") or []]
        return candle_rows(rows, {"ts": 0, "open": 1, "high": 2, "low": 3, "close": 4, "volume": 5}, "ms", symbol)


PROVIDER = ProviderSpec("deribit", (DeribitVolatilityConnector(),), rate_limit_per_minute=60)
