"""The hourly refresh when things go wrong, on SQLite and on PostgreSQL.

1. Each dataset's update is one transaction: a reader on its own connection, reading all the
   while a refresh writes, sees the old data or the new, never a mix.
2. ``kill -9`` of the sidecar in the middle of a write leaves the database consistent, and the
   next refresh completes it to what an uninterrupted run leaves.
3. A database that goes away in the middle of a dataset's write: the run finishes the other
   datasets, names the failed one, writes nothing of it, and the next run writes it.
4. A failing source, whichever way it fails, never aborts the refresh of the others.

The providers are the wire formats of ``tests/fixtures/server.py`` on a threaded local server
that can add latency, revise every FRED value (a provider revising its numbers) or fail.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa
import yaml
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import OperationalError
from werkzeug import Request, Response
from werkzeug.serving import make_server

import sql.write as sql_write
from config.catalog import Catalog, load_catalog
from config.settings import Settings, load_settings
from jobs.locks import RUN_LOCK_KEY, schema_lock_key
from jobs.pipeline import DownloadRun, run_downloads
from sql.cache import SYSTEM_DATASET
from sql.datasets import DATASETS
from sql.migrate import upgrade
from sql.schema import dataset_versions, download_log, health_status, table
from sql.store import Store, configure
from tests.conftest import PG_URL, REDIS_URL, ROOT, drop_backend
from tests.fixtures import server as fixture_server

NEEDS_PG = pytest.mark.skipif(not (PG_URL and REDIS_URL), reason="SPARTAN_TEST_DATABASE_URL/REDIS_URL not set")


# --- a local provider server with knobs -------------------------------------------------------


class Wire:
    """A WSGI app answering every provider's URL shape, with latency, revisions and failures."""

    def __init__(self) -> None:
        self.base_url = ""
        self.latency = 0.0  # seconds added to every response
        self.revision = 0.0  # added to every FRED value served
        self.failures: dict[str, Callable[[], Response]] = {}  # path marker → failing answer

    def __call__(self, environ, start_response):
        return self.respond(Request(environ))(environ, start_response)

    def respond(self, request: Request) -> Response:
        if self.latency:
            time.sleep(self.latency)
        for marker, failure in self.failures.items():
            if marker in request.path:
                return failure()
        response = fixture_server.respond(request)
        if self.revision and request.path.endswith("/fredgraph.csv") and response.status_code == 200:
            body = _revised(response.get_data(as_text=True), self.revision)
            response = Response(body, content_type="text/csv")
        return response


def _revised(csv_text: str, delta: float) -> str:
    header, *lines = csv_text.strip().splitlines()
    out = [header]
    for line in lines:
        day, *values = line.split(",")
        out.append(",".join([day, *(v if v == "." else f"{float(v) + delta:.4f}" for v in values)]))
    return "\n".join(out) + "\n"


@pytest.fixture
def wire():
    app = Wire()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="wire", daemon=True)
    thread.start()
    app.base_url = f"http://127.0.0.1:{server.server_port}"
    yield app
    server.shutdown()
    thread.join(5)


# --- a station: settings, migrated store and catalog, also as the environment of a sidecar ------

SOURCES = {  # id: (provider, category)
    "fred_graph": ("fred", "economic"),
    "fred_markets": ("fred_bars", "economic"),
    "kraken": ("kraken", "crypto"),
}


@dataclass
class Station:
    env: dict[str, str]
    settings: Settings
    store: Store
    catalog: Catalog


