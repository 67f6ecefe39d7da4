"""Readers: the only way pages and the API see stored data.

Each public reader looks up the dataset's version (cheap, cached) and calls a memoized
function whose arguments include that version, so a committed refresh invalidates every
cached read by moving the version, never by deleting keys.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pandas as pd
from sqlalchemy import and_, func, or_, select, text
from sqlalchemy.exc import SQLAlchemyError

from config.dashboard_specs import DEFAULT_RANGE, history_read_start, load_dashboards
from sql.cache import PRELOAD_STATUS_KEY, SYSTEM_DATASET, VERSION_TTL, cache, version_key
from sql.datasets import DATASETS, dataset
from sql.schema import data_sources, dataset_versions, download_log, health_status, table
from sql.store import get_store

DATA_TTL = 3600  # versioned keys: the version, not the TTL, decides freshness
SYSTEM_TTL = 15  # upper bound for health and log reads, should a system version be lost


class StorageUnavailable(RuntimeError):
    """The database could not answer; callers show a degraded state instead of failing."""


def _frame(statement, params: dict | None = None) -> pd.DataFrame:
    try:
        with get_store().engine.connect() as conn:
            result = conn.execute(statement, params or {})
            return pd.DataFrame(result.fetchall(), columns=list(result.keys()))
    except SQLAlchemyError as exc:
        raise StorageUnavailable(f"database unavailable: {type(exc).__name__}") from exc


def _utc(series: pd.Series) -> pd.Series:
    """Timestamps as tz-aware UTC (SQLite hands them back naive)."""
    values = pd.to_datetime(series)
    return values.dt.tz_localize(UTC) if values.dt.tz is None else values.dt.tz_convert(UTC)


def _value_column(name: str) -> str:
    column = dataset(name).value_column
    if column is None:
        raise ValueError(f"dataset {name!r} has no single value column")
    return column


def dataset_version(name: str) -> int:
    """The dataset's current version (0 before its first write)."""
    key = version_key(name)
    cached = cache.get(key)
    if cached is not None:
        return int(cached)
    rows = _frame(select(dataset_versions.c.version).where(dataset_versions.c.dataset == name))
    version = int(rows.iloc[0, 0]) if not rows.empty else 0
    cache.set(key, version, timeout=VERSION_TTL)
    return version


@cache.memoize(timeout=DATA_TTL)
def _observations(version: int, name: str, keys: tuple[str, ...] | None, start: str | None) -> pd.DataFrame:
    spec = dataset(name)
    tbl = table(spec.table)
    key_col, date_col = tbl.c[spec.key_column], tbl.c[spec.date_column]
    value_col = tbl.c[_value_column(name)]
    stmt = select(key_col.label("key"), date_col.label("date"), value_col.label("value"), tbl.c.source)
    if keys:
        stmt = stmt.where(key_col.in_(keys))
    if start:
        stmt = stmt.where(date_col >= date.fromisoformat(start))
    frame = _frame(stmt.order_by(key_col, date_col))
    if not frame.empty:
        frame["date"] = pd.to_datetime(frame["date"])
    return frame


def observations(name: str, keys: list[str] | tuple[str, ...] | None = None, start: date | None = None) -> pd.DataFrame:
    """``key, date, value, source`` rows of a dataset, oldest first, optionally filtered."""
    spec = dataset(name)
    key_tuple = tuple(sorted(keys)) if keys else None
    return _observations(dataset_version(spec.name), spec.name, key_tuple, start.isoformat() if start else None)


@cache.memoize(timeout=DATA_TTL)
def _last_two(version: int, name: str) -> pd.DataFrame:
    spec = dataset(name)
    value = _value_column(name)
    # Identifiers come from sql.datasets, never from input.
    sql = text(
        f"SELECT key, date, value, source FROM ("
        f'SELECT "{spec.key_column}" AS key, "{spec.date_column}" AS date, "{value}" AS value, source, '
        f'ROW_NUMBER() OVER (PARTITION BY "{spec.key_column}" ORDER BY "{spec.date_column}" DESC) AS rn '
        f'FROM "{spec.table}") ranked WHERE rn <= 2'
    )
    frame = _frame(sql)
    if not frame.empty:
        frame["date"] = pd.to_datetime(frame["date"])
    return frame


