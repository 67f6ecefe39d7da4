"""Backup and restore (jobs/backup.py), on SQLite, and on PostgreSQL when SPARTAN_TEST_DATABASE_URL is set.

1. Five years of demo data go through a backup and a restore into an empty database with every
   table's rows and checksum equal; a restore over a station with other data replaces it.
2. A truncated or corrupt file, and a backup of a schema newer than the code, are refused and
   leave the database as it was.
3. A backup taken while another connection writes holds whole transactions only.
4. The sidecar's daily backup keeps the newest ``SPARTAN_BACKUP_KEEP`` and records the last one,
   which /api/system/status shows; the CLI says what it wrote and what it restored.
"""

from __future__ import annotations

import io
import json
import tarfile
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, insert, select, text

from jobs import backup
from jobs.backup import BackupError, create_backup, prune_backups, restore_backup
from sql.fingerprints import table_fingerprints
from sql.migrate import upgrade
from sql.schema import download_log
from sql.store import configure
from tests.conftest import PG_URL, SHIPPED_CATALOG, demo_settings, drop_backend, make_settings

BATCH = 200  # rows of download_log per transaction of the concurrent writer
DEADLINE = 120.0


def wait_for(condition, what: str, timeout: float = DEADLINE):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.01)


def log_rows(run_id: str, count: int) -> list[dict]:
    now = datetime.now(UTC)
    return [
        {
            "run_id": run_id,
            "run_kind": "refresh",
            "source_id": "fred",
            "dataset": "fred_series",
            "instrument": f"SERIES{i}",
            "started_at": now,
            "finished_at": now,
            "status": "ok",
            "rows": i,
        }
        for i in range(count)
    ]


def fingerprints_of(settings) -> dict:
    engine = create_engine(settings.database_url)
    try:
        with engine.connect() as conn:
            return table_fingerprints(conn, settings.db_schema if settings.is_postgres else None)
    finally:
        engine.dispose()


def repack(source: Path, target: Path, manifest_change=None, dump_change=None) -> Path:
    """A copy of the backup ``source`` with its manifest and/or dump bytes changed."""
    with tarfile.open(source, "r:gz") as archive:
        members = {m.name: archive.extractfile(m).read() for m in archive.getmembers()}
    manifest = json.loads(members["manifest.json"])
    if manifest_change:
        manifest_change(manifest)
    members["manifest.json"] = json.dumps(manifest).encode()
    if dump_change:
        name = manifest["dump"]["name"]
        members[name] = dump_change(members[name])
    with tarfile.open(target, "w:gz") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return target


@pytest.fixture
def small_store(tmp_path):
    """A migrated SQLite station with a few hundred download_log rows."""
    settings = make_settings(tmp_path / "small", "sqlite", SPARTAN_BACKUP_DIR=str(tmp_path / "backups"))
    store = configure(settings)
    upgrade(settings, store.engine)
    with store.engine.begin() as conn:
        conn.execute(insert(download_log), log_rows("seed", 300))
    yield store
    store.engine.dispose()


# --- 1. round trip -----------------------------------------------------------------------------------


def test_five_years_of_demo_data_round_trip_into_an_empty_database_with_equal_counts_and_checksums(demo_root, tmp_path):
    source = configure(demo_settings(demo_root))
    made = create_backup(source, tmp_path / "backups")
    original = fingerprints_of(source.settings)
    assert made.manifest["tables"] == original
    assert original["market_indices"]["rows"] > 1000 and original["fred_series"]["rows"] > 1000
    assert made.path.name.startswith("spartan-backup-") and made.path.name.endswith("-sqlite.tar.gz")
    assert made.bytes == made.path.stat().st_size
    assert made.manifest["alembic_revision"] == backup.code_head(source.settings)
    assert made.manifest["station_version"] == backup.station_version() is not None

    empty = make_settings(tmp_path / "empty", "sqlite", SPARTAN_SOURCES_FILE=SHIPPED_CATALOG)
    assert not backup.sqlite_path(empty).exists()
    target = configure(empty)
    restored = restore_backup(target, made.path)
    assert restored.tables == original
    assert fingerprints_of(empty) == original
    assert restored.migrated_to is None
    target.engine.dispose()


