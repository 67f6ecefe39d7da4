"""Which version of every dataset is current, and whether the database can be asked.

Every cached read carries the version of the dataset it read, so knowing the versions is the
one thing a reader must do before it can use the cache. They come from one read of the small
``dataset_versions`` table (which the writer also keeps the dataset's totals in), which each
process trusts for ``version_check_seconds``: a page or API request costs no version lookup of
its own. The last snapshot is also kept in the shared cache without expiry, so while the
database is down every process can still name the data the cache holds and serve it, flagged
stale with the time the database last confirmed it.

A failed database read marks the database down for ``db_retry_seconds``: readers then go to
the cache alone instead of waiting on a connection for every read, and the first read after
that tries the database again (recovery needs no restart).

The writer's side is here too: ``bump_version`` records a committed update of a dataset (its
new version and totals) in the writer's transaction.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from types import MappingProxyType

import pandas as pd
from sqlalchemy import Connection, func, select
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from sql.cache import SYSTEM_DATASET, cache
from sql.schema import data_quality, dataset_versions, series_stats
from sql.store import get_store

log = logging.getLogger(__name__)

SNAPSHOT_KEY = "dsver:snapshot"
# A process rewrites the shared copy at least this often, so a cache that lost it has it back.
REPUBLISH_SECONDS = 60.0


class StorageUnavailable(RuntimeError):
    """The database could not answer; callers show a degraded state instead of failing."""


@dataclass(frozen=True)
class DatasetState:
    """One row of ``dataset_versions``: the version and what the writer counted."""

    version: int
    updated_at: datetime | None = None
    source: str | None = None
    demo: bool = False
    row_count: int = 0
    key_count: int = 0
    first_date: date | None = None
    last_date: date | None = None
    sources: str = ""
    flag_count: int = 0  # rows of data_quality (the flags are read only when there are some)


@dataclass(frozen=True)
class Snapshot:
    """Every dataset's state as the database last confirmed it (``confirmed_at``); ``stale``
    when the database did not answer and this comes from the cache or the process's memory."""

    datasets: Mapping[str, DatasetState] = field(default_factory=lambda: MappingProxyType({}))
    confirmed_at: datetime | None = None
    stale: bool = False

    def version(self, name: str) -> int:
        return self.state(name).version

    def state(self, name: str) -> DatasetState:
        """``name``'s state; version 0 before its first write. While the database is down, a
        dataset this copy does not know is unavailable rather than empty."""
        state = self.datasets.get(name)
        if state is None and self.stale:
            raise StorageUnavailable(f"database unavailable, and {name} is not in the cached state")
        return state or DatasetState(version=0)

    @property
    def signature(self) -> tuple[tuple[str, int], ...]:
        return tuple(sorted((name, s.version) for name, s in self.datasets.items()))

    @property
    def age_seconds(self) -> float | None:
        """Seconds since the database confirmed these versions (None when it never did)."""
        if self.confirmed_at is None:
            return None
        return max(0.0, (datetime.now(UTC) - self.confirmed_at).total_seconds())


def _utc(value) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _day(value) -> date | None:
    if value is None or isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, datetime):
        return value.date()
    return date.fromisoformat(str(value)[:10])


def _state(row: Mapping) -> DatasetState:
    return DatasetState(
        version=int(row["version"]),
        updated_at=_utc(row["updated_at"]),
        source=row["source"],
        demo=bool(row["demo"]),
        row_count=int(row["row_count"] or 0),
        key_count=int(row["key_count"] or 0),
        first_date=_day(row["first_date"]),
        last_date=_day(row["last_date"]),
        sources=row["sources"] or "",
        flag_count=int(row.get("flag_count") or 0),
    )


class _Process:
    """This process's snapshot, the database's availability, and what it last published."""

    def __init__(self, store_id: int) -> None:
        self.store_id = store_id
        self.snapshot: Snapshot | None = None
        self.read_at = 0.0
        self.down_until = 0.0
        self.published: tuple | None = None
        self.published_at = 0.0
        self.refreshing = threading.Lock()


_process = _Process(0)


def _here() -> _Process:
    global _process
    store_id = id(get_store())
    if _process.store_id != store_id:  # a new store (tests, a reconfigured process): start over
        _process = _Process(store_id)
    return _process


def database_available() -> bool:
    """False for ``db_retry_seconds`` after a read found the database unreachable."""
    return time.monotonic() >= _here().down_until


