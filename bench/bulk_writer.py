"""Bulk writer throughput on PostgreSQL beside `psql \\copy` of the same rows.

    python -m bench.bulk_writer [--rows 1000000] [--database-url postgresql://…] [--repeat 1] [--profile]

Writes N synthetic ``fred_series`` observations (1,000 series × N/1,000 business days) into a
throwaway schema three ways through ``sql.write.upsert_frame`` — cold insert, the same rows
again (nothing changed), every value changed — each in one ``engine.begin()`` transaction, and
once with ``psql \\copy`` from a CSV file into an identical empty table. Preparing the rows
(the frame, the CSV file) is timed on its own and counted in no other figure. Prints seconds
and rows/s per case; ``--profile`` adds a breakdown of each upsert (frame→CSV, COPY into the
staging table, INSERT … ON CONFLICT, commit). The schema is dropped afterwards, also on failure.
"""

from __future__ import annotations

import argparse
import cProfile
import math
import os
import platform
import pstats
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import Engine, create_engine, make_url, text

from config.settings import load_settings
from sql.db import make_engine
from sql.migrate import upgrade
from sql.write import upsert_frame

DEFAULT_URL = os.environ.get("SPARTAN_BENCH_DATABASE_URL") or "postgresql://postgres@127.0.0.1:5432/test"
TABLE = "fred_series"
COPY_TABLE = "fred_series_copy"
COLUMNS = ["series_id", "date", "value", "source", "fetched_at"]
FETCHED_AT = datetime(2026, 11, 24, tzinfo=UTC)
SEED = 42


def synthetic_rows(n: int, series: int = 1000) -> pd.DataFrame:
    """``n`` observations, ``series`` ids × consecutive business days from 2000-01-03; deterministic."""
    series = max(1, min(series, n))
    days = pd.bdate_range("2000-01-03", periods=math.ceil(n / series)).date
    rng = np.random.default_rng(SEED)
    frame = pd.DataFrame(
        {
            "series_id": np.repeat([f"BENCH{i:05d}" for i in range(series)], len(days)),
            "date": np.tile(days, series),
            "value": rng.normal(100, 10, series * len(days)).round(4),
        }
    ).head(n)
    return frame.assign(source="bench", fetched_at=FETCHED_AT)[COLUMNS]


def writer_csv_text() -> Callable[[pd.DataFrame], str] | None:
    """The writer's own frame → CSV formatting (a private helper; None if it has moved), timed
    apart to show how much of each upsert figure is spent in Python before anything is sent."""
    import sql.write

    csv_frame = getattr(sql.write, "_csv_frame", None)
    if csv_frame is None:
        return None
    return lambda frame: csv_frame(frame).to_csv(index=False, header=False)


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


