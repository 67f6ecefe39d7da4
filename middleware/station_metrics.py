"""The stored state as metrics, read at scrape time through the cached readers (sql/read.py):
database and cache up, age and rows per dataset, health per source, the sidecar's last runs, the
preload state and the last backup. When the database is down the database's part is left out and
``spartan_database_up`` is 0; the scrape still answers."""

from __future__ import annotations

import logging
import time
from datetime import UTC

import pandas as pd
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import text

from sql import read
from sql.cache import REFRESH_LAST_RUN_KEY, cache, ping
from sql.preload_status import PRELOAD_PHASES, parse_time, preload_phase, preload_status
from sql.sidecar import last_backup
from sql.store import get_store

# The logger name these warnings have always carried (this code lived in api/metrics.py).
log = logging.getLogger("api.metrics")

# health_status states (jobs/bookkeeping.py) and the readers' "never needed yet".
SOURCE_STATES = ("ok", "degraded", "failing", "circuit_open", "not_configured", "not_used_yet")
HEALTHY_STATES = {"ok": 1.0, "degraded": 1.0, "failing": 0.0, "circuit_open": 0.0}


def _timestamp(value) -> float | None:
    """Unix time of an ISO string (the sidecar's status) or a timestamp (a reader's frame)."""
    if isinstance(value, str):
        stamp = parse_time(value)
        return stamp.timestamp() if stamp is not None else None
    if value is None or pd.isna(value):
        return None
    stamp = pd.Timestamp(value)
    return (stamp.tz_localize(UTC) if stamp.tzinfo is None else stamp).timestamp()


def _gauge(name: str, documentation: str, value: float | None = None, labels: list[str] | None = None):
    return GaugeMetricFamily(name, documentation, value=value, labels=labels)


class StationCollector:
    """The stored state, read at scrape time through the cached readers (sql/read.py)."""

    def describe(self) -> list:
        return []  # computed at scrape time only: nothing to check at registration

    def collect(self):
        settings = read.current_settings()
        yield _gauge(
            "spartan_freshness_target_seconds",
            "Age past which a dataset counts as stale (SPARTAN_FRESHNESS_TARGET_MINUTES).",
            settings.freshness_target_minutes * 60,
        )
        database_up = _database_up()
        yield _gauge("spartan_database_up", "1 when the database answers a query, else 0.", float(database_up))
        cache_up, _detail = ping(settings)
        yield _gauge("spartan_cache_up", "1 when the cache answers a write/read round trip, else 0.", float(cache_up))
        if database_up:
            # With the database down each read would wait for its connect timeout: left out.
            yield from self._datasets()
            yield from self._sources()
            yield from self._backup()
        yield from self._sidecar()

    def _datasets(self):
        try:
            frame = read.dataset_status()
        except Exception as exc:  # noqa: BLE001 - a scrape reports what it can
            log.warning("metrics: dataset status unavailable: %s", exc)
            return
        now = time.time()
        age = _gauge("spartan_dataset_age_seconds", "Seconds since the dataset was last updated.", labels=["dataset"])
        updated = _gauge(
            "spartan_dataset_last_update_timestamp_seconds",
            "When the dataset was last updated (Unix time).",
            labels=["dataset"],
        )
        rows = _gauge("spartan_dataset_rows", "Rows stored per dataset.", labels=["dataset"])
        for row in frame.itertuples():
            rows.add_metric([row.dataset], float(row.rows))
            stamp = _timestamp(row.last_update)
            if stamp is not None:
                updated.add_metric([row.dataset], stamp)
                age.add_metric([row.dataset], max(now - stamp, 0.0))
        yield from (age, updated, rows)

    def _sources(self):
        try:
            frame = read.source_health()
        except Exception as exc:  # noqa: BLE001
            log.warning("metrics: source health unavailable: %s", exc)
            return
        healthy = _gauge(
            "spartan_source_healthy",
            "1 when the source's last run worked (ok, degraded), 0 when it failed (failing, circuit_open); "
            "sources not configured or not used yet have no sample.",
            labels=["source_id", "category"],
        )
        counts = dict.fromkeys(SOURCE_STATES, 0)
        for row in frame.itertuples():
            state = str(row.state)
            counts[state] = counts.get(state, 0) + 1
            if state in HEALTHY_STATES:
                healthy.add_metric([str(row.source_id), str(row.category)], HEALTHY_STATES[state])
        by_state = _gauge("spartan_sources", "Catalogued sources per health state.", labels=["state"])
        for state, count in sorted(counts.items()):
            by_state.add_metric([state], float(count))
        yield from (healthy, by_state)

    def _backup(self):
        try:
            backup = last_backup()
        except Exception as exc:  # noqa: BLE001
            log.warning("metrics: backup status unavailable: %s", exc)
            return
        if backup is None:
            return  # no backup attempted yet: no samples, the dashboards show "no data"
        yield _gauge(
            "spartan_backup_last_attempt_failed",
            "1 when the sidecar's last backup attempt failed (the last success stays as it was), else 0.",
            1.0 if backup["state"] != "complete" else 0.0,
        )
        stamp = _timestamp(backup["last_backup_at"])
        if stamp is not None:
            yield _gauge(
                "spartan_backup_last_success_timestamp_seconds",
                "When the last successful backup finished (Unix time); its age is time() minus this.",
                stamp,
            )
        if isinstance(backup.get("bytes"), int | float):
            yield _gauge(
                "spartan_backup_last_success_bytes", "Size of the last successful backup file.", backup["bytes"]
            )

    def _sidecar(self):
        try:
            preload = preload_status()
            last_refresh = cache.get(REFRESH_LAST_RUN_KEY)
        except Exception as exc:  # noqa: BLE001
            log.warning("metrics: sidecar status unavailable: %s", exc)
            return
        phase = preload_phase(preload)
        state = _gauge(
            "spartan_preload_state",
            f"1 for the preload's current state ({', '.join(PRELOAD_PHASES)}), 0 for the others.",
            labels=["state"],
        )
        for name in PRELOAD_PHASES:
            state.add_metric([name], 1.0 if name == phase else 0.0)
        yield state
        runs = {"refresh": last_refresh if isinstance(last_refresh, dict) else None}
        if preload and preload.get("state") == "complete":
            runs["preload"] = preload
        yield from _run_metrics({kind: run for kind, run in runs.items() if run})


