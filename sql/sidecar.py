"""The sidecar's runs as the station stores them, and whether one holds the jobs lock right now.

A status lives twice: under the seed's cache keys (``preload:status``, ``refresh:last_run``)
and in a ``sidecar_status`` row per kind, which a cache loss or outage does not take away.
Readers prefer the cache and fall back to the row.

A running status names its owner (host, pid, run id, kind) and carries ``heartbeat_at``,
moved every few seconds while the run lives. A run that dies (kill -9, a crash, its host gone)
leaves "running" behind: readers report it ``interrupted`` once the jobs lock it held is free,
or, when the lock cannot be probed, once its heartbeat is older than ``HEARTBEAT_LIMIT``.

The sidecar's ``jobs.locks`` takes the lock whose presence ``run_lock_held`` probes here, and
``jobs.status`` writes the statuses through ``save_status``. The web reads the preload's
status through sql/preload_status.py, the protocol's reader.
"""

from __future__ import annotations

import json
import logging
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

from filelock import FileLock, Timeout
from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import SQLAlchemyError

from config.settings import Settings
from sql.schema import sidecar_status
from sql.store import Store, get_store

log = logging.getLogger(__name__)

# First key of the run lock (pg_try_advisory_lock(int4, int4)); the second is the schema's, so
# stations in other schemas of one database run independently. Shared by every sidecar.
RUN_LOCK_KEY = 0x5EA27B
# How often a run moves its heartbeat, and how old it may be before, with the lock
# unprobeable, the run counts as gone.
HEARTBEAT_SECONDS = 5.0
HEARTBEAT_LIMIT = timedelta(seconds=60)

_PG_LOCK_PROBE = text(
    "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory'"
    " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
    " AND classid = CAST(:key1 AS oid) AND objid = CAST(:key2 AS oid) AND objsubid = 2 AND granted)"
)


# --- the run lock -------------------------------------------------------------------------------


def schema_lock_key(schema: str) -> int:
    """The run lock's second key: the schema's, in PostgreSQL's int4 range."""
    return zlib.crc32(schema.encode()) - 2**31


def run_lock_path(settings: Settings) -> Path:
    """SQLite: the lock file that every sidecar sharing ``var/`` takes for its run."""
    return settings.var_dir / "jobs.lock"


def run_lock_held(store: Store | None = None) -> bool | None:
    """Whether any process holds the run lock now; None when that cannot be told (database
    down, lock file unreadable). Never keeps the lock: PostgreSQL reads ``pg_locks``; SQLite
    tries the lock file without waiting and lets go at once."""
    store = store or get_store()
    try:
        if store.settings.is_postgres:
            keys = {"key1": RUN_LOCK_KEY & 0xFFFFFFFF, "key2": schema_lock_key(store.settings.db_schema) & 0xFFFFFFFF}
            with store.engine.connect() as conn:
                return bool(conn.execute(_PG_LOCK_PROBE, keys).scalar())
        return _file_lock_held(run_lock_path(store.settings))
    except (SQLAlchemyError, OSError) as exc:
        log.debug("run lock probe failed: %s", exc)
        return None


def _file_lock_held(path: Path) -> bool:
    if not path.exists():  # never taken here: nobody holds it (and the probe creates nothing)
        return False
    probe = FileLock(str(path), timeout=0)
    try:
        probe.acquire()
    except Timeout:
        return True
    probe.release()
    return False


# --- reading a status ---------------------------------------------------------------------------


def parse_time(value) -> datetime | None:
    """An ISO 8601 time from a status as tz-aware UTC; None when missing or unreadable."""
    if not isinstance(value, str) or not value:
        return None
    try:
        stamp = datetime.fromisoformat(value)
    except ValueError:
        return None
    return stamp.replace(tzinfo=UTC) if stamp.tzinfo is None else stamp.astimezone(UTC)


