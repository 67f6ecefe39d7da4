"""Bulk idempotent upsert of canonical frames, with their series stats and quality flags; the
dataset version then moves (``sql.versions.bump_version``) in the same transaction.

PostgreSQL: ``COPY`` into a temporary staging table, then one ``INSERT … ON CONFLICT``.
SQLite: batched ``INSERT … ON CONFLICT`` through executemany. Rows whose values did not
change are left untouched, so a refresh with nothing new writes (almost) nothing.
All writes run on the caller's connection: one dataset's update is one transaction.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import UTC, date, datetime

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Date, DateTime, Integer, Table, and_, case, delete, func, or_, select, text
from sqlalchemy.dialects import sqlite
from sqlalchemy.exc import DBAPIError

from sql.datasets import DATASETS, DatasetSpec
from sql.schema import data_quality, series_stats, table
from sql.versions import bump_version

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
    return _upsert(conn, table(table_name), frame)[0]


def _upsert(
    conn: Connection, tbl: Table, frame: pd.DataFrame, spec: DatasetSpec | None = None, spans: dict | None = None
) -> tuple[int, dict]:
    """Rows inserted or changed, and for a dataset's table (``spec``) how many rows of each key
    were new to it, counted against the table before the write by its primary key. ``spans``
    (key → (first, last) stored date) spares SQLite looking up rows outside what is stored."""
    if frame.empty:
        return 0, {}
    pk = _check_frame(tbl, frame)
    columns = list(frame.columns)
    if conn.dialect.name == "postgresql":
        return _upsert_postgres(conn, tbl, frame, pk, columns, spec.key_column if spec else None)
    new = _new_rows_sqlite(conn, tbl, frame, pk, spec, spans or {}) if spec else {}
    return _upsert_sqlite(conn, tbl, frame, pk, columns), new


def _new_rows_sqlite(
    conn: Connection, tbl: Table, frame: pd.DataFrame, pk: list[str], spec: DatasetSpec, spans: dict
) -> dict[str, int]:
    """New rows per key: rows dated outside their key's stored span are new without asking;
    the others are looked up through a temporary table of their primary keys, bound as the
    upsert binds them (the same stored text)."""
    key = spec.key_column
    days = observation_dates(frame[spec.date_column])
    first = frame[key].map(lambda k: spans.get(k, (None, None))[0])
    last = frame[key].map(lambda k: spans.get(k, (None, None))[1])
    maybe = (first.notna() & (days >= first) & (days <= last)).to_numpy(dtype=bool)
    new = frame.loc[~maybe, key].value_counts().to_dict()
    if maybe.any():
        stage = f"stage_pk_{tbl.name}"
        conn.exec_driver_sql(f'DROP TABLE IF EXISTS temp."{stage}"')
        conn.exec_driver_sql(f'CREATE TEMP TABLE "{stage}" AS SELECT {_quote(pk)} FROM "{tbl.name}" WHERE 0')
        candidates = frame.loc[maybe, pk]
        rows = list(zip(*(_sqlite_values(candidates[c]) for c in pk), strict=True))
        placeholders = ", ".join("?" for _ in pk)
        for start in range(0, len(rows), SQLITE_BATCH_ROWS):
            conn.exec_driver_sql(
                f'INSERT INTO temp."{stage}" VALUES ({placeholders})', rows[start : start + SQLITE_BATCH_ROWS]
            )
        for k, n in conn.execute(text(_new_rows_sql(tbl.name, f'temp."{stage}"', pk, key))):
            new[k] = new.get(k, 0) + n
        conn.exec_driver_sql(f'DROP TABLE temp."{stage}"')
    return {str(k): int(n) for k, n in new.items()}


def _quote(names: list[str]) -> str:
    return ", ".join(f'"{n}"' for n in names)


def _whole_numbers(tbl: Table, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with the table's integer columns that arrive as floats (a column with a gap, a
    frame put together from several) as nullable integers: COPY refuses "2026.0" for an
    integer, where SQLite stores it as 2026."""
    floats = [c for c in frame.columns if isinstance(tbl.c[c].type, Integer) and pd.api.types.is_float_dtype(frame[c])]
    if not floats:
        return frame
    return frame.assign(**{c: frame[c].round().astype("Int64") for c in floats})


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
        elif isinstance(values.dtype, pd.Int64Dtype):  # nullable integers: "3", not "3.0" (to_numpy's floats)
            out[col] = values.astype(object).where(values.notna(), None).to_numpy()
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


