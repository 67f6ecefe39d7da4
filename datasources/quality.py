"""Suspicious points of a series: written, and flagged for a second look.

:func:`find` judges a canonical frame (one or more series of a dataset) by its instruments'
:class:`~config.catalog.Quality` rules, vectorised per series:

- ``jump``: a close-to-close move larger than ``max_jump`` (a fraction of the previous value);
- ``stale``: the same value ``stale_bars`` observations in a row (flagged once, on the
  observation that completes the run);
- ``gap``: more than ``max_gap_days`` calendar days since the observation before;
- ``non_positive``: a value at or below zero where the instrument allows it (WTI futures
  closed at -37.63 on 2020-04-20), so it is written, not refused.

Besides the flags it says which dates each rule judged (``spans``): the writer closes a stored
flag in that span that did not fire again (the provider revised the row). A series' first
observation has no move or gap to judge, and a run of equal values that starts the frame may
have started before it, so those are not judged.

:func:`cross_check` compares the flagged points with a second provider's rows of the same
instrument: ``confirmed`` within the tolerance, ``disputed`` otherwise; :func:`unchecked`
marks them when there is no second provider or it failed. Pure: no I/O.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from config.catalog import Quality

RULES = ("jump", "stale", "gap", "non_positive")
STATUSES = ("open", "confirmed", "disputed", "unchecked")
FLAG_COLUMNS = ["key", "date", "rule", "detail", "value", "status", "second_source", "second_value"]
SPAN_COLUMNS = ["key", "rule", "start", "end"]


def _empty_flags() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=float if "value" in c else object) for c in FLAG_COLUMNS})


def _series(frame: pd.DataFrame, key_col: str, date_col: str, value_col: str) -> pd.DataFrame:
    """``key, day, value`` sorted by key then day (``day`` a naive UTC midnight)."""
    stamps = pd.to_datetime(frame[date_col], utc=True).dt.tz_localize(None).dt.normalize()
    data = pd.DataFrame(
        {
            "key": frame[key_col].astype(str).to_numpy(),
            "day": stamps.to_numpy(),
            "value": pd.to_numeric(frame[value_col], errors="coerce").to_numpy(dtype=float),
        }
    )
    return data.sort_values(["key", "day"], kind="stable").reset_index(drop=True)


def _num(value: float) -> str:
    return f"{value:,.6g}"


def find(
    frame: pd.DataFrame, key_col: str, date_col: str, value_col: str, rules: Quality | dict[str, Quality]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The flags of ``frame`` (``FLAG_COLUMNS``, status ``open``; ``date`` as ``datetime.date``)
    and the spans its rules judged (``SPAN_COLUMNS``). ``rules`` is one instrument's, or a
    mapping key → rules for a frame of several instruments."""
    if frame.empty:
        return _empty_flags(), pd.DataFrame(columns=SPAN_COLUMNS)
    data = _series(frame, key_col, date_col, value_col)
    by_key = rules if isinstance(rules, dict) else {k: rules for k in data["key"].unique()}
    keys = data["key"]

    def per_row(field: str) -> np.ndarray:
        """The rule's threshold on each row (NaN where it is off)."""
        values = {k: getattr(r, field) for k, r in by_key.items()}
        return pd.to_numeric(keys.map(values), errors="coerce").to_numpy(dtype=float)

    same = (keys == keys.shift()).to_numpy()
    value = data["value"].to_numpy()
    prev = data["value"].shift().to_numpy()
    prev_day = data["day"].shift()
    found = []

    max_jump = per_row("max_jump")
    with np.errstate(divide="ignore", invalid="ignore"):
        move = np.where(prev != 0, (value - prev) / np.abs(prev), np.where(value == prev, 0.0, np.inf))
    jump = same & ~np.isnan(max_jump) & (np.abs(move) > max_jump)
    for i in np.flatnonzero(jump):
        moved = "by an infinite factor" if np.isinf(move[i]) else f"{move[i]:+.0%}"
        found.append((i, "jump", f"close moved {moved} in one bar (from {_num(prev[i])} to {_num(value[i])})"))

    stale_bars = per_row("stale_bars")
    run = pd.Series(~same | (value != prev)).cumsum()
    position = run.groupby(run).cumcount().to_numpy() + 1
    first_run = (run == run.groupby(keys).transform("first")).to_numpy()
    run_start = data["day"].groupby(run).transform("first")
    stale = ~np.isnan(stale_bars) & ~first_run & (position == stale_bars)
    for i in np.flatnonzero(stale):
        since = run_start.iloc[i]
        found.append(
            (i, "stale", f"close {_num(value[i])} unchanged for {int(stale_bars[i])} bars since {since:%Y-%m-%d}")
        )

    max_gap = per_row("max_gap_days")
    gap_days = (data["day"] - prev_day).dt.days.to_numpy(dtype=float)
    gap = same & ~np.isnan(max_gap) & (gap_days > max_gap)
    for i in np.flatnonzero(gap):
        found.append((i, "gap", f"{int(gap_days[i])} days without an observation after {prev_day.iloc[i]:%Y-%m-%d}"))

    allow = keys.map({k: r.allow_non_positive for k, r in by_key.items()}).fillna(False).to_numpy(dtype=bool)
    non_positive = allow & (value <= 0)
    for i in np.flatnonzero(non_positive):
        found.append((i, "non_positive", f"close {_num(value[i])} at or below zero"))

    flags = _empty_flags()
    if found:
        rows, rule, detail = zip(*found, strict=True)
        index = np.asarray(rows)
        flags = pd.DataFrame(
            {
                "key": keys.to_numpy()[index],
                "date": data["day"].dt.date.to_numpy()[index],
                "rule": rule,
                "detail": detail,
                "value": np.where(np.asarray(rule) == "gap", gap_days[index], value[index]),
                "status": "open",
                "second_source": None,
                "second_value": np.nan,
            }
        )
        flags = flags.sort_values(["key", "date", "rule"], kind="stable").reset_index(drop=True)
    return flags, _spans(data, same, first_run, by_key)


