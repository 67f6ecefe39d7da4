"""US Treasury Fiscal Data (keyless): debt to the penny and other fiscal service series."""

from __future__ import annotations

from datetime import date

import pandas as pd

from datasources.base import OBSERVATION_COLUMNS, HttpRequest, ParseError, ProviderSpec, observations_frame
from datasources.wire import load_json, require_fields


class FiscalDataConnector:
    """US Treasury Fiscal Data (``/services/api/fiscal_service/…``). Symbol: ``endpoint:field``,
    e.g. ``v2/accounting/od/debt_to_penny:tot_pub_debt_out_amt``; rows dated by ``record_date``."""

    provider = "fiscaldata"
    kind = "observations"

    def build_requests(
        self, base_url: str, symbol: str, since: date | None, api_key: str | None = None
    ) -> list[HttpRequest]:
        endpoint, field = symbol.split(":", 1)
        params = {"fields": f"record_date,{field}", "sort": "-record_date", "page[size]": "10000"}
        if since:
            params["filter"] = f"record_date:gte:{since.isoformat()}"
        return [HttpRequest(url=f"{base_url}/services/api/fiscal_service/{endpoint}", params=params)]

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        field = symbol.split(":", 1)[1]
        doc = load_json(body)
        if not isinstance(doc, dict) or not isinstance(doc.get("data"), list):
            raise ParseError(
                f"Fiscal Data error: {doc.get('error') or doc.get('message') if isinstance(doc, dict) else doc}"
            )
        rows = doc["data"]
        require_fields(rows, ("record_date", field), "rows")
        return observations_frame(symbol, [r["record_date"] for r in rows], [r[field] for r in rows])[
            OBSERVATION_COLUMNS
        ]


PROVIDER = ProviderSpec("fiscaldata", (FiscalDataConnector(),), rate_limit_per_minute=60)