@pytest.fixture
def station(tmp_path, backend, wire):
    """``station(name, datasets, base_urls=None)``: a migrated station whose catalog lists
    ``datasets`` as ``{dataset: [(key, source, symbol), …]}``, every source at the wire."""
    made: list[Station] = []

    def make(name: str, datasets: dict[str, list[tuple[str, str, str]]], base_urls=None) -> Station:
        root = tmp_path / name
        root.mkdir()
        urls = {source_id: wire.base_url for source_id in SOURCES} | (base_urls or {})
        doc = {
            "sources": [
                {"id": sid, "provider": p, "category": c, "base_url": urls[sid], "auth_env": None, "notes": "test"}
                for sid, (p, c) in SOURCES.items()
            ],
            "datasets": {
                name: [{"key": k, "label": k, "providers": [{"source": s, "symbol": sym}]} for k, s, sym in entries]
                for name, entries in datasets.items()
            },
        }
        catalog_file = root / "sources.yaml"
        catalog_file.write_text(yaml.safe_dump(doc, sort_keys=False))
        env = {
            "SPARTAN_VAR_DIR": str(root / "var"),
            "SPARTAN_SOURCES_FILE": str(catalog_file),
            "SPARTAN_CACHE_PREFIX": f"spartan-test-{uuid.uuid4().hex[:8]}:",
            "SPARTAN_HTTP_RETRIES": "0",
            "SPARTAN_HTTP_TIMEOUT": "10",
        }
        if backend == "postgres":
            env |= {
                "SPARTAN_DATABASE_URL": PG_URL,
                "SPARTAN_REDIS_URL": REDIS_URL,
                "SPARTAN_DB_SCHEMA": f"t_{uuid.uuid4().hex[:12]}",
            }
        settings = load_settings(env)
        store = configure(settings)
        upgrade(settings, store.engine)
        made.append(Station(env, settings, store, load_catalog(settings)))
        return made[-1]

    yield make
    for st in made:
        st.store.engine.dispose()
        drop_backend(st.settings)


def jobs_process(st: Station, *args: str, out: Path) -> subprocess.Popen:
    """``python -m jobs …`` as the sidecar runs it, against ``st``'s database and catalog."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **st.env}
    with out.open("w") as sink:
        return subprocess.Popen(
            [sys.executable, "-m", "jobs", *args], cwd=ROOT, env=env, stdout=sink, stderr=subprocess.STDOUT
        )


# --- reading what is stored -------------------------------------------------------------------


def snapshot(store: Store, names) -> dict[str, pd.DataFrame]:
    """Each table's rows, every column but ``fetched_at``, in key order."""
    out = {}
    with store.engine.connect() as conn:
        for name in names:
            tbl = table(name)
            columns = [c for c in tbl.columns if c.name != "fetched_at"]
            rows = conn.execute(select(*columns).order_by(*tbl.primary_key.columns)).all()
            out[name] = pd.DataFrame(rows, columns=[c.name for c in columns])
    return out


def versions(store: Store) -> dict[str, int]:
    with store.engine.connect() as conn:
        return {r.dataset: r.version for r in conn.execute(select(dataset_versions))}


def newest_values(store: Store, dataset: str) -> dict[str, float]:
    """Per instrument: the value on its newest stored date."""
    spec = DATASETS[dataset]
    frame = snapshot(store, [spec.table])[spec.table]
    return frame.sort_values(spec.date_column).groupby(spec.key_column)["value"].last().to_dict()


def keys_of(store: Store, dataset: str) -> set[str]:
    spec = DATASETS[dataset]
    with store.engine.connect() as conn:
        return set(conn.execute(select(table(spec.table).c[spec.key_column]).distinct()).scalars())


def log_rows(store: Store) -> pd.DataFrame:
    with store.engine.connect() as conn:
        return pd.DataFrame(conn.execute(select(download_log)).mappings().all())


def data_table_names(store: Store) -> set[str]:
    schema = store.settings.db_schema if store.settings.is_postgres else None
    return set(inspect(store.engine).get_table_names(schema=schema))


def series(prefix: str, keys) -> list[tuple[str, str, str]]:
    """FRED instruments served as synthetic daily series (no fixture file has these ids)."""
    return [(key, "fred_graph", f"{prefix}{key}") for key in keys]


# --- 1. one transaction per dataset -----------------------------------------------------------

# One statement, one snapshot: the dataset's rows and its version as a reader sees them.
PROBE = text(
    "SELECT count(*), min(value), max(value), "
    "(SELECT version FROM dataset_versions WHERE dataset = 'fred_series') FROM fred_series"
)