def _run_metrics(runs: dict[str, dict]):
    finished = _gauge(
        "spartan_sidecar_last_run_timestamp_seconds",
        "When the sidecar's last run of this kind (preload, refresh) finished (Unix time).",
        labels=["kind"],
    )
    duration = _gauge(
        "spartan_sidecar_last_run_duration_seconds", "How long the last run of this kind took.", labels=["kind"]
    )
    failed = _gauge(
        "spartan_sidecar_last_run_failed_sources",
        "Sources whose every attempt failed in the last run of this kind.",
        labels=["kind"],
    )
    write_errors = _gauge(
        "spartan_sidecar_last_run_write_errors", "Datasets the last run could not write.", labels=["kind"]
    )
    instruments = _gauge(
        "spartan_sidecar_last_run_instruments",
        "Instruments of the last run: attempted (total), downloaded (ok), not due (skipped).",
        labels=["kind", "outcome"],
    )
    for kind, run in runs.items():
        end = _timestamp(run.get("finished_at"))
        start = _timestamp(run.get("started_at"))
        if end is not None:
            finished.add_metric([kind], end)
            if start is not None:
                duration.add_metric([kind], max(end - start, 0.0))
        if "failed_sources" in run:
            failed.add_metric([kind], float(len(run.get("failed_sources") or {})))
            write_errors.add_metric([kind], float(len(run.get("write_errors") or {})))
        for outcome in ("total", "ok", "skipped"):
            count = run.get(f"instruments_{outcome}")
            if isinstance(count, int | float):
                instruments.add_metric([kind, outcome], float(count))
    yield from (finished, duration, failed, write_errors, instruments)


def _database_up() -> bool:
    try:
        with get_store().engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any failure means "down"
        log.warning("metrics: database unreachable: %s", type(exc).__name__)
        return False
    return True