def _spans(data: pd.DataFrame, same: np.ndarray, first_run: np.ndarray, by_key: dict[str, Quality]) -> pd.DataFrame:
    """Per series and rule that is on: the first and last date the rule judged."""
    days = data["day"]
    end = days.groupby(data["key"]).max()
    starts = {
        "jump": days[same].groupby(data["key"][same]).min(),
        "gap": days[same].groupby(data["key"][same]).min(),
        "stale": days[~first_run].groupby(data["key"][~first_run]).min(),
        "non_positive": days.groupby(data["key"]).min(),
    }
    on = {
        "jump": lambda r: r.max_jump is not None,
        "gap": lambda r: r.max_gap_days is not None,
        "stale": lambda r: r.stale_bars is not None,
        "non_positive": lambda r: r.allow_non_positive,
    }
    rows = []
    for rule, first in starts.items():
        for key, start in first.items():
            rules = by_key.get(key)
            if rules is not None and on[rule](rules):
                rows.append({"key": key, "rule": rule, "start": start.date(), "end": end[key].date()})
    return pd.DataFrame(rows, columns=SPAN_COLUMNS)


def cross_check(flags: pd.DataFrame, second: pd.DataFrame, source: str, tolerance: float) -> pd.DataFrame:
    """``flags`` of one instrument judged against ``second`` (``date, value``: another provider's
    rows of it). A value (jump, stale, non-positive) is ``confirmed`` when the second provider's
    value that day is within ``tolerance`` of it, ``disputed`` when not, ``unchecked`` when it has
    no row that day; a gap is confirmed when the second provider has no row inside it either
    (a closed market), disputed when it has some (their count is ``second_value``)."""
    if flags.empty:
        return flags
    other = pd.DataFrame(
        {
            "day": pd.to_datetime(second["date"], utc=True).dt.tz_localize(None).dt.normalize(),
            "other": pd.to_numeric(second["value"], errors="coerce"),
        }
    ).dropna()
    other = other.drop_duplicates("day", keep="last").set_index("day")["other"].sort_index()
    days = pd.to_datetime(pd.Series(flags["date"].to_numpy()))
    out = flags.copy()
    out["second_source"] = source
    theirs = other.reindex(days.to_numpy()).to_numpy()
    mine = out["value"].to_numpy(dtype=float)
    close = np.abs(theirs - mine) <= tolerance * np.maximum(np.abs(mine), 1e-9)
    status = np.where(np.isnan(theirs), "unchecked", np.where(close, "confirmed", "disputed"))
    second_value = theirs
    gaps = (out["rule"] == "gap").to_numpy()
    if gaps.any():
        stamps = other.index.to_numpy()
        ends = days.to_numpy()[gaps]
        starts = ends - pd.to_timedelta(mine[gaps], unit="D").to_numpy()
        inside = np.searchsorted(stamps, ends, side="left") - np.searchsorted(stamps, starts, side="right")
        covered = (stamps[0] <= starts) & (stamps[-1] >= ends) if len(stamps) else np.zeros(len(ends), dtype=bool)
        status[gaps] = np.where(inside > 0, "disputed", np.where(covered, "confirmed", "unchecked"))
        second_value = second_value.copy()
        second_value[gaps] = inside
    out["status"] = status
    out["second_value"] = second_value
    return out


def unchecked(flags: pd.DataFrame, source: str | None, reason: str) -> pd.DataFrame:
    """``flags`` that could not be checked (no second provider, or it failed): ``reason`` noted."""
    if flags.empty:
        return flags
    return flags.assign(status="unchecked", second_source=source, detail=flags["detail"] + f"; not checked: {reason}")
