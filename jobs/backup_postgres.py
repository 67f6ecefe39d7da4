"""PostgreSQL's side of jobs/backup.py: ``pg_dump -Fc`` of the station's schema and ``pg_restore``.

The dump and the manifest's fingerprints read one snapshot: a REPEATABLE READ transaction
exports it (``pg_export_snapshot``), fingerprints the tables in it, and stays open while
``pg_dump --snapshot`` reads the same. A restore sets the schema in place aside (renamed),
restores in one transaction, and puts it back if anything fails; the connection's password
goes to the tools through the environment, never their command line.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

from config.settings import Settings
from sql.fingerprints import differences, table_fingerprints
from sql.store import Store

log = logging.getLogger(__name__)

# The longest a restore waits for pg_restore, and pg_dump's wait after the fingerprints.
TOOL_TIMEOUT_SECONDS = 6 * 3600


class BackupError(RuntimeError):
    """A backup that could not be written, or a file that cannot (or must not) be restored."""


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(f"{name} not found: install the PostgreSQL client tools (Debian: postgresql-client)")
    return found


def tool_env(settings: Settings) -> dict[str, str]:
    """libpq's variables for the station's database: the tools' connection, password included."""
    url = make_url(settings.database_url)
    env = dict(os.environ)
    for name, value in (
        ("PGHOST", url.host or url.query.get("host")),  # ?host=/run/postgresql: a Unix socket
        ("PGPORT", url.port),
        ("PGUSER", url.username),
        ("PGPASSWORD", url.password),
        ("PGDATABASE", url.database),
        ("PGSSLMODE", url.query.get("sslmode")),
    ):
        if value is not None:
            env[name] = str(value)
    env.setdefault("PGAPPNAME", "spartan-backup")
    return env


def _revision(conn, schema: str) -> str | None:
    found = conn.execute(
        text("SELECT 1 FROM information_schema.tables WHERE table_schema = :s AND table_name = 'alembic_version'"),
        {"s": schema},
    ).scalar()
    if found is None:
        return None
    return conn.execute(text(f'SELECT version_num FROM "{schema}".alembic_version')).scalar()


def dump(store: Store, target: Path) -> tuple[str | None, dict]:
    """``pg_dump -Fc`` of the schema into ``target``; the revision and fingerprints of the
    same snapshot."""
    settings = store.settings
    schema = settings.db_schema
    pg_dump = _tool("pg_dump")
    with store.engine.connect() as conn:
        conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar()
            command = [pg_dump, "--format=custom", f"--schema={schema}", f"--snapshot={snapshot}", f"--file={target}"]
            # The tool's path from PATH, its arguments from validated settings: no shell, no user text.
            process = subprocess.Popen(  # noqa: S603
                command, env=tool_env(settings), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
            )
            try:
                revision = _revision(conn, schema)
                tables = table_fingerprints(conn, schema)
            finally:
                # The snapshot lives as long as this transaction: pg_dump must have taken it.
                _, errors = process.communicate(timeout=TOOL_TIMEOUT_SECONDS)
    if process.returncode != 0:
        raise BackupError(f"pg_dump failed (exit {process.returncode}): {errors.decode(errors='replace').strip()}")
    return revision, tables


def _schema_exists(conn, schema: str) -> bool:
    return conn.execute(text("SELECT 1 FROM pg_namespace WHERE nspname = :s"), {"s": schema}).scalar() is not None


def restore(store: Store, dump_file: Path, manifest: dict) -> dict:
    """Replace the station's schema by the dump's; the fingerprints of what was restored. The
    schema that was there comes back when the restore fails or does not match the manifest."""
    settings = store.settings
    schema = settings.db_schema
    if manifest.get("schema") != schema:
        raise BackupError(
            f"the backup is of schema {manifest.get('schema')!r}, the station's is {schema!r}: "
            f"set SPARTAN_DB_SCHEMA={manifest.get('schema')} to restore it"
        )
    pg_restore = _tool("pg_restore")
    aside = f"{schema[:40]}_before_restore"
    with store.engine.begin() as conn:
        had_schema = _schema_exists(conn, schema)
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{aside}" CASCADE'))
        if had_schema:
            conn.execute(text(f'ALTER SCHEMA "{schema}" RENAME TO "{aside}"'))
    try:
        command = [pg_restore, "--single-transaction", "--exit-on-error", "--no-owner", "--no-privileges"]
        env = tool_env(settings)
        # Without --dbname pg_restore would print the SQL instead: the database is libpq's default.
        database = make_url(settings.database_url).database or env.get("PGDATABASE") or env.get("PGUSER") or "postgres"
        command += [f"--dbname={database}", str(dump_file)]
        done = subprocess.run(  # noqa: S603 - as pg_dump's above
            command, env=env, capture_output=True, timeout=TOOL_TIMEOUT_SECONDS, check=False
        )
        if done.returncode != 0:
            errors = done.stderr.decode(errors="replace").strip()
            raise BackupError(f"pg_restore failed (exit {done.returncode}): {errors}")
        store.engine.dispose()  # pooled connections planned their statements on the old tables
        with store.engine.connect() as conn:
            found = table_fingerprints(conn, schema)
        problems = differences(manifest["tables"], found)
        if problems:
            raise BackupError("the restored schema does not match the manifest:\n  " + "\n  ".join(problems))
    except BaseException:
        with store.engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            if had_schema:
                conn.execute(text(f'ALTER SCHEMA "{aside}" RENAME TO "{schema}"'))
        raise
    with store.engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{aside}" CASCADE'))
    return found
