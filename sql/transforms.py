"""Pure frame transforms shared by readers, pages and the sidecar's computations (no I/O): the
web and the jobs may both import this module."""

from __future__ import annotations

import re
from datetime import date

import numpy as np
import pandas as pd

_TENOR = re.compile(r"^(\d+)([MY])$")


def tenor_months(tenor: str) -> int:
    """``"3M"`` → 3, ``"10Y"`` → 120; ``ValueError`` for anything else."""
    match = _TENOR.match(tenor)
    if not match:
        raise ValueError(f"not a tenor: {tenor!r}")
    n, unit = int(match.group(1)), match.group(2)
    return n if unit == "M" else n * 12


def curve_snapshots(observations: pd.DataFrame, offsets: dict[str, pd.DateOffset]) -> pd.DataFrame:
    """Yield curves at the latest date and at each offset before it.

    ``observations`` has ``key`` (tenor), ``date``, ``value``. Returns one row per tenor,
    ordered by maturity, one column per snapshot label, and ``attrs["dates"]`` with the
    observation date actually used for each label (the last one on or before the target).
    """
    if observations.empty:
        return pd.DataFrame(columns=["tenor", "months", *offsets])
    pivot = observations.pivot_table(index="date", columns="key", values="value", aggfunc="last").sort_index()
    pivot.index = pd.to_datetime(pivot.index)
    latest = pivot.index[-1]
    tenors = sorted(pivot.columns, key=tenor_months)
    out = pd.DataFrame({"tenor": tenors, "months": [tenor_months(t) for t in tenors]})
    used: dict[str, date | None] = {}
    for label, offset in offsets.items():
        window = pivot.loc[: latest - offset]
        if window.empty:
            out[label] = float("nan")
            used[label] = None
            continue
        # Forward-fill so a tenor missing on that one day shows its last value.
        row = window.ffill().iloc[-1]
        out[label] = [row.get(t) for t in tenors]
        used[label] = window.index[-1].date()
    out.attrs["dates"] = used
    return out


def latest_with_change(observations: pd.DataFrame) -> pd.DataFrame:
    """Per key: the latest value, its date, the previous value (and its date) and the change
    between them."""
    if observations.empty:
        return pd.DataFrame(columns=["key", "date", "value", "previous", "change", "source", "previous_date"])
    ordered = observations.sort_values(["key", "date"], kind="stable").reset_index(drop=True)
    grouped = ordered.groupby("key", sort=False)
    latest = grouped.tail(1).set_index("key")
    previous = grouped["value"].nth(-2)
    previous.index = ordered.loc[previous.index, "key"]
    previous_date = grouped["date"].nth(-2)
    previous_date.index = ordered.loc[previous_date.index, "key"]
    latest["previous"] = previous.reindex(latest.index)
    latest["previous_date"] = previous_date.reindex(latest.index)
    latest["change"] = latest["value"] - latest["previous"]
    return latest.reset_index()[["key", "date", "value", "previous", "change", "source", "previous_date"]]


def correlation_matrix(pairs: pd.DataFrame, assets: list[str]) -> pd.DataFrame:
    """The symmetric matrix (1 on the diagonal) of one date's pair rows (``asset_a``,
    ``asset_b``, ``value``); pairs of assets outside ``assets`` are left out."""
    matrix = pd.DataFrame(np.nan, index=assets, columns=assets)
    for row in pairs.itertuples():
        if row.asset_a in matrix.index and row.asset_b in matrix.columns:
            matrix.loc[row.asset_a, row.asset_b] = matrix.loc[row.asset_b, row.asset_a] = row.value
    for asset in assets:
        matrix.loc[asset, asset] = 1.0
    return matrix


def flagged_periods(dates: pd.Series, flags: pd.Series) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """The runs of consecutive observations whose flag is set, as ``(start, end)``: from the
    run's first date to the date of the observation after its last one (a monthly flag set for
    March and April 2020 covers 1 March to 1 May), or to its last date when the run is the
    newest. ``dates`` ascending; a missing flag counts as unset."""
    days = pd.to_datetime(pd.Series(dates)).reset_index(drop=True)
    on = pd.Series(flags).reset_index(drop=True).astype("boolean").fillna(False).astype(bool)
    if len(days) != len(on):
        raise ValueError("dates and flags differ in length")
    starts = np.flatnonzero(on & ~on.shift(1, fill_value=False))
    ends = np.flatnonzero(on & ~on.shift(-1, fill_value=False))
    return [(days[s], days[min(e + 1, len(days) - 1)]) for s, e in zip(starts, ends, strict=True)]


def combined_series(observations: pd.DataFrame, weights: dict[str, float]) -> pd.DataFrame:
    """``date, value``: the sum of each series of ``observations`` (``key, date, value``) times
    its weight, on the dates of the first weighted series, each other series as of its newest
    reading on or before that date (a weekly balance beside a daily one). Dates before every
    series has a reading are left out."""
    if observations.empty or not weights:
        return pd.DataFrame(columns=["date", "value"])
    keys = list(weights)
    rows = {k: observations[observations["key"] == k][["date", "value"]].dropna().sort_values("date") for k in keys}
    out = rows[keys[0]].rename(columns={"value": keys[0]})
    for key in keys[1:]:
        out = pd.merge_asof(out, rows[key].rename(columns={"value": key}), on="date", direction="backward")
    out = out.dropna()
    total = sum(weights[k] * out[k] for k in keys) if not out.empty else pd.Series(dtype=float)
    return pd.DataFrame({"date": out["date"], "value": total}).reset_index(drop=True)
