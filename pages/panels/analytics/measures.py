"""Measures of price series the risk, seasonality and ratio panels draw: monthly returns by year,
drawdown from the running peak and its worst episode, rolling annualised volatility, the ratio
of two prices on their common dates, and where a reading stands in its own history.

Pure functions of pandas Series indexed by date (closes, oldest first); no reads, no figures.
Returns and drawdowns are in percent.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# Observations a year when a series is too short to tell (the US trading year).
TRADING_DAYS = 252


def _clean(closes: pd.Series) -> pd.Series:
    """Positive finite closes by date, oldest first, one per date (the last)."""
    values = pd.to_numeric(closes, errors="coerce").astype(float)
    values.index = pd.to_datetime(values.index)
    values = values[np.isfinite(values) & (values > 0)].sort_index()
    return values[~values.index.duplicated(keep="last")]


def monthly_returns(closes: pd.Series) -> pd.DataFrame:
    """Percent return of each calendar month (its last close against the month before's), one
    row per year and one column per month (``MONTHS``), plus ``Year``: the year's last close
    against the year before's. A month without the close before it (the first one stored) is
    NaN; the newest month and year run to the newest close (to date)."""
    values = _clean(closes)
    columns = [*MONTHS, "Year"]
    if values.empty:
        return pd.DataFrame(columns=columns, dtype=float)
    month_ends = values.groupby(values.index.to_period("M")).last()
    month_ends = month_ends.reindex(pd.period_range(month_ends.index[0], month_ends.index[-1], freq="M"))
    monthly = 100 * (month_ends / month_ends.ffill().shift(1) - 1)
    table = pd.DataFrame({"year": monthly.index.year, "month": monthly.index.month, "value": monthly.to_numpy()})
    wide = table.pivot(index="year", columns="month", values="value").reindex(columns=range(1, 13))
    wide.columns = list(MONTHS)
    year_ends = values.groupby(values.index.year).last()
    wide["Year"] = (100 * (year_ends / year_ends.shift(1) - 1)).reindex(wide.index)
    wide.index.name = "year"
    return wide[columns]


def month_summary(table: pd.DataFrame) -> pd.DataFrame:
    """Per column of ``monthly_returns``: the average return, the median, and the share of
    years it was positive (percent), over the years that have one."""
    counted = table.notna().sum()
    return pd.DataFrame(
        {
            "Average": table.mean(),
            "Median": table.median(),
            "Positive %": 100 * (table > 0).sum() / counted.where(counted > 0),
        }
    ).T


def drawdown(closes: pd.Series) -> pd.Series:
    """Percent below the highest close so far (0 at a new high, never above)."""
    values = _clean(closes)
    return 100 * (values / values.cummax() - 1)


def worst_drawdown(closes: pd.Series) -> dict:
    """The deepest fall from a running peak: its depth (percent, ≤ 0), the peak's and the
    trough's dates, the date the peak's close was regained (None if not yet), and where the
    newest close stands (``current``, percent from the peak, with that peak's date)."""
    values = _clean(closes)
    if values.empty:
        return {"depth": math.nan, "peak": None, "trough": None, "recovered": None, "current": math.nan, "since": None}
    peaks = values.cummax()
    under = 100 * (values / peaks - 1)
    trough = under.idxmin()
    peak_level = peaks[trough]
    peak = values[:trough][values[:trough] >= peak_level].index[-1]
    regained = values[trough:][values[trough:] >= peak_level]
    at_high = values[values >= peaks]
    return {
        "depth": float(under[trough]),
        "peak": peak,
        "trough": trough,
        "recovered": regained.index[0] if len(regained) else None,
        "current": float(under.iloc[-1]),
        "since": at_high.index[-1],
    }


def periods_per_year(index: pd.Index) -> int:
    """Observations a year of a series stored on ``index``: ~252 for exchange-traded prices,
    365 for crypto's every day, 52 for weekly; ``TRADING_DAYS`` when under two months."""
    stamps = pd.to_datetime(index)
    if len(stamps) < 3:
        return TRADING_DAYS
    span = (stamps.max() - stamps.min()).days
    if span < 60:
        return TRADING_DAYS
    return int(round((len(stamps) - 1) * 365.25 / span))


def rolling_volatility(closes: pd.Series, window: int, per_year: int | None = None) -> pd.Series:
    """Annualised standard deviation of the last ``window`` daily log returns, in percent
    (NaN until ``window`` returns are there); annualised by ``per_year`` (default: the series'
    own observations a year)."""
    values = _clean(closes)
    returns = np.log(values / values.shift(1))
    scale = math.sqrt(per_year or periods_per_year(values.index))
    return 100 * scale * returns.rolling(window, min_periods=window).std()


def as_of_pairs(left: pd.Series, right: pd.Series, tolerance_days: int = 5) -> pd.DataFrame:
    """``date, a, b``: each of ``left``'s dates with ``right``'s newest value at most
    ``tolerance_days`` before (markets with different holidays, or crypto's weekends against a
    weekday market, still pair up); dates with no such value are left out. Both series are
    sorted by date, one value per date."""
    frame = pd.DataFrame({"date": left.index, "a": left.to_numpy()})
    other = pd.DataFrame({"date": right.index, "b": right.to_numpy()})
    paired = pd.merge_asof(frame, other, on="date", direction="backward", tolerance=pd.Timedelta(days=tolerance_days))
    return paired.dropna()


def ratio(numerator: pd.Series, denominator: pd.Series, tolerance_days: int = 5) -> pd.Series:
    """``numerator / denominator`` of positive closes on the numerator's dates, paired as
    ``as_of_pairs`` pairs them."""
    a, b = _clean(numerator), _clean(denominator)
    if a.empty or b.empty:
        return pd.Series(dtype=float)
    paired = as_of_pairs(a, b, tolerance_days)
    return pd.Series((paired["a"] / paired["b"]).to_numpy(), index=pd.DatetimeIndex(paired["date"]), dtype=float)


def percentile_rank(history: pd.Series, value: float) -> float:
    """Percent of ``history``'s readings at or below ``value`` (NaN without history)."""
    values = pd.to_numeric(history, errors="coerce").dropna()
    if values.empty or not np.isfinite(value):
        return math.nan
    return float(100 * (values <= value).mean())


def range_position(history: pd.Series, value: float) -> float:
    """Where ``value`` lies between ``history``'s low (0) and high (100) — the "COT index" of
    positioning; NaN when the history is flat or empty."""
    values = pd.to_numeric(history, errors="coerce").dropna()
    if values.empty or not np.isfinite(value):
        return math.nan
    low, high = float(values.min()), float(values.max())
    return math.nan if high == low else 100 * (value - low) / (high - low)
