"""``preload:status`` and ``refresh:last_run`` in the cache: what the web shows of the sidecar."""

from __future__ import annotations

from datetime import UTC, datetime

from jobs.summary import RunSummary
from sql.cache import PRELOAD_STATUS_KEY, REFRESH_LAST_RUN_KEY, cache


def preload_started(total: int) -> None:
    now = datetime.now(UTC).isoformat()
    cache.set(
        PRELOAD_STATUS_KEY,
        {"state": "running", "done": 0, "total": total, "failed": 0, "started_at": now, "updated_at": now},
        timeout=0,
    )


def preload_progress(done: int, total: int, failed: int, current: str) -> None:
    status = cache.get(PRELOAD_STATUS_KEY) or {}
    status.update(
        state="running",
        done=done,
        total=total,
        failed=failed,
        current=current,
        updated_at=datetime.now(UTC).isoformat(),
    )
    cache.set(PRELOAD_STATUS_KEY, status, timeout=0)


def preload_finished(summary: RunSummary) -> dict:
    status = {
        "state": "complete",
        "done": summary.instruments_total,
        "total": summary.instruments_total,
        "ok": summary.instruments_ok,
        "failed": len(summary.failed_sources()),
        "started_at": summary.started_at.isoformat(),
        "finished_at": (summary.finished_at or datetime.now(UTC)).isoformat(),
        "updated_at": datetime.now(UTC).isoformat(),
        **summary.as_dict(),
    }
    cache.set(PRELOAD_STATUS_KEY, status, timeout=0)
    return status


def refresh_finished(summary: RunSummary) -> None:
    cache.set(REFRESH_LAST_RUN_KEY, summary.as_dict(), timeout=0)
    if cache.get(PRELOAD_STATUS_KEY) is None:
        # The cache lost it (a Redis restart): the data is loaded, so say so again, or the
        # readiness checks that wait for a complete preload would stay red until a restart.
        preload_skipped()


def preload_skipped() -> None:
    """Data was already fresh at start: the web may serve it without waiting."""
    now = datetime.now(UTC).isoformat()
    cache.set(
        PRELOAD_STATUS_KEY, {"state": "complete", "skipped": True, "finished_at": now, "updated_at": now}, timeout=0
    )
