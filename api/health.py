"""Health of the web process, cheap enough to ask every second:

- ``/health/live``: the process answers (never touches the database or the cache): for a
  supervisor deciding whether to restart it;
- ``/health/ready``: the database and the cache answer and data is stored, with the age of
  the last refresh: for a balancer deciding whether to send it traffic. 503 when not ready:
  ``no_data`` (with a ``hint``: run the preload or ``python -m jobs demo``) when the database
  answers but holds nothing — a preload that finished offline stored nothing either — else
  ``not_ready``; a cache that is down is ``degraded`` with 200 (the station still serves, from
  the database);
- ``/health``: both in one body, as before.

Each check reads what is maintained, never computes it by scanning: ``SELECT 1`` (skipped
while the database is known to be down), one cache round trip (skipped while the cache backs
off), the sidecar's status, the dataset versions the readers hold anyway, and for the datasets
judged per series their series' newest dates (one read, memoized until the next write).
"""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime

from flask import jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from api.blueprints import api_blueprint
from api.schemas_system import HealthSchema, LiveSchema
from config.catalog_index import catalog
from sql import freshness, versions
from sql.cache import REFRESH_LAST_RUN_KEY, cache, ping
from sql.preload_status import parse_time, preload_phase, preload_status
from sql.sidecar import stored_status
from sql.store import get_store

health_bp = api_blueprint("health", None, "Liveness and readiness of the web process")
STARTED = time.monotonic()
# What a station with nothing stored says (the README's set-up says the same).
NO_DATA_HINT = (
    "Nothing is stored yet. Download the data with `python -m jobs preload` (needs the internet; "
    "`make run` does it at start), or write labelled demo data with `python -m jobs demo`."
)
PRELOAD_RUNNING_HINT = "Nothing is stored yet: the preload is running (its progress is at /preload)."


def _database_check() -> dict:
    if not versions.database_available():
        return {"ok": False, "error": "database unreachable (checked again shortly)"}
    started = time.perf_counter()
    try:
        with get_store().engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        versions.database_failed(exc)
        return {"ok": False, "error": f"{type(exc).__name__}: database unreachable"}
    return {"ok": True, "latency_ms": round((time.perf_counter() - started) * 1000, 2)}


def _cache_check(settings) -> dict:
    backend = cache.cache
    if hasattr(backend, "available") and not backend.available():
        return {"ok": False, "backend": settings.cache_backend, "error": "cache unreachable (checked again shortly)"}
    ok, detail = ping(settings)
    return {"ok": ok, "backend": settings.cache_backend, **({} if ok else {"error": detail})}


def _data_check() -> dict:
    """The preload's phase, whether data is stored, how old the newest write and the sidecar's
    last run are, and which datasets are past their own freshness target."""
    status = preload_status()
    phase = preload_phase(status)
    try:
        snapshot = versions.current()
    except versions.StorageUnavailable:
        snapshot = None
    states = [s for name, s in (snapshot.datasets.items() if snapshot else ()) if not name.startswith("_")]
    has_data = any(s.row_count for s in states)
    updates = [s.updated_at for s in states if s.updated_at is not None]
    age = round((datetime.now(UTC) - max(updates)).total_seconds(), 1) if updates else None
    refresh = cache.get(REFRESH_LAST_RUN_KEY)
    refresh = refresh if isinstance(refresh, dict) else None
    now = datetime.now(UTC)
    last_run = _last_run(status, refresh)
    stale = _stale_datasets(now)
    return {
        # Data already stored serves users even while a new preload runs (or after one died);
        # a preload that finished without storing anything (offline) left nothing to serve.
        "ok": has_data,
        "state": phase,
        "has_data": has_data,
        "done": (status or {}).get("done"),
        "total": (status or {}).get("total"),
        "last_update_age_seconds": age,
        "last_refresh_finished_at": refresh.get("finished_at") if refresh else None,
        # The sidecar's last completed run (refresh, or a preload that downloaded): how far behind
        # the sources the station may be. Its refresh runs hourly.
        "last_refresh_age_seconds": round((now - last_run).total_seconds(), 1) if last_run else None,
        # Datasets whose newest observation is older than their own target (the catalog's
        # freshness:): None when that cannot be told (the database down, nothing cached).
        "datasets_stale": None if stale is None else len(stale),
        "stale_datasets": None if stale is None else stale[: freshness.NAMES_SHOWN],
        "stale": bool(snapshot and snapshot.stale),
    }


