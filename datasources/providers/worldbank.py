"""World Bank indicators API v2 (keyless), annual observations by country."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pandas as pd

from datasources.base import OBSERVATION_COLUMNS, HttpRequest, ParseError, ProviderSpec, observations_frame
from datasources.wire import load_json, require_fields


class WorldBankConnector:
    """``/v2/country/{ISO3}/indicator/{id}?format=json`` → ``[paging, [observations…]]``.
    Symbol: ``USA:NY.GDP.MKTP.KD.ZG`` (country, indicator). Annual values dated 1 January."""

    provider = "worldbank"
    kind = "observations"

    def build_requests(
        self, base_url: str, symbol: str, since: date | None, api_key: str | None = None
    ) -> list[HttpRequest]:
        country, indicator = symbol.split(":", 1)
        params = {
            "format": "json",
            "per_page": "1000",
            "date": f"{(since.year if since else 1960)}:{datetime.now(UTC).year}",
        }
        return [HttpRequest(url=f"{base_url}/v2/country/{country}/indicator/{indicator}", params=params)]

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        doc = load_json(body)
        if isinstance(doc, list) and doc and isinstance(doc[0], dict) and "message" in doc[0]:
            message = doc[0]["message"][0] if doc[0]["message"] else {}
            raise ParseError(f"World Bank error {message.get('id')}: {message.get('value')}")
        if not isinstance(doc, list) or len(doc) != 2 or not isinstance(doc[0], dict):
            raise ParseError("expected [paging, observations]")
        rows = doc[1] or []
        require_fields(rows, ("date", "value"), "observations")
        frame = observations_frame(symbol, [f"{r['date']}-01-01" for r in rows], [r["value"] for r in rows])
        return frame[OBSERVATION_COLUMNS].assign(country=symbol.split(":", 1)[0])


PROVIDER = ProviderSpec("worldbank", (WorldBankConnector(),), rate_limit_per_minute=60)