def _new_rows_sql(tbl_name: str, stage: str, pk: list[str], key: str) -> str:
    """Rows of the staging table whose primary key the table does not hold yet, by key."""
    # Identifiers come from sql.schema, never from input.
    match = " AND ".join(f't."{c}" = s."{c}"' for c in pk)
    return (
        f'SELECT s."{key}", count(*) FROM {stage} s '
        f'WHERE NOT EXISTS (SELECT 1 FROM "{tbl_name}" t WHERE {match}) GROUP BY s."{key}"'
    )


def _upsert_postgres(
    conn: Connection, tbl: Table, frame: pd.DataFrame, pk: list[str], columns: list[str], count_new_by: str | None
) -> tuple[int, dict]:
    # Identifiers below come from sql.schema, never from input.
    stage = f"stage_{tbl.name}"
    conn.execute(text(f'DROP TABLE IF EXISTS pg_temp."{stage}"'))
    conn.execute(text(f'CREATE TEMP TABLE "{stage}" (LIKE "{tbl.name}" INCLUDING DEFAULTS) ON COMMIT DROP'))
    conn.execute(text("SET LOCAL TIME ZONE 'UTC'"))
    buffer = io.StringIO()
    _csv_frame(_whole_numbers(tbl, frame[columns])).to_csv(buffer, index=False, header=False)
    buffer.seek(0)
    _copy(conn, f'COPY pg_temp."{stage}" ({_quote(columns)}) FROM STDIN WITH (FORMAT csv)', buffer)
    new_rows = {}
    if count_new_by:
        new_rows = dict(conn.execute(text(_new_rows_sql(tbl.name, f'pg_temp."{stage}"', pk, count_new_by))).all())
    sql = f'INSERT INTO "{tbl.name}" ({_quote(columns)}) SELECT {_quote(columns)} FROM pg_temp."{stage}" '
    value_cols = _value_columns(tbl, columns)
    if value_cols:
        sets = ", ".join(f'"{c}" = EXCLUDED."{c}"' for c in columns if c not in pk)
        old = ", ".join(f'"{tbl.name}"."{c}"' for c in value_cols)
        new = ", ".join(f'EXCLUDED."{c}"' for c in value_cols)
        sql += f"ON CONFLICT ({_quote(pk)}) DO UPDATE SET {sets} WHERE ROW({old}) IS DISTINCT FROM ROW({new})"
    else:
        sql += f"ON CONFLICT ({_quote(pk)}) DO NOTHING"
    return conn.execute(text(sql)).rowcount, new_rows


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


# --- datasets: data, series stats and version in one transaction --------------------------------


def observation_dates(values: pd.Series) -> pd.Series:
    """A date or timestamp column as calendar dates (``datetime.date``; of UTC for timestamps)."""
    stamps = pd.to_datetime(values, utc=True).dt.tz_localize(None)
    return pd.Series(stamps.dt.date, index=values.index)


def _stored_stats(conn: Connection, dataset: str, keys: Iterable[str]) -> dict[str, dict]:
    stats = series_stats.c
    keys, found = list(keys), {}
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        rows = conn.execute(select(series_stats).where(stats.dataset == dataset, stats.key.in_(chunk))).mappings()
        found.update({row["key"]: dict(row) for row in rows})
    return found


def _as_date(value) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    return value


