"""Gemini public candles (keyless), daily bars. Symbols: ``btcusd``."""

from __future__ import annotations

import pandas as pd

from datasources.base import HttpRequest, ProviderSpec
from datasources.wire import api_error, candle_rows, load_json


class GeminiCandlesConnector:
    """``/v2/candles/btcusd/1day``: ``[time ms, open, high, low, close, volume]``, newest first.
    The endpoint takes no range or limit: one response, as deep as Gemini serves."""

    provider = "gemini"
    kind = "bars"
    history_note = "gemini's candles take no range: one response, as deep as gemini serves"

    def build_requests(self, base_url, symbol, since, api_key=None) -> list[HttpRequest]:
        return [HttpRequest(url=f"{base_url}/v2/candles/{symbol}/1day")]

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        doc = load_json(body)
        if isinstance(doc, dict):
            raise api_error("Gemini", doc, "reason", "message")
        return candle_rows(doc, {"ts": 0, "open": 1, "high": 2, "low": 3, "close": 4, "volume": 5}, "ms", symbol)


PROVIDER = ProviderSpec("gemini", (GeminiCandlesConnector(),), rate_limit_per_minute=120)
