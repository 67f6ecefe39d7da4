"""One download run at a time across every sidecar sharing a database.

PostgreSQL: a session-level advisory lock held on a dedicated connection for the whole run
(released by the server if the process dies, even by kill -9). SQLite: a lock file next to
the database (``var/jobs.lock``; the OS releases it when the process dies). Both are taken
without waiting: a second sidecar whose hourly refresh fires while another runs skips that
hour instead of queueing behind it.
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import Iterator
from contextlib import contextmanager

from filelock import FileLock, Timeout
from sqlalchemy import text

from sql.store import Store

log = logging.getLogger(__name__)

# Arbitrary constant shared by every sidecar of the station (first pg_try_advisory_lock key;
# the second is the schema's, so stations in other schemas of one database run independently).
RUN_LOCK_KEY = 0x5EA27B


def _schema_key(schema: str) -> int:
    return zlib.crc32(schema.encode()) - 2**31  # into PostgreSQL's int4 range


@contextmanager
def run_lock(store: Store) -> Iterator[bool]:
    """Yield True while this process holds the run lock, False if another process holds it."""
    if store.settings.is_postgres:
        keys = {"k": RUN_LOCK_KEY, "s": _schema_key(store.settings.db_schema)}
        with store.engine.connect() as conn:
            got = bool(conn.execute(text("SELECT pg_try_advisory_lock(:k, :s)"), keys).scalar())
            conn.commit()  # no transaction stays open on the lock's connection
            try:
                yield got
            finally:
                if got:
                    conn.execute(text("SELECT pg_advisory_unlock(:k, :s)"), keys)
                    conn.commit()
        return
    store.settings.var_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(store.settings.var_dir / "jobs.lock"), timeout=0)
    try:
        lock.acquire()
    except Timeout:
        yield False
        return
    try:
        yield True
    finally:
        lock.release()
