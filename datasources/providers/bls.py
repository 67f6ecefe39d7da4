"""BLS public API v1 (keyless: 25 queries a day, 10 years of monthly data)."""

from __future__ import annotations

import re
from datetime import date

import pandas as pd

from datasources.base import OBSERVATION_COLUMNS, HttpRequest, ParseError, ProviderSpec
from datasources.wire import load_json


class BlsTimeseriesConnector:
    """``/publicAPI/v1/timeseries/data/{series}``: monthly ``data`` entries (``year``, ``period``
    ``M01``…``M12``; ``M13`` is the annual average and is skipped)."""

    provider = "bls"
    kind = "observations"

    def build_requests(
        self, base_url: str, symbol: str, since: date | None, api_key: str | None = None
    ) -> list[HttpRequest]:
        return [HttpRequest(url=f"{base_url}/publicAPI/v1/timeseries/data/{symbol}")]

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        doc = load_json(body)
        if not isinstance(doc, dict) or doc.get("status") != "REQUEST_SUCCEEDED":
            message = "; ".join(doc.get("message") or []) if isinstance(doc, dict) else ""
            raise ParseError(f"BLS: {doc.get('status') if isinstance(doc, dict) else 'bad body'} {message}".strip())
        series = (doc.get("Results") or {}).get("series") or []
        if len(series) != 1:
            raise ParseError(f"expected one series, got {len(series)}")
        rows = [r for r in series[0].get("data") or [] if re.fullmatch(r"M(0[1-9]|1[0-2])", r.get("period", ""))]
        dates = [f"{r['year']}-{r['period'][1:]}-01" for r in rows]
        values = pd.to_numeric([r.get("value") for r in rows], errors="coerce")
        frame = pd.DataFrame({"series_id": symbol, "date": pd.to_datetime(dates).date, "value": values})
        return frame.dropna(subset=["value"]).sort_values("date").reset_index(drop=True)[OBSERVATION_COLUMNS]


PROVIDER = ProviderSpec("bls", (BlsTimeseriesConnector(),), rate_limit_per_minute=10)
