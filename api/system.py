"""``/api/system/status``: freshness per dataset (last update, age, source, rows) and source health."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
from flask import Blueprint, jsonify

from sql import read
from sql.cache import PRELOAD_STATUS_KEY, REFRESH_LAST_RUN_KEY, cache

system_bp = Blueprint("system", __name__, url_prefix="/api/system")


def _iso(value) -> str | None:
    """ISO 8601; a bare date for date-only values (observation dates of daily series)."""
    if value is None or pd.isna(value):
        return None
    stamp = pd.Timestamp(value)
    if stamp.tzinfo is None and stamp == stamp.normalize():
        return stamp.date().isoformat()
    return stamp.isoformat()


@system_bp.get("/status")
def status():
    now = datetime.now(UTC)
    settings = read.current_settings()
    try:
        datasets = read.dataset_status()
        sources = read.source_health()
    except read.StorageUnavailable as exc:
        return jsonify({"error": str(exc), "generated_at": now.isoformat()}), 503
    target = settings.freshness_target_minutes * 60
    dataset_rows = []
    for row in datasets.itertuples():
        age = None if pd.isna(row.last_update) else round((now - row.last_update).total_seconds(), 1)
        dataset_rows.append(
            {
                "dataset": row.dataset,
                "title": row.title,
                "rows": int(row.rows),
                "instruments": int(row.instruments),
                "latest_observation": _iso(row.latest_observation),
                "last_update": _iso(row.last_update),
                "age_seconds": age,
                "fresh": age is not None and age <= target,
                "sources": [s for s in row.sources.split(", ") if s],
                "demo": bool(row.demo),
            }
        )
    source_rows = [
        {
            "source_id": r.source_id,
            "provider": r.provider,
            "category": r.category,
            "state": r.state,
            "last_success_at": _iso(r.last_success_at),
            "last_failure_at": _iso(r.last_failure_at),
            "last_error": r.last_error,
            "consecutive_failures": None if pd.isna(r.consecutive_failures) else int(r.consecutive_failures),
            "latency_ms": None if pd.isna(r.latency_ms) else round(float(r.latency_ms), 1),
        }
        for r in sources.itertuples()
    ]
    return jsonify(
        {
            "generated_at": now.isoformat(),
            "freshness_target_seconds": target,
            "datasets": dataset_rows,
            "sources": source_rows,
            "preload": cache.get(PRELOAD_STATUS_KEY),
            "refresh_last_run": cache.get(REFRESH_LAST_RUN_KEY),
        }
    )