@dataclass
class Observation:
    phase_before: str
    phase_after: str
    state: tuple


def _fred_frame(n_series: int, n_days: int, value: float) -> pd.DataFrame:
    days = pd.bdate_range("2020-01-01", periods=n_days).date
    return pd.DataFrame(
        {
            "series_id": np.repeat([f"RS{i:03d}" for i in range(n_series)], n_days),
            "date": np.tile(days, n_series),
            "value": value,
            "source": "fred_graph",
            "fetched_at": datetime.now(UTC),
        }
    )


def test_a_reader_sees_the_old_data_or_the_new_never_a_mix(store, monkeypatch):
    """Every row of fred_series changes (1.0 → 2.0, 100k rows, 2k more); a reader on its own
    connection reads count, min, max and version throughout. The write pauses half-way, after
    its last row and after the version bump, each time until the reader has read three times:
    there the reader must see the old data (and must not be blocked)."""
    spec = DATASETS["fred_series"]
    run = DownloadRun(store, load_catalog(store.settings), "refresh")
    old, new = _fred_frame(100, 1000, 1.0), _fred_frame(100, 1020, 2.0)
    run._write(spec, old)
    assert run.summary.write_errors == {}
    old_state = (len(old), 1.0, 1.0, versions(store)["fred_series"])

    observations: list[Observation] = []
    reader_errors: list[BaseException] = []
    phase = {"now": "before"}
    stop = threading.Event()

    def reader() -> None:
        try:
            with store.engine.connect() as conn:
                while not stop.is_set():
                    before = phase["now"]
                    state = tuple(conn.execute(PROBE).one())
                    conn.rollback()  # the next read is a new snapshot
                    observations.append(Observation(before, phase["now"], state))
        except Exception as exc:  # noqa: BLE001 - reported by the test
            reader_errors.append(exc)

    def reads_in(label: str, at_least: int = 3, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while sum(o.phase_before == label for o in observations) < at_least:
            assert not reader_errors, f"the reader failed while the writer was {label}: {reader_errors[0]!r}"
            assert time.monotonic() < deadline, f"the reader was blocked while the writer was {label}"
            time.sleep(0.002)

    def pause(label: str) -> None:
        phase["now"] = label
        reads_in(label)
        phase["now"] = "writing"

    real_upsert, real_bump = sql_write._upsert, sql_write.bump_version

    def upsert_in_two_halves(conn, tbl, frame, *args, **kwargs):
        if tbl.name != "fred_series":  # the series' stats, written after the data
            return real_upsert(conn, tbl, frame, *args, **kwargs)
        half = len(frame) // 2
        written, new = real_upsert(conn, tbl, frame.iloc[:half], *args, **kwargs)
        # Inside the writer's transaction half the rows are new already: the pause is mid-write.
        assert conn.execute(text("SELECT count(*) FROM fred_series WHERE value = 2.0")).scalar_one() == half
        pause("half written")
        more, new_more = real_upsert(conn, tbl, frame.iloc[half:], *args, **kwargs)
        pause("all rows written, version not moved")
        return written + more, {k: new.get(k, 0) + new_more.get(k, 0) for k in {*new, *new_more}}

    def bump_then_wait(conn, *args, **kwargs):
        version = real_bump(conn, *args, **kwargs)
        pause("version moved, not committed")
        return version

    monkeypatch.setattr(sql_write, "_upsert", upsert_in_two_halves)
    monkeypatch.setattr(sql_write, "bump_version", bump_then_wait)
    thread = threading.Thread(target=reader, name="reader")
    thread.start()
    try:
        reads_in("before")
        phase["now"] = "writing"
        run._write(spec, new)
        phase["now"] = "committed"
        reads_in("committed")
    finally:
        stop.set()
        thread.join(30)
    assert not reader_errors, reader_errors
    assert run.summary.write_errors == {}
    assert run.summary.rows_written["fred_series"] == len(new)
    new_state = (len(new), 2.0, 2.0, versions(store)["fred_series"])
    assert new_state[3] > old_state[3]

    mixed = [o for o in observations if o.state not in (old_state, new_state)]
    assert not mixed, f"{len(mixed)} of {len(observations)} reads saw a mix, e.g. {mixed[0]}"
    paused = [
        o
        for o in observations
        if o.phase_before == o.phase_after and o.phase_before not in ("before", "writing", "committed")
    ]
    assert len(paused) >= 9
    assert {o.state for o in paused} == {old_state}  # uncommitted, however far the write had come
    assert {o.state for o in observations if o.phase_before == "before"} == {old_state}
    assert {o.state for o in observations if o.phase_before == "committed"} == {new_state}


# --- 2. kill -9 in the middle of a write --------------------------------------------------------

KILL_CATALOG = {
    "treasury_yields": series("RSY", ["3M", "2Y", "5Y", "10Y", "30Y"]),
    "fred_series": series("RSD", [f"{i:03d}" for i in range(200)]),  # ~250k rows: a write of half a second or more
    "credit_spreads": series("RSC", ["A", "B", "C"]),
}
KILL_TABLES = list(KILL_CATALOG)


class WriteWatch:
    """Tells, from outside the sidecar, whether a write transaction is open on a table."""

    def __init__(self, st: Station) -> None:
        self.st = st
        self.pids: list[int] = []  # PostgreSQL: the sidecar's writer and run-lock sessions

    def writing(self, table_name: str) -> bool:
        if self.st.settings.is_postgres:
            return self._pg_writer(table_name) is not None
        # A write transaction holds SQLite's RESERVED lock: BEGIN IMMEDIATE cannot have it.
        probe = sqlite3.connect(self.st.settings.var_dir / "spartan.db", timeout=0, isolation_level=None)
        try:
            probe.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc):
                raise
            return True
        finally:
            probe.close()
        return False

    def _pg_writer(self, table_name: str) -> int | None:
        sql = """SELECT l.pid FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
                 JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE n.nspname = :schema AND c.relname = :table AND l.mode = 'RowExclusiveLock' AND l.granted"""
        with self.st.store.engine.connect() as conn:
            return conn.execute(text(sql), {"schema": self.st.settings.db_schema, "table": table_name}).scalar()

    def remember_sessions(self, table_name: str) -> None:
        """PostgreSQL: the sidecar's sessions, its writer's and its run lock's."""
        writer = self._pg_writer(table_name)
        keys = {"k": RUN_LOCK_KEY, "s": schema_lock_key(self.st.settings.db_schema) & 0xFFFFFFFF}
        sql = "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND classid::bigint = :k AND objid::bigint = :s"
        with self.st.store.engine.connect() as conn:
            locker = conn.execute(text(sql), keys).scalar()
        assert writer is not None and locker is not None
        self.pids = [writer, locker]

    def wait_sessions_gone(self, timeout: float = 30) -> None:
        """A killed client's session ends when the server notices (after the running statement)."""
        deadline = time.monotonic() + timeout
        with self.st.store.engine.connect() as conn:
            while conn.execute(
                text("SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(:p)"), {"p": self.pids}
            ).scalar():
                conn.rollback()
                assert time.monotonic() < deadline, "the killed sidecar's sessions outlived it"
                time.sleep(0.05)