def _last_run(preload: dict | None, refresh: dict | None) -> datetime | None:
    """When the sidecar's last completed run finished: the newer of ``refresh:last_run`` (its
    ``sidecar_status`` row when the cache has none: one read by primary key) and a completed
    preload that downloaded (one that found the data fresh and skipped is no refresh)."""
    if refresh is None and versions.database_available():  # no wait on a database known down
        refresh = stored_status("refresh")
    finished = [
        parse_time(run.get("finished_at"))
        for run in (refresh, preload)
        if isinstance(run, dict) and run.get("state") == "complete" and not run.get("skipped")
    ]
    return max((f for f in finished if f is not None), default=None)


def _stale_datasets(now: datetime) -> list[str] | None:
    """The datasets past their own freshness target (sql/freshness.py: the snapshot the readers
    hold, and at most one memoized read of ``series_stats``)."""
    try:
        report = freshness.evaluate(catalog(get_store().settings), now)
    except versions.StorageUnavailable:
        return None
    # A dataset judged per series while the database is down and the cache lost its series is
    # left out (past_target None): not known is not stale.
    return freshness.stale_datasets(report)


def _readiness() -> tuple[dict, bool]:
    settings = get_store().settings
    checks = {
        "database": {**_database_check(), "backend": "postgresql" if settings.is_postgres else "sqlite"},
        "cache": _cache_check(settings),
        "preload": _data_check(),
    }
    ready = checks["database"]["ok"] and checks["preload"]["ok"]
    return checks, ready


def _answer(body: dict, code: int):
    response = jsonify(body)
    response.status_code = code
    response.headers["Cache-Control"] = "no-store"
    return response


@health_bp.route("/health/live")
@health_bp.response(200, LiveSchema, description="The process answers.")
def live():
    """Liveness

    The web process answers; it checks nothing else (no database, no cache), so a supervisor
    restarts a process only when the process itself is stuck.
    """
    return _answer({"status": "live", "live": True, "pid": os.getpid(), "uptime_seconds": _uptime()}, 200)


def _uptime() -> float:
    return round(time.monotonic() - STARTED, 1)


@health_bp.route("/health/ready")
@health_bp.response(200, HealthSchema, description="Ready (status degraded while the cache is down).")
@health_bp.alt_response(503, schema=HealthSchema, description="Not ready; checks says why.")
def ready():
    """Readiness

    The database answers (``SELECT 1``), the cache answers (a write/read round trip), and
    data is stored, with the age of the newest write and the last refresh. Nothing stored
    (before the first preload, or after one that could reach no source) is 503 ``no_data``
    with a ``hint`` saying how to get data. A cache that is down makes the station slower, not
    unable to serve: it reports ``degraded`` with 200. Query parameters are ignored: probes differ.
    """
    checks, ok = _readiness()
    body: dict = {"live": True, "ready": ok, "checks": checks}
    if ok:
        body["status"] = "ok" if checks["cache"]["ok"] else "degraded"
    elif checks["database"]["ok"] and not checks["preload"]["has_data"]:
        body["status"] = "no_data"
        body["hint"] = NO_DATA_HINT if checks["preload"]["state"] != "running" else PRELOAD_RUNNING_HINT
    else:
        body["status"] = "not_ready"
    return _answer(body, 200 if ok else 503)


@health_bp.route("/health")
@health_bp.response(
    200,
    HealthSchema,
    description="Live and ready: the database answers and data is stored (status degraded while the cache is down).",
)
@health_bp.alt_response(503, schema=HealthSchema, description="Live but not ready; checks says why.")
def health():
    """Liveness and readiness

    ``/health/live`` and ``/health/ready`` in one answer: 200 when ready (``degraded`` while
    the cache is down), 503 when the database is down (``not_ready``) or nothing is stored
    (``no_data``, with a ``hint``).
    """
    return ready()