def test_a_restore_over_a_station_with_other_data_replaces_it(small_store, tmp_path):
    made = create_backup(small_store)
    with small_store.engine.begin() as conn:
        conn.execute(insert(download_log), log_rows("after-the-backup", 50))
        conn.execute(text("DELETE FROM download_log WHERE rows < 10"))
    assert fingerprints_of(small_store.settings) != made.manifest["tables"]
    restore_backup(small_store, made.path)
    assert fingerprints_of(small_store.settings) == made.manifest["tables"]
    with small_store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(download_log)).scalar() == 300


def test_a_backup_of_an_older_schema_is_restored_then_migrated_to_the_codes(tmp_path):
    from sql.migrate import current_revision

    older = make_settings(tmp_path / "older", "sqlite")
    store = configure(older)
    upgrade(older, store.engine, "0011")
    made = create_backup(store, tmp_path / "backups")
    store.engine.dispose()
    assert made.manifest["alembic_revision"] == "0011"

    fresh = make_settings(tmp_path / "fresh", "sqlite")
    target = configure(fresh)
    restored = restore_backup(target, made.path)
    head = backup.code_head(fresh)
    assert head != "0011" and restored.migrated_to == head
    assert current_revision(target.engine, fresh) == head
    target.engine.dispose()


# --- 2. refused --------------------------------------------------------------------------------------


@pytest.fixture
def refused_setup(small_store, tmp_path):
    made = create_backup(small_store)
    with small_store.engine.begin() as conn:  # the station moved on: a refused restore keeps this
        conn.execute(insert(download_log), log_rows("after-the-backup", 7))
    return small_store, made, fingerprints_of(small_store.settings)


