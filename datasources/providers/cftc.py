"""CFTC Commitments of Traders (keyless): the legacy futures-only report through the CFTC's
public Socrata API, dataset ``6dca-aqww`` (``/resource/6dca-aqww.json``).

A body is a JSON array of report rows, every field a string: ``report_date_as_yyyy_mm_dd``
(``2026-05-19T00:00:00.000``, the Tuesday the positions are of), ``market_and_exchange_names``,
``cftc_contract_market_code``, ``open_interest_all`` and per trader class
``{noncomm,comm,nonrept}_positions_{long,short}_all`` plus ``noncomm_positions_spread_all``
(spelt ``noncomm_postions_spread_all`` in some rows of the dataset). An error is an object
(``{"error": true, "message": …}``). Symbols: the CFTC contract market code (``13874A``: E-mini
S&P 500); ``parse`` yields the ``cot_positions`` table's columns.
"""

from __future__ import annotations

import re
from datetime import date

import pandas as pd

from datasources.base import HttpRequest, ParseError, ProviderSpec
from datasources.wire import api_error, backfill_start, load_json, require_fields

DATASET = "6dca-aqww"
CODE = re.compile(r"^[0-9A-Z]{6}$")
# Socrata serves 1000 rows unless told; a market has one row a week (5000: ~95 years).
PAGE_LIMIT = 5000
# Wire field → column, for the positions (the first spelling present wins).
POSITIONS = {
    "noncomm_long": ("noncomm_positions_long_all",),
    "noncomm_short": ("noncomm_positions_short_all",),
    "noncomm_spreading": ("noncomm_positions_spread_all", "noncomm_postions_spread_all"),
    "comm_long": ("comm_positions_long_all",),
    "comm_short": ("comm_positions_short_all",),
    "nonrept_long": ("nonrept_positions_long_all",),
    "nonrept_short": ("nonrept_positions_short_all",),
}
NETS = {"noncomm_net": "noncomm", "comm_net": "comm", "nonrept_net": "nonrept"}
COLUMNS = ["date", "market_name", "contract_code", "open_interest", *POSITIONS, *NETS]


class CftcCotConnector:
    """One market's reports from ``since`` (a first download: five years), oldest first."""

    provider = "cftc_cot"
    kind = "rows"

    def build_requests(
        self, base_url: str, symbol: str, since: date | None, api_key: str | None = None
    ) -> list[HttpRequest]:
        if not CODE.match(symbol):  # the code goes into a SoQL filter: nothing but its 6 characters
            raise ValueError(f"not a CFTC contract market code: {symbol!r}")
        start = backfill_start(since)
        return [
            HttpRequest(
                url=f"{base_url}/resource/{DATASET}.json",
                params={
                    "$where": f"cftc_contract_market_code='{symbol}' AND report_date_as_yyyy_mm_dd>='{start}T00:00:00'",
                    "$order": "report_date_as_yyyy_mm_dd ASC",
                    "$limit": str(PAGE_LIMIT),
                },
            )
        ]

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        return parse_reports(load_json(body), symbol)


def parse_reports(doc, symbol: str) -> pd.DataFrame:
    """The report rows of one market as ``cot_positions`` columns (no ``market``: the pipeline
    sets the catalog key), one row per report date, oldest first."""
    if isinstance(doc, dict):
        raise api_error("CFTC", doc, "code", "message")
    if not isinstance(doc, list):
        raise ParseError(f"expected a JSON array of reports, got {type(doc).__name__}")
    rows = [r for r in doc if isinstance(r, dict)]
    if len(rows) != len(doc):
        raise ParseError("report rows must be objects")
    if not rows:
        return pd.DataFrame(columns=COLUMNS)
    require_fields(rows, ("report_date_as_yyyy_mm_dd", "open_interest_all"), "COT report rows")
    days = pd.to_datetime([str(r["report_date_as_yyyy_mm_dd"])[:10] for r in rows], format="%Y-%m-%d", errors="coerce")
    if days.isna().any():
        raise ParseError(f"unparseable report date in {symbol}'s COT rows")
    frame = pd.DataFrame(
        {
            "date": days.date,
            "market_name": [r.get("market_and_exchange_names") for r in rows],
            "contract_code": [r.get("cftc_contract_market_code") or symbol for r in rows],
            "open_interest": pd.to_numeric([r["open_interest_all"] for r in rows], errors="coerce"),
        }
    )
    for column, fields in POSITIONS.items():
        frame[column] = pd.to_numeric([_first(r, fields) for r in rows], errors="coerce")
    for column, trader in NETS.items():
        frame[column] = frame[f"{trader}_long"] - frame[f"{trader}_short"]
    frame = frame.dropna(subset=["open_interest"]).drop_duplicates(subset=["date"], keep="last")
    return frame.sort_values("date").reset_index(drop=True)[COLUMNS]


def _first(row: dict, fields: tuple[str, ...]):
    for field in fields:
        if row.get(field) not in (None, ""):
            return row[field]
    return None


PROVIDER = ProviderSpec("cftc", (CftcCotConnector(),), rate_limit_per_minute=60)
