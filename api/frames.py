"""The rows behind the data endpoints, as frames: the newest row of every series with its change,
one series' history with weekly or monthly resampling, and instrument key resolution.

Reads go through ``sql.read`` only (memoized per dataset version); filtering, resampling and
paging happen here, on the cached frames, so no client parameter ever reaches SQL or creates a
cache entry of its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, timedelta
from functools import lru_cache

import numpy as np
import pandas as pd

from api.datasets import ApiDataset
from api.schemas import KEY_PATTERN, history_item_columns, latest_item_columns
from config.analytics import load_analytics
from config.catalog_index import catalog
from config.csv_format import with_quality
from sql import read

_KEY = re.compile(KEY_PATTERN)
PERIODS = {"weekly": "W-SUN", "monthly": "M"}
BAR_AGGREGATES = {"open": "first", "high": "max", "low": "min", "close": "last"}


def _newest_rows(ds: ApiDataset) -> pd.DataFrame:
    return read.latest_rows(ds.name).rename(columns={ds.spec.date_column: "date"})


@lru_cache(maxsize=1)
def _analytics_keys() -> dict[str, frozenset[str]]:
    config = load_analytics()
    return {
        "correlations": frozenset(r.key for r in config.correlation_basket),
        "sector_rotation": frozenset(config.rotation_sectors),
        "market_breadth": frozenset(universe for universe, _dataset in config.breadth_universes),
    }


def known_keys(ds: ApiDataset) -> dict[str, str]:
    """Every key a path or ``symbols=`` may name, by its own spelling and lower-cased: the
    catalog's instruments of the dataset, what config/analytics.yaml computes, what is stored."""
    keys = {i.key for i in catalog(read.current_settings()).for_dataset(ds.name)}
    keys |= _analytics_keys().get(ds.name, frozenset())
    newest = _newest_rows(ds)
    for column in ds.path_keys:
        if column in newest:
            keys.update(newest[column].astype(str))
    return {key.lower(): key for key in sorted(keys, reverse=True)} | {key: key for key in keys}


def resolve(ds: ApiDataset, raw_keys: Iterable[str]) -> dict[str, str | None]:
    """Each of ``raw_keys`` by its stored spelling (exact, else case-insensitive); None when unknown."""
    known = known_keys(ds)
    return {raw: (known.get(raw) or known.get(raw.lower())) if _KEY.match(raw) else None for raw in raw_keys}


def names(ds: ApiDataset) -> dict[str, str]:
    """Catalog labels by key: the dataset's own, else any dataset's (sector rotation's ETFs)."""
    instruments = catalog(read.current_settings()).instruments
    own = {i.key: i.label for i in instruments if i.dataset == ds.name}
    if own:
        return own
    out: dict[str, str] = {}
    for inst in instruments:
        out.setdefault(inst.key, inst.label)
    return out


