"""Trailing performance of stored series, pure (no I/O): the changes over 1D/1W/1M/3M/YTD/1Y
that the instrument pages, the equities pages and the cross-asset matrix show, and the
technical figures a stock screener filters on (52-week range, moving averages, volatility).

Each series is measured from its own newest observation: a crypto coin that traded on Sunday
and a stock that last closed on Friday each get their own "1W".
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

PERIODS = ("1D", "1W", "1M", "3M", "YTD", "1Y")
OFFSETS = {
    "1W": pd.DateOffset(weeks=1),
    "1M": pd.DateOffset(months=1),
    "3M": pd.DateOffset(months=3),
    "6M": pd.DateOffset(months=6),
    "1Y": pd.DateOffset(years=1),
    "5Y": pd.DateOffset(years=5),
}
# Days of history that every figure here needs: a year back from the newest date (1Y, the
# 52-week range, 200 sessions, the year's volatility), and YTD from the last close of last year.
HISTORY_DAYS = 400
MOVING_AVERAGES = (50, 200)


def base_value(series: pd.Series, period: str) -> float:
    """The value a change over ``period`` is measured from (``series``: values by date, oldest
    first): the observation before the newest (1D), the last one of the previous year (YTD),
    else the last one on or before the newest date less the period; NaN when the series does
    not reach back that far."""
    if series.empty:
        return math.nan
    if period == "1D":
        return float(series.iloc[-2]) if len(series) > 1 else math.nan
    newest = series.index[-1]
    when = pd.Timestamp(newest.year - 1, 12, 31, 23, 59, 59) if period == "YTD" else newest - OFFSETS[period]
    at = int(series.index.searchsorted(when, side="right")) - 1  # the last on or before (sorted index)
    return float(series.iloc[at]) if at >= 0 else math.nan


def pct_change(last: float, base: float) -> float | None:
    """``last`` against ``base`` in percent (None when either is missing or the base is 0)."""
    if base is None or not math.isfinite(base) or base == 0 or not math.isfinite(last):
        return None
    return 100 * (last / base - 1)


def trailing_changes(series: pd.Series, periods=PERIODS, how: str = "pct") -> dict[str, float | None]:
    """Per period, the change of the newest value: in percent (``how="pct"``), or as a
    difference of levels (``"diff"``: a yield's change in percentage points)."""
    out: dict[str, float | None] = {}
    if series.empty:
        return dict.fromkeys(periods)
    last = float(series.iloc[-1])
    for period in periods:
        base = base_value(series, period)
        if how == "diff":
            out[period] = last - base if math.isfinite(base) and math.isfinite(last) else None
        else:
            out[period] = pct_change(last, base)
    return out


def annualised_volatility(series: pd.Series) -> float | None:
    """Standard deviation of the last year's period-to-period returns × √(observations in the
    year), in percent; None with fewer than three observations."""
    if series.empty:
        return None
    year = series[series.index > series.index[-1] - OFFSETS["1Y"]]
    returns = year.pct_change().replace([np.inf, -np.inf], np.nan).dropna()
    return float(returns.std(ddof=1) * math.sqrt(len(year)) * 100) if len(returns) >= 2 else None


def by_key(frame: pd.DataFrame) -> dict[str, pd.Series]:
    """``key, date, value`` rows as one float series a key, by date, oldest first."""
    if frame.empty:
        return {}
    values = frame.assign(date=pd.to_datetime(frame["date"]), value=pd.to_numeric(frame["value"], errors="coerce"))
    if getattr(values["date"].dt, "tz", None) is not None:
        values["date"] = values["date"].dt.tz_convert(None)
    values = values.dropna(subset=["value"]).sort_values(["key", "date"], kind="stable")
    return {
        str(key): rows.drop_duplicates("date", keep="last").set_index("date")["value"].astype(float)
        for key, rows in values.groupby("key", sort=False)
    }


def change_table(
    frame: pd.DataFrame, periods=PERIODS, how: str = "pct", series_by_key: dict[str, pd.Series] | None = None
) -> pd.DataFrame:
    """One row a key of ``key, date, value`` rows: ``key``, ``date`` and ``last`` (its newest
    observation) and the change over each period (``trailing_changes``). ``series_by_key``:
    ``by_key(frame)``, when the caller has it already."""
    rows = []
    for key, series in (by_key(frame) if series_by_key is None else series_by_key).items():
        if series.empty:
            continue
        changes = trailing_changes(series, periods, how)
        rows.append({"key": key, "date": series.index[-1], "last": float(series.iloc[-1]), **changes})
    columns = ["key", "date", "last", *periods]
    return pd.DataFrame(rows, columns=columns).astype({p: float for p in periods})


def stock_metrics(frame: pd.DataFrame) -> pd.DataFrame:
    """One row a stock of ``key, date, close`` rows (as ``value``): ``change_table``'s columns,
    the 52-week high and low of the closes and the distance from them in percent
    (``from_high`` ≤ 0, ``from_low`` ≥ 0), the 50- and 200-session simple moving averages and
    the distance of the close from them in percent (NaN without enough sessions), and the
    annualised volatility of the last year (``vol``, %)."""
    series_by_key = by_key(frame)
    table = change_table(frame, series_by_key=series_by_key)
    extra = []
    for key, series in series_by_key.items():
        last = float(series.iloc[-1])
        year = series[series.index > series.index[-1] - OFFSETS["1Y"]]
        row = {"key": key, "high_52w": float(year.max()), "low_52w": float(year.min())}
        row["from_high"] = pct_change(last, row["high_52w"])
        row["from_low"] = pct_change(last, row["low_52w"])
        for n in MOVING_AVERAGES:
            average = float(series.iloc[-n:].mean()) if len(series) >= n else math.nan
            row[f"sma{n}"] = average
            row[f"vs_sma{n}"] = pct_change(last, average)
        row["vol"] = annualised_volatility(series)
        extra.append(row)
    if not extra:
        return table
    numbers = pd.DataFrame(extra).set_index("key").astype(float)
    return table.join(numbers, on="key")
