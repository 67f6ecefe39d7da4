"""Perpetual-swap funding and open interest as daily rows (the ``crypto_derivatives`` table),
shared by the Binance, Bybit and OKX futures connectors.

Funding settles every 8 hours (some coins every 4 or 1): a day's row holds the **sum** of the
rates settled during that UTC day, in percent (what a position held all day paid or received),
how many settlements that is, and the sum annualised (x 365, not compounded). Open interest is
the venue's daily snapshot, in coins (comparable across venues) and in US dollars where the
venue gives it. A connector asks for funding and open interest separately; each body parses to
rows of its half, and :func:`join_days` puts the halves of a day in one row.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from datasources.base import ParseError

DERIVATIVE_COLUMNS = [
    "date",
    "funding_rate",
    "funding_annualized",
    "funding_periods",
    "open_interest",
    "open_interest_usd",
]
FUNDING_COLUMNS = ["funding_rate", "funding_annualized", "funding_periods"]
OPEN_INTEREST_COLUMNS = ["open_interest", "open_interest_usd"]
DAYS_PER_YEAR = 365


def _numbers(values, what: str) -> pd.Series:
    numbers = pd.to_numeric(pd.Series(list(values), dtype=object), errors="coerce")
    if numbers.isna().any():
        raise ParseError(f"{what} is not a number: {list(values)[int(numbers.isna().to_numpy().argmax())]!r}")
    return numbers.astype(float)


def _utc_days(stamps_ms) -> pd.Series:
    return pd.to_datetime(_numbers(stamps_ms, "a timestamp"), unit="ms", utc=True).dt.date


def empty_days() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object if c == "date" else float) for c in DERIVATIVE_COLUMNS})


def funding_days(stamps_ms: Sequence, rates: Sequence) -> pd.DataFrame:
    """Settled funding events (epoch-ms times, rates as fractions: ``0.0001`` is 0.01 %) → one
    row a UTC day: their sum in percent, their count and the sum annualised. A settlement
    listed twice (pages meeting at a timestamp) counts once."""
    if not len(stamps_ms):
        return empty_days()
    events = pd.DataFrame({"ms": _numbers(stamps_ms, "a funding time"), "rate": _numbers(rates, "a funding rate")})
    events = events.drop_duplicates(subset=["ms"], keep="last")
    events["date"] = pd.to_datetime(events["ms"], unit="ms", utc=True).dt.date
    days = events.groupby("date", sort=True)["rate"].agg(["sum", "count"]).reset_index()
    frame = pd.DataFrame(
        {
            "date": days["date"],
            "funding_rate": days["sum"] * 100.0,
            "funding_annualized": days["sum"] * 100.0 * DAYS_PER_YEAR,
            "funding_periods": days["count"].astype(float),
        }
    )
    return frame.reindex(columns=DERIVATIVE_COLUMNS).reset_index(drop=True)


def open_interest_days(stamps_ms: Sequence, coins: Sequence, usd: Sequence | None = None) -> pd.DataFrame:
    """Open-interest snapshots (epoch-ms times) → one row a UTC day: the day's last snapshot in
    coins and, when given, in US dollars."""
    if not len(stamps_ms):
        return empty_days()
    frame = pd.DataFrame(
        {
            "ms": _numbers(stamps_ms, "an open-interest time"),
            "open_interest": _numbers(coins, "open interest"),
            # Optional: a missing or empty value is no value (not every venue gives dollars).
            "open_interest_usd": pd.to_numeric(pd.Series(list(usd), dtype=object), errors="coerce").to_numpy(float)
            if usd is not None
            else np.nan,
        }
    )
    frame["date"] = pd.to_datetime(frame["ms"], unit="ms", utc=True).dt.date
    frame = frame.sort_values("ms").drop_duplicates(subset=["date"], keep="last")
    return frame.reindex(columns=DERIVATIVE_COLUMNS).sort_values("date").reset_index(drop=True)


def join_days(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """The parsed bodies of one download (funding pages, open-interest pages) as one row a day:
    each column from the body that has it (the later page's where two do)."""
    frames = [f for f in frames if len(f)]
    if not frames:
        return empty_days()
    joined = pd.concat(frames, ignore_index=True)
    merged = joined.iloc[::-1].groupby("date", sort=True).first().reset_index()
    return merged.reindex(columns=DERIVATIVE_COLUMNS)


def validate_days(frame: pd.DataFrame, symbol: str, error: type[Exception]) -> pd.DataFrame:
    """Derivative rows that can be true: a date each, once, not in the future; something
    measured on every row; finite numbers; open interest and settlement counts ≥ 0. Returned
    with the settlement count as integers."""
    if "date" not in frame.columns:
        raise error(f"{symbol}: no date column")
    if frame.empty:
        return frame
    if frame["date"].duplicated().any():
        raise error(f"{symbol}: a day appears twice")
    tomorrow = (pd.Timestamp.now(tz="UTC") + pd.Timedelta(days=1)).date()
    if (pd.to_datetime(frame["date"]).dt.date > tomorrow).any():
        raise error(f"{symbol}: days in the future")
    measures = [c for c in DERIVATIVE_COLUMNS[1:] if c in frame.columns]
    values = frame[measures].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    present = ~np.isnan(values)
    if not present.any(axis=1).all():
        raise error(f"{symbol}: a day without funding or open interest")
    if not np.isfinite(values[present]).all():
        raise error(f"{symbol}: non-finite funding or open interest")
    non_negative = [i for i, c in enumerate(measures) if c in ("funding_periods", *OPEN_INTEREST_COLUMNS)]
    sub = values[:, non_negative]
    if (sub[~np.isnan(sub)] < 0).any():
        raise error(f"{symbol}: negative open interest or settlement count")
    if "funding_periods" in frame.columns:  # a count (the table's integer column), missing on open-interest-only days
        return frame.assign(funding_periods=pd.to_numeric(frame["funding_periods"]).round().astype("Int64"))
    return frame
