"""US Treasury daily par yield curve CSV, one file per year (newest rows first, quoted
headers such as ``"10 Yr"``; the ``"4 Mo"`` column exists from late 2022)."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pandas as pd

from datasources.base import OBSERVATION_COLUMNS, HttpRequest, ParseError

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
    if not body or not body.strip():
        raise ParseError("empty body")
    if body.lstrip()[:1] == b"<":
        raise ParseError("expected CSV, got HTML or XML")
    try:
        raw = pd.read_csv(io.BytesIO(body))
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
        raise ParseError(f"unreadable CSV: {exc}") from None
    if "Date" not in raw.columns:
        raise ParseError(f"no Date column in {list(raw.columns)[:6]}")
    days = pd.to_datetime(raw["Date"], format="%m/%d/%Y", errors="coerce")
    if days.isna().any():
        raise ParseError(f"unparseable date {raw.loc[days.isna(), 'Date'].iloc[0]!r}")
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
