"""Run the Alembic migration chain; idempotent and safe when several processes start at once."""

from __future__ import annotations

import logging
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from filelock import FileLock
from sqlalchemy import Engine, text
from sqlalchemy.exc import ProgrammingError

from config.settings import Settings

log = logging.getLogger(__name__)
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# Arbitrary constant shared by every process of the station (pg_advisory_lock key).
_MIGRATION_LOCK_KEY = 0x5EA27A


def alembic_config(settings: Settings) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["db_schema"] = settings.db_schema if settings.is_postgres else None
    return cfg


@contextmanager
def _migration_lock(settings: Settings, engine: Engine):
    if settings.is_postgres:
        with engine.connect() as conn:
            # Even with IF NOT EXISTS, CREATE SCHEMA needs CREATE on the database: a schema made
            # beforehand by an administrator (README "Running on PostgreSQL") is left alone.
            found = conn.execute(text("SELECT 1 FROM pg_namespace WHERE nspname = :s"), {"s": settings.db_schema})
            if found.scalar() is None:
                conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{settings.db_schema}"'))
            conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": _MIGRATION_LOCK_KEY})
            conn.commit()
            try:
                yield conn
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _MIGRATION_LOCK_KEY})
                conn.commit()
    else:
        settings.var_dir.mkdir(parents=True, exist_ok=True)
        with FileLock(str(settings.var_dir / "migrate.lock"), timeout=120), engine.connect() as conn:
            yield conn


class MigrationRightsError(RuntimeError):
    """The schema needs migrating and the connected role may not (README "Database roles")."""


# PostgreSQL's insufficient_privilege.
_INSUFFICIENT_PRIVILEGE = "42501"


def upgrade(settings: Settings, engine: Engine, revision: str = "head") -> None:
    """Bring the database to ``revision`` (default: the newest). A role without the rights to
    (the web's and the sidecar's) passes when there is nothing to do, and otherwise raises
    MigrationRightsError saying who must migrate."""
    cfg = alembic_config(settings)
    try:
        with _migration_lock(settings, engine) as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
            conn.commit()
    except ProgrammingError as exc:
        if getattr(exc.orig, "pgcode", None) != _INSUFFICIENT_PRIVILEGE:
            raise
        raise MigrationRightsError(
            f"the schema {settings.db_schema} needs migrating and role {engine.url.username!r} may not: "
            "run `python -m jobs migrate` (or `jobs roles --apply`) as the schema's owner first "
            "(docker compose: the migrate service)"
        ) from exc
    log.info("database migrated", extra={"revision": revision})


def current_revision(engine: Engine, settings: Settings) -> str | None:
    """The revision the database is at, or None before the first migration."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        opts = {"version_table_schema": settings.db_schema} if settings.is_postgres else {}
        return MigrationContext.configure(conn, opts=opts).get_current_revision()
