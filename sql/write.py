"""Bulk idempotent upsert of canonical frames, and the dataset version that moves after it.

PostgreSQL: ``COPY`` into a temporary staging table, then one ``INSERT … ON CONFLICT``.
SQLite: batched ``INSERT … ON CONFLICT`` through executemany. Rows whose values did not
change are left untouched, so a refresh with nothing new writes (almost) nothing.
All writes run on the caller's connection: one dataset's update is one transaction.
"""

from __future__ import annotations

import io
import time
from datetime import UTC, date, datetime

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Table, func, or_, select, text
from sqlalchemy.dialects import sqlite
from sqlalchemy.exc import DBAPIError

from sql.schema import dataset_versions, table

SQLITE_BATCH_ROWS = 5_000


class WriteError(ValueError):
    """A frame that cannot be written as it is (missing columns, duplicate keys)."""


def _check_frame(tbl: Table, frame: pd.DataFrame) -> list[str]:
    pk = [c.name for c in tbl.primary_key.columns]
    missing = [
        c.name
        for c in tbl.columns
        if not c.nullable and c.default is None and c.autoincrement is not True and c.name not in frame
    ]
    if missing:
        raise WriteError(f"{tbl.name}: frame lacks required columns {missing}")
    unknown = [c for c in frame.columns if c not in tbl.columns]
    if unknown:
        raise WriteError(f"{tbl.name}: frame has columns not in the table {unknown}")
    dupes = frame.duplicated(subset=pk)
    if dupes.any():
        raise WriteError(f"{tbl.name}: {int(dupes.sum())} rows repeat a primary key {pk}")
    return pk


def _value_columns(tbl: Table, columns: list[str]) -> list[str]:
    """Columns whose change makes a row worth rewriting (not the key, not fetched_at)."""
    return [c for c in columns if c != "fetched_at" and not tbl.c[c].primary_key]


def upsert_frame(conn: Connection, table_name: str, frame: pd.DataFrame) -> int:
    """Insert or update ``frame`` into ``table_name``; returns rows inserted or changed."""
    tbl = table(table_name)
    if frame.empty:
        return 0
    pk = _check_frame(tbl, frame)
    columns = list(frame.columns)
    if conn.dialect.name == "postgresql":
        return _upsert_postgres(conn, tbl, frame, pk, columns)
    return _upsert_sqlite(conn, tbl, frame, pk, columns)


def _quote(names: list[str]) -> str:
    return ", ".join(f'"{n}"' for n in names)