def _merged_stats(spec: DatasetSpec, frame: pd.DataFrame, old: dict[str, dict], new: dict[str, int]) -> pd.DataFrame:
    """The series' stats after the write: counts grow by the new rows, the span widens, and the
    two newest dates are the newest two of the stored pair and the frame's dates."""
    now = datetime.now(UTC)
    days = observation_dates(frame[spec.date_column])
    out = []
    for key, dates in days.groupby(frame[spec.key_column].astype(str), sort=False):
        before = old.get(key)
        candidates = set(dates.unique())
        if before:
            candidates |= {_as_date(before["last_date"]), _as_date(before["prev_date"])}
        newest = sorted(candidates, reverse=True)
        out.append(
            {
                "dataset": spec.name,
                "key": key,
                "row_count": (before["row_count"] if before else 0) + new.get(key, 0),
                "first_date": min(candidates) if not before else min(min(candidates), _as_date(before["first_date"])),
                "last_date": newest[0],
                "prev_date": newest[1] if len(newest) > 1 else newest[0],
                "source": str(frame.loc[dates.index, "source"].iloc[-1]),
                "updated_at": now,
            }
        )
    return pd.DataFrame(out)


def write_dataset(
    conn: Connection,
    name: str,
    frame: pd.DataFrame,
    source: str | None,
    demo: bool | None = None,
    flags: pd.DataFrame | None = None,
    judged: pd.DataFrame | None = None,
) -> tuple[int, int]:
    """Upsert ``frame`` into dataset ``name``'s table, keep its series' stats, its quality
    ``flags`` (closing those of the ``judged`` spans that no longer fire: ``write_flags``) and
    move its version, all on the caller's transaction; (rows inserted or changed, new version)."""
    spec = DATASETS[name]
    rows = 0
    if not frame.empty:
        keys = frame[spec.key_column].astype(str).unique()
        old = _stored_stats(conn, name, keys)
        spans = {k: (_as_date(v["first_date"]), _as_date(v["last_date"])) for k, v in old.items()}
        rows, new = _upsert(conn, table(spec.table), frame, spec, spans)
        _upsert(conn, series_stats, _merged_stats(spec, frame, old, new))
    flagged = write_flags(conn, name, flags, judged) if flags is not None else 0
    return rows, bump_version(conn, name, rows, source, demo, moved=flagged > 0)


# --- quality flags ------------------------------------------------------------------------------

FLAG_KEY = ["key", "date", "rule"]
FLAG_FIELDS = ["detail", "value", "source", "status", "second_source", "second_value"]


def _stored_flags(conn: Connection, dataset: str, keys: list[str], start: date) -> pd.DataFrame:
    q = data_quality.c
    found = []
    for at in range(0, len(keys), 500):
        stmt = select(data_quality).where(q.dataset == dataset, q.key.in_(keys[at : at + 500]), q.date >= start)
        found.extend(dict(r) for r in conn.execute(stmt).mappings())
    columns = [c.name for c in data_quality.columns]
    stored = pd.DataFrame(found, columns=columns)
    stored["date"] = stored["date"].map(_as_date)
    return stored


def _differs(a: pd.Series, b: pd.Series) -> pd.Series:
    both_missing = a.isna() & b.isna()
    return ~both_missing & ((a.isna() != b.isna()) | (a.astype(object) != b.astype(object)))


