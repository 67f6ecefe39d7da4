"""What each `python -m jobs` command does, on an already configured store."""

from __future__ import annotations

import logging
import sys
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from config.catalog import Catalog
from config.logging_setup import PRINTED, run_log_context
from jobs import status
from jobs.analytics.run import run_analytics
from jobs.locks import run_lock
from jobs.pipeline import run_downloads
from jobs.progress import RunProgress
from jobs.summary import RunSummary
from sql import read
from sql.cache import SYSTEM_DATASET
from sql.schema import dataset_versions
from sql.store import Store

log = logging.getLogger(__name__)

# The seed's success criterion: at least this share of configured sources operational.
PRELOAD_SUCCESS_RATIO = 0.9
# Exit code of a preload or refresh that did not run because another sidecar's run holds the lock.
EXIT_LOCKED = 3


def print_summary(summary: RunSummary, out=None) -> None:
    """One line per failed source (not per instrument), then the run's summary."""
    out = out or sys.stdout
    failed = summary.failed_sources()
    if failed:
        print(f"failed sources ({len(failed)}):", file=out)
        for source_id, error in failed.items():
            print(f"  {source_id}: {error}", file=out)
    partly = summary.partly_failed_sources()
    if partly:
        print(f"sources with failed instruments ({len(partly)}):", file=out)
        for source_id, what in partly.items():
            print(f"  {source_id}: {what}", file=out)
    elapsed = ((summary.finished_at or datetime.now(UTC)) - summary.started_at).total_seconds()
    print(f"\n{summary.kind} {summary.run_id} finished in {elapsed:.1f}s", file=out)
    skipped = f", {summary.instruments_skipped} not due yet" if summary.instruments_skipped else ""
    print(f"  instruments: {summary.instruments_ok}/{summary.instruments_total} downloaded{skipped}", file=out)
    for name, rows in summary.rows_written.items():
        print(f"  {name}: {rows} rows inserted or changed", file=out)
    for name, error in summary.write_errors.items():
        print(f"  {name}: NOT WRITTEN ({error})", file=out)


def log_summary(summary: RunSummary, printed: bool = False) -> None:
    """The run's outcome as one log record (a JSON line with its fields, under the run's id),
    after one record per source that failed, wholly or for some instruments, with its error.
    ``printed``: the command printed the same (print_summary), so a terminal's text log
    leaves these records out."""
    elapsed = ((summary.finished_at or datetime.now(UTC)) - summary.started_at).total_seconds()
    failed = summary.failed_sources()
    attempts: dict[str, int] = {}
    for attempt in summary.attempts:
        if attempt.source_id in failed:
            attempts[attempt.source_id] = attempts.get(attempt.source_id, 0) + 1
    for source_id, error in failed.items():
        log.warning(
            "source %s failed: %s",
            source_id,
            error,
            extra={"source_id": source_id, "error": error, "attempts": attempts.get(source_id, 0), PRINTED: printed},
        )
    for source_id, what in summary.partly_failed_sources().items():
        log.warning("source %s: %s", source_id, what, extra={"source_id": source_id, PRINTED: printed})
    log.log(
        logging.WARNING if failed or summary.write_errors else logging.INFO,
        "%s finished in %.1fs: %d/%d instruments, %d failed source(s), %d write error(s)",
        summary.kind,
        elapsed,
        summary.instruments_ok,
        summary.instruments_total,
        len(failed),
        len(summary.write_errors),
        extra={
            "duration_s": round(elapsed, 3),
            "instruments_total": summary.instruments_total,
            "instruments_ok": summary.instruments_ok,
            "instruments_skipped": summary.instruments_skipped,
            "requests": summary.requests,
            "rows_written": sum(summary.rows_written.values()),
            "failed_sources": sorted(failed),
            "write_errors": sorted(summary.write_errors),
            PRINTED: printed,
        },
    )


def operational_ratio(summary: RunSummary) -> float:
    tried = {a.source_id for a in summary.attempts if a.status != "not_configured"}
    if not tried:
        return 1.0
    return 1 - len(summary.failed_sources()) / len(tried)


