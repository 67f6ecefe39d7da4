"""alternative.me's crypto Fear & Greed index (keyless), its whole history."""

from __future__ import annotations

from datetime import date

import pandas as pd

from datasources.base import HttpRequest, ParseError, ProviderSpec, observations_frame
from datasources.wire import load_json, require_fields


class AlternativeMeFearGreedConnector:
    """``/fng/?limit=0&format=json``: the crypto Fear & Greed index, ``data`` newest first."""

    provider = "alternative_me"
    kind = "observations"

    def build_requests(
        self, base_url: str, symbol: str, since: date | None, api_key: str | None = None
    ) -> list[HttpRequest]:
        limit = "30" if since else "0"  # 0 = the whole history
        return [HttpRequest(url=f"{base_url}/fng/", params={"limit": limit, "format": "json"})]

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        doc = load_json(body)
        error = (doc.get("metadata") or {}).get("error") if isinstance(doc, dict) else "not an object"
        if error or not isinstance(doc.get("data"), list):
            raise ParseError(f"alternative.me error: {error or 'no data'}")
        rows = doc["data"]
        require_fields(rows, ("timestamp", "value"), "data entries")
        dates = pd.to_datetime([int(r["timestamp"]) for r in rows], unit="s", utc=True)
        return observations_frame(
            symbol, dates, [r["value"] for r in rows], [r.get("value_classification") for r in rows]
        )


PROVIDER = ProviderSpec("alternative_me", (AlternativeMeFearGreedConnector(),), rate_limit_per_minute=30)