def write_flags(conn: Connection, dataset: str, flags: pd.DataFrame, judged: pd.DataFrame | None) -> int:
    """Upsert a dataset's quality ``flags`` (``key, date, rule`` + ``FLAG_FIELDS``), on the
    caller's transaction, and remove the stored flags inside the ``judged`` spans (``key, rule,
    start, end``: what the rules looked at) that did not fire again. A flag seen before keeps its
    ``first_seen``, and its cross-check when this run did not check it (status ``open``) and its
    value is the same. Returns how many flags were added, changed or removed."""
    judged = judged if judged is not None else pd.DataFrame(columns=["key", "rule", "start", "end"])
    if flags.empty and judged.empty:
        return 0
    keys = sorted({*flags["key"].astype(str), *judged["key"].astype(str)})
    starts = [d for d in (flags["date"].min() if not flags.empty else None, judged["start"].min()) if pd.notna(d)]
    stored = _stored_flags(conn, dataset, keys, _as_date(min(starts)))
    now = datetime.now(UTC)
    changed = 0
    if not flags.empty:
        new = flags[[*FLAG_KEY, *FLAG_FIELDS]].copy()
        new["key"] = new["key"].astype(str)
        new = new.merge(stored, on=FLAG_KEY, how="left", suffixes=("", "_old"))
        seen = new["status_old"].notna()
        keep = (
            seen & (new["status"] == "open") & (new["status_old"] != "open") & ~_differs(new["value"], new["value_old"])
        )
        for column in ("detail", "status", "second_source", "second_value"):
            new[column] = new[column].where(~keep, new[f"{column}_old"])
        differs = pd.Series(False, index=new.index)
        for column in FLAG_FIELDS:
            differs |= _differs(new[column], new[f"{column}_old"])
        changed += int((~seen | differs).sum())
        out = new[[*FLAG_KEY, *FLAG_FIELDS]].assign(
            dataset=dataset,
            first_seen=new["first_seen"].where(seen, now),
            last_seen=now,
        )
        out["first_seen"] = pd.to_datetime(out["first_seen"], utc=True)
        out["last_seen"] = pd.to_datetime(out["last_seen"], utc=True)
        _upsert(conn, data_quality, out)
    if not stored.empty and not judged.empty:
        inside = stored.merge(judged.assign(key=judged["key"].astype(str)), on=["key", "rule"])
        inside = inside[(inside["date"] >= inside["start"]) & (inside["date"] <= inside["end"])]
        fired = set(zip(flags["key"].astype(str), flags["date"], flags["rule"], strict=True))
        gone = [tuple(r) for r in inside[FLAG_KEY].itertuples(index=False) if tuple(r) not in fired]
        q = data_quality.c
        for at in range(0, len(gone), 200):
            matches = [and_(q.key == k, q.date == d, q.rule == r) for k, d, r in gone[at : at + 200]]
            conn.execute(delete(data_quality).where(q.dataset == dataset, or_(*matches)))
        changed += len(gone)
    return changed


def rebuild_stats(conn: Connection, spec: DatasetSpec) -> None:
    """Recount a dataset's series stats from its table, on the caller's transaction: once at
    migration and after rows were deleted (demo removal), never on the read path."""
    conn.execute(series_stats.delete().where(series_stats.c.dataset == spec.name))
    tbl = table(spec.table)
    key, when = tbl.c[spec.key_column], tbl.c[spec.date_column]
    day = (
        func.date(when)
        if conn.dialect.name == "sqlite"
        else func.cast(func.timezone("UTC", when), Date)
        if isinstance(when.type, DateTime)
        else when
    )
    per_day = (
        select(key.label("key"), day.label("d"), func.count().label("n"), func.max(tbl.c.source).label("source"))
        .group_by(key, day)
        .subquery()
    )
    ranked = select(
        per_day, func.row_number().over(partition_by=per_day.c.key, order_by=per_day.c.d.desc()).label("rk")
    ).subquery()
    r = ranked.c
    stats = conn.execute(
        select(
            r.key,
            func.sum(r.n),
            func.min(r.d),
            func.max(r.d),
            func.max(case((r.rk == 2, r.d))),
            func.max(case((r.rk == 1, r.source))),
        ).group_by(r.key)
    ).all()
    now = datetime.now(UTC)
    frame = pd.DataFrame(
        [
            {
                "dataset": spec.name,
                "key": str(k),
                "row_count": int(n),
                "first_date": _as_date(first),
                "last_date": _as_date(last),
                "prev_date": _as_date(prev or last),
                "source": source,
                "updated_at": now,
            }
            for k, n, first, last, prev, source in stats
        ]
    )
    _upsert(conn, series_stats, frame)


def row_count(conn: Connection, table_name: str) -> int:
    return conn.execute(select(func.count()).select_from(table(table_name))).scalar_one()
