"""Compute the analytics tables from what is stored and write them through the same writer.

Each analytic is one transaction (upsert + version bump), like a downloaded dataset. An analytic
is recomputed only when one of its inputs changed in this run (or its table is still empty);
once its table has history, only the last ``REWRITE_DAYS`` are rewritten.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import pandas as pd
from sqlalchemy import Connection, func, select
from sqlalchemy.exc import SQLAlchemyError

from config.analytics import AnalyticsConfig, load_analytics
from jobs.analytics import compute
from sql.datasets import DATASETS
from sql.schema import table
from sql.store import Store
from sql.versions import publish_version
from sql.write import WriteError, write_dataset

log = logging.getLogger(__name__)

ANALYTICS_SOURCE = "computed"
REWRITE_DAYS = 30
# Datasets of levels in percent (yields, spreads): correlated by change in level, not by return.
RATE_DATASETS = frozenset({"treasury_yields", "credit_spreads", "economic_indicators", "fred_series"})
Levels = Callable[[str, list[str] | None], pd.DataFrame]


@dataclass
class AnalyticsResult:
    rows_written: dict[str, int] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)


def read_levels(conn: Connection, dataset: str, keys: list[str] | None = None) -> pd.DataFrame:
    """Daily levels of ``dataset`` (close for bars, value otherwise), one column per key."""
    spec = DATASETS[dataset]
    tbl = table(spec.table)
    value = tbl.c["close"] if "close" in tbl.c else tbl.c["value"]
    stmt = select(tbl.c[spec.key_column].label("key"), tbl.c[spec.date_column].label("date"), value.label("value"))
    if "interval" in tbl.c:
        stmt = stmt.where(tbl.c.interval == "1d")
    if keys:
        stmt = stmt.where(tbl.c[spec.key_column].in_(keys))
    frame = pd.read_sql(stmt, conn)
    if frame.empty:
        return pd.DataFrame(index=pd.DatetimeIndex([], name="date"))
    dates = pd.to_datetime(frame["date"], utc=spec.date_column == "ts")
    frame["date"] = (dates.dt.tz_convert(None) if dates.dt.tz is not None else dates).dt.normalize()
    wide = frame.pivot_table(index="date", columns="key", values="value", aggfunc="last").sort_index()
    wide.columns.name = None
    return wide


def _gather(levels: Levels, refs) -> pd.DataFrame:
    by_dataset: dict[str, list[str]] = {}
    for ref in refs:
        by_dataset.setdefault(ref.dataset, []).append(ref.key)
    parts = [levels(dataset, keys) for dataset, keys in by_dataset.items()]
    parts = [p for p in parts if not p.empty]
    if not parts:
        return pd.DataFrame()
    joined = pd.concat(parts, axis=1, sort=True)
    return joined[[r.key for r in refs if r.key in joined.columns]]


def compute_correlations(levels: Levels, config: AnalyticsConfig) -> pd.DataFrame:
    closes = _gather(levels, config.correlation_basket)
    rates = {r.key for r in config.correlation_basket if r.dataset in RATE_DATASETS}
    if closes.empty:
        return compute.rolling_correlations(closes)
    return compute.rolling_correlations(compute.daily_returns(closes, rates), config.correlation_window)


def compute_sector_rotation(levels: Levels, config: AnalyticsConfig) -> pd.DataFrame:
    closes = levels(config.rotation_dataset, [config.rotation_benchmark, *config.rotation_sectors])
    return compute.sector_rotation(
        closes,
        config.rotation_benchmark,
        list(config.rotation_sectors),
        config.rotation_ratio_window,
        config.rotation_momentum_lag,
    )


def compute_market_breadth(levels: Levels, config: AnalyticsConfig) -> pd.DataFrame:
    frames = [compute.market_breadth(levels(dataset, None), universe) for universe, dataset in config.breadth_universes]
    frames = [f for f in frames if not f.empty]
    return pd.concat(frames, ignore_index=True) if frames else compute.market_breadth(pd.DataFrame(), "")


TERM_STRUCTURE_ID = "VIX_TERM_STRUCTURE"


def compute_sentiment(levels: Levels, config: AnalyticsConfig) -> pd.DataFrame:
    """The VIX term structure and the fear/greed composite with its components."""
    computed: dict[str, pd.Series] = {}
    frames = []
    if config.term_structure:
        dataset, front, back = config.term_structure
        vol = levels(dataset, [front, back])
        if {front, back} <= set(vol.columns):
            ratio = compute.term_structure(vol[front], vol[back])
            computed[TERM_STRUCTURE_ID] = ratio
            frames.append(
                pd.DataFrame(
                    {
                        "indicator_id": TERM_STRUCTURE_ID,
                        "date": ratio.index.date,
                        "value": ratio.values,
                        "label": ["backwardation" if v > 1 else "contango" for v in ratio.values],
                    }
                )
            )

    def series(refs) -> dict[str, pd.Series]:
        out = {}
        for ref in refs:
            if not ref.dataset:
                if ref.key in computed:
                    out[ref.key] = computed[ref.key]
                continue
            wide = levels(ref.dataset, [ref.key])
            if ref.key in wide.columns:
                out[ref.key] = wide[ref.key].dropna()
        return out

    frames.append(compute.sentiment_composite(series(config.sentiment_scores), series(config.sentiment_fear_high)))
    frames = [f for f in frames if not f.empty]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["indicator_id", "date", "value"])


ANALYTICS: dict[str, tuple[Callable[[Levels, AnalyticsConfig], pd.DataFrame], Callable[[AnalyticsConfig], set]]] = {
    "correlations": (compute_correlations, lambda c: {r.dataset for r in c.correlation_basket}),
    "sector_rotation": (compute_sector_rotation, lambda c: {c.rotation_dataset}),
    "market_breadth": (compute_market_breadth, lambda c: {d for _, d in c.breadth_universes}),
    "sentiment_indicators": (
        compute_sentiment,
        lambda c: (
            {r.dataset for r in (*c.sentiment_scores, *c.sentiment_fear_high) if r.dataset}
            | ({c.term_structure[0]} if c.term_structure else set())
        ),
    ),
}


# Rows an analytic writes into a table it shares with downloads (the rest of its table is its own).
OUTPUT_KEYS = {"sentiment_indicators": ("COMPOSITE", TERM_STRUCTURE_ID)}


def _newest(conn: Connection, name: str) -> date | None:
    """The newest date this analytic has stored, or None before its first run."""
    spec = DATASETS[name]
    tbl = table(spec.table)
    stmt = select(func.max(tbl.c.date))
    if name in OUTPUT_KEYS:
        stmt = stmt.where(tbl.c[spec.key_column].in_(OUTPUT_KEYS[name]))
    newest = conn.execute(stmt).scalar()
    return date.fromisoformat(newest) if isinstance(newest, str) else newest


def run_analytics(
    store: Store,
    changed: set[str] | None = None,
    config: AnalyticsConfig | None = None,
    source: str = ANALYTICS_SOURCE,
    demo: bool | None = None,
) -> AnalyticsResult:
    """Recompute the analytics whose inputs are in ``changed`` (None: all of them)."""
    config = config or load_analytics()
    result = AnalyticsResult()
    with store.engine.connect() as conn:
        memo: dict[tuple[str, tuple[str, ...] | None], pd.DataFrame] = {}

        def levels(dataset: str, keys: list[str] | None) -> pd.DataFrame:
            key = (dataset, tuple(keys) if keys else None)
            if key not in memo:
                memo[key] = read_levels(conn, dataset, keys)
            return memo[key]

        for name, (fn, inputs) in ANALYTICS.items():
            newest = _newest(conn, name)
            if changed is not None and newest is not None and not (inputs(config) & changed):
                result.skipped.append(name)
                continue
            try:
                frame = fn(levels, config)
            except (ValueError, KeyError, TypeError) as exc:  # bad data must not stop the others
                result.errors[name] = f"{type(exc).__name__}: {exc}"
                log.exception("computing %s failed", name)
                continue
            if newest is not None and not frame.empty:
                frame = frame[frame["date"] >= newest - timedelta(days=REWRITE_DAYS)]
            result.rows_written[name] = _write(store, name, frame, source, demo, result)
        conn.rollback()
    return result


def _write(store: Store, name: str, frame: pd.DataFrame, source: str, demo: bool | None, result) -> int:
    if frame.empty:
        return 0
    frame = frame.assign(source=source, fetched_at=datetime.now(UTC))
    try:
        with store.engine.begin() as conn:
            rows, version = write_dataset(conn, name, frame, source, demo=demo)
    except (SQLAlchemyError, WriteError) as exc:
        result.errors[name] = f"{type(exc).__name__}: {str(exc).splitlines()[0][:300]}"
        log.error("writing %s failed: %s", name, result.errors[name])
        return 0
    publish_version(name, version)
    return rows