def _iso_dates(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    out["date"] = pd.to_datetime(out["date"]).dt.strftime("%Y-%m-%d")
    return out


def latest(ds: ApiDataset, symbols: list[str] | None = None, window: int | None = None) -> pd.DataFrame:
    """The newest row of every series (of ``symbols``, of one correlation ``window``), with the
    previous value and the change since it when the dataset has one value column."""
    frame = _newest_rows(ds)
    columns = latest_item_columns(ds)
    if frame.empty:
        return pd.DataFrame(columns=columns)
    if symbols:
        wanted = frame[ds.path_keys[0]].isin(symbols)
        for other in ds.path_keys[1:]:
            wanted |= frame[other].isin(symbols)
        frame = frame[wanted]
    if window is not None:
        frame = frame[frame["window_days"] == window]
    newest = frame[frame["rn"] == 1].drop(columns="rn")
    value = ds.value_column
    if value:
        before = frame[frame["rn"] == 2][[*ds.identity, value]].rename(columns={value: "previous"})
        newest = newest.merge(before, on=list(ds.identity), how="left")
        newest["change"] = newest[value] - newest["previous"]
        previous = newest["previous"].where(newest["previous"] != 0)
        newest["change_pct"] = 100 * newest["change"] / previous
    if ds.named:
        newest["name"] = newest[ds.path_keys[0]].map(names(ds))
    if ds.flagged:
        newest = with_quality(newest, read.quality_flags(ds.name), key_column=ds.path_keys[0])
    newest = newest.sort_values(list(ds.identity), kind="stable")
    return _iso_dates(newest)[columns].reset_index(drop=True)


def _series_rows(ds: ApiDataset, keys: tuple[str, ...]) -> pd.DataFrame:
    if ds.bars:
        return read.bars(ds.name, keys[0])
    if len(keys) == 2:
        a, b = keys
        frame = read.rows(ds.name, keys=sorted({a, b}))
        pair = ((frame["asset_a"] == a) & (frame["asset_b"] == b)) | ((frame["asset_a"] == b) & (frame["asset_b"] == a))
        frame = frame[pair]
    else:
        frame = read.rows(ds.name, keys=[keys[0]])
    return frame.rename(columns={ds.spec.date_column: "date"})


def _joined(labels: pd.Series) -> str | None:
    found = dict.fromkeys(part for text in labels.dropna() for part in str(text).split("; "))
    return "; ".join(found) or None


def resample(frame: pd.DataFrame, interval: str, groups: list[str], bars: bool) -> pd.DataFrame:
    """One row per ISO week or calendar month (per ``groups``), dated by its last observation:
    bars take the first open, highest high, lowest low, last close and summed volume; every
    other column the period's last value."""
    if interval not in PERIODS or frame.empty:
        return frame
    ordered = frame.sort_values("date", kind="stable")
    periods = ordered["date"].dt.to_period(PERIODS[interval]).rename("_period")
    grouped = ordered.groupby([*[ordered[g] for g in groups], periods], sort=True)
    values = [c for c in frame.columns if c not in groups]
    aggregates = {c: BAR_AGGREGATES.get(c, "last") if bars else "last" for c in values if c != "volume"}
    if "quality" in aggregates:  # every flag of the period, not only its last day's
        aggregates["quality"] = _joined
    out = grouped.agg(aggregates)
    if "volume" in values:
        out["volume"] = grouped["volume"].sum(min_count=1)
    return out.reset_index(level=groups)[list(frame.columns)].reset_index(drop=True)


def history(
    ds: ApiDataset,
    keys: tuple[str, ...],
    start: date | None = None,
    end: date | None = None,
    interval: str = "daily",
    descending: bool = False,
    window: int | None = None,
) -> pd.DataFrame:
    """One series' rows between ``start`` and ``end`` (inclusive), resampled to ``interval``."""
    columns = history_item_columns(ds)
    frame = _series_rows(ds, keys)
    if frame.empty:
        return pd.DataFrame(columns=columns)
    frame["date"] = pd.to_datetime(frame["date"])
    if window is not None:
        frame = frame[frame["window_days"] == window]
    if start is not None:
        frame = frame[frame["date"] >= pd.Timestamp(start)]
    if end is not None:
        frame = frame[frame["date"] < pd.Timestamp(end + timedelta(days=1))]
    frame = frame.drop_duplicates(subset=["date", *ds.extra_identity], keep="last")
    if ds.flagged:
        frame = with_quality(frame, read.quality_flags(ds.name, [keys[0]]), key=keys[0])
    frame = resample(frame[columns], interval, list(ds.extra_identity), ds.bars)
    frame = frame.sort_values(["date", *ds.extra_identity], ascending=not descending, kind="stable")
    return _iso_dates(frame).reset_index(drop=True)


def freshness(frame: pd.DataFrame) -> tuple[str | None, list[str]]:
    """The newest date of a result (ISO) and the sources of its rows."""
    if frame.empty:
        return None, []
    sources = sorted({str(s) for s in frame["source"].dropna()})
    return str(np.max(frame["date"].to_numpy())), sources