def last_two(name: str) -> pd.DataFrame:
    """The two newest rows of every instrument of a dataset (for latest value and change)."""
    spec = dataset(name)
    return _last_two(dataset_version(spec.name), spec.name)


STATUS_TTL = 15 * 60


def all_versions() -> tuple[tuple[str, int], ...]:
    """Every dataset's version in one cache round trip (the database only for missing ones)."""
    names = list(DATASETS)
    cached = cache.get_many(*[version_key(name) for name in names])
    return tuple(
        (name, int(value) if value is not None else dataset_version(name))
        for name, value in zip(names, cached, strict=True)
    )


# Keyed by every dataset's version and the system version, which the sidecar moves after each
# run (so "last update" moves after a refresh that changed nothing); the TTL only bounds how
# stale it can get should the cache lose that version.
@cache.memoize(timeout=STATUS_TTL)
def _dataset_status(versions: tuple[tuple[str, int], ...], run: int = 0) -> pd.DataFrame:
    rows = []
    with get_store().engine.connect() as conn:
        meta = {r.dataset: r for r in conn.execute(select(dataset_versions))}
        for name, _version in versions:
            spec = DATASETS[name]
            tbl = table(spec.table)
            date_col = tbl.c[spec.date_column]
            stats = conn.execute(
                select(func.count(), func.count(func.distinct(tbl.c[spec.key_column])), func.max(date_col))
            ).one()
            sources = conn.execute(select(tbl.c.source).distinct().limit(10)).scalars().all()
            m = meta.get(name)
            rows.append(
                {
                    "dataset": name,
                    "title": spec.title,
                    "rows": stats[0],
                    "instruments": stats[1],
                    "latest_observation": stats[2],
                    "last_update": m.updated_at if m else None,
                    "sources": ", ".join(sorted(sources)),
                    "demo": bool(m.demo) if m else False,
                }
            )
    frame = pd.DataFrame(rows)
    frame["last_update"] = _utc(frame["last_update"])
    return frame


def dataset_status() -> pd.DataFrame:
    """Per dataset: row and instrument counts, newest observation, last update, sources."""
    try:
        return _dataset_status(all_versions(), system_version())
    except SQLAlchemyError as exc:
        raise StorageUnavailable(f"database unavailable: {type(exc).__name__}") from exc


def system_version() -> int:
    """Moved by the sidecar after it records a run (health, log); 0 when unknown."""
    return int(cache.get(version_key(SYSTEM_DATASET)) or 0)


def source_health() -> pd.DataFrame:
    """Health of every catalogued source, joined with its catalog entry."""
    return _source_health(system_version())


