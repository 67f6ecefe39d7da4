"""``/health``: liveness plus readiness (database, cache, preload); 503 when not ready."""

from __future__ import annotations

import time

from flask import jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from api.blueprints import api_blueprint
from api.schemas import HealthSchema
from sql import read
from sql.cache import PRELOAD_STATUS_KEY, cache, ping
from sql.store import get_store

health_bp = api_blueprint("health", None, "Liveness and readiness of the web process")


def _database_check() -> dict:
    started = time.perf_counter()
    try:
        with get_store().engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        return {"ok": False, "error": f"{type(exc).__name__}: database unreachable"}
    return {"ok": True, "latency_ms": round((time.perf_counter() - started) * 1000, 2)}


def _preload_check(database_ok: bool) -> dict:
    status = cache.get(PRELOAD_STATUS_KEY) or {}
    state = status.get("state", "unknown")
    has_data = False
    if database_ok:
        try:
            has_data = bool(read.dataset_status()["last_update"].notna().any())
        except read.StorageUnavailable:
            has_data = False
    # Data already stored serves users even while a new preload runs (or the cache lost the key).
    ok = state == "complete" or has_data
    return {"ok": ok, "state": state, "has_data": has_data, "done": status.get("done"), "total": status.get("total")}


@health_bp.route("/health")
@health_bp.response(
    200,
    HealthSchema,
    description="Ready: the database answers and data is stored (status degraded while the cache is down).",
)
@health_bp.alt_response(503, schema=HealthSchema, description="Live but not ready; checks says why.")
def health():
    """Liveness and readiness

    Checks the database (SELECT 1), the cache (a write/read round trip) and the preload (data
    stored, or the sidecar's preload complete). Ready needs the database and the data; a cache
    that is down makes the station slower, not unable to serve (readers go to the database),
    so it reports ``degraded`` with 200. Query parameters are ignored: probes differ.
    """
    settings = get_store().settings
    database = _database_check()
    cache_ok, cache_detail = ping(settings)
    checks = {
        "database": {**database, "backend": "postgresql" if settings.is_postgres else "sqlite"},
        "cache": {"ok": cache_ok, "backend": settings.cache_backend, **({} if cache_ok else {"error": cache_detail})},
        "preload": _preload_check(database["ok"]),
    }
    ready = checks["database"]["ok"] and checks["preload"]["ok"]
    status = "not_ready" if not ready else "ok" if cache_ok else "degraded"
    body = {"status": status, "live": True, "ready": ready, "checks": checks}
    response = jsonify(body)
    response.status_code = 200 if ready else 503
    response.headers["Cache-Control"] = "no-store"
    return response