def test_kill_9_mid_write_leaves_a_consistent_database_that_the_next_refresh_completes(station, wire, tmp_path):
    first = ["treasury_yields", "credit_spreads"]
    # What an uninterrupted run leaves: a preload of two datasets, then a refresh that finds
    # them revised and downloads the third in full.
    reference = station("reference", KILL_CATALOG)
    run_downloads(reference.store, reference.catalog, "preload", datasets=first)
    wire.revision = 1.0
    summary = run_downloads(reference.store, reference.catalog, "refresh")
    assert (summary.write_errors, summary.failed_sources()) == ({}, {})
    expected = snapshot(reference.store, KILL_TABLES)
    assert all(len(frame) for frame in expected.values())

    wire.revision = 0.0
    st = station("killed", KILL_CATALOG)
    run_downloads(st.store, st.catalog, "preload", datasets=first)
    before, versions_before = snapshot(st.store, KILL_TABLES), versions(st.store)
    tables_before = data_table_names(st.store)
    log_before = len(log_rows(st.store))

    wire.revision, wire.latency = 1.0, 0.2
    watch = WriteWatch(st)
    proc = jobs_process(st, "refresh", out=tmp_path / "killed.log")
    try:
        # Treasury yields committed, fred_series being written: kill it there.
        deadline = time.monotonic() + 60
        while not (
            versions(st.store).get("treasury_yields", 0) > versions_before["treasury_yields"]
            and watch.writing("fred_series")
        ):
            assert proc.poll() is None, (
                "the refresh ended before its fred_series write was caught:\n" + (tmp_path / "killed.log").read_text()
            )
            assert time.monotonic() < deadline, "no fred_series write within 60 s"
            time.sleep(0.005)
        if st.settings.is_postgres:
            watch.remember_sessions("fred_series")
        time.sleep(0.1)  # well into the write (it takes half a second or more)
        assert watch.writing("fred_series")
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(30)
    assert proc.returncode == -signal.SIGKILL
    if st.settings.is_postgres:
        watch.wait_sessions_gone()
        # Its staging tables were temporary, created in the transaction: gone with the session.
        stages = [f"stage_{name}" for name in KILL_TABLES]
        with st.store.engine.connect() as conn:
            assert (
                conn.execute(text("SELECT count(*) FROM pg_class WHERE relname = ANY(:s)"), {"s": stages}).scalar() == 0
            )
    else:
        with st.store.engine.connect() as conn:
            assert conn.execute(text("PRAGMA integrity_check")).scalars().all() == ["ok"]
    assert not watch.writing("fred_series")

    after, versions_after = snapshot(st.store, KILL_TABLES), versions(st.store)
    # Committed before the kill: all of the revised treasury yields.
    pd.testing.assert_frame_equal(after["treasury_yields"], expected["treasury_yields"])
    assert versions_after["treasury_yields"] > versions_before["treasury_yields"]
    # Being written at the kill: none of it, and no version.
    assert len(after["fred_series"]) == 0
    assert "fred_series" not in versions_after
    # Not reached: as it was.
    pd.testing.assert_frame_equal(after["credit_spreads"], before["credit_spreads"])
    assert versions_after["credit_spreads"] == versions_before["credit_spreads"]
    assert data_table_names(st.store) == tables_before  # no staging table left behind
    assert len(log_rows(st.store)) == log_before  # the killed run never got to its log

    wire.latency = 0.0
    proc = jobs_process(st, "refresh", out=tmp_path / "next.log")
    assert proc.wait(60) == 0, (tmp_path / "next.log").read_text()
    final = snapshot(st.store, KILL_TABLES)
    for name in KILL_TABLES:
        pd.testing.assert_frame_equal(final[name], expected[name], obj=name)
    assert set(KILL_TABLES) <= set(versions(st.store))