def is_outage(exc: BaseException) -> bool:
    """Whether a database error means "cannot reach the database" rather than a bad statement."""
    if isinstance(exc, DBAPIError):
        return exc.connection_invalidated or type(exc.orig).__name__ in ("OperationalError", "InterfaceError")
    return isinstance(exc, SQLAlchemyError)


def database_failed(exc: BaseException) -> None:
    """Note a failed database read: the database is left alone for ``db_retry_seconds``."""
    if not is_outage(exc):
        return
    here = _here()
    if here.down_until <= time.monotonic():
        log.warning("database unreachable (%s): serving from the cache", type(exc).__name__)
    here.down_until = time.monotonic() + get_store().settings.db_retry_seconds
    here.read_at = 0.0  # the versions in hand are no longer confirmed: the next read says so


def _fetch_all(conn, result) -> list[tuple]:
    """The driver's rows; its errors raised as SQLAlchemy's, as ``conn.execute`` raises them."""
    dbapi_error = conn.dialect.loaded_dbapi.Error
    try:
        return result.cursor.fetchall()
    except dbapi_error as exc:
        raise DBAPIError.instance(None, None, exc, dbapi_error, dialect=conn.dialect) from exc


def frame_of(statement, params: dict | None = None) -> pd.DataFrame:
    """Run one read on the database as a frame; StorageUnavailable when it cannot answer (and
    straight away, without a connection attempt, while it is known to be down)."""
    if not database_available():
        raise StorageUnavailable("database unavailable")
    try:
        with get_store().engine.connect() as conn:
            result = conn.execute(statement, params or {})
            # The driver's own tuples: half the cost of row objects on a large read. Values come
            # as the driver gives them (SQLite: dates as ISO text); readers convert their columns.
            columns, rows = list(result.keys()), _fetch_all(conn, result)
    except SQLAlchemyError as exc:
        database_failed(exc)
        raise StorageUnavailable(f"database unavailable: {type(exc).__name__}") from exc
    values = zip(*rows, strict=True) if rows else ([] for _ in columns)
    return pd.DataFrame(dict(zip(columns, (list(v) for v in values), strict=True)), columns=columns)


def _from_database() -> Snapshot:
    with get_store().engine.connect() as conn:
        rows = conn.execute(select(dataset_versions)).mappings().all()
    datasets = {row["dataset"]: _state(row) for row in rows}
    return Snapshot(MappingProxyType(datasets), confirmed_at=datetime.now(UTC))


def _from_cache() -> Snapshot | None:
    stored = cache.get(SNAPSHOT_KEY)
    if not isinstance(stored, dict) or "datasets" not in stored:
        return None
    try:
        datasets = {name: DatasetState(**state) for name, state in stored["datasets"].items()}
        return Snapshot(MappingProxyType(datasets), confirmed_at=_utc(stored.get("confirmed_at")), stale=True)
    except (TypeError, ValueError):
        return None


def _publish(here: _Process, snapshot: Snapshot, force: bool = False) -> None:
    now = time.monotonic()
    if not force and here.published == snapshot.signature and now - here.published_at < REPUBLISH_SECONDS:
        return
    body = {
        "datasets": {name: vars(state) for name, state in snapshot.datasets.items()},
        "confirmed_at": snapshot.confirmed_at.isoformat() if snapshot.confirmed_at else None,
    }
    if cache.set(SNAPSHOT_KEY, body, timeout=0):
        here.published, here.published_at = snapshot.signature, now


def _stale_copy(here: _Process) -> Snapshot:
    """The newest snapshot the cache or this process still has, flagged stale."""
    candidates = [s for s in (_from_cache(), here.snapshot) if s is not None]
    if not candidates:
        raise StorageUnavailable("database unavailable and no cached state of the data")
    best = max(candidates, key=lambda s: s.confirmed_at or datetime.min.replace(tzinfo=UTC))
    return Snapshot(best.datasets, best.confirmed_at, stale=True)


