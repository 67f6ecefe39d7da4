"""Bulk writer throughput on PostgreSQL beside `psql \\copy` of the same rows.

    python -m bench.bulk_writer [--rows 1000000] [--database-url postgresql://…]

Writes N synthetic ``fred_series`` observations (1,000 series × N/1,000 business days) into a
throwaway schema three ways through ``sql.write.upsert_frame`` — cold insert, the same rows
again (nothing changed), every value changed — and once with ``psql \\copy`` into an
identical empty table. Prints seconds and rows/s for each; drops the schema afterwards.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import create_engine, text

from config.settings import load_settings
from sql.db import make_engine
from sql.migrate import upgrade
from sql.write import row_count, upsert_frame

DEFAULT_URL = os.environ.get("SPARTAN_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
COLUMNS = ["series_id", "date", "value", "source", "fetched_at"]


def synthetic_rows(n: int, series: int = 1000) -> pd.DataFrame:
    days = pd.bdate_range("2000-01-03", periods=max(1, n // series)).date
    rng = np.random.default_rng(42)
    frame = pd.DataFrame(
        {
            "series_id": np.repeat([f"BENCH{i:05d}" for i in range(series)], len(days)),
            "date": np.tile(days, series),
            "value": rng.normal(100, 10, series * len(days)).round(4),
        }
    ).head(n)
    return frame.assign(source="bench", fetched_at=datetime(2026, 11, 24, tzinfo=UTC))


def timed(label: str, rows: int, fn, results: list) -> None:
    started = time.perf_counter()
    fn()
    seconds = time.perf_counter() - started
    results.append((label, rows, seconds))
    print(f"  {label:<44} {rows:>10,} rows {seconds:8.2f} s {rows / seconds:>12,.0f} rows/s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    args = parser.parse_args()

    schema = f"bench_{uuid.uuid4().hex[:10]}"
    settings = load_settings(
        {"SPARTAN_DATABASE_URL": args.database_url, "SPARTAN_DB_SCHEMA": schema, "SPARTAN_VAR_DIR": tempfile.mkdtemp()}
    )
    engine = make_engine(settings)
    admin = create_engine(settings.database_url)
    results: list[tuple[str, int, float]] = []
    try:
        upgrade(settings, engine)
        started = time.perf_counter()
        frame = synthetic_rows(args.rows)
        print(f"generated {len(frame):,} rows in {time.perf_counter() - started:.2f} s (not counted below)")
        n = len(frame)

        def write(f: pd.DataFrame) -> None:
            with engine.begin() as conn:
                upsert_frame(conn, "fred_series", f)

        print(f"PostgreSQL, schema {schema}, {os.cpu_count()} cores")
        timed("upsert_frame: cold insert", n, lambda: write(frame), results)
        timed("upsert_frame: same rows again (no-op)", n, lambda: write(frame), results)
        changed = frame.assign(value=frame["value"] + 1)
        timed("upsert_frame: every value changed", n, lambda: write(changed), results)
        with engine.connect() as conn:
            assert row_count(conn, "fred_series") == n, "the upserts must leave exactly N rows"

        with tempfile.TemporaryDirectory() as tmp:
            csv_path = Path(tmp) / "rows.csv"
            frame.to_csv(csv_path, index=False, header=False, columns=COLUMNS)
            with admin.begin() as conn:
                conn.execute(
                    text(f'CREATE TABLE "{schema}".fred_series_copy (LIKE "{schema}".fred_series INCLUDING ALL)')
                )
            psql_url = args.database_url.replace("postgresql+psycopg2://", "postgresql://")
            copy = f"\\copy \"{schema}\".fred_series_copy ({', '.join(COLUMNS)}) FROM '{csv_path}' WITH (FORMAT csv)"
            timed(
                "psql \\copy from a CSV file (baseline)",
                n,
                lambda: subprocess.run(["psql", psql_url, "-q", "-c", copy], check=True),
                results,
            )
        with admin.connect() as conn:
            copied = conn.execute(text(f'SELECT count(*) FROM "{schema}".fred_series_copy')).scalar_one()
        assert copied == n
        cold, copy_seconds = results[0][2], results[-1][2]
        print(
            f"cold upsert takes {cold / copy_seconds:.2f}× the time of psql \\copy "
            f"({n / cold:,.0f} vs {n / copy_seconds:,.0f} rows/s)"
        )
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        engine.dispose()
        admin.dispose()


if __name__ == "__main__":
    main()