def test_a_truncated_backup_is_refused_and_the_database_is_left_as_it_was(refused_setup, tmp_path):
    store, made, before = refused_setup
    truncated = tmp_path / "truncated.tar.gz"
    data = made.path.read_bytes()
    truncated.write_bytes(data[: len(data) // 2])
    with pytest.raises(BackupError, match="unreadable, truncated or corrupt"):
        restore_backup(store, truncated)
    assert fingerprints_of(store.settings) == before


def test_a_backup_whose_dump_was_altered_is_refused(refused_setup, tmp_path):
    store, made, before = refused_setup

    def flip(data: bytes) -> bytes:
        middle = len(data) // 2
        return data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1 :]

    altered = repack(made.path, tmp_path / "altered.tar.gz", dump_change=flip)
    with pytest.raises(BackupError, match="the dump is corrupt"):
        restore_backup(store, altered)
    assert fingerprints_of(store.settings) == before


def test_a_manifest_that_does_not_match_its_dump_is_refused_before_anything_is_replaced(refused_setup, tmp_path):
    store, made, before = refused_setup

    def miscount(manifest):
        manifest["tables"]["download_log"]["rows"] += 1

    lying = repack(made.path, tmp_path / "lying.tar.gz", manifest_change=miscount)
    with pytest.raises(BackupError, match="download_log: 300 rows restored, the manifest has 301"):
        restore_backup(store, lying)
    assert fingerprints_of(store.settings) == before


def test_something_else_than_a_backup_is_refused(refused_setup, tmp_path):
    store, _made, before = refused_setup
    other = tmp_path / "notes.tar.gz"
    with tarfile.open(other, "w:gz") as archive:
        info = tarfile.TarInfo("notes.txt")
        archive.addfile(info, io.BytesIO(b""))
    with pytest.raises(BackupError, match="not a station backup"):
        restore_backup(store, other)
    with pytest.raises(BackupError, match="no such backup file"):
        restore_backup(store, tmp_path / "missing.tar.gz")
    assert fingerprints_of(store.settings) == before


def test_a_backup_of_a_newer_schema_is_refused(refused_setup, tmp_path):
    store, made, before = refused_setup

    def newer(manifest):
        manifest["alembic_revision"] = "9999"

    future = repack(made.path, tmp_path / "future.tar.gz", manifest_change=newer)
    head = backup.code_head(store.settings)
    with pytest.raises(BackupError, match=f"revision 9999, newer than this station's {head}"):
        restore_backup(store, future)
    assert fingerprints_of(store.settings) == before


# --- 3. consistent while another connection writes ---------------------------------------------------


def test_a_backup_taken_while_another_connection_writes_holds_whole_transactions(small_store, tmp_path):
    """The writer keeps a transaction open between two halves of each batch: a backup that
    copied uncommitted or half-committed work would hold a row count that is not whole batches."""
    committed, stop, errors = [0], threading.Event(), []
    half_written = threading.Event()

    def writer():
        engine = create_engine(small_store.settings.database_url, connect_args={"timeout": 30})
        try:
            while not stop.is_set():
                with engine.begin() as conn:
                    conn.execute(insert(download_log), log_rows(f"w{committed[0]}", BATCH // 2))
                    half_written.set()
                    stop.wait(0.02)  # the transaction stays open, half written
                    conn.execute(insert(download_log), log_rows(f"w{committed[0]}", BATCH // 2))
                committed[0] += 1
        except Exception as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)
        finally:
            engine.dispose()

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    try:
        wait_for(lambda: committed[0] >= 2, "the writer's first commits")
        made = []
        for _ in range(5):
            half_written.clear()
            wait_for(half_written.is_set, "a transaction half written")
            made.append(create_backup(small_store, tmp_path / "during"))
        moved_on = committed[0]
        wait_for(lambda: committed[0] > moved_on, "a commit after the backups (the writer was never blocked)")
    finally:
        stop.set()
        thread.join(DEADLINE)
    assert not errors, errors
    counts = set()
    for result in made:
        rows = result.manifest["tables"]["download_log"]["rows"]
        assert (rows - 300) % BATCH == 0, f"a backup holds part of a transaction: {rows} rows"
        counts.add(rows)
        target = configure(make_settings(tmp_path / uuid.uuid4().hex[:8], "sqlite"))
        assert restore_backup(target, result.path).tables == result.manifest["tables"]
        target.engine.dispose()
    assert len(counts) > 1  # the backups saw the writer's progress, each a whole number of batches


# --- 4. daily backup, retention, status, CLI ---------------------------------------------------------


def test_retention_keeps_the_newest_backups_only(tmp_path):
    names = [f"spartan-backup-2026120{day}T020000000000Z-sqlite.tar.gz" for day in range(1, 10)]
    for name in names:
        (tmp_path / name).write_bytes(b"x")
    (tmp_path / "notes.txt").write_text("kept: not a backup")
    gone = prune_backups(tmp_path, 3)
    assert sorted(p.name for p in gone) == names[:6]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*names[6:], "notes.txt"])
    with pytest.raises(ValueError, match="at least 1"):
        prune_backups(tmp_path, 0)


def test_the_daily_backup_keeps_the_newest_n_and_records_the_last_one(small_store):
    from sql.sidecar import last_backup

    settings = small_store.settings.__class__(**{**small_store.settings.__dict__, "backup_keep": 2})
    small_store.settings = settings
    assert last_backup(small_store) is None
    for _ in range(3):
        assert backup.daily_backup(small_store)
    files = backup.backups_in(settings.backup_dir)
    assert len(files) == 2
    shown = last_backup(small_store)
    assert shown["state"] == "complete" and shown["file"] == files[0].name
    assert shown["bytes"] == files[0].stat().st_size and shown["error"] is None
    assert 0 <= shown["age_seconds"] < DEADLINE

    broken = settings.__class__(**{**settings.__dict__, "database_url": f"sqlite:///{settings.var_dir}/missing.db"})
    small_store.settings = broken
    assert not backup.daily_backup(small_store)  # logged and recorded, never raised
    small_store.settings = settings
    shown = last_backup(small_store)
    assert shown["state"] == "failed" and "nothing to back up" in shown["error"]
    assert shown["file"] == files[0].name  # the last success stays shown beside the failure


def test_the_scheduler_backs_up_daily_unless_turned_off(tmp_path):
    from config.catalog import load_catalog
    from jobs import scheduler

    settings = make_settings(tmp_path, "sqlite", SPARTAN_BACKUP_HOUR="3", SPARTAN_REFRESH_MINUTE="10")
    job = scheduler.build_scheduler(configure(settings), load_catalog(settings)).get_job("daily-backup")
    assert str(job.trigger) == "cron[hour='3', minute='40']"
    assert job.func is backup.daily_backup and job.max_instances == 1
    off = make_settings(tmp_path, "sqlite", SPARTAN_BACKUP_HOUR="off")
    assert scheduler.build_scheduler(configure(off), load_catalog(off)).get_job("daily-backup") is None


def test_the_status_endpoint_shows_the_last_backups_time_and_size(tmp_path):
    import app as webapp
    from sql.store import get_store

    settings = make_settings(tmp_path, "sqlite", SPARTAN_RATE_LIMIT_ENABLED="0")
    client = webapp.create_app(settings).server.test_client()
    assert client.get("/api/system/status").get_json()["backup"] is None
    assert backup.daily_backup(get_store())
    shown = client.get("/api/system/status").get_json()["backup"]
    newest = backup.backups_in(settings.backup_dir)[0]
    assert shown["bytes"] == newest.stat().st_size and shown["file"] == newest.name
    assert datetime.fromisoformat(shown["last_backup_at"]) <= datetime.now(UTC)


def test_the_cli_backs_up_and_restores_saying_what_it_did(small_store, tmp_path, monkeypatch, capsys):
    from jobs.__main__ import main

    for name, value in {
        "SPARTAN_VAR_DIR": str(small_store.settings.var_dir),
        "SPARTAN_SOURCES_FILE": str(small_store.settings.sources_file),
        "SPARTAN_LOG_FORMAT": "json",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("SPARTAN_DATABASE_URL", raising=False)
    assert main(["backup", "--dir", str(tmp_path / "cli")]) == 0
    out = capsys.readouterr().out
    written = backup.backups_in(tmp_path / "cli")[0]
    assert f"backup written: {written}" in out and "download_log" not in out

    monkeypatch.setenv("SPARTAN_VAR_DIR", str(tmp_path / "fresh"))
    assert main(["restore", str(written)]) == 0
    out = capsys.readouterr().out
    assert "every table's rows and checksum match the manifest" in out
    assert "  download_log: 300 rows" in out
    assert "the cache was emptied" in out

    (tmp_path / "junk.tar.gz").write_bytes(b"not a backup")
    assert main(["restore", str(tmp_path / "junk.tar.gz")]) == 1
    assert "restore refused or failed:" in capsys.readouterr().out


# --- PostgreSQL ------------------------------------------------------------------------------------


@pytest.mark.skipif(not PG_URL, reason="SPARTAN_TEST_DATABASE_URL not set")
def test_demo_data_round_trips_through_pg_dump_and_pg_restore(tmp_path, monkeypatch):
    """Its own schema (``t_backup_…``): dumped, dropped, restored into the empty database, then
    restored again over itself; the tables equal the manifest each time."""
    from config.catalog import load_catalog
    from jobs.demo import seed
    from jobs.demo.seed import seed_demo

    monkeypatch.setattr(seed, "YEARS", 1)  # a shorter span: the same tables, a faster test
    settings = make_settings(
        tmp_path,
        "postgres",
        SPARTAN_SOURCES_FILE=SHIPPED_CATALOG,
        SPARTAN_DB_SCHEMA=f"t_backup_{uuid.uuid4().hex[:10]}",
        SPARTAN_REDIS_URL="",
    )
    store = configure(settings)
    try:
        upgrade(settings, store.engine)
        seed_demo(store, load_catalog(settings))
        original = fingerprints_of(settings)
        made = create_backup(store, tmp_path / "backups")
        assert made.manifest["tables"] == original and made.manifest["schema"] == settings.db_schema
        assert original["market_indices"]["rows"] > 100
        assert made.path.name.endswith("-postgres.tar.gz")

        drop_backend(settings)
        assert restore_backup(store, made.path).tables == original
        assert fingerprints_of(settings) == original

        with store.engine.begin() as conn:
            conn.execute(insert(download_log), log_rows("after-the-backup", 5))
        assert restore_backup(store, made.path).tables == original
        with store.engine.connect() as conn:
            aside = f"{settings.db_schema}_before_restore"
            assert conn.execute(text("SELECT 1 FROM pg_namespace WHERE nspname = :s"), {"s": aside}).scalar() is None
    finally:
        store.engine.dispose()
        drop_backend(settings)
