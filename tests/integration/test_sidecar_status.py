"""A sidecar status that cannot go stale, on SQLite and on PostgreSQL + Redis.

1. The run lock can be probed without being taken: a reader sees whether a run holds it.
2. A running status names its owner and carries a heartbeat that a thread moves for the whole
   run, long writes included; a run that raises is recorded as interrupted.
3. "running" whose run holds no lock any more reads ``interrupted`` (by the heartbeat's age
   when the lock cannot be probed); a live run stays ``running``.
4. The status is kept in the database too: a cache that lost it (or holds an old copy) does
   not turn it back into "unknown" or "running". Only a refresh whose writes all committed, or
   the next preload, replaces an interrupted status; a scheduler that starts after one
   refreshes at once rather than calling the data complete.
5. ``kill -9`` of a real ``python -m jobs preload``: interrupted, the compose gate fails and
   says so; a refresh completes the data and the gate passes.
6. ``python -m jobs demo`` takes the run lock like the download runs.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text

from config.catalog import load_catalog
from config.logging_setup import run_log_context
from jobs import commands
from jobs import status as run_status
from jobs.gate import describe
from jobs.locks import RUN_LOCK_KEY, run_lock, schema_lock_key
from jobs.summary import RunSummary
from sql import preload_status as status_reader
from sql import sidecar
from sql.cache import PRELOAD_STATUS_KEY, REFRESH_LAST_RUN_KEY, cache
from sql.schema import dataset_versions, sidecar_status
from sql.store import Store
from tests.conftest import ROOT
from tests.integration.test_refresh_safety import Station, jobs_process, series, station, wire  # noqa: F401

DEADLINE = 60.0  # seconds: a loaded two-core machine, subprocesses importing pandas


def wait_for(condition: Callable[[], object], what: str, proc=None, log: Path | None = None, timeout=DEADLINE):
    """``condition()``'s first truthy value, polled until ``timeout``; fails early if ``proc`` ends."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if proc is not None and proc.poll() is not None:
            pytest.fail(f"the sidecar ended (exit {proc.returncode}) before {what}:\n{log.read_text() if log else ''}")
        if time.monotonic() > deadline:
            pytest.fail(f"no {what} within {timeout:.0f} s")
        time.sleep(0.05)


def summary(kind: str = "refresh", write_errors: dict | None = None) -> RunSummary:
    start = datetime.now(UTC) - timedelta(minutes=2)
    return RunSummary(
        run_id=f"{kind}-run",
        kind=kind,
        started_at=start,
        finished_at=start + timedelta(minutes=1),
        rows_written={"treasury_yields": 10},
        write_errors=write_errors or {},
        instruments_total=8,
        instruments_ok=8,
    )


def forget_this_process_runs() -> None:
    """What a killed sidecar leaves: its statuses as written, no process behind them."""
    run_status._current.clear()


@pytest.fixture(autouse=True)
def _no_runs_left_over():
    forget_this_process_runs()
    yield
    forget_this_process_runs()


# --- 1. probing the run lock --------------------------------------------------------------------


def test_the_lock_probe_sees_a_holder_and_never_keeps_the_lock(store: Store):
    if not store.settings.is_postgres:
        assert not sidecar.run_lock_path(store.settings).exists()
    assert sidecar.run_lock_held(store) is False
    if not store.settings.is_postgres:
        assert not sidecar.run_lock_path(store.settings).exists()  # a probe creates nothing
    with run_lock(store) as held:
        assert held
        # This process holds it on another session (PostgreSQL) or descriptor (SQLite), as a
        # sidecar process would.
        assert sidecar.run_lock_held(store) is True
    for _ in range(20):
        assert sidecar.run_lock_held(store) is False
    with run_lock(store) as again:
        assert again  # the probes left it free
        if store.settings.is_postgres:
            keys = {"k": RUN_LOCK_KEY, "s": schema_lock_key(store.settings.db_schema) & 0xFFFFFFFF}
            sql = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = :k AND objid = :s"
            with store.engine.connect() as conn:
                assert conn.execute(text(sql), keys).scalar() == 1  # the holder's only


def test_a_run_holding_the_lock_while_a_probe_runs_is_not_turned_away(store: Store):
    stop = threading.Event()

    def probe_all_the_time() -> None:
        while not stop.is_set():
            sidecar.run_lock_held(store)

    prober = threading.Thread(target=probe_all_the_time)
    prober.start()
    try:
        for _ in range(20):
            with run_lock(store) as held:
                assert held
    finally:
        stop.set()
        prober.join(DEADLINE)


# --- 2. owner and heartbeat ---------------------------------------------------------------------