# --- 3. the database goes away in the middle of a write -----------------------------------------

RETRY_CATALOG = {
    "treasury_yields": series("RSY", ["2Y", "10Y"]),
    # Two monthly state series (asked for once a day once stored) and two daily ones.
    "fred_series": [(k, "fred_graph", k) for k in ("CAUR", "TXUR")] + series("RSD", ["001", "002"]),
    "credit_spreads": series("RSC", ["A", "B"]),
}

DB_FAILURES = [
    # SQLite has no server to lose: the driver's I/O error, half-way through the write.
    pytest.param("sqlite", "i/o error", id="sqlite-disk-io-error"),
    # PostgreSQL: the server ends the session (restart, failover) between two statements…
    pytest.param("postgres", "terminated", marks=NEEDS_PG, id="postgres-session-terminated"),
    # … or just before the COPY into the staging table (the COPY runs on the raw driver cursor),
    pytest.param("postgres", "terminated before copy", marks=NEEDS_PG, id="postgres-session-terminated-in-copy"),
    # … or the disk fills up during the COPY, the session staying up.
    pytest.param("postgres", "disk full in copy", marks=NEEDS_PG, id="postgres-disk-full-in-copy"),
]

DISK_FULL = """
CREATE FUNCTION pg_temp.no_space() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'could not extend file: No space left on device' USING ERRCODE = 'disk_full';
END $$;
CREATE TRIGGER no_space BEFORE INSERT ON pg_temp.stage_fred_series FOR EACH ROW EXECUTE FUNCTION pg_temp.no_space();
"""


