"""One download run at a time across every sidecar sharing a database.

PostgreSQL: a session-level advisory lock held on a dedicated connection for the whole run
(released by the server if the process dies, even by kill -9). SQLite: a lock file next to
the database (``var/jobs.lock``; the OS releases it when the process dies). Both are taken
without waiting: a second sidecar whose hourly refresh fires while another runs skips that
hour instead of queueing behind it. ``run_lock_held`` (sql/sidecar.py, for the web too) tells
whether anyone holds it without keeping it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from filelock import FileLock, Timeout
from sqlalchemy import text

from sql.sidecar import RUN_LOCK_KEY, run_lock_held, run_lock_path, schema_lock_key
from sql.store import Store

log = logging.getLogger(__name__)

__all__ = ["RUN_LOCK_KEY", "run_lock", "run_lock_held", "schema_lock_key"]

# SQLite: how long a run waits for the lock file. Not for another run (that one holds it for
# minutes) but for a reader's probe (run_lock_held), which holds it for an instant.
FILE_LOCK_WAIT_SECONDS = 1.0


@contextmanager
def run_lock(store: Store) -> Iterator[bool]:
    """Yield True while this process holds the run lock, False if another process holds it."""
    if store.settings.is_postgres:
        keys = {"k": RUN_LOCK_KEY, "s": schema_lock_key(store.settings.db_schema)}
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
    lock = FileLock(str(run_lock_path(store.settings)), timeout=FILE_LOCK_WAIT_SECONDS)
    try:
        lock.acquire()
    except Timeout:
        yield False
        return
    try:
        yield True
    finally:
        lock.release()