def test_a_running_status_names_its_owner_and_is_kept_in_the_cache_and_the_database(store: Store):
    with run_log_context("preload") as run_id:
        run_status.preload_started(12)
    cached = cache.get(PRELOAD_STATUS_KEY)
    assert cached["owner"] == {"host": socket.gethostname(), "pid": os.getpid(), "run_id": run_id, "kind": "preload"}
    assert cached["run_id"] == run_id and cached["heartbeat_at"] and cached["state"] == "running"
    with store.engine.connect() as conn:
        row = conn.execute(select(sidecar_status)).one()
    assert (row.name, row.state, row.run_id) == ("preload", "running", run_id)
    assert row.owner == f"{socket.gethostname()}:{os.getpid()}" and row.heartbeat_at is not None
    assert json.loads(row.detail)["total"] == 12


def test_the_heartbeat_moves_for_the_whole_run_without_any_progress(store: Store):
    run_status.preload_started(10)
    first = cache.get(PRELOAD_STATUS_KEY)["heartbeat_at"]
    with run_status.heartbeat("preload", every=0.05):
        # A long write: no progress callback for a while; the thread keeps the run heard of.
        wait_for(lambda: cache.get(PRELOAD_STATUS_KEY)["heartbeat_at"] > first, "heartbeat in the cache")
        wait_for(lambda: sidecar.stored_status("preload")["heartbeat_at"] > first, "heartbeat in the database")
    status = cache.get(PRELOAD_STATUS_KEY)
    assert status["updated_at"] == first and status["done"] == 0  # progress did not move, the heartbeat did
    run_status.preload_finished(summary("preload"))
    assert status_reader.preload_phase(status_reader.preload_status()) == "complete"


def test_a_run_that_raises_is_recorded_interrupted_with_its_error(store: Store):
    run_status.refresh_started()
    with pytest.raises(RuntimeError), run_status.heartbeat("refresh", every=0.05):
        raise RuntimeError("the database went away")
    row = sidecar.stored_status("refresh")
    assert row["state"] == "interrupted" and row["error"] == "RuntimeError: the database went away"
    assert cache.get(REFRESH_LAST_RUN_KEY) is None  # the last *finished* refresh: none yet

    run_status.preload_started(4)
    with pytest.raises(SystemExit), run_status.heartbeat("preload"):
        raise SystemExit(2)
    status = status_reader.preload_status()
    assert status_reader.preload_phase(status) == "interrupted"
    assert "after SystemExit: 2" in describe(status, "interrupted")


# --- 3. running, stalled or interrupted -----------------------------------------------------------


def test_running_means_its_run_holds_the_lock_and_interrupted_that_it_holds_it_no_more(store: Store):
    run_status.preload_started(10)
    with run_lock(store):
        status = status_reader.preload_status()
        assert status["lock_held"] is True and status_reader.preload_phase(status) == "running"
    status = status_reader.preload_status()
    assert status["lock_held"] is False and status_reader.preload_phase(status) == "interrupted"


def test_without_a_lock_probe_the_heartbeat_decides():
    now = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
    started = (now - timedelta(minutes=5)).isoformat()
    alive = {"state": "running", "started_at": started, "updated_at": started, "heartbeat_at": now.isoformat()}
    silent = {**alive, "heartbeat_at": (now - timedelta(seconds=61)).isoformat()}
    assert status_reader.preload_phase({**alive, "lock_held": None}, now) == "running"
    assert status_reader.preload_phase({**silent, "lock_held": None}, now) == "interrupted"
    assert status_reader.preload_phase({**silent, "lock_held": False}, now) == "interrupted"
    assert (
        status_reader.preload_phase({**alive, "lock_held": False}, now) == "interrupted"
    )  # the lock has the last word
    # The lock is held but its run says nothing: stuck, or another run holds it: not "running".
    assert status_reader.preload_phase({**silent, "lock_held": True}, now) == "stalled"
    # No progress for ten minutes, with a live heartbeat: stalled, as before.
    stuck = {**alive, "updated_at": (now - timedelta(minutes=11)).isoformat(), "lock_held": True}
    assert status_reader.preload_phase(stuck, now) == "stalled"
    # A status from a sidecar before heartbeats: judged by its progress alone.
    assert status_reader.preload_phase({"state": "running", "updated_at": started}, now) == "running"
    assert status_reader.preload_phase({"state": "interrupted"}, now) == "interrupted"
    assert status_reader.preload_phase({"state": "running", "lock_held": "maybe", "heartbeat_at": 7}, now) == "running"


