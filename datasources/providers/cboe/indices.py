"""CBOE index history CSVs (``/api/global/us_indices/daily_prices/{INDEX}_History.csv``):
VIX has ``DATE,OPEN,HIGH,LOW,CLOSE``; VVIX, SKEW, VIX9D… have ``DATE,<INDEX>`` only."""

from __future__ import annotations

from datetime import date

import pandas as pd

from datasources.base import HttpRequest, ParseError, bars_frame
from datasources.wire import parse_days, read_csv_body


class CboeIndexHistoryConnector:
    provider = "cboe"
    kind = "bars"

    def build_requests(
        self, base_url: str, symbol: str, since: date | None, api_key: str | None = None
    ) -> list[HttpRequest]:
        return [HttpRequest(url=f"{base_url}/api/global/us_indices/daily_prices/{symbol}_History.csv")]

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        return parse_cboe_history(body, symbol)


def parse_cboe_history(body: bytes, symbol: str) -> pd.DataFrame:
    raw = read_csv_body(body)
    raw.columns = [str(c).strip().upper() for c in raw.columns]
    days = parse_days(raw, "DATE", "%m/%d/%Y")
    if "CLOSE" in raw.columns:
        return bars_frame(symbol, days, raw.get("OPEN"), raw.get("HIGH"), raw.get("LOW"), raw["CLOSE"])
    value_cols = [c for c in raw.columns if c != "DATE"]
    if len(value_cols) != 1:
        raise ParseError(f"expected CLOSE or a single value column, got {value_cols}")
    return bars_frame(symbol, days, close=raw[value_cols[0]])
