"""open.er-api.com (keyless): today's FX rates for one base currency."""

from __future__ import annotations

from datetime import date

import pandas as pd

from datasources.base import HttpRequest, ParseError, ProviderSpec, bars_frame
from datasources.wire import load_json


class OpenErApiConnector:
    """``/v6/latest/{BASE}``: today's rates for one base currency (one bar per pair per day)."""

    provider = "open_er_api"
    kind = "bars"

    def build_requests(
        self, base_url: str, symbol: str, since: date | None, api_key: str | None = None
    ) -> list[HttpRequest]:
        return [HttpRequest(url=f"{base_url}/v6/latest/{symbol[:3].upper()}")]

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        doc = load_json(body)
        if not isinstance(doc, dict) or doc.get("result") != "success":
            raise ParseError(f"open.er-api error: {doc.get('error-type') if isinstance(doc, dict) else doc}")
        base, quote = symbol[:3].upper(), symbol[3:].upper()
        if doc.get("base_code") != base or quote not in (doc.get("rates") or {}):
            raise ParseError(f"{base}/{quote} not in the response")
        day = pd.to_datetime(int(doc["time_last_update_unix"]), unit="s", utc=True).normalize()
        return bars_frame(symbol, [day], close=[doc["rates"][quote]])


PROVIDER = ProviderSpec("open_er_api", (OpenErApiConnector(),), rate_limit_per_minute=10)