class Bench:
    def __init__(self, url: str, schema: str, var_dir: str) -> None:
        self.schema = schema
        self.settings = load_settings(
            {"SPARTAN_DATABASE_URL": url, "SPARTAN_DB_SCHEMA": schema, "SPARTAN_VAR_DIR": var_dir}
        )
        if not self.settings.is_postgres:
            raise SystemExit("bench.bulk_writer needs a postgresql:// URL")
        self.engine: Engine = make_engine(self.settings)  # search_path = the throwaway schema
        self.admin: Engine = create_engine(self.settings.database_url)
        psql_url = make_url(self.settings.database_url).set(drivername="postgresql")
        self.psql_env = dict(os.environ)
        if psql_url.password:  # keep the password off psql's command line
            self.psql_env["PGPASSWORD"] = str(psql_url.password)
            psql_url = psql_url.set(password=None)
        self.psql_url = psql_url.render_as_string(hide_password=False)

    def sql(self, statement: str, **params: object) -> object:
        """Run one statement in its own transaction; its first value, if it returns rows."""
        with self.admin.begin() as conn:
            result = conn.execute(text(statement), params)
            return result.scalar() if result.returns_rows else None

    def create(self) -> None:
        upgrade(self.settings, self.engine)
        self.sql(f'CREATE TABLE "{self.schema}".{COPY_TABLE} (LIKE "{self.schema}".{TABLE} INCLUDING ALL)')

    def drop(self) -> None:
        try:
            self.sql(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE')
        finally:
            self.engine.dispose()
            self.admin.dispose()

    def reset(self) -> None:
        self.sql(f'TRUNCATE "{self.schema}".{TABLE}, "{self.schema}".{COPY_TABLE}')

    def checkpoint(self) -> None:
        """Flush the previous case's dirty pages so it does not bill the next one (needs superuser
        or pg_checkpoint; skipped without)."""
        try:
            self.sql("CHECKPOINT")
        except Exception as exc:  # noqa: BLE001 - a benchmark runs on without it
            print(f"(CHECKPOINT skipped: {exc.__class__.__name__})", file=sys.stderr)

    def upsert(self, frame: pd.DataFrame) -> int:
        with self.engine.begin() as conn:
            return upsert_frame(conn, TABLE, frame)

    def psql_copy(self, csv_path: Path) -> None:
        copy = f"\\copy \"{self.schema}\".{COPY_TABLE} ({', '.join(COLUMNS)}) FROM '{csv_path}' WITH (FORMAT csv)"
        subprocess.run(
            ["psql", self.psql_url, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", copy], check=True, env=self.psql_env
        )

    def verify(self, table: str, n: int) -> None:
        with self.admin.connect() as conn:
            rows, keys = conn.execute(
                text(f'SELECT count(*), count(DISTINCT (series_id, date)) FROM "{self.schema}".{table}')
            ).one()
        if rows != n or keys != n:
            raise AssertionError(f"{table}: {rows:,} rows, {keys:,} distinct keys; expected exactly {n:,}")

    def verify_same_rows(self, n: int) -> None:
        """Both paths wrote the same rows: the upserted table holds every copied row with value + 1."""
        matched = self.sql(
            f'SELECT count(*) FROM "{self.schema}".{TABLE} u JOIN "{self.schema}".{COPY_TABLE} c '
            "USING (series_id, date) WHERE u.source = c.source AND u.fetched_at = c.fetched_at "
            "AND abs(u.value - (c.value + 1)) < 1e-9"
        )
        if matched != n:
            raise AssertionError(f"only {matched:,} of {n:,} rows agree between the upserted and the copied table")


UPSERT_CASES = (
    ("upsert_frame: cold insert, empty table", "cold", None),
    ("upsert_frame: same rows again (no-op)", "same", 0),
    ("upsert_frame: every value changed", "changed", None),
)
COPY_CASE = "psql \\copy from CSV file (baseline)"


def run_round(bench: Bench, frames: dict[str, pd.DataFrame], csv_path: Path, n: int) -> dict[str, float]:
    out: dict[str, float] = {}
    bench.reset()
    for label, key, expected in UPSERT_CASES:
        bench.checkpoint()
        seconds, written = timed(lambda key=key: bench.upsert(frames[key]))
        expected = n if expected is None else expected
        if written != expected:
            raise AssertionError(f"{label}: upsert_frame reported {written:,} rows written, expected {expected:,}")
        bench.verify(TABLE, n)
        out[label] = seconds
    bench.checkpoint()
    out[COPY_CASE], _ = timed(lambda: bench.psql_copy(csv_path))
    bench.verify(COPY_TABLE, n)
    bench.verify_same_rows(n)
    return out


# (label, how to recognise the function in cProfile's table)
PROFILE_PARTS = (
    ("frame → CSV: sql.write._csv_frame", lambda f, name: f.endswith("write.py") and name == "_csv_frame"),
    ("frame → CSV: DataFrame.to_csv", lambda f, name: "pandas" in f and name == "to_csv"),
    ("COPY into staging (cursor.copy_expert)", lambda f, name: "copy_expert" in name),
    ("statements, ≈ INSERT … ON CONFLICT (cursor.execute)", lambda f, name: "method 'execute' of 'psycopg2" in name),
    ("commit", lambda f, name: "method 'commit' of 'psycopg2" in name),
)


def profile_round(bench: Bench, frames: dict[str, pd.DataFrame]) -> None:
    """One more round of the three upserts under cProfile; cumulative time of each part."""
    print("\nWhere an upsert's time goes (one extra round under cProfile, which slows Python a little):")
    bench.reset()
    for label, key, _ in UPSERT_CASES:
        bench.checkpoint()
        profiler = cProfile.Profile()
        seconds, _ = timed(lambda key=key, profiler=profiler: profiler.runcall(bench.upsert, frames[key]))
        stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
        print(f"  {label}: {seconds:.2f} s")
        accounted = 0.0
        for part, match in PROFILE_PARTS:
            cumulative = max((v[3] for (f, _, name), v in stats.items() if match(f, name)), default=0.0)
            accounted += cumulative
            print(f"    {part:<54} {cumulative:7.2f} s {cumulative / seconds:6.0%}")
        rest = seconds - accounted
        print(f"    {'rest (checks, SQLAlchemy, pool)':<54} {rest:7.2f} s {rest / seconds:6.0%}")


def print_table(prep: list[tuple[str, int, float]], results: dict[str, list[float]], n: int, repeat: int) -> None:
    extra = f" {'min s':>8} {'max s':>8}" if repeat > 1 else ""
    head = f"{'case':<44} {'rows':>10} {'seconds':>8} {'rows/s':>11}{extra}"
    print("\n" + head + "\n" + "-" * len(head))
    for label, rows, seconds in prep:
        print(f"{label:<44} {rows:>10,} {seconds:>8.2f} {rows / seconds:>11,.0f}")
    for label, times in results.items():
        median = statistics.median(times)
        spread = f" {min(times):>8.2f} {max(times):>8.2f}" if repeat > 1 else ""
        print(f"{label:<44} {n:>10,} {median:>8.2f} {n / median:>11,.0f}{spread}")
    cold = statistics.median(results[UPSERT_CASES[0][0]])
    copy = statistics.median(results[COPY_CASE])
    print(
        f"\ncold upsert / psql \\copy: {cold / copy:.2f}× the time, {copy / cold:.0%} of the speed"
        f" ({n / cold:,.0f} vs {n / copy:,.0f} rows/s)" + (f"; medians of {repeat} rounds" if repeat > 1 else "")
    )
    print(
        "Upsert figures include formatting the frame as CSV in memory, COPY into a temporary staging table,\n"
        "INSERT … ON CONFLICT and the commit. The \\copy figure is psql's wall clock (start, connect, read the\n"
        "file, COPY with the primary key index, commit) and excludes writing the file (a prep row above;\n"
        "pandas' default to_csv formats dates and time zones more slowly than upsert_frame's formatter)."
    )


def describe_machine(bench: Bench) -> None:
    settings = ", ".join(
        f"{name}={bench.sql('SELECT current_setting(:n)', n=name)}"
        for name in ("shared_buffers", "max_wal_size", "synchronous_commit", "fsync")
    )
    server = bench.sql("SHOW server_version")
    versions = f"Python {platform.python_version()}, pandas {pd.__version__}, numpy {np.__version__}"
    print(f"{os.cpu_count()} cores, {versions}")
    print(f"PostgreSQL {server} ({settings}); schema {bench.schema}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--series", type=int, default=1000, help="distinct series ids (rows are split over them)")
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--repeat", type=int, default=1, help="rounds of every case; the table shows medians")
    parser.add_argument("--profile", action="store_true", help="add a cProfile breakdown of each upsert")
    args = parser.parse_args()
    if args.rows < 1 or args.repeat < 1:
        parser.error("--rows and --repeat must be >= 1")
    # A plain `kill` should still drop the schema (the finally below); Ctrl-C already does.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))

    with tempfile.TemporaryDirectory(prefix="bench_bulk_writer_") as tmp:
        bench = Bench(args.database_url, f"bench_{uuid.uuid4().hex[:10]}", tmp)
        try:
            bench.create()
            describe_machine(bench)

            seconds, frame = timed(lambda: synthetic_rows(args.rows, args.series))
            n = len(frame)
            prep = [("prep: generate frame (numpy, pandas)", n, seconds)]
            frames = {"cold": frame, "same": frame, "changed": frame.assign(value=(frame["value"] + 1).round(4))}
            csv_path = Path(tmp) / "rows.csv"
            seconds, _ = timed(lambda: frame.to_csv(csv_path, index=False, header=False))
            prep.append(("prep: frame → CSV file for \\copy (to_csv)", n, seconds))
            if csv_text := writer_csv_text():
                seconds, _ = timed(lambda: csv_text(frame))
                prep.append(("prep: frame → CSV text as upsert_frame does", n, seconds))
            print(f"{n:,} rows: {args.series:,} series; CSV file {csv_path.stat().st_size / 1e6:,.0f} MB")

            results: dict[str, list[float]] = {}
            for round_no in range(args.repeat):
                for label, seconds in run_round(bench, frames, csv_path, n).items():
                    results.setdefault(label, []).append(seconds)
                if args.repeat > 1:
                    last = ", ".join(f"{times[-1]:.2f} s" for times in results.values())
                    print(f"round {round_no + 1}/{args.repeat}: {last}")
            print_table(prep, results, n, args.repeat)
            if args.profile:
                profile_round(bench, frames)
        finally:
            bench.drop()


if __name__ == "__main__":
    main()
