"""New York Fed reference rates (keyless): SOFR, EFFR, OBFR, TGCR, BGCR."""

from __future__ import annotations

from datetime import date

import pandas as pd

from datasources.base import OBSERVATION_COLUMNS, HttpRequest, ParseError, ProviderSpec, observations_frame
from datasources.wire import load_json, member, require_fields


class NyFedRatesConnector:
    """``/api/rates/{secured|unsecured}/{sofr|effr|…}/last/{n}.json`` → ``refRates`` with ``percentRate``.
    Symbols: ``secured/sofr``, ``unsecured/effr``, ``unsecured/obfr``, ``secured/tgcr``, ``secured/bgcr``."""

    provider = "nyfed"
    kind = "observations"

    def build_requests(
        self, base_url: str, symbol: str, since: date | None, api_key: str | None = None
    ) -> list[HttpRequest]:
        count = 30 if since else 1300
        return [HttpRequest(url=f"{base_url}/api/rates/{symbol}/last/{count}.json")]

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        doc = load_json(body)
        rates = member(doc, "refRates")
        if not isinstance(rates, list):
            raise ParseError("no refRates in the response")
        require_fields(rates, ("effectiveDate", "percentRate"), "refRates entries")
        return observations_frame(symbol, [r["effectiveDate"] for r in rates], [r["percentRate"] for r in rates])[
            OBSERVATION_COLUMNS
        ]


PROVIDER = ProviderSpec("nyfed", (NyFedRatesConnector(),), rate_limit_per_minute=60)
