"""US Treasury daily par yield curve CSV, one file per year (newest rows first, quoted
headers such as ``"10 Yr"``; the ``"4 Mo"`` column exists from late 2022)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pandas as pd

from datasources.base import OBSERVATION_COLUMNS, HttpRequest, ProviderSpec
from datasources.wire import parse_days, read_csv_body

BACKFILL_YEARS = 5
PATH = "/resource-center/data-chart-center/interest-rates/daily-treasury-rates.csv"


class TreasuryParYieldConnector:
    provider = "treasury"
    kind = "observations"

    def build_requests(
        self, base_url: str, symbol: str, since: date | None, api_key: str | None = None
    ) -> list[HttpRequest]:
        this_year = datetime.now(UTC).year
        first = since.year if since else this_year - BACKFILL_YEARS
        return [
            HttpRequest(
                url=f"{base_url}{PATH}/{year}/all",
                params={"type": "daily_treasury_yield_curve", "field_tdr_date_value": str(year), "_format": "csv"},
            )
            for year in range(first, this_year + 1)
        ]

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        return parse_par_yields(body, [symbol])


def parse_par_yields(body: bytes, columns: list[str]) -> pd.DataFrame:
    """Par-yield CSV → ``series_id, date, value`` for the tenor ``columns`` (e.g. ``"10 Yr"``)."""
    raw = read_csv_body(body)
    days = parse_days(raw, "Date", "%m/%d/%Y")
    frames = []
    for column in columns:
        if column not in raw.columns:
            # A tenor the Treasury did not publish that year (e.g. 4 Mo before 2022): no rows.
            continue
        values = pd.to_numeric(raw[column], errors="coerce")
        frames.append(
            pd.DataFrame({"series_id": column, "date": days.dt.date, "value": values}).dropna(subset=["value"])
        )
    if not frames:
        return pd.DataFrame(columns=OBSERVATION_COLUMNS)
    return (
        pd.concat(frames, ignore_index=True)
        .sort_values(["series_id", "date"])
        .reset_index(drop=True)[OBSERVATION_COLUMNS]
    )


PROVIDER = ProviderSpec("treasury", (TreasuryParYieldConnector(),), rate_limit_per_minute=30)
