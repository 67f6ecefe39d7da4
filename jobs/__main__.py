"""`python -m jobs {migrate,preload,refresh,scheduler,status,analytics,demo,check-sources,backup,restore,users,roles}`:
the sidecar's commands and the station's maintenance."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from config.catalog import CatalogError, load_catalog
from config.logging_setup import setup_logging
from config.settings import SettingsError, load_settings
from jobs import roles, users
from jobs.gate import status_command
from sql.migrate import upgrade
from sql.store import configure


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m jobs", description="Spartan Research Station sidecar")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="create or upgrade the database schema")
    p = sub.add_parser("preload", help="download everything configured")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    sub.add_parser("refresh", help="fetch what is new since the last run")
    s = sub.add_parser("scheduler", help="preload if needed, then refresh every hour")
    s.add_argument("--no-preload", action="store_true", help="skip the preload at start")
    sub.add_parser("analytics", help="recompute the analytics tables from the stored data")
    d = sub.add_parser("demo", help="fill every dataset with labelled synthetic data (no internet needed)")
    d.add_argument("--remove", action="store_true", help="delete the demo rows again")
    st = sub.add_parser("status", help="print the preload's status (running, interrupted, complete…)")
    st.add_argument(
        "--wait-complete", action="store_true", help="exit 1 unless the data is complete (the compose gate)"
    )
    c = sub.add_parser(
        "check-sources",
        help="ask every source once for a recent range and say whether its parser reads the answer",
        description="One request per catalogued source (its first instrument, a short recent range), parsed and "
        "validated as a download would be: a table of source, endpoint, status (ok, http error, timeout, "
        "connection error, parse error, invalid, empty, not configured), latency, rows, first and last date. "
        "Exit code 1 when a configured source fails. Writes nothing to the database.",
    )
    c.add_argument("--source", action="append", metavar="ID", help="check only this source (repeatable)")
    c.add_argument("--json", action="store_true", help="print the checks as JSON")
    c.add_argument(
        "--timeout", type=float, metavar="SECONDS", help="per-request timeout (default SPARTAN_HTTP_TIMEOUT)"
    )
    c.add_argument(
        "--record",
        type=Path,
        metavar="DIR",
        help="keep every answered body with its URL (keys redacted) and metadata as a recorded sample in DIR",
    )
    b = sub.add_parser(
        "backup",
        help="write one backup file of the database (dump + manifest of row counts and checksums)",
        description="PostgreSQL: pg_dump -Fc of the station's schema; SQLite: the online backup API. One file, "
        "spartan-backup-<UTC time>-<backend>.tar.gz, in --dir (default SPARTAN_BACKUP_DIR). Exit code 1 on failure.",
    )
    b.add_argument("--dir", type=Path, metavar="DIR", help="where to write it (default SPARTAN_BACKUP_DIR)")
    r = sub.add_parser(
        "restore",
        help="replace the database with a backup file, verified against its manifest",
        description="Refuses a corrupt or truncated file and a schema newer than this code; restores, checks every "
        "table's rows and checksum against the manifest, migrates an older schema, and prints what it restored. "
        "Stop the sidecar first. Exit code 1 when refused or failed.",
    )
    r.add_argument("file", type=Path, metavar="FILE", help="a spartan-backup-*.tar.gz file")
    users.add_parser(sub)
    roles.add_parser(sub)
    args = parser.parse_args(argv)

    try:
        settings = load_settings()
        setup_logging(settings.log_level, settings.log_format)
        catalog = load_catalog(settings)
    except (SettingsError, CatalogError) as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    if args.command == "check-sources":  # the network only: no database
        from jobs.check_sources import check_sources

        if args.timeout is not None and args.timeout <= 0:
            print("--timeout must be a positive number of seconds", file=sys.stderr)
            return 2
        return check_sources(catalog, settings, args.source, args.timeout, args.record, args.json)
    store = configure(settings)
    if args.command == "status":
        return status_command(args.wait_complete)
    if args.command in ("backup", "restore"):  # the database as it is: a restore may go into an empty one
        from jobs import backup

        if args.command == "backup":
            return backup.backup_command(store, args.dir)
        return backup.restore_command(store, args.file)
    upgrade(settings, store.engine)
    if args.command == "migrate":
        return 0
    if args.command == "users":
        return users.run(store.engine, args)
    if args.command == "roles":
        return roles.run(settings, store.engine, args)

    from jobs import commands, scheduler

    if args.command == "preload":
        return commands.preload(store, catalog, show_progress=not args.quiet)
    if args.command == "refresh":
        return commands.refresh(store, catalog)
    if args.command == "analytics":
        from jobs.analytics.run import run_analytics

        result = run_analytics(store)
        for name, rows in result.rows_written.items():
            print(f"  {name}: {rows} rows inserted or changed")
        for name, error in result.errors.items():
            print(f"  {name}: NOT WRITTEN ({error})")
        return 1 if result.errors else 0
    if args.command == "demo":
        return commands.demo(store, catalog, remove=args.remove)
    scheduler.run_scheduler(store, catalog, preload=not args.no_preload)
    return 0


if __name__ == "__main__":
    sys.exit(main())
