"""What the sidecar records about its runs and reads back to plan the next one: the catalog in
``data_sources``, request counts in ``api_rate_limits``, source health, and per instrument what
is stored and when it last downloaded (so slow series are not asked for every hour)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pandas as pd
from sqlalchemy import Connection, func, select

from config.catalog import Catalog, Source
from jobs.summary import Attempt
from sql.datasets import DatasetSpec
from sql.schema import api_rate_limits, download_log, series_stats
from sql.search import write_index
from sql.write import upsert_frame

# How often series that move slowly are asked for again (daily ones: every run).
RECHECK_WEEKLY = timedelta(hours=6)
RECHECK_SLOW = timedelta(hours=24)


def sync_catalog(
    conn: Connection,
    catalog: Catalog,
    configured: Callable[[Source], bool] | None = None,
    key_env: Callable[[Source], str | None] | None = None,
) -> None:
    """Write the catalog's sources into ``data_sources`` (insert or update). ``auth_env`` is the
    variable of a keyed source's keys (the catalog's, else its provider's: ``key_env``);
    ``enabled`` says whether the sidecar can use the source (``configured``: keyless, or its
    variable holds a key), so the System page shows a keyed source without a key as "not
    configured" even where no cascade has reached it yet."""
    now = datetime.now(UTC)
    rows = pd.DataFrame(
        [
            {
                "source_id": s.id,
                "provider": s.provider,
                "category": s.category,
                "base_url": s.base_url,
                "auth_env": key_env(s) if key_env else s.auth_env,
                "rate_limit_per_minute": s.rate_limit_per_minute,
                "enabled": configured(s) if configured else True,
                "notes": s.notes,
                "updated_at": now,
            }
            for s in catalog.sources.values()
        ]
    )
    upsert_frame(conn, "data_sources", rows)
    # The instruments and their words, for the search (sql/search.py); rewritten only when changed.
    write_index(conn, catalog)


def record_usage(conn: Connection, usage: list[dict]) -> None:
    """Add this run's requests per source and minute to ``api_rate_limits``."""
    if not usage:
        return
    existing = {
        (r.source_id, r.window_start.replace(tzinfo=None)): r.requests for r in conn.execute(select(api_rate_limits))
    }
    rows = [
        {**u, "requests": u["requests"] + existing.get((u["source_id"], u["window_start"].replace(tzinfo=None)), 0)}
        for u in usage
    ]
    upsert_frame(conn, "api_rate_limits", pd.DataFrame(rows))


@dataclass(frozen=True)
class StoredSpan:
    newest: date
    oldest: date
    count: int

    @property
    def spacing_days(self) -> float:
        """Average days between observations: ~1 daily, ~7 weekly, ~30 monthly."""
        return (self.newest - self.oldest).days / (self.count - 1) if self.count > 1 else 1.0


def _as_date(value) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    return value


def stored_spans(conn: Connection, spec: DatasetSpec) -> dict[str, StoredSpan]:
    """Per instrument: newest and oldest stored date and the row count, as the writer keeps
    them in ``series_stats`` (no aggregate over the data)."""
    stats = series_stats.c
    rows = conn.execute(
        select(stats.key, stats.last_date, stats.first_date, stats.row_count).where(stats.dataset == spec.name)
    )
    return {k: StoredSpan(_as_date(hi), _as_date(lo), n) for k, hi, lo, n in rows if n}


def last_successes(conn: Connection, dataset: str) -> dict[str, datetime]:
    rows = conn.execute(
        select(download_log.c.instrument, func.max(download_log.c.finished_at))
        .where(download_log.c.dataset == dataset, download_log.c.status == "ok")
        .group_by(download_log.c.instrument)
    )
    return {instrument: (t if t.tzinfo else t.replace(tzinfo=UTC)) for instrument, t in rows if t is not None}


def is_due(span: StoredSpan, last_success: datetime | None) -> bool:
    """Daily series every run; weekly ones every 6 hours; monthly and slower once a day."""
    if last_success is None:
        return True
    spacing = span.spacing_days
    interval = RECHECK_SLOW if spacing >= 25 else RECHECK_WEEKLY if spacing >= 5 else timedelta(0)
    return datetime.now(UTC) - last_success >= interval


def health_rows(attempts: list[Attempt], previous: dict) -> dict[str, dict]:
    """One ``health_status`` row per source touched by ``attempts``, carrying over what the
    ``previous`` rows knew (last success, failures in a row)."""
    now = datetime.now(UTC)
    by_source: dict[str, list[Attempt]] = {}
    for a in attempts:
        by_source.setdefault(a.source_id, []).append(a)
    rows = {}
    for source_id, mine in by_source.items():
        prev = previous.get(source_id)
        ok = [a for a in mine if a.status == "ok"]
        failed = [a for a in mine if a.status == "failed"]
        if any(a.status == "circuit_open" for a in mine) and not ok:
            state = "circuit_open"
        elif not ok and not failed:
            state = "not_configured"
        elif failed and not ok:
            state = "failing"
        else:
            state = "ok" if not failed else "degraded"
        latencies = [a.latency_ms for a in ok if a.latency_ms is not None]
        rows[source_id] = {
            "source_id": source_id,
            "state": state,
            "last_success_at": max(a.finished_at for a in ok) if ok else (prev.last_success_at if prev else None),
            "last_failure_at": max(a.finished_at for a in failed)
            if failed
            else (prev.last_failure_at if prev else None),
            "last_error": failed[-1].error if failed else (prev.last_error if prev else None),
            "consecutive_failures": 0 if ok else (prev.consecutive_failures if prev else 0) + len(failed),
            "latency_ms": sum(latencies) / len(latencies) if latencies else None,
            "checked_at": now,
        }
    return rows