def current() -> Snapshot:
    """The versions to read with: this process's copy while it is recent, else the database's,
    else (database down) the last known copy, flagged stale."""
    here = _here()
    settings = get_store().settings
    snapshot = here.snapshot
    if snapshot is not None and time.monotonic() - here.read_at < settings.version_check_seconds:
        return snapshot
    # One thread asks; the others keep reading with the copy they have meanwhile.
    if not here.refreshing.acquire(blocking=snapshot is None):
        return snapshot
    try:
        if here.snapshot is not snapshot and here.snapshot is not None:
            return here.snapshot  # another thread refreshed it while this one waited
        if database_available():
            try:
                fresh = _from_database()
            except SQLAlchemyError as exc:
                database_failed(exc)
                if not is_outage(exc):
                    raise StorageUnavailable(f"database error: {type(exc).__name__}") from exc
            else:
                here.snapshot, here.read_at = fresh, time.monotonic()
                _publish(here, fresh)
                return fresh
        stale = _stale_copy(here)
        here.snapshot, here.read_at = stale, time.monotonic()
        return stale
    finally:
        here.refreshing.release()


def dataset_version(name: str) -> int:
    """The dataset's current version (0 before its first write)."""
    return current().version(name)


def system_version() -> int:
    """Moved by the sidecar when it records a run (health, download log); 0 before the first."""
    return current().version(SYSTEM_DATASET)


def publish_version(dataset: str, version: int) -> None:
    """After a commit that moved ``dataset`` to ``version``: this process asks the database
    again at its next read, and the shared copy is brought up to date now, so every process
    can name the new data even should the database go away right after."""
    here = _here()
    here.read_at = 0.0
    try:
        fresh = _from_database()
    except SQLAlchemyError as exc:
        log.warning("publishing %s version %s: %s", dataset, version, type(exc).__name__)
        return
    here.snapshot, here.read_at = fresh, time.monotonic()
    _publish(here, fresh, force=True)


# --- the writer's side: a committed update moves the dataset's version --------------------------


def bump_version(
    conn: Connection,
    dataset: str,
    rows_written: int,
    source: str | None,
    demo: bool | None = None,
    moved: bool = False,
) -> int:
    """Record a committed update of ``dataset`` in the caller's transaction; returns its version.

    The version moves only when rows changed, so caches stay warm through a refresh that
    found nothing new; ``updated_at`` moves either way (the data was confirmed current).
    Versions are microsecond timestamps kept strictly increasing, so a recreated database
    never reuses a version that a cache still holds keys for. ``demo`` sets or clears the
    dataset's DEMO flag; None leaves it as it was (a real refresh does not hide demo rows).
    The dataset's totals are summed from its series' stats (a few hundred rows at most).
    ``moved`` moves the version though no row changed (its quality flags did).
    """
    now = datetime.now(UTC)
    current = conn.execute(select(dataset_versions.c.version).where(dataset_versions.c.dataset == dataset)).scalar()
    values = {"updated_at": now, "rows_written": rows_written, "source": fit_sources(source), **_totals(conn, dataset)}
    if demo is not None:
        values["demo"] = demo
    if current is None:
        values.setdefault("demo", False)
        version = int(time.time() * 1_000_000)
        conn.execute(dataset_versions.insert().values(dataset=dataset, version=version, **values))
        return version
    version = max(int(time.time() * 1_000_000), current + 1) if rows_written or moved else current
    conn.execute(
        dataset_versions.update().where(dataset_versions.c.dataset == dataset).values(version=version, **values)
    )
    return version


def fit_sources(source: str | None, width: int | None = None) -> str | None:
    """The comma-separated sources of a write, fitted to ``dataset_versions.source``: a write
    from more sources than the column holds keeps the first names and says how many it left
    out (``bls,dbnomics,+5 more``). The full list is the dataset's ``sources`` (from its
    series' stats)."""
    width = width or dataset_versions.c.source.type.length
    if source is None or len(source) <= width:
        return source
    names = source.split(",")
    for kept in range(len(names) - 1, -1, -1):
        fitted = ",".join([*names[:kept], f"+{len(names) - kept} more"])
        if len(fitted) <= width:
            return fitted
    return source[:width]


def _totals(conn: Connection, dataset: str) -> dict:
    stats = series_stats.c
    mine = stats.dataset == dataset
    count, rows, first, last = conn.execute(
        select(
            func.count(),
            func.coalesce(func.sum(stats.row_count), 0),
            func.min(stats.first_date),
            func.max(stats.last_date),
        ).where(mine)
    ).one()
    sources = conn.execute(select(stats.source).where(mine).distinct().order_by(stats.source)).scalars().all()
    flags = conn.execute(select(func.count()).where(data_quality.c.dataset == dataset)).scalar_one()
    return {
        "key_count": int(count),
        "row_count": int(rows),
        "first_date": first,
        "last_date": last,
        "sources": ", ".join(sources),
        "flag_count": int(flags),
    }