@cache.memoize(timeout=SYSTEM_TTL)
def _source_health(version: int) -> pd.DataFrame:
    stmt = (
        select(
            data_sources.c.source_id,
            data_sources.c.provider,
            data_sources.c.category,
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
    frame = _frame(stmt)
    # A fallback that was never needed has no health row yet.
    frame["state"] = frame["state"].fillna("not_used_yet")
    for col in ("last_success_at", "last_failure_at", "checked_at"):
        frame[col] = _utc(frame[col])
    return frame


def recent_downloads(limit: int = 200) -> pd.DataFrame:
    """The newest entries of the download log."""
    return _recent_downloads(system_version(), limit)


@cache.memoize(timeout=SYSTEM_TTL)
def _recent_downloads(version: int, limit: int) -> pd.DataFrame:
    frame = _frame(select(download_log).order_by(download_log.c.id.desc()).limit(limit))
    for col in ("started_at", "finished_at"):
        frame[col] = _utc(frame[col])
    return frame


@cache.memoize(timeout=DATA_TTL)
def _latest_date(version: int, name: str) -> str | None:
    spec = dataset(name)
    tbl = table(spec.table)
    newest = _frame(select(func.max(tbl.c[spec.date_column]).label("newest"))).iloc[0, 0]
    return None if newest is None or pd.isna(newest) else pd.Timestamp(newest).date().isoformat()


def latest_date(name: str) -> date | None:
    """The newest observation date stored for a dataset, or None when it is empty."""
    spec = dataset(name)
    newest = _latest_date(dataset_version(spec.name), spec.name)
    return date.fromisoformat(newest) if newest else None


def recent_observations(name: str, keys: list[str] | None = None, days: int = 5 * 365) -> pd.DataFrame:
    """``observations`` over the ``days`` before the dataset's newest date (not before today:
    a dataset whose source stopped a while ago still shows its last stretch)."""
    newest = latest_date(name)
    if newest is None:
        return pd.DataFrame(columns=["key", "date", "value", "source"])
    return observations(name, keys, start=newest - timedelta(days=days))


# Days of history a yield-curve panel reads (today, one month and one year ago, with slack).
CURVE_DAYS = 400


def _dashboard_reads() -> list:
    """The reads of every dashboard's default view (config/dashboards), as the panels make them."""
    reads = []
    for board in load_dashboards().values():
        for panel in board.panels:
            if not panel.dataset or panel.dataset not in DATASETS:
                continue
            if panel.type == "history":

                def history(panel=panel):
                    newest = latest_date(panel.dataset)
                    if newest is not None:
                        start = history_read_start(DEFAULT_RANGE, newest, panel.option("transform"))
                        observations(panel.dataset, list(panel.keys) if panel.keys else None, start)

                reads.append(history)
            elif panel.type == "yield_curve":
                reads.append(lambda panel=panel: recent_observations(panel.dataset, days=CURVE_DAYS))
    return reads


def warm() -> int:
    """Fill the hot keys after a refresh (the sidecar calls this once its writes committed):
    every dataset's latest values, the status and health tables, each dashboard's default
    charts. Returns how many reads were warmed."""
    reads = [dataset_status, source_health, lambda: recent_downloads(500)]
    for name, spec in DATASETS.items():
        reads.append(lambda name=name: latest_date(name))
        if spec.value_column:
            reads.append(lambda name=name: last_two(name))
    reads += _dashboard_reads()
    for read in reads:
        read()
    return len(reads)


def current_settings():
    """The settings this process's store was configured with."""
    return get_store().settings


def demo_active() -> bool:
    """Whether any dataset holds demo rows (the web shows a DEMO ribbon)."""
    try:
        return bool(dataset_status()["demo"].any())
    except StorageUnavailable:
        return False


# A "running" preload that has reported nothing for this long has most likely lost its sidecar.
PRELOAD_STALLED_AFTER = timedelta(minutes=10)


def preload_status() -> dict | None:
    """The sidecar's ``preload:status`` as it wrote it (one cache get); None when there is none."""
    status = cache.get(PRELOAD_STATUS_KEY)
    return status if isinstance(status, dict) else None


def parse_time(value) -> datetime | None:
    """An ISO 8601 time from the status as tz-aware UTC; None when missing or unreadable."""
    if not isinstance(value, str) or not value:
        return None
    try:
        stamp = datetime.fromisoformat(value)
    except ValueError:
        return None
    return stamp.replace(tzinfo=UTC) if stamp.tzinfo is None else stamp.astimezone(UTC)


def preload_phase(status: dict | None, now: datetime | None = None) -> str:
    """``unknown`` (no status), ``running``, ``stalled`` (running, but silent for longer than
    PRELOAD_STALLED_AFTER: the sidecar probably died) or ``complete``."""
    state = (status or {}).get("state")
    if state == "complete":
        return "complete"
    if state != "running":
        return "unknown"
    last = parse_time(status.get("updated_at")) or parse_time(status.get("started_at"))
    if last is not None and (now or datetime.now(UTC)) - last > PRELOAD_STALLED_AFTER:
        return "stalled"
    return "running"


# --- whole rows (the analytics panels: tables with several value columns) ----------------------


@cache.memoize(timeout=DATA_TTL)
def _rows(version: int, name: str, keys: tuple[str, ...] | None, start: str | None) -> pd.DataFrame:
    spec = dataset(name)
    tbl = table(spec.table)
    key_col, date_col = tbl.c[spec.key_column], tbl.c[spec.date_column]
    stmt = select(*[c for c in tbl.c if c.name != "fetched_at"])
    if keys:
        stmt = stmt.where(key_col.in_(keys))
    if start:
        stmt = stmt.where(date_col >= date.fromisoformat(start))
    frame = _frame(stmt.order_by(key_col, date_col))
    if not frame.empty:
        frame[spec.date_column] = pd.to_datetime(frame[spec.date_column])
    return frame


def rows(name: str, keys: list[str] | tuple[str, ...] | None = None, start: date | None = None) -> pd.DataFrame:
    """Every column of a dataset's rows (but ``fetched_at``), by key then date, optionally only
    ``keys`` (of its key column) and dates from ``start``; for tables with several value columns."""
    spec = dataset(name)
    key_tuple = tuple(sorted(str(k) for k in keys)) if keys else None
    return _rows(dataset_version(spec.name), spec.name, key_tuple, start.isoformat() if start else None)


@cache.memoize(timeout=DATA_TTL)
def _correlation_pairs(
    version: int, pairs: tuple[tuple[str, str], ...], window: int, start: str | None
) -> pd.DataFrame:
    tbl = table("correlations")
    either_order = [
        or_(and_(tbl.c.asset_a == a, tbl.c.asset_b == b), and_(tbl.c.asset_a == b, tbl.c.asset_b == a))
        for a, b in pairs
    ]
    stmt = select(tbl.c.asset_a, tbl.c.asset_b, tbl.c.date, tbl.c.value).where(
        tbl.c.window_days == window, or_(*either_order)
    )
    if start:
        stmt = stmt.where(tbl.c.date >= date.fromisoformat(start))
    frame = _frame(stmt.order_by(tbl.c.asset_a, tbl.c.asset_b, tbl.c.date))
    if not frame.empty:
        frame["date"] = pd.to_datetime(frame["date"])
    return frame


def correlation_pairs(pairs: list[tuple[str, str]], window: int, start: date | None = None) -> pd.DataFrame:
    """``asset_a, asset_b, date, value`` of just these pairs (in either stored order) for one
    window: the pair-history charts read a few hundred rows, not every pair of their assets."""
    key = tuple(sorted(tuple(sorted(p)) for p in pairs))
    return _correlation_pairs(dataset_version("correlations"), key, int(window), start.isoformat() if start else None)


# --- OHLCV bars of one instrument (instrument detail pages) -----------------------------------

BAR_FIELDS = ("open", "high", "low", "close", "volume")


@cache.memoize(timeout=DATA_TTL)
def _bars(version: int, name: str, key: str, start: str | None) -> pd.DataFrame:
    spec = dataset(name)
    tbl = table(spec.table)
    date_col = tbl.c[spec.date_column]
    stmt = select(date_col.label("date"), *(tbl.c[f] for f in BAR_FIELDS), tbl.c.source).where(
        tbl.c[spec.key_column] == key, tbl.c.interval == "1d"
    )
    if start:
        stmt = stmt.where(date_col >= date.fromisoformat(start))
    frame = _frame(stmt.order_by(date_col))
    if not frame.empty:
        # Naive UTC timestamps on both backends (PostgreSQL hands them back tz-aware).
        frame["date"] = _utc(frame["date"]).dt.tz_localize(None)
        for field in BAR_FIELDS:
            frame[field] = pd.to_numeric(frame[field], errors="coerce")
    return frame


def is_bar_dataset(name: str) -> bool:
    """Whether a dataset stores OHLCV bars (``open, high, low, close, volume``)."""
    return "close" in table(dataset(name).table).c


def bars(name: str, key: str, start: date | None = None) -> pd.DataFrame:
    """``date, open, high, low, close, volume, source`` daily bars of one instrument of a bar
    dataset (market_indices, commodities, forex_rates, crypto_prices, …), oldest first."""
    spec = dataset(name)
    if not is_bar_dataset(spec.name):
        raise ValueError(f"dataset {name!r} does not store bars")
    return _bars(dataset_version(spec.name), spec.name, str(key), start.isoformat() if start else None)


# --- the REST API (api/): dataset metadata, latest rows per instrument, the download log -------


@cache.memoize(timeout=DATA_TTL)
def _dataset_meta(version: int, name: str) -> dict:
    rows = _frame(select(dataset_versions).where(dataset_versions.c.dataset == name))
    if rows.empty:
        return {"version": version, "updated_at": None, "source": None, "demo": False}
    row = rows.iloc[0]
    updated = _utc(rows["updated_at"]).iloc[0]
    return {
        "version": version,
        "updated_at": None if pd.isna(updated) else updated.to_pydatetime(),
        "source": row["source"],
        "demo": bool(row["demo"]),
    }


# A dataset's meta for one version never changes: each process keeps the few it has read, so
# an API request pays one cache round trip (the version) instead of three.
_META_LOCAL: dict[tuple[str, int, str], dict] = {}


def dataset_meta(name: str) -> dict:
    """``version``, ``updated_at`` (the last committed write, tz-aware UTC, None before the
    first), ``source`` (of that write) and ``demo`` of a dataset."""
    spec = dataset(name)
    version = dataset_version(spec.name)
    key = (spec.name, version, get_store().settings.cache_prefix)
    meta = _META_LOCAL.get(key)
    if meta is None:
        meta = _dataset_meta(version, spec.name)
        if version:  # before the first write there is no version to pin it to
            if len(_META_LOCAL) > 256:
                _META_LOCAL.clear()
            _META_LOCAL[key] = meta
    return dict(meta)


def identity_columns(name: str) -> list[str]:
    """The primary-key columns that name one series of a dataset (all but its date and the bar
    ``interval``): ``symbol``; ``indicator_id, country``; ``asset_a, asset_b, window_days``…"""
    spec = dataset(name)
    tbl = table(spec.table)
    return [c.name for c in tbl.primary_key.columns if c.name not in (spec.date_column, "interval")]


@cache.memoize(timeout=DATA_TTL)
def _latest_rows(version: int, name: str) -> pd.DataFrame:
    spec = dataset(name)
    tbl = table(spec.table)
    date_col = tbl.c[spec.date_column]
    identity = [tbl.c[c] for c in identity_columns(name)]
    rank = func.row_number().over(partition_by=identity, order_by=date_col.desc()).label("rn")
    inner = select(*[c for c in tbl.c if c.name not in ("fetched_at", "interval")], rank)
    if "interval" in tbl.c:
        inner = inner.where(tbl.c.interval == "1d")
    ranked = inner.subquery("ranked")
    frame = _frame(select(ranked).where(ranked.c.rn <= 2).order_by(*[ranked.c[c.name] for c in identity], "rn"))
    if not frame.empty:
        frame[spec.date_column] = _utc(frame[spec.date_column]).dt.tz_localize(None)
    return frame


def latest_rows(name: str) -> pd.DataFrame:
    """The two newest rows of every series of a dataset (daily bars only), every column but
    ``fetched_at``, with ``rn`` 1 for the newest and 2 for the one before; naive UTC dates."""
    spec = dataset(name)
    return _latest_rows(dataset_version(spec.name), spec.name)


def download_log_page(
    limit: int,
    offset: int = 0,
    source_id: str | None = None,
    dataset_name: str | None = None,
    status: str | None = None,
) -> tuple[pd.DataFrame, int, datetime | None]:
    """One page of the download log, newest first, optionally of one source, dataset or status;
    how many entries match in all, and when the newest of them finished. Not memoized: pages
    and filters are the client's choice, and each would otherwise leave a cache entry behind."""
    conditions = []
    if source_id:
        conditions.append(download_log.c.source_id == source_id)
    if dataset_name:
        conditions.append(download_log.c.dataset == dataset_name)
    if status:
        conditions.append(download_log.c.status == status)
    summary = _frame(
        select(func.count().label("n"), func.max(download_log.c.finished_at).label("newest"))
        .select_from(download_log)
        .where(*conditions)
    )
    total, newest = int(summary.iloc[0, 0]), _utc(summary["newest"]).iloc[0]
    frame = _frame(
        select(download_log).where(*conditions).order_by(download_log.c.id.desc()).limit(int(limit)).offset(int(offset))
    )
    for col in ("started_at", "finished_at"):
        frame[col] = _utc(frame[col])
    return frame, total, None if pd.isna(newest) else newest.to_pydatetime()
