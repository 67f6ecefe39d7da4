"""What the station knows about itself: dataset status, source health, the download log, and
whether what is served is stale (the sidecar's preload status: sql/sidecar.py).

Dataset status is the writer's own bookkeeping (``dataset_versions``, sql/versions.py), read
with the versions: no count over the data, ever. Health and the log are small indexed reads
memoized on the version the sidecar moves when it records a run.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache

import pandas as pd
from sqlalchemy import func, select

from sql import versions
from sql.datasets import DATASETS
from sql.memo import versioned
from sql.schema import data_sources, download_log, health_status, instrument_history, series_stats
from sql.store import configured, get_store
from sql.versions import DatasetState, StorageUnavailable, frame_of, system_version


def current_settings():
    """The settings this process's store was configured with."""
    return get_store().settings


def _utc(series: pd.Series) -> pd.Series:
    values = pd.to_datetime(series)
    return values.dt.tz_localize("UTC") if values.dt.tz is None else values.dt.tz_convert("UTC")


@lru_cache(maxsize=8)
def _statusframe_of(states: tuple[tuple[str, DatasetState], ...]) -> pd.DataFrame:
    by_name = dict(states)
    rows = []
    for name, spec in DATASETS.items():
        state = by_name.get(name) or DatasetState(version=0)
        rows.append(
            {
                "dataset": name,
                "title": spec.title,
                "rows": state.row_count,
                "instruments": state.key_count,
                "first_observation": state.first_date,
                "latest_observation": state.last_date,
                "last_update": state.updated_at,
                "sources": state.sources,
                "demo": state.demo,
            }
        )
    frame = pd.DataFrame(rows)
    frame["last_update"] = _utc(frame["last_update"])
    return frame


def dataset_status() -> pd.DataFrame:
    """Per dataset: row and series counts, first and newest observation, last update, sources,
    demo flag, as the writer recorded them with the data."""
    snapshot = versions.current()
    return _statusframe_of(tuple(sorted(snapshot.datasets.items()))).copy(deep=False)


def demo_active() -> bool:
    """Whether any dataset holds demo rows (the web shows a DEMO ribbon)."""
    try:
        return any(state.demo for state in versions.current().datasets.values())
    except StorageUnavailable:
        return False


def staleness() -> float | None:
    """Seconds since the database last confirmed the data being served, while it cannot be
    reached (pages and the API flag the data stale); None while it answers."""
    if not configured():
        return None
    try:
        snapshot = versions.current()
    except StorageUnavailable:
        return None
    return (snapshot.age_seconds or 0.0) if snapshot.stale else None


@versioned
def _source_health_access(version: int) -> pd.DataFrame:
    # Named apart from the reader before access and key variable were columns: its memo key
    # differs, so a shared cache still holding frames without them is never read back here.
    stmt = (
        select(
            data_sources.c.source_id,
            data_sources.c.provider,
            data_sources.c.category,
            data_sources.c.auth_env,
            data_sources.c.enabled,
            health_status.c.state,
            health_status.c.last_success_at,
            health_status.c.last_failure_at,
            health_status.c.last_error,
            health_status.c.consecutive_failures,
            health_status.c.latency_ms,
            health_status.c.checked_at,
        )
        .select_from(data_sources.outerjoin(health_status, data_sources.c.source_id == health_status.c.source_id))
        .order_by(data_sources.c.category, data_sources.c.source_id)
    )
    frame = frame_of(stmt)
    # A fallback that was never needed has no health row yet.
    frame["state"] = frame["state"].fillna("not_used_yet")
    # Access: keyless, or a key in ``auth_env``. A keyed source the sidecar found without a key
    # (``enabled`` false) is "not configured", whatever it did while it had one: never failing.
    keyed = frame["auth_env"].notna() & frame["auth_env"].astype(str).str.len().gt(0)
    frame["access"] = keyed.map({True: "key", False: "keyless"})
    frame.loc[keyed & ~frame["enabled"].fillna(True).astype(bool), "state"] = "not_configured"
    frame = frame.drop(columns=["enabled"])
    for col in ("last_success_at", "last_failure_at", "checked_at"):
        frame[col] = _utc(frame[col])
    return frame


def source_health() -> pd.DataFrame:
    """Health of every catalogued source, joined with its catalog entry: ``access`` (keyless or
    key) and ``auth_env`` (the key variable) beside its state."""
    return _source_health_access(system_version())


@versioned
def _recent_downloads(version: int, limit: int) -> pd.DataFrame:
    frame = frame_of(select(download_log).order_by(download_log.c.id.desc()).limit(limit))
    for col in ("started_at", "finished_at"):
        frame[col] = _utc(frame[col])
    return frame


def recent_downloads(limit: int = 200) -> pd.DataFrame:
    """The newest entries of the download log."""
    return _recent_downloads(system_version(), int(limit))


@versioned
def _download_log_page(
    version: int, limit: int, offset: int, source_id: str | None, dataset_name: str | None, status: str | None
) -> tuple[pd.DataFrame, int, datetime | None]:
    conditions = []
    if source_id:
        conditions.append(download_log.c.source_id == source_id)
    if dataset_name:
        conditions.append(download_log.c.dataset == dataset_name)
    if status:
        conditions.append(download_log.c.status == status)
    summary = frame_of(
        select(func.count().label("n"), func.max(download_log.c.finished_at).label("newest"))
        .select_from(download_log)
        .where(*conditions)
    )
    total, newest = int(summary.iloc[0, 0]), _utc(summary["newest"]).iloc[0]
    frame = frame_of(
        select(download_log).where(*conditions).order_by(download_log.c.id.desc()).limit(limit).offset(offset)
    )
    for col in ("started_at", "finished_at"):
        frame[col] = _utc(frame[col])
    return frame, total, None if pd.isna(newest) else newest.to_pydatetime()


def download_log_page(
    limit: int,
    offset: int = 0,
    source_id: str | None = None,
    dataset_name: str | None = None,
    status: str | None = None,
) -> tuple[pd.DataFrame, int, datetime | None]:
    """One page of the download log, newest first, optionally of one source, dataset or status;
    how many entries match in all, and when the newest of them finished. Counted once per run
    of the sidecar (the log only grows when it records one)."""
    frame, total, newest = _download_log_page(
        system_version(), int(limit), int(offset), source_id or None, dataset_name or None, status or None
    )
    return frame.copy(deep=False), total, newest


@versioned
def _history_depth(version: int, dataset_name: str | None) -> pd.DataFrame:
    stats, depth = series_stats.c, instrument_history.c
    stmt = (
        select(
            stats.dataset,
            stats.key,
            stats.first_date,
            stats.last_date,
            stats.row_count.label("rows"),
            depth.source,
            depth.requested_from,
            depth.provider_first,
            depth.depth_note,
        )
        .select_from(
            series_stats.outerjoin(instrument_history, (depth.dataset == stats.dataset) & (depth.key == stats.key))
        )
        .order_by(stats.dataset, stats.key)
    )
    if dataset_name:
        stmt = stmt.where(stats.dataset == dataset_name)
    return frame_of(stmt)


def history_depth(dataset_name: str | None = None) -> pd.DataFrame:
    """Per stored series: its first and last stored date and row count (the writer's series
    stats) beside what its full-depth download found (instrument_history): the first date asked
    for and served, and why the history starts where it does. Two small tables joined by their
    primary keys; read again when the sidecar records a run."""
    return _history_depth(system_version(), dataset_name or None).copy(deep=False)