def _csv_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Dates and timestamps as ISO text, vectorised: pandas' own formatting of them is the
    slowest step of a bulk write. Timestamps become naive UTC (the COPY runs in UTC)."""
    out = {}
    for col in frame.columns:
        values = frame[col]
        if isinstance(values.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_dtype(values):
            if isinstance(values.dtype, pd.DatetimeTZDtype):
                values = values.dt.tz_convert("UTC").dt.tz_localize(None)
            stamps = values.to_numpy(dtype="datetime64[us]")
            text_values = np.datetime_as_string(stamps, unit="us")
            missing = np.isnat(stamps)
            out[col] = np.where(missing, "", text_values) if missing.any() else text_values
        elif values.dtype == object and isinstance(values.iloc[0], date):
            out[col] = [d.isoformat() if isinstance(d, date) else "" for d in values.to_numpy()]
        else:
            out[col] = values.to_numpy()
    return pd.DataFrame(out, index=frame.index)


def _copy(conn: Connection, sql: str, buffer: io.StringIO) -> None:
    """``COPY … FROM STDIN`` on the driver's own cursor, its errors raised as ``conn.execute``
    would raise them: as SQLAlchemy errors (callers catch those: a raw driver error would escape
    them and end the whole run), and a lost connection invalidated rather than rolled back."""
    driver = conn.connection.driver_connection
    dbapi_error = conn.dialect.loaded_dbapi.Error
    cursor = driver.cursor()
    try:
        cursor.copy_expert(sql, buffer)
        return
    except dbapi_error as exc:
        lost = conn.dialect.is_disconnect(exc, driver, cursor)
        error = DBAPIError.instance(sql, None, exc, dbapi_error, connection_invalidated=lost, dialect=conn.dialect)
    finally:
        cursor.close()
    if lost:
        conn.invalidate(error.orig)
    raise error from error.orig


def _upsert_postgres(conn: Connection, tbl: Table, frame: pd.DataFrame, pk: list[str], columns: list[str]) -> int:
    # Identifiers below come from sql.schema, never from input.
    stage = f"stage_{tbl.name}"
    conn.execute(text(f'DROP TABLE IF EXISTS pg_temp."{stage}"'))
    conn.execute(text(f'CREATE TEMP TABLE "{stage}" (LIKE "{tbl.name}" INCLUDING DEFAULTS) ON COMMIT DROP'))
    conn.execute(text("SET LOCAL TIME ZONE 'UTC'"))
    buffer = io.StringIO()
    _csv_frame(frame[columns]).to_csv(buffer, index=False, header=False)
    buffer.seek(0)
    _copy(conn, f'COPY pg_temp."{stage}" ({_quote(columns)}) FROM STDIN WITH (FORMAT csv)', buffer)
    sql = f'INSERT INTO "{tbl.name}" ({_quote(columns)}) SELECT {_quote(columns)} FROM pg_temp."{stage}" '
    value_cols = _value_columns(tbl, columns)
    if value_cols:
        sets = ", ".join(f'"{c}" = EXCLUDED."{c}"' for c in columns if c not in pk)
        old = ", ".join(f'"{tbl.name}"."{c}"' for c in value_cols)
        new = ", ".join(f'EXCLUDED."{c}"' for c in value_cols)
        sql += f"ON CONFLICT ({_quote(pk)}) DO UPDATE SET {sets} WHERE ROW({old}) IS DISTINCT FROM ROW({new})"
    else:
        sql += f"ON CONFLICT ({_quote(pk)}) DO NOTHING"
    return conn.execute(text(sql)).rowcount


def _sqlite_values(values: pd.Series) -> list:
    """One column as Python values the way SQLAlchemy binds them on SQLite (timestamps as
    ``YYYY-MM-DD HH:MM:SS.ffffff`` in UTC, dates as ``YYYY-MM-DD``, missing as None), built
    vectorised: binding row by row through SQLAlchemy costs more than SQLite's own work."""
    if isinstance(values.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_dtype(values):
        if isinstance(values.dtype, pd.DatetimeTZDtype):
            values = values.dt.tz_convert("UTC").dt.tz_localize(None)
        stamps = values.to_numpy(dtype="datetime64[us]")
        text_values = np.char.replace(np.datetime_as_string(stamps, unit="us"), "T", " ").astype(object)
        text_values[np.isnat(stamps)] = None
        return text_values.tolist()
    out = values.astype(object).where(values.notna(), None).tolist()
    if out and any(isinstance(v, date) for v in out[:1]):
        return [v.isoformat() if isinstance(v, date) else v for v in out]
    return out


def _upsert_sqlite(conn: Connection, tbl: Table, frame: pd.DataFrame, pk: list[str], columns: list[str]) -> int:
    insert = sqlite.insert(tbl)
    update_cols = [c for c in columns if c not in pk]
    if update_cols:
        stmt = insert.on_conflict_do_update(
            index_elements=pk,
            set_={c: insert.excluded[c] for c in update_cols},
            where=or_(*[tbl.c[c].is_distinct_from(insert.excluded[c]) for c in _value_columns(tbl, columns)]),
        )
    else:
        stmt = insert.on_conflict_do_nothing(index_elements=pk)
    # Compiled once, executed through the driver with plain tuples in the statement's order.
    compiled = stmt.compile(dialect=conn.dialect, column_keys=columns)
    by_name = {c: _sqlite_values(frame[c]) for c in columns}
    rows = list(zip(*(by_name[name] for name in compiled.positiontup), strict=True))
    before = conn.execute(text("SELECT total_changes()")).scalar_one()
    for start in range(0, len(rows), SQLITE_BATCH_ROWS):
        conn.exec_driver_sql(str(compiled), rows[start : start + SQLITE_BATCH_ROWS])
    return conn.execute(text("SELECT total_changes()")).scalar_one() - before


def bump_version(
    conn: Connection, dataset: str, rows_written: int, source: str | None, demo: bool | None = None
) -> int:
    """Record a committed update of ``dataset`` in the caller's transaction; returns its version.

    The version moves only when rows changed, so caches stay warm through a refresh that
    found nothing new; ``updated_at`` moves either way (the data was confirmed current).
    Versions are microsecond timestamps kept strictly increasing, so a recreated database
    never reuses a version that a cache still holds keys for. ``demo`` sets or clears the
    dataset's DEMO flag; None leaves it as it was (a real refresh does not hide demo rows).
    """
    now = datetime.now(UTC)
    current = conn.execute(select(dataset_versions.c.version).where(dataset_versions.c.dataset == dataset)).scalar()
    values = {"updated_at": now, "rows_written": rows_written, "source": source}
    if demo is not None:
        values["demo"] = demo
    if current is None:
        values.setdefault("demo", False)
        version = int(time.time() * 1_000_000)
        conn.execute(dataset_versions.insert().values(dataset=dataset, version=version, **values))
        return version
    version = max(int(time.time() * 1_000_000), current + 1) if rows_written else current
    conn.execute(
        dataset_versions.update().where(dataset_versions.c.dataset == dataset).values(version=version, **values)
    )
    return version


def row_count(conn: Connection, table_name: str) -> int:
    return conn.execute(select(func.count()).select_from(table(table_name))).scalar_one()
