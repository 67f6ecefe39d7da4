"""`python -m jobs backup` and `python -m jobs restore FILE`, and the sidecar's daily backup.

A backup is one file, ``spartan-backup-<UTC time>-<backend>.tar.gz``, holding the database's
dump (PostgreSQL: ``pg_dump -Fc`` of the station's schema; SQLite: a copy by the online backup
API) and ``manifest.json``: the Alembic revision, the time, the backend, the station's version,
the dump's size and SHA-256, and per table its rows and a checksum (sql/fingerprints.py), all
read from the one snapshot the dump holds. A refresh committing meanwhile is in the next backup.

A restore refuses a file it cannot read whole, a dump whose SHA-256 differs from the manifest's
and a schema newer than the code knows; it then replaces the database's content, checks every
table against the manifest, and migrates an older schema to the code's.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
import tomllib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from config.settings import PROJECT_ROOT, Settings
from jobs import backup_postgres
from jobs.backup_postgres import BackupError
from jobs.locks import run_lock
from sql.cache import cache
from sql.fingerprints import differences, table_fingerprints
from sql.migrate import alembic_config, upgrade
from sql.sidecar import save_status, stored_status
from sql.store import Store

log = logging.getLogger(__name__)

__all__ = ["BackupError", "backup_command", "create_backup", "daily_backup", "prune_backups", "restore_command"]

FORMAT = 1
PREFIX = "spartan-backup-"
SUFFIX = ".tar.gz"
MANIFEST = "manifest.json"
DUMP_NAMES = {"sqlite": "database.sqlite", "postgres": "database.pgdump"}
STATUS_NAME = "backup"  # its sidecar_status row
WORK_PREFIX = ".spartan-backup-work-"  # a backup's scratch directory, beside the backups
LEFTOVER_AGE_SECONDS = 12 * 3600
# What a backup or restore can fail with: reported in one line, never a traceback.
FAILURES = (BackupError, OSError, sqlite3.Error, SQLAlchemyError, subprocess.SubprocessError)


@dataclass(frozen=True)
class BackupResult:
    path: Path
    bytes: int
    manifest: dict
    seconds: float


@dataclass(frozen=True)
class RestoreResult:
    manifest: dict
    tables: dict[str, dict]
    migrated_to: str | None
    cache_emptied: bool
    seconds: float


def station_version() -> str | None:
    try:
        return tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]["version"]
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return None


def _backend(settings: Settings) -> str:
    return "postgres" if settings.is_postgres else "sqlite"


def sqlite_path(settings: Settings) -> Path:
    database = make_url(settings.database_url).database
    if not database or database == ":memory:":
        raise BackupError("the SQLite database is in memory: there is no file to back up or restore")
    return Path(database)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def code_head(settings: Settings) -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config(settings)).get_current_head()


def known_revision(settings: Settings, revision: str) -> bool:
    """Whether the code's migration chain has ``revision`` (a later one it does not)."""
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    try:
        return ScriptDirectory.from_config(alembic_config(settings)).get_revision(revision) is not None
    except CommandError:
        return False


# --- backup ----------------------------------------------------------------------------------------


def _sqlite_snapshot(settings: Settings, target: Path) -> tuple[str | None, dict]:
    """Copy the database to ``target`` in one step of the online backup API (a consistent
    snapshot: a writer's later commits are not in it), then fingerprint the copy."""
    source_path = sqlite_path(settings)
    if not source_path.exists():
        raise BackupError(f"no database at {source_path}: nothing to back up")
    source = sqlite3.connect(f"{source_path.resolve().as_uri()}?mode=ro", uri=True, timeout=30)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
    finally:
        source.close()
        copy.close()
    engine = create_engine(f"sqlite:///{target}")
    try:
        with engine.connect() as conn:
            revision = _sqlite_revision(conn)
            tables = table_fingerprints(conn)
    finally:
        engine.dispose()
    return revision, tables


