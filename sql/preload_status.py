"""The preload-status protocol, read side: ``preload_status()`` (what the sidecar last said of its
preload) and ``preload_phase()`` (what that means now: unknown, running, stalled, interrupted,
complete), with the times a status carries (``parse_time``, ``last_heard``).

The writer is beside it: jobs/status.py publishes a run's status under ``preload:status`` and,
through ``sql.sidecar.save_status``, in its ``sidecar_status`` row. The web (the preload page
and banner, ``/health/ready``, ``/metrics``, the compose gate) reads it only through this
module.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sql.cache import PRELOAD_STATUS_KEY, cache
from sql.sidecar import HEARTBEAT_LIMIT, last_heard, newest, parse_time, run_lock_held, stored_status

__all__ = [
    "PRELOAD_PHASES",
    "PRELOAD_STALLED_AFTER",
    "last_heard",
    "parse_time",
    "preload_phase",
    "preload_status",
]

# A run that holds its lock but has reported no progress for this long may be stuck.
PRELOAD_STALLED_AFTER = timedelta(minutes=10)
PRELOAD_PHASES = ("unknown", "running", "stalled", "interrupted", "complete")


def preload_status() -> dict | None:
    """``preload:status`` from the cache, else from its row; None when neither has one.

    A running status also says whether the run lock is held (``lock_held``: True, False, or
    None when it cannot be probed), for ``preload_phase``. When nobody holds it the row is read
    as well: the cache may have missed the run's last write while it was down.
    """
    cached = cache.get(PRELOAD_STATUS_KEY)
    status = cached if isinstance(cached, dict) else stored_status("preload")
    if not status or status.get("state") != "running":
        return status
    held = run_lock_held()
    if held is not True and isinstance(cached, dict):
        status = newest(status, stored_status("preload"))
        if status.get("state") != "running":
            return status
    return {**status, "lock_held": held}


def preload_phase(status: dict | None, now: datetime | None = None) -> str:
    """``unknown`` (no status), ``running``, ``stalled`` (its run holds the lock, but its
    progress or heartbeat stopped: stuck?), ``interrupted`` (its run is gone: the lock is free,
    or, unprobeable, the heartbeat older than HEARTBEAT_LIMIT) or ``complete``."""
    state = (status or {}).get("state")
    if state in ("complete", "interrupted"):
        return state
    if state != "running":
        return "unknown"
    now = now or datetime.now(UTC)
    held = status.get("lock_held")
    held = held if isinstance(held, bool) else None
    if held is False:
        return "interrupted"
    heartbeat = parse_time(status.get("heartbeat_at"))
    if heartbeat is not None and now - heartbeat > HEARTBEAT_LIMIT:
        return "stalled" if held else "interrupted"
    progress = parse_time(status.get("updated_at")) or parse_time(status.get("started_at"))
    if progress is not None and now - progress > PRELOAD_STALLED_AFTER:
        return "stalled"
    return "running"