def last_heard(status: dict | None) -> datetime | None:
    """The last time the run behind ``status`` said anything (heartbeat, progress, start, end)."""
    fields = ("heartbeat_at", "updated_at", "finished_at", "started_at")
    stamps = [parse_time((status or {}).get(name)) for name in fields]
    return max((s for s in stamps if s is not None), default=None)


def _written(status: dict | None) -> datetime:
    stamp = parse_time((status or {}).get("written_at")) or last_heard(status)
    return stamp or datetime.min.replace(tzinfo=UTC)


def newest(*statuses: dict | None) -> dict | None:
    """Of several copies of one status (cache, row), the one written last; ties go to the first."""
    found = [s for s in statuses if isinstance(s, dict)]
    return max(found, key=_written, default=None)


def stored_status(name: str, store: Store | None = None) -> dict | None:
    """The ``sidecar_status`` row ``name`` (``preload``, ``refresh``) as the status it holds;
    None when there is none or the database cannot say."""
    store = store or get_store()
    try:
        with store.engine.connect() as conn:
            detail = conn.execute(select(sidecar_status.c.detail).where(sidecar_status.c.name == name)).scalar()
    except SQLAlchemyError as exc:  # down, or not migrated yet (`jobs status` does not migrate)
        log.debug("sidecar_status unreadable: %s", exc)
        return None
    try:
        status = json.loads(detail) if detail else None
    except ValueError:
        return None
    return status if isinstance(status, dict) else None


# --- writing a status ---------------------------------------------------------------------------


def _owner_text(status: dict) -> str | None:
    owner = status.get("owner")
    if not isinstance(owner, dict):
        return None
    return f"{owner.get('host')}:{owner.get('pid')}"[:255]


def save_status(name: str, status: dict, store: Store | None = None) -> bool:
    """Write ``status`` as the ``sidecar_status`` row ``name``; False (logged) when the
    database refused: a status write never stops a run."""
    store = store or get_store()
    row = {
        "state": str(status.get("state") or "unknown")[:16],
        "owner": _owner_text(status),
        "run_id": str(status["run_id"])[:36] if status.get("run_id") else None,
        "started_at": parse_time(status.get("started_at")),
        "heartbeat_at": parse_time(status.get("heartbeat_at")),
        "finished_at": parse_time(status.get("finished_at")),
        "detail": json.dumps(status, default=str),
    }
    insert = pg_insert if store.settings.is_postgres else sqlite_insert
    statement = insert(sidecar_status).values(name=name, **row)
    statement = statement.on_conflict_do_update(
        index_elements=["name"], set_={column: statement.excluded[column] for column in row}
    )
    try:
        with store.engine.begin() as conn:
            conn.execute(statement)
    except SQLAlchemyError as exc:
        log.warning("sidecar status %s not stored: %s", name, str(exc).splitlines()[0])
        return False
    return True


# --- the last backup ----------------------------------------------------------------------------


def last_backup(store: Store | None = None, now: datetime | None = None) -> dict | None:
    """The sidecar's last backup as /api/system/status shows it (its ``backup`` row, written by
    jobs/backup.py): when, how big, which file, its age, and the error of a failed attempt since;
    None before the first backup."""
    status = stored_status("backup", store)
    if status is None:
        return None
    last = status if status.get("state") == "complete" else status.get("last_success")
    last = last if isinstance(last, dict) else {}
    finished = parse_time(last.get("finished_at"))
    now = now or datetime.now(UTC)
    return {
        "state": status.get("state"),
        "last_backup_at": finished.isoformat() if finished else None,
        "age_seconds": round((now - finished).total_seconds(), 1) if finished else None,
        "bytes": last.get("bytes"),
        "file": last.get("file"),
        "rows": last.get("rows"),
        "alembic_revision": last.get("alembic_revision"),
        "error": status.get("error") if status.get("state") != "complete" else None,
        "failed_at": status.get("finished_at") if status.get("state") != "complete" else None,
    }