def test_an_unprobeable_lock_falls_back_to_the_heartbeat(store: Store, monkeypatch):
    run_status.preload_started(10)
    monkeypatch.setattr(status_reader, "run_lock_held", lambda store=None: None)
    status = status_reader.preload_status()
    assert status["lock_held"] is None and status_reader.preload_phase(status) == "running"
    old = (datetime.now(UTC) - sidecar.HEARTBEAT_LIMIT - timedelta(seconds=5)).isoformat()
    cache.set(PRELOAD_STATUS_KEY, {**cache.get(PRELOAD_STATUS_KEY), "heartbeat_at": old})
    assert status_reader.preload_phase(status_reader.preload_status()) == "interrupted"


def test_the_next_run_records_a_dead_run_as_interrupted_for_good(store: Store):
    with run_log_context("preload") as dead_run:
        run_status.preload_started(10)
        run_status.preload_progress(4, 10, 0, "fred_series/RSK004")
    forget_this_process_runs()  # kill -9
    with run_lock(store), run_log_context("refresh") as refresh_run:
        run_status.interrupt_dead_runs()
        # The refresh holds the lock now, but the dead preload stays interrupted.
        status = status_reader.preload_status()
        assert status_reader.preload_phase(status) == "interrupted"
    assert status["state"] == "interrupted" and status["run_id"] == dead_run and status["done"] == 4
    assert status["noticed_by"] == refresh_run and status["last_heard_at"]
    assert sidecar.stored_status("preload")["state"] == "interrupted"


# --- 4. the database keeps it ---------------------------------------------------------------------


def test_a_status_the_cache_lost_is_read_from_the_database(store: Store):
    run_status.preload_started(8)
    run_status.preload_finished(summary("preload"))
    cache.delete(PRELOAD_STATUS_KEY)  # e.g. Redis restarted, or evicted the key
    status = status_reader.preload_status()
    assert status["state"] == "complete" and status["run_id"] == "preload-run"
    cache.clear()
    assert status_reader.preload_phase(status_reader.preload_status()) == "complete"
    run_status.refresh_finished(summary())  # the next refresh puts the preload's own status back
    restored = cache.get(PRELOAD_STATUS_KEY)
    assert restored["run_id"] == "preload-run" and "completed_by" not in restored


def test_an_old_running_copy_in_the_cache_yields_to_the_newer_row(store: Store):
    run_status.preload_started(8)
    stale = cache.get(PRELOAD_STATUS_KEY)
    run_status.preload_finished(summary("preload"))
    # The cache was down when the preload finished, and came back with what it had.
    cache.set(PRELOAD_STATUS_KEY, stale, timeout=0)
    assert status_reader.preload_phase(status_reader.preload_status()) == "complete"


def test_a_refresh_completes_the_data_only_when_every_write_committed(store: Store):
    run_status.preload_started(8)
    forget_this_process_runs()
    run_status.refresh_finished(summary(write_errors={"fred_series": "OperationalError: disk full"}))
    assert status_reader.preload_phase(status_reader.preload_status()) == "interrupted"
    assert cache.get(REFRESH_LAST_RUN_KEY)["write_errors"] == {"fred_series": "OperationalError: disk full"}

    run_status.refresh_finished(summary())
    status = status_reader.preload_status()
    assert status["state"] == "complete" and status["completed_by"] == "refresh"
    assert sidecar.stored_status("preload")["completed_by"] == "refresh"
    assert "data complete: refresh refresh-run completed it" in describe(status, "complete")


def test_the_next_preload_replaces_an_interrupted_status(store: Store):
    run_status.preload_started(8)
    forget_this_process_runs()
    assert status_reader.preload_phase(status_reader.preload_status()) == "interrupted"
    with run_lock(store) as held, run_log_context("preload") as run_id:
        assert held
        run_status.interrupt_dead_runs()
        run_status.preload_started(8)
        status = status_reader.preload_status()
        assert status_reader.preload_phase(status) == "running" and status["run_id"] == run_id


def test_a_scheduler_starting_after_an_interrupted_preload_refreshes_at_once_instead_of_skipping(
    store: Store, monkeypatch
):
    from jobs import scheduler

    catalog = load_catalog(store.settings)
    calls: list[str] = []
    monkeypatch.setattr(commands, "needs_preload", lambda store: False)  # the partial data is fresh
    monkeypatch.setattr(commands, "refresh", lambda *args, **kwargs: calls.append("refresh"))
    monkeypatch.setattr(scheduler.BlockingScheduler, "start", lambda self: calls.append("start"))
    run_status.preload_started(8)
    forget_this_process_runs()
    scheduler.run_scheduler(store, catalog)
    assert calls == ["refresh", "start"]
    assert status_reader.preload_phase(status_reader.preload_status()) == "interrupted"  # not "complete, skipped"

    run_status.preload_finished(summary("preload"))
    scheduler.run_scheduler(store, catalog)
    assert calls == ["refresh", "start", "start"]
    assert status_reader.preload_status()["skipped"] is True


