"""Norges Bank (keyless): its data warehouse's SDMX REST API, dataflow ``EXR``, business-day
series ``B.{CUR}.NOK.SP`` = NOK per one unit of ``CUR`` (``B.USD.NOK.SP`` is USD/NOK,
``B.EUR.NOK.SP`` EUR/NOK). Symbols are the series keys. Some currencies (JPY, SEK, DKK…) are
quoted per 100 units (UNIT_MULT 2): only the per-one-unit series are accepted."""

from __future__ import annotations

from datetime import date

import pandas as pd

from datasources.base import HttpRequest, ParseError, ProviderSpec
from datasources.providers.ecb import parse_sdmx_json
from datasources.wire import backfill_start, describe, load_json, member

# Quoted per one unit of the currency (the others are per 100).
PER_UNIT = ("USD", "EUR", "GBP", "CHF", "AUD", "CAD", "NZD")


class NorgesBankExrConnector:
    """``/api/data/EXR/{key}?format=sdmx-json&startPeriod=``: SDMX-JSON 1.0 wrapped in ``data``
    (``data.dataSets[0].series`` and ``data.structure.dimensions.observation``), values as strings."""

    provider = "norges_bank"
    kind = "bars"

    def build_requests(
        self, base_url: str, symbol: str, since: date | None, api_key: str | None = None
    ) -> list[HttpRequest]:
        parts = symbol.split(".")
        if len(parts) != 4 or parts[0] != "B" or parts[2] != "NOK" or parts[1] not in PER_UNIT:
            raise ValueError(f"not a per-unit Norges Bank EXR key like B.USD.NOK.SP: {symbol!r}")
        params = {"format": "sdmx-json", "startPeriod": backfill_start(since).isoformat(), "locale": "en"}
        return [HttpRequest(url=f"{base_url}/api/data/EXR/{symbol}", params=params)]

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        doc = load_json(body)
        data = member(doc, "data")
        if not isinstance(data, dict):
            errors = member(doc, "errors")
            raise ParseError(f"Norges Bank error: {errors}" if errors else f"no 'data' in {describe(doc)}")
        return parse_sdmx_json(data, symbol)


PROVIDER = ProviderSpec("norges_bank", (NorgesBankExrConnector(),), rate_limit_per_minute=30)
