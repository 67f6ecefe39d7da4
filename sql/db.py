"""Engines for the two backends: SQLite file (embedded default) and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import Engine, create_engine, event

from config.settings import Settings


def make_engine(settings: Settings) -> Engine:
    """An engine for ``settings.database_url``; on PostgreSQL its search_path is the station's schema."""
    if settings.is_postgres:
        return create_engine(
            settings.database_url,
            pool_pre_ping=True,
            pool_size=5,
            max_overflow=10,
            pool_recycle=1800,
            connect_args={
                # UTC: dates compare with timestamps at midnight UTC (sql/read.py's latest rows).
                "options": f"-csearch_path={settings.db_schema} -ctimezone=UTC",
                "connect_timeout": 5,
                "application_name": "spartan",
            },
        )
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        settings.database_url,
        connect_args={"check_same_thread": False, "timeout": 30},
    )

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_conn, _record) -> None:
        # WAL lets the web read while the sidecar writes; readers see the last commit.
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    return engine
