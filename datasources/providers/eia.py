"""EIA open data API v2 (``api.eia.gov/v2/{route}/data/``): energy spot prices (WTI, Brent,
Henry Hub) and weekly petroleum inventories. Needs a free key (``SPARTAN_EIA_API_KEYS``,
comma-separated, rotated when refused); without one its catalog entries are "not configured".

A symbol names the route, the series facet and, when not daily, the frequency:
``petroleum/pri/spt:RWTC`` (WTI Cushing spot), ``petroleum/pri/spt:RBRTE`` (Brent),
``natural-gas/pri/fut:RNGWHHD`` (Henry Hub spot), ``petroleum/stoc/wstk:WCESTUS1:weekly``
(US commercial crude stocks, thousand barrels)."""

from __future__ import annotations

from datetime import date

import pandas as pd

from datasources.base import HttpRequest, ParseError, ProviderSpec, bars_frame
from datasources.wire import backfill_start, describe, load_json, member, require_fields

FREQUENCIES = ("daily", "weekly", "monthly")
MAX_LENGTH = 5000  # rows a request answers at most: five years of a daily series fit


def split_symbol(symbol: str) -> tuple[str, str, str]:
    """``route:series[:frequency]`` → its three parts (frequency ``daily`` unless named)."""
    parts = symbol.split(":")
    if len(parts) not in (2, 3) or not all(parts) or (len(parts) == 3 and parts[2] not in FREQUENCIES):
        raise ValueError(f"not an EIA symbol like petroleum/pri/spt:RWTC[:weekly]: {symbol!r}")
    return parts[0].strip("/"), parts[1], parts[2] if len(parts) == 3 else "daily"


class EiaSeriesConnector:
    """``{"response": {"total", "frequency", "data": [{"period": "2024-01-02", "series": "RWTC",
    "value": 70.38, "units": "$/BBL", …}]}, "request": …, "apiVersion": "2.1.x"}``; errors are
    ``{"error": "…", "code": 400}`` (a refused key: 403 with ``{"error": {"code":
    "API_KEY_INVALID", …}}``)."""

    provider = "eia"
    kind = "bars"

    def build_requests(
        self, base_url: str, symbol: str, since: date | None, api_key: str | None = None
    ) -> list[HttpRequest]:
        route, series, frequency = split_symbol(symbol)
        params = {
            "frequency": frequency,
            "data[0]": "value",
            "facets[series][]": series,
            "start": backfill_start(since).isoformat(),
            "sort[0][column]": "period",
            "sort[0][direction]": "asc",
            "offset": "0",
            "length": str(MAX_LENGTH),
            "api_key": api_key or "",
        }
        return [HttpRequest(url=f"{base_url}/v2/{route}/data/", params=params, key_param="api_key")]

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        doc = load_json(body)
        error = member(doc, "error")
        if error is not None:
            message = error.get("message", error) if isinstance(error, dict) else error
            raise ParseError(f"EIA error: {message}")
        data = member(member(doc, "response"), "data")
        if not isinstance(data, list):
            raise ParseError(f"EIA: no response.data list in {describe(doc)}")
        _route, series, _frequency = split_symbol(symbol)
        require_fields(data, ("period", "value"), "EIA rows")
        rows = [r for r in data if r.get("series", series) == series]
        if data and not rows:
            raise ParseError(f"EIA: no {series} rows ({len(data)} rows of other series)")
        try:
            stamps = pd.to_datetime([r["period"] for r in rows], format="%Y-%m-%d")
        except (TypeError, ValueError) as exc:
            raise ParseError(f"EIA: unparseable period: {exc}") from None
        frame = bars_frame(symbol, stamps, close=[r["value"] for r in rows])
        return frame.sort_values("ts").drop_duplicates(subset=["ts"], keep="last").reset_index(drop=True)


PROVIDER = ProviderSpec(
    "eia",
    (EiaSeriesConnector(),),
    rate_limit_per_minute=60,
    credentials={"eia": "SPARTAN_EIA_API_KEYS"},
)