def _sqlite_revision(conn) -> str | None:
    found = conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"))
    if found.scalar() is None:
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def create_backup(store: Store, directory: Path | None = None) -> BackupResult:
    """Write one backup file of the station's database into ``directory`` (default: the
    ``SPARTAN_BACKUP_DIR`` setting) and return it."""
    started = time.monotonic()
    settings = store.settings
    directory = Path(directory or settings.backup_dir)
    directory.mkdir(parents=True, exist_ok=True)
    backend = _backend(settings)
    created = datetime.now(UTC)
    final = directory / f"{PREFIX}{created:%Y%m%dT%H%M%S%fZ}-{backend}{SUFFIX}"
    partial = final.with_name(final.name + ".partial")  # never taken for a backup by prune or restore
    with tempfile.TemporaryDirectory(prefix=WORK_PREFIX, dir=directory) as work:
        dump = Path(work) / DUMP_NAMES[backend]
        if backend == "postgres":
            revision, tables = backup_postgres.dump(store, dump)
        else:
            revision, tables = _sqlite_snapshot(settings, dump)
        if revision is None:
            raise BackupError("the database has no schema yet (run `python -m jobs migrate`): nothing to back up")
        manifest = {
            "format": FORMAT,
            "backend": backend,
            "schema": settings.db_schema if backend == "postgres" else None,
            "alembic_revision": revision,
            "created_at": created.isoformat(),
            "station_version": station_version(),
            "dump": {"name": dump.name, "bytes": dump.stat().st_size, "sha256": _sha256(dump)},
            "tables": tables,
        }
        manifest_path = Path(work) / MANIFEST
        manifest_path.write_text(json.dumps(manifest, indent=2, sort_keys=True))
        try:
            with tarfile.open(partial, "w:gz", compresslevel=6) as archive:
                archive.add(manifest_path, arcname=MANIFEST)
                archive.add(dump, arcname=dump.name)
            partial.replace(final)
        finally:
            partial.unlink(missing_ok=True)
    size = final.stat().st_size
    seconds = time.monotonic() - started
    log.info(
        "backup written: %s (%d bytes, %.1fs)",
        final,
        size,
        seconds,
        extra={"file": str(final), "bytes": size, "duration_s": round(seconds, 3), "revision": revision},
    )
    return BackupResult(final, size, manifest, seconds)


def backups_in(directory: Path) -> list[Path]:
    """The backup files in ``directory``, newest first (their names carry their time)."""
    if not directory.is_dir():
        return []
    return sorted(directory.glob(f"{PREFIX}*{SUFFIX}"), key=lambda p: p.name, reverse=True)