def _terminate(settings: Settings, pid: int) -> None:
    """The server ends the session ``pid``, as a restart or failover would."""
    engine = sa.create_engine(settings.database_url)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": pid}).scalar()
    finally:
        engine.dispose()


def break_the_database_in(monkeypatch, st: Station, target: str, failure: str) -> list[int]:
    """Half of ``target``'s rows are written in its transaction, then the database fails."""
    real_upsert, real_csv = sql_write._upsert, sql_write._csv_frame
    written_before_failure: list[int] = []
    before_copy: list[Callable[[], None]] = []  # runs once the staging table exists, before its COPY

    def csv_then_fail(frame):
        while before_copy:
            before_copy.pop()()
        return real_csv(frame)

    def failing_upsert(conn, tbl, frame, *args, **kwargs):
        if tbl.name != target:
            return real_upsert(conn, tbl, frame, *args, **kwargs)
        half = len(frame) // 2
        written, _new = real_upsert(conn, tbl, frame.iloc[:half], *args, **kwargs)
        written_before_failure.append(written)
        if failure == "i/o error":
            raise OperationalError("INSERT INTO fred_series …", {}, sqlite3.OperationalError("disk I/O error"))
        pid = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
        if failure == "terminated":
            _terminate(st.settings, pid)
        elif failure == "terminated before copy":
            before_copy.append(lambda: _terminate(st.settings, pid))
        else:
            before_copy.append(lambda: conn.exec_driver_sql(DISK_FULL))
        more, new = real_upsert(conn, tbl, frame.iloc[half:], *args, **kwargs)
        return written + more, new

    monkeypatch.setattr(sql_write, "_upsert", failing_upsert)
    monkeypatch.setattr(sql_write, "_csv_frame", csv_then_fail)
    return written_before_failure


@pytest.mark.parametrize(("backend", "failure"), DB_FAILURES)
def test_a_database_that_goes_away_mid_write_is_retried_next_run_with_nothing_half_written(
    station, wire, monkeypatch, failure
):
    st = station("retry", RETRY_CATALOG)
    run_downloads(st.store, st.catalog, "preload")
    base = {name: newest_values(st.store, name) for name in RETRY_CATALOG}
    rows_before = snapshot(st.store, ["fred_series"])["fred_series"]
    versions_before = versions(st.store)
    # A day later: every series is due again (the monthly ones are asked for once a day),
    # and the provider has revised its numbers.
    with st.store.engine.begin() as conn:
        day_ago = datetime.now(UTC) - timedelta(days=2)
        conn.execute(download_log.update().values(started_at=day_ago, finished_at=day_ago))
    wire.revision = 1.0

    with monkeypatch.context() as patch:
        written_before_failure = break_the_database_in(patch, st, "fred_series", failure)
        summary = run_downloads(st.store, st.catalog, "refresh")
    assert written_before_failure and written_before_failure[0] > 0  # rows were in the transaction
    # The failed dataset is reported and nothing of it was written.
    assert list(summary.write_errors) == ["fred_series"]
    assert summary.write_errors["fred_series"].startswith("OperationalError")
    pd.testing.assert_frame_equal(snapshot(st.store, ["fred_series"])["fred_series"], rows_before)
    assert versions(st.store)["fred_series"] == versions_before["fred_series"]
    # The datasets before and after it were refreshed.
    assert set(summary.rows_written) == {"treasury_yields", "credit_spreads"}
    for name in ("treasury_yields", "credit_spreads"):
        assert newest_values(st.store, name) == pytest.approx({k: v + 1.0 for k, v in base[name].items()})
        assert versions(st.store)[name] > versions_before[name]
    # The source did nothing wrong; the log does not claim the unwritten rows arrived.
    with st.store.engine.connect() as conn:
        assert conn.execute(select(health_status.c.state)).scalars().all() == ["ok"]
    log = log_rows(st.store)
    mine = log[(log["run_kind"] == "refresh") & (log["dataset"] == "fred_series")]
    assert len(mine) == 4 and not (mine["status"] == "ok").any()
    assert mine["error"].str.contains("OperationalError").all()

    summary = run_downloads(st.store, st.catalog, "refresh")
    assert summary.write_errors == {}
    assert summary.rows_written["fred_series"] > 0
    assert newest_values(st.store, "fred_series") == pytest.approx({k: v + 1.0 for k, v in base["fred_series"].items()})
    assert versions(st.store)["fred_series"] > versions_before["fred_series"]