# --- 5. kill -9 of a real preload -----------------------------------------------------------------

KILLED_CATALOG = {
    "fred_series": series("RSK", [f"{i:03d}" for i in range(60)]),
    "credit_spreads": series("RSC", ["A", "B"]),
}


def jobs_cli(st: Station, *args: str) -> subprocess.CompletedProcess:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **st.env}
    return subprocess.run(
        [sys.executable, "-m", "jobs", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_a_killed_preload_reads_interrupted_until_a_refresh_completes_the_data(station, wire, tmp_path):  # noqa: F811
    st = station("killed", KILLED_CATALOG)
    # Every provider answers slowly (within the client's timeout): the preload lives until killed.
    wire.latency = 30.0
    st.env["SPARTAN_HTTP_TIMEOUT"] = "90"
    log = tmp_path / "preload.log"
    proc = jobs_process(st, "preload", "--quiet", out=log)
    try:
        first = wait_for(
            lambda: (s := sidecar.stored_status("preload")) and s.get("state") == "running" and s,
            "running preload status in the database",
            proc,
            log,
        )
        assert first["owner"]["pid"] == proc.pid and first["owner"]["kind"] == "preload"
        # Alive: its lock is held, and its heartbeat moves while it waits on the providers.
        wait_for(
            lambda: sidecar.stored_status("preload")["heartbeat_at"] > first["heartbeat_at"], "heartbeat", proc, log
        )
        status = status_reader.preload_status()
        assert status["lock_held"] is True and status_reader.preload_phase(status) == "running"
        gate = jobs_cli(st, "status", "--wait-complete")
        assert gate.returncode == 1 and "preload running" in gate.stderr, gate.stderr
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(DEADLINE)
    assert proc.returncode == -signal.SIGKILL

    # The server ends a killed client's session (PostgreSQL); the OS closes its lock file (SQLite).
    wait_for(lambda: sidecar.run_lock_held(st.store) is False, "release of the killed preload's lock")
    status = status_reader.preload_status()
    assert status["state"] == "running" and status["lock_held"] is False  # as the dead run left it…
    assert status_reader.preload_phase(status) == "interrupted"  # …read for what it is
    gate = jobs_cli(st, "status", "--wait-complete")
    assert gate.returncode == 1
    assert json.loads(gate.stdout)["state"] == "interrupted"
    assert "preload INTERRUPTED" in gate.stderr and "last heard of at" in gate.stderr
    assert "next preload or refresh" in gate.stderr

    cache.delete(PRELOAD_STATUS_KEY)  # the cache lost it too: the database still knows
    status = status_reader.preload_status()
    assert status["owner"]["pid"] == proc.pid and status_reader.preload_phase(status) == "interrupted"

    wire.latency = 0.0
    refresh_log = tmp_path / "refresh.log"
    refresh = jobs_process(st, "refresh", out=refresh_log)
    assert refresh.wait(120) == 0, refresh_log.read_text()
    status = status_reader.preload_status()
    assert status["state"] == "complete" and status["completed_by"] == "refresh"
    assert status["interrupted"]["run_id"] == first["run_id"]
    with st.store.engine.connect() as conn:
        assert set(conn.execute(select(dataset_versions.c.dataset)).scalars()) >= set(KILLED_CATALOG)
    gate = jobs_cli(st, "status", "--wait-complete")
    assert gate.returncode == 0, gate.stderr
    assert "data complete: refresh" in gate.stderr and "after the preload was interrupted" in gate.stderr


# --- 6. demo data takes the lock too --------------------------------------------------------------


def test_demo_data_is_not_written_while_another_run_holds_the_lock(store: Store, capsys):
    catalog = load_catalog(store.settings)
    with run_lock(store):
        assert commands.demo(store, catalog) == commands.EXIT_LOCKED
        assert commands.demo(store, catalog, remove=True) == commands.EXIT_LOCKED
    assert "demo skipped: another run is in progress" in capsys.readouterr().err
    with store.engine.connect() as conn:
        assert conn.execute(select(dataset_versions)).all() == []


def test_the_demo_command_exits_with_the_locked_code_while_a_run_holds_the_lock(station):  # noqa: F811
    st = station("demo", {"credit_spreads": series("RSC", ["A"])})
    with run_lock(st.store):
        result = jobs_cli(st, "demo")
    assert result.returncode == commands.EXIT_LOCKED, result.stderr
    assert "demo skipped: another run is in progress" in result.stderr
    with st.store.engine.connect() as conn:
        assert conn.execute(select(dataset_versions)).all() == []