def prune_backups(directory: Path, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` backups of ``directory``; the deleted files."""
    if keep < 1:
        raise ValueError("keep must be at least 1")
    gone = backups_in(Path(directory))[keep:]
    for path in gone:
        path.unlink(missing_ok=True)
        log.info("old backup deleted: %s", path.name, extra={"file": str(path)})
    return gone


def remove_leftovers(directory: Path) -> None:
    """What a backup killed while writing left behind (a ``.partial`` file, its scratch
    directory): never a backup, deleted before the next one."""
    directory = Path(directory)
    if not directory.is_dir():
        return
    # Old ones only: a backup another process (`python -m jobs backup`) writes now is spared.
    cutoff = time.time() - LEFTOVER_AGE_SECONDS
    for leftover in directory.glob(f"{PREFIX}*{SUFFIX}.partial"):
        if leftover.stat().st_mtime < cutoff:
            leftover.unlink(missing_ok=True)
    for scratch in directory.glob(f"{WORK_PREFIX}*"):
        if scratch.stat().st_mtime < cutoff:
            shutil.rmtree(scratch, ignore_errors=True)


def record_backup(store: Store, result: BackupResult | None, error: str | None = None) -> None:
    """The last backup in the ``backup`` row of sidecar_status, where /api/system/status reads it;
    a failure keeps the last success beside its error."""
    now = datetime.now(UTC).isoformat()
    if result is not None:
        status = {
            "state": "complete",
            "finished_at": now,
            "written_at": now,
            "created_at": result.manifest["created_at"],
            "file": result.path.name,
            "directory": str(result.path.parent),
            "bytes": result.bytes,
            "duration_s": round(result.seconds, 3),
            "backend": result.manifest["backend"],
            "alembic_revision": result.manifest["alembic_revision"],
            "tables": len(result.manifest["tables"]),
            "rows": sum(t["rows"] for t in result.manifest["tables"].values()),
        }
    else:
        previous = stored_status(STATUS_NAME, store) or {}
        last = previous if previous.get("state") == "complete" else previous.get("last_success")
        status = {"state": "failed", "finished_at": now, "written_at": now, "error": error, "last_success": last}
    save_status(STATUS_NAME, status, store)


def daily_backup(store: Store) -> bool:
    """The sidecar's scheduled backup: write one, keep the newest ``SPARTAN_BACKUP_KEEP``, record
    the outcome. Never raises: a failed backup is logged and recorded, the scheduler goes on."""
    try:
        remove_leftovers(store.settings.backup_dir)
        result = create_backup(store)
    except FAILURES as exc:
        log.error("daily backup failed: %s", exc)
        record_backup(store, None, str(exc))
        return False
    record_backup(store, result)
    try:
        prune_backups(result.path.parent, store.settings.backup_keep)
    except OSError as exc:  # the backup stands; the next one prunes again
        log.error("old backups not deleted: %s", exc)
    return True


# --- restore ---------------------------------------------------------------------------------------


def read_backup(path: Path, work: Path) -> tuple[dict, Path]:
    """Unpack ``path`` into ``work`` and check it whole: its manifest and dump, the dump's size
    and SHA-256. A truncated or corrupt file raises BackupError saying so."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"{path}: no such backup file")
    try:
        with tarfile.open(path, "r:gz") as archive:
            names = set(archive.getnames())
            if MANIFEST not in names:
                raise BackupError(f"{path}: not a station backup (no {MANIFEST} inside)")
            archive.extractall(work, filter="data")
    except (tarfile.TarError, EOFError, OSError, ValueError) as exc:
        raise BackupError(f"{path}: unreadable, truncated or corrupt ({exc})") from None
    try:
        manifest = json.loads((work / MANIFEST).read_text())
        dump = work / manifest["dump"]["name"]
        expected_size, expected_sha = manifest["dump"]["bytes"], manifest["dump"]["sha256"]
        missing = [key for key in ("alembic_revision", "backend", "tables") if key not in manifest]
    except (ValueError, KeyError, TypeError) as exc:
        raise BackupError(f"{path}: its manifest is unreadable ({exc})") from None
    if missing:
        raise BackupError(f"{path}: its manifest lacks {', '.join(missing)}")
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{path}: backup format {manifest.get('format')!r}, this station reads {FORMAT}")
    if manifest["dump"]["name"] not in DUMP_NAMES.values() or not dump.is_file():
        raise BackupError(f"{path}: the dump {dump.name} named by the manifest is missing")
    if dump.stat().st_size != expected_size or _sha256(dump) != expected_sha:
        raise BackupError(f"{path}: the dump is corrupt (its size or SHA-256 differs from the manifest's)")
    return manifest, dump


def _restore_sqlite(store: Store, dump: Path, manifest: dict) -> dict:
    """Check the unpacked copy against the manifest, then copy it over the database by the
    backup API (the file need not exist: an empty station) and check the result again."""
    engine = create_engine(f"sqlite:///{dump}")
    try:
        with engine.connect() as conn:
            problems = differences(manifest["tables"], table_fingerprints(conn))
    finally:
        engine.dispose()
    if problems:
        raise BackupError("the backup's database does not match its manifest:\n  " + "\n  ".join(problems))
    target_path = sqlite_path(store.settings)
    target_path.parent.mkdir(parents=True, exist_ok=True)
    store.engine.dispose()  # no pooled connection of this process holds the old file
    source, target = sqlite3.connect(dump), sqlite3.connect(target_path, timeout=30)
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()
    with store.engine.connect() as conn:
        return table_fingerprints(conn)


def restore_backup(store: Store, path: Path) -> RestoreResult:
    """Replace the station's database with the backup ``path``, verified against its manifest."""
    started = time.monotonic()
    settings = store.settings
    with tempfile.TemporaryDirectory(prefix="spartan-restore-") as work:
        manifest, dump = read_backup(Path(path), Path(work))
        backend = _backend(settings)
        if manifest["backend"] != backend:
            raise BackupError(f"{path}: a {manifest['backend']} backup cannot be restored into {backend}")
        revision = manifest["alembic_revision"]
        if not known_revision(settings, revision):
            raise BackupError(
                f"{path}: its schema is at revision {revision}, newer than this station's {code_head(settings)}: "
                "restore it with the station's version that wrote it (or a later one)"
            )
        with run_lock(store) as held:
            if not held:
                raise BackupError("a preload or refresh is running (it holds the jobs lock): stop the sidecar first")
            if backend == "postgres":
                found = backup_postgres.restore(store, dump, manifest)
            else:
                found = _restore_sqlite(store, dump, manifest)
    problems = differences(manifest["tables"], found)
    if problems:
        raise BackupError("the restored database does not match the manifest:\n  " + "\n  ".join(problems))
    head = code_head(settings)
    migrated = None
    if revision != head:
        upgrade(settings, store.engine)
        migrated = head
    return RestoreResult(manifest, found, migrated, _empty_cache(), time.monotonic() - started)


def _empty_cache() -> bool:
    """Empty the station's cache: its run statuses and its copy of the dataset versions describe
    the replaced data (cached reads would stay right: they name versions, never reused)."""
    try:
        return bool(cache.clear())
    except Exception as exc:  # noqa: BLE001 - any cache failure: the restore stands, the note says so
        log.warning("cache not emptied after the restore: %s", exc)
        return False


# --- the commands ----------------------------------------------------------------------------------


def backup_command(store: Store, directory: Path | None) -> int:
    try:
        result = create_backup(store, directory)
    except FAILURES as exc:
        print(f"backup failed: {exc}", flush=True)
        record_backup(store, None, str(exc))
        return 1
    record_backup(store, result)
    tables = result.manifest["tables"]
    rows = sum(t["rows"] for t in tables.values())
    print(f"backup written: {result.path}")
    print(f"  {result.bytes} bytes, {len(tables)} tables, {rows} rows, in {result.seconds:.1f}s")
    print(f"  schema revision {result.manifest['alembic_revision']} ({result.manifest['backend']})")
    return 0


def restore_command(store: Store, path: Path) -> int:
    try:
        result = restore_backup(store, path)
    except FAILURES as exc:
        print(f"restore refused or failed: {exc}", flush=True)
        return 1
    manifest = result.manifest
    print(f"restored {path}: a {manifest['backend']} backup of {manifest['created_at']}")
    print(f"  schema revision {manifest['alembic_revision']}; every table's rows and checksum match the manifest")
    for name, table in sorted(result.tables.items()):
        print(f"  {name}: {table['rows']} rows")
    rows = sum(t["rows"] for t in result.tables.values())
    print(f"  {len(result.tables)} tables, {rows} rows in {result.seconds:.1f}s")
    if result.migrated_to:
        print(f"  then migrated to revision {result.migrated_to}")
    if result.cache_emptied:
        print("  the cache was emptied: the web reads the restored data")
    else:
        print("  the cache could NOT be emptied: empty it (restart Redis) before starting the web")
    return 0
