"""Bank of England Interactive Statistical Database (keyless): daily spot exchange rates as CSV
from ``_iadb-fromshowcolumns.asp``. ``XUDLUSS`` is "US$ into sterling" (USD per GBP: GBP/USD).
Symbols are the series codes."""

from __future__ import annotations

from datetime import date

import pandas as pd

from datasources.base import HttpRequest, ParseError, ProviderSpec, bars_frame
from datasources.wire import backfill_start, parse_days, read_csv_body


class BankOfEnglandIadbConnector:
    """``/boeapps/database/_iadb-fromshowcolumns.asp?csv.x=yes&SeriesCodes=…&Datefrom=02/Jan/2024
    &Dateto=now&CSVF=TN&UsingCodes=Y&VPD=Y&VFD=N``: ``DATE,XUDLUSS`` rows, dates like ``02 Jan 2024``."""

    provider = "bank_of_england"
    kind = "bars"

    def build_requests(
        self, base_url: str, symbol: str, since: date | None, api_key: str | None = None
    ) -> list[HttpRequest]:
        if not symbol.isalnum():
            raise ValueError(f"not an IADB series code: {symbol!r}")
        params = {
            "csv.x": "yes",
            "SeriesCodes": symbol,
            "Datefrom": backfill_start(since).strftime("%d/%b/%Y"),
            "Dateto": "now",
            "CSVF": "TN",  # tabular, no titles: a header line, then one row per day
            "UsingCodes": "Y",
            "VPD": "Y",
            "VFD": "N",
        }
        return [HttpRequest(url=f"{base_url}/boeapps/database/_iadb-fromshowcolumns.asp", params=params)]

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        raw = read_csv_body(body, dtype=str)
        raw.columns = [str(c).strip() for c in raw.columns]
        if symbol not in raw.columns:
            raise ParseError(f"no {symbol} column in {list(raw.columns)[:8]}")
        raw = raw.dropna(subset=["DATE"]) if "DATE" in raw.columns else raw
        days = parse_days(raw, "DATE", "%d %b %Y")
        frame = bars_frame(symbol, days, close=raw[symbol].str.strip())  # ".." or blank: no rate that day
        return frame.sort_values("ts").reset_index(drop=True)


PROVIDER = ProviderSpec("bank_of_england", (BankOfEnglandIadbConnector(),), rate_limit_per_minute=30)