def after_downloads(store: Store, summary: RunSummary) -> None:
    """Recompute the analytics whose inputs changed, then warm the hot cache keys."""
    changed = {name for name, rows in summary.rows_written.items() if rows}
    result = run_analytics(store, changed=changed)
    for name, rows in result.rows_written.items():
        summary.rows_written[name] = summary.rows_written.get(name, 0) + rows
    summary.write_errors.update(result.errors)
    summary.finished_at = datetime.now(UTC)
    try:
        warmed = read.warm()
    except read.StorageUnavailable as exc:  # the data is committed; a cold cache only costs speed
        log.warning("cache warming skipped: %s (%s)", exc, exc.__cause__)
    else:
        log.info("warmed %d hot reads", warmed)


def _locked_out(kind: str) -> int:
    log.warning("%s skipped: another sidecar's run holds the lock", kind)
    print(f"{kind} skipped: another run is in progress (it holds the jobs lock)", file=sys.stderr)
    return EXIT_LOCKED


def preload(store: Store, catalog: Catalog, show_progress: bool = True, report: bool = True) -> int:
    """Download everything; exit code 0 when ≥ 90% of the configured sources worked.
    ``report``: print the summary (the CLI); the log gets it either way."""
    with run_lock(store) as held:
        if not held:
            return _locked_out("preload")
        with run_log_context("preload"):  # a run id on every log line of the run
            return _preload(store, catalog, show_progress, report)


def _preload(store: Store, catalog: Catalog, show_progress: bool, report: bool = True) -> int:
    total = len(catalog.instruments)
    status.interrupt_dead_runs()
    status.preload_started(total)

    with status.heartbeat("preload"):
        with RunProgress(total, "preload", enabled=show_progress) as shown:

            def progress(done: int, total: int, failed: int, current: str) -> None:
                shown.update(done, total, failed, current)
                status.preload_progress(done, total, failed, current)

            summary = run_downloads(store, catalog, "preload", progress=progress)
        after_downloads(store, summary)
    status.preload_finished(summary)
    log_summary(summary, printed=report)
    if report:
        print_summary(summary)
    ratio = operational_ratio(summary)
    if ratio < PRELOAD_SUCCESS_RATIO or summary.write_errors:
        log.warning("preload degraded: %.0f%% of sources operational", ratio * 100, extra={PRINTED: report})
        if report:
            print(f"preload degraded: {ratio:.0%} of sources operational (need {PRELOAD_SUCCESS_RATIO:.0%})")
        return 2
    return 0


def refresh(store: Store, catalog: Catalog, report: bool = True) -> int:
    """Fetch what is new; exit code 0 when every source and every write worked.
    ``report``: print the summary (the CLI); the log gets it either way."""
    with run_lock(store) as held:
        if not held:
            return _locked_out("refresh")
        with run_log_context("refresh"):
            return _refresh(store, catalog, report)


def _refresh(store: Store, catalog: Catalog, report: bool = True) -> int:
    status.interrupt_dead_runs()
    status.refresh_started()
    with status.heartbeat("refresh"):
        summary = run_downloads(store, catalog, "refresh")
        after_downloads(store, summary)
    status.refresh_finished(summary)
    log_summary(summary, printed=report)
    if report:
        print_summary(summary)
    return 0 if not summary.write_errors and not summary.failed_sources() else 1


def data_age(store: Store) -> timedelta | None:
    """Time since the newest committed write, or None when nothing was ever written."""
    with store.engine.connect() as conn:
        newest = conn.execute(
            select(func.max(dataset_versions.c.updated_at)).where(dataset_versions.c.dataset != SYSTEM_DATASET)
        ).scalar()
    if newest is None:
        return None
    if newest.tzinfo is None:
        newest = newest.replace(tzinfo=UTC)
    return datetime.now(UTC) - newest


def needs_preload(store: Store) -> bool:
    age = data_age(store)
    return age is None or age > timedelta(minutes=store.settings.preload_max_age_minutes)


def demo(store: Store, catalog: Catalog, remove: bool = False) -> int:
    """Write the demo data (or ``remove`` it) holding the run lock, like a download run."""
    from jobs.demo import remove_demo, seed_demo

    with run_lock(store) as held:
        if not held:
            return _locked_out("demo")
        done = remove_demo(store) if remove else seed_demo(store, catalog)
    verb = "removed" if remove else "written"
    for name, rows in done.items():
        print(f"  {name}: {rows} demo rows {verb}")
    return 0
