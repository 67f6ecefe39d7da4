"""IMF DataMapper API v1 (keyless): World Economic Outlook indicators, annual, by country."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pandas as pd

from datasources.base import OBSERVATION_COLUMNS, HttpRequest, ParseError, ProviderSpec
from datasources.wire import load_json, member


class ImfDataMapperConnector:
    """``/external/datamapper/api/v1/{indicator}/{ISO3}``: ``values.{indicator}.{country}.{year}``
    (World Economic Outlook). Symbol: ``USA:NGDP_RPCH``."""

    provider = "imf"
    kind = "observations"

    def build_requests(
        self, base_url: str, symbol: str, since: date | None, api_key: str | None = None
    ) -> list[HttpRequest]:
        country, indicator = symbol.split(":", 1)
        return [HttpRequest(url=f"{base_url}/external/datamapper/api/v1/{indicator}/{country}")]

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        country, indicator = symbol.split(":", 1)
        doc = load_json(body)
        by_year = (member(doc, "values") or {}).get(indicator, {}).get(country)
        if not isinstance(by_year, dict):
            raise ParseError(f"no values.{indicator}.{country} in the response")
        # WEO carries forecasts for years ahead; stored observations are outcomes only (a
        # forecast would need its vintage to be meaningful), so future years are left out.
        years = sorted(y for y in by_year if y.isdigit() and int(y) <= datetime.now(UTC).year)
        frame = pd.DataFrame(
            {
                "series_id": symbol,
                "date": [date(int(y), 1, 1) for y in years],
                "value": pd.to_numeric([by_year[y] for y in years], errors="coerce"),
            }
        )
        return frame.dropna(subset=["value"])[OBSERVATION_COLUMNS].assign(country=country)


PROVIDER = ProviderSpec("imf", (ImfDataMapperConnector(),), rate_limit_per_minute=30)
