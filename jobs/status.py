"""What the web and the compose gate know of the sidecar's runs: ``preload:status`` and
``refresh:last_run`` in the cache, and the same in ``sidecar_status`` rows (sql/sidecar.py),
which a cache loss or outage does not take away.

A run's status names its owner (host, pid, run id, kind) and carries ``heartbeat_at``, which
a thread moves every few seconds for the whole run (downloads and long writes alike). A run
that dies leaves "running" behind; readers report it interrupted, and the next run, holding
the lock, says so for good. The next preload replaces it; so does a refresh that finishes
with every write committed: the data is complete again.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from config.logging_setup import context_fields
from jobs.summary import RunSummary
from sql import sidecar
from sql.cache import PRELOAD_STATUS_KEY, REFRESH_LAST_RUN_KEY, cache

log = logging.getLogger(__name__)

KINDS = ("preload", "refresh")

# This process's runs by kind; one lock orders every write of them (cache and row), so a late
# heartbeat can never put back "running" over the run's end.
_lock = threading.Lock()
_current: dict[str, dict] = {}


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _owner(kind: str) -> dict:
    run_id = context_fields().get("run_id") or uuid.uuid4().hex
    return {"host": socket.gethostname(), "pid": os.getpid(), "run_id": run_id, "kind": kind}


def _publish(kind: str, status: dict, cache_only: bool = False) -> None:
    """Write ``status`` of ``kind`` to its cache key and, unless ``cache_only``, its row.
    A refresh has a cache key only once it has finished (``refresh:last_run``)."""
    status["written_at"] = _now()
    if kind == "preload":
        cache.set(PRELOAD_STATUS_KEY, status, timeout=0)
    elif status.get("state") == "complete":
        cache.set(REFRESH_LAST_RUN_KEY, status, timeout=0)
    if not cache_only:
        sidecar.save_status(kind, status)


def stored(kind: str) -> dict | None:
    """The newest copy of ``kind``'s status: the cache's or the row's."""
    cached = cache.get(PRELOAD_STATUS_KEY) if kind == "preload" else None
    return sidecar.newest(cached if isinstance(cached, dict) else None, sidecar.stored_status(kind))


def _started(kind: str, **fields) -> dict:
    owner = _owner(kind)
    now = _now()
    status = {
        "state": "running",
        "kind": kind,
        "run_id": owner["run_id"],
        "owner": owner,
        **fields,
        "started_at": now,
        "updated_at": now,
        "heartbeat_at": now,
    }
    with _lock:
        _current[kind] = status
        _publish(kind, dict(status))
    return status


def interrupt_dead_runs() -> None:
    """Called holding the run lock: a status still "running" belongs to a run that died
    (no other can be alive). Record it as interrupted, with when it was last heard of."""
    run_id = context_fields().get("run_id")
    for kind in KINDS:
        status = stored(kind)
        if not status or status.get("state") != "running" or status.get("run_id") == run_id:
            continue
        heard = sidecar.last_heard(status)
        log.warning("the %s run %s was interrupted (last heard of at %s)", kind, status.get("run_id"), heard)
        status.update(
            state="interrupted",
            last_heard_at=heard.isoformat() if heard else None,
            noticed_at=_now(),
            noticed_by=run_id,
        )
        with _lock:
            _publish(kind, status)


def preload_started(total: int) -> None:
    _started("preload", done=0, total=total, failed=0)


def preload_progress(done: int, total: int, failed: int, current: str) -> None:
    with _lock:
        status = _current.get("preload") or stored("preload") or {}
        status.update(state="running", done=done, total=total, failed=failed, current=current, updated_at=_now())
        _current["preload"] = status
        # The cache only: the heartbeat takes the progress to the row every few seconds.
        _publish("preload", dict(status), cache_only=True)


def refresh_started() -> None:
    _started("refresh")


def _finished(kind: str, summary: RunSummary, **fields) -> dict:
    now = _now()
    with _lock:
        owner = (_current.get(kind) or {}).get("owner") or _owner(kind)
        status = {
            "state": "complete",
            "owner": owner,
            **fields,
            "started_at": summary.started_at.isoformat(),
            "finished_at": (summary.finished_at or datetime.now(UTC)).isoformat(),
            "updated_at": now,
            "heartbeat_at": now,
            **summary.as_dict(),
        }
        _current[kind] = status
        _publish(kind, dict(status))
    return status


def preload_finished(summary: RunSummary) -> dict:
    return _finished(
        "preload",
        summary,
        done=summary.instruments_total,
        total=summary.instruments_total,
        ok=summary.instruments_ok,
        failed=len(summary.failed_sources()),
    )


def refresh_finished(summary: RunSummary) -> None:
    """``refresh:last_run``; and when every write committed, the data is complete: a preload
    status that is missing (the cache and the database lost it), interrupted or dead becomes
    complete, saying that this refresh completed the data."""
    _finished("refresh", summary)
    if summary.write_errors:
        return
    cached, row = cache.get(PRELOAD_STATUS_KEY), sidecar.stored_status("preload")
    cached = cached if isinstance(cached, dict) else None
    previous = sidecar.newest(cached, row)
    if previous and previous.get("state") == "complete":
        if cached is None or row is None:  # one of the two lost it (a Redis restart): say it again
            with _lock:
                _publish("preload", previous)
        return
    fields = {"completed_by": "refresh"}
    if previous:
        heard = sidecar.last_heard(previous)
        fields["interrupted"] = {
            "run_id": previous.get("run_id"),
            "owner": previous.get("owner"),
            "last_heard_at": heard.isoformat() if heard else None,
            "done": previous.get("done"),
            "total": previous.get("total"),
        }
        log.info("refresh %s completed the data of the interrupted preload %s", summary.run_id, previous.get("run_id"))
    _finished(
        "preload",
        summary,
        done=summary.instruments_total,
        total=summary.instruments_total,
        ok=summary.instruments_ok,
        failed=len(summary.failed_sources()),
        **fields,
    )


def preload_unfinished() -> bool:
    """Whether the last preload started but never finished (interrupted, or still "running")."""
    return (stored("preload") or {}).get("state") in ("running", "interrupted")


def preload_skipped() -> None:
    """Data was already fresh at start: the web may serve it without waiting."""
    now = _now()
    status = {"state": "complete", "skipped": True, "finished_at": now, "updated_at": now, "owner": _owner("preload")}
    with _lock:
        _current["preload"] = status
        _publish("preload", dict(status))


def _beat(kind: str) -> None:
    with _lock:
        status = _current.get(kind)
        if not status or status.get("state") != "running":
            return
        status["heartbeat_at"] = _now()
        _publish(kind, dict(status))


@contextmanager
def heartbeat(kind: str, every: float = sidecar.HEARTBEAT_SECONDS) -> Iterator[None]:
    """Move ``kind``'s heartbeat every ``every`` seconds from a thread while the block runs.
    A block that raises leaves its run recorded as interrupted, with the error."""
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(every):
            try:
                _beat(kind)
            except Exception:  # noqa: BLE001 - a heartbeat must outlive a bad moment
                log.exception("%s heartbeat failed", kind)

    thread = threading.Thread(target=beat, name=f"{kind}-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    except BaseException as exc:
        _failed(kind, exc)
        raise
    finally:
        stop.set()
        thread.join()


def _failed(kind: str, exc: BaseException) -> None:
    with _lock:
        status = _current.get(kind)
        if not status or status.get("state") != "running":
            return
        status.update(
            state="interrupted",
            error=f"{type(exc).__name__}: {exc}"[:300],
            last_heard_at=_now(),
        )
        _publish(kind, dict(status))