# --- 4. a failing source never aborts the others ------------------------------------------------
# tests/integration/test_pipeline.py covers one failing series of a source; test_full_catalog.py
# providers down with others in the cascade. Here: a source failing in every way, with
# datasets of other sources before and after it, and other instruments in its own dataset.

SOURCE_CATALOG = {
    "treasury_yields": series("RSY", ["2Y", "10Y"]),
    "crypto_prices": [("BTCUSD", "kraken", "XBTUSD"), ("ETHUSD", "fred_markets", "RSETHUSD")],
    "credit_spreads": series("RSC", ["A", "B"]),
}
KRAKEN_NONSENSE = {"error": [], "result": {"XBTUSD": [["soon", "1", "2", "0.5", "1.5", "1", "10", 3]], "last": 1}}
SOURCE_FAILURES = {
    "connection refused": None,
    "http 500": lambda: Response("Internal Server Error", status=500),
    "html instead of json": lambda: Response("<html>maintenance</html>", content_type="text/html"),
    "api error": lambda: Response(json.dumps({"error": ["EGeneral:Internal error"]}), content_type="application/json"),
    "a body its parser trips on": lambda: Response(json.dumps(KRAKEN_NONSENSE), content_type="application/json"),
}


@pytest.mark.parametrize("failure", list(SOURCE_FAILURES), ids=list(SOURCE_FAILURES))
def test_a_failing_source_never_aborts_the_refresh_of_the_others(station, wire, failure):
    if SOURCE_FAILURES[failure] is None:
        st = station("sources", SOURCE_CATALOG, base_urls={"kraken": "http://127.0.0.1:9"})
    else:
        wire.failures["/0/public/OHLC"] = SOURCE_FAILURES[failure]
        st = station("sources", SOURCE_CATALOG)
    summary = run_downloads(st.store, st.catalog, "refresh")
    assert summary.write_errors == {}
    assert list(summary.failed_sources()) == ["kraken"]
    assert keys_of(st.store, "treasury_yields") == {"2Y", "10Y"}
    assert keys_of(st.store, "crypto_prices") == {"ETHUSD"}  # its own dataset's other instrument too
    assert keys_of(st.store, "credit_spreads") == {"A", "B"}
    assert set(versions(st.store)) == {*SOURCE_CATALOG, SYSTEM_DATASET}  # and the recorded run's
    log = log_rows(st.store).set_index("instrument")
    assert log.loc["BTCUSD", "status"] == "failed" and log.loc["BTCUSD", "error"]
    assert (log.drop(index="BTCUSD")["status"] == "ok").all()
    with st.store.engine.connect() as conn:
        health = {r.source_id: r.state for r in conn.execute(select(health_status))}
    assert health == {"kraken": "failing", "fred_graph": "ok", "fred_markets": "ok"}
