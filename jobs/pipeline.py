"""One download run: every catalogued instrument through its provider cascade, then one
transaction per dataset, then the dataset's version moves and the health/log tables tell
what happened. A failing source never stops the others and never leaves a partial write.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import pandas as pd
from sqlalchemy import Connection, func, select
from sqlalchemy.exc import SQLAlchemyError

from config.catalog import Catalog, Instrument, Source
from datasources.base import Connector, DownloadError, FetchError, ParseError
from datasources.fetcher import Fetcher
from datasources.http import HttpClient
from datasources.registry import CONNECTORS
from datasources.validate import ValidationError, validate_bars, validate_observations
from sql.cache import SYSTEM_DATASET, cache, health_key, publish_version
from sql.datasets import DATASETS, DatasetSpec
from sql.schema import api_rate_limits, download_log, health_status, table
from sql.store import Store
from sql.write import bump_version, upsert_frame

log = logging.getLogger(__name__)

# Re-fetch this much before the newest stored date: providers revise recent observations.
OVERLAP = timedelta(days=14)
# How often series that move slowly are asked for again (daily ones: every run).
RECHECK_WEEKLY = timedelta(hours=6)
RECHECK_SLOW = timedelta(hours=24)


@dataclass
class Attempt:
    source_id: str
    dataset: str
    instrument: str
    started_at: datetime
    finished_at: datetime
    status: str  # ok | failed | not_configured
    http_status: int | None = None
    rows: int = 0
    latency_ms: float | None = None
    error: str | None = None


@dataclass
class RunSummary:
    run_id: str
    kind: str
    started_at: datetime
    finished_at: datetime | None = None
    attempts: list[Attempt] = field(default_factory=list)
    rows_written: dict[str, int] = field(default_factory=dict)
    write_errors: dict[str, str] = field(default_factory=dict)
    instruments_total: int = 0
    instruments_ok: int = 0
    instruments_skipped: int = 0  # not due: a monthly series checked within the day, say

    @property
    def failures(self) -> list[Attempt]:
        return [a for a in self.attempts if a.status == "failed"]

    def failed_sources(self) -> dict[str, str]:
        """Sources whose every attempt in this run failed, with their last error."""
        by_source: dict[str, list[Attempt]] = {}
        for a in self.attempts:
            by_source.setdefault(a.source_id, []).append(a)
        return {
            s: next((a.error for a in reversed(attempts) if a.status == "failed"), None)
            or attempts[-1].error
            or "failed"
            for s, attempts in by_source.items()
            if all(a.status in ("failed", "circuit_open") for a in attempts)
        }

    def as_dict(self) -> dict:
        return {
            "run_id": self.run_id,
            "kind": self.kind,
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "instruments_total": self.instruments_total,
            "instruments_ok": self.instruments_ok,
            "instruments_skipped": self.instruments_skipped,
            "rows_written": self.rows_written,
            "failed_sources": self.failed_sources(),
            "write_errors": self.write_errors,
        }


Progress = Callable[[int, int, int, str], None]


def sync_catalog(conn: Connection, catalog: Catalog) -> None:
    """Write the catalog's sources into ``data_sources`` (insert or update)."""
    now = datetime.now(UTC)
    rows = pd.DataFrame(
        [
            {
                "source_id": s.id,
                "provider": s.provider,
                "category": s.category,
                "base_url": s.base_url,
                "auth_env": s.auth_env,
                "rate_limit_per_minute": s.rate_limit_per_minute,
                "enabled": True,
                "notes": s.notes,
                "updated_at": now,
            }
            for s in catalog.sources.values()
        ]
    )
    upsert_frame(conn, "data_sources", rows)


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
    """Per instrument: newest and oldest stored date and the row count (one aggregate query)."""
    tbl = table(spec.table)
    key, when = tbl.c[spec.key_column], tbl.c[spec.date_column]
    rows = conn.execute(select(key, func.max(when), func.min(when), func.count()).group_by(key))
    return {k: StoredSpan(_as_date(hi), _as_date(lo), n) for k, hi, lo, n in rows if hi is not None}


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


def _is_bars(spec: DatasetSpec) -> bool:
    return "close" in table(spec.table).c


class DownloadRun:
    def __init__(self, store: Store, catalog: Catalog, kind: str, client: HttpClient | None = None) -> None:
        self.store = store
        self.catalog = catalog
        self.fetcher = Fetcher(
            client or HttpClient(store.settings), catalog.sources, store.settings.rate_limit_multiplier
        )
        self.summary = RunSummary(run_id=str(uuid.uuid4()), kind=kind, started_at=datetime.now(UTC))
        with store.engine.connect() as conn:
            for row in conn.execute(select(health_status)):
                self.fetcher.restore_circuit(row.source_id, row.consecutive_failures, row.last_failure_at)

    def _download(
        self,
        source: Source,
        connector: Connector,
        symbol: str,
        since: date | None,
        attempt: Attempt,
        batch: list[str] | None = None,
    ) -> pd.DataFrame:
        """Every request the instrument needs, parsed and concatenated; key rotation on rejection.

        With ``batch`` (symbols sharing this instrument's source and start date) a connector
        that can batch asks for all of them in one request, fetched once for the whole batch;
        should that fail, the instrument is asked for alone.
        """
        if batch and len(batch) > 1 and hasattr(connector, "build_batch_request"):
            try:
                result = self.fetcher.fetch(source, connector.build_batch_request(source.base_url, batch, since))
                attempt.http_status, attempt.latency_ms = result.http_status, result.latency_ms
                return connector.parse(result.body, symbol)
            except DownloadError as exc:
                # One bad id spoils a batch (a 4xx or an unreadable body): ask alone. A source
                # that is down (timeout, 5xx, 429) would fail alone as well: give up at once.
                if not (
                    isinstance(exc, ParseError)
                    or (exc.http_status and 400 <= exc.http_status < 500 and exc.http_status != 429)
                ):
                    raise
                log.info("%s: batch of %d failed (%s); asking for %s alone", source.id, len(batch), exc, symbol)
        frames = []
        for request in connector.build_requests(source.base_url, symbol, since, self.fetcher.api_key(source.id)):
            while True:
                try:
                    result = self.fetcher.fetch(source, request)
                    break
                except FetchError as exc:
                    if not self.fetcher.rotate_key(source.id, exc):
                        raise
                    key = self.fetcher.api_key(source.id)
                    request = connector.build_requests(source.base_url, symbol, since, key)[0]
            attempt.http_status = result.http_status
            attempt.latency_ms = (attempt.latency_ms or 0) + result.latency_ms
            frames.append(connector.parse(result.body, symbol))
        return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]

    def fetch_instrument(
        self, spec: DatasetSpec, inst: Instrument, since: date | None, batch: list[str] | None = None
    ) -> pd.DataFrame | None:
        """Try the instrument's providers in order; the first that yields a valid frame wins."""
        for provider in inst.providers:
            source = self.catalog.sources[provider.source]
            started = datetime.now(UTC)
            attempt = Attempt(source.id, inst.dataset, inst.key, started, started, "failed")
            self.summary.attempts.append(attempt)
            if not self.fetcher.is_configured(source):
                attempt.status, attempt.error = "not_configured", f"{source.auth_env} is not set"
                continue
            if self.fetcher.circuit_open(source.id):
                attempt.status, attempt.error = "circuit_open", "skipped: circuit open after repeated failures"
                continue
            connector = CONNECTORS[source.provider]
            try:
                if (connector.kind == "bars") != _is_bars(spec):
                    raise ValidationError(
                        f"{source.provider} yields {connector.kind}, {spec.name} stores the other kind"
                    )
                primary_batch = batch if provider is inst.providers[0] else None
                frame = self._download(source, connector, provider.symbol, since, attempt, primary_batch)
                frame = self._canonical(spec, frame, inst.key, provider.symbol)
            except DownloadError as exc:
                attempt.http_status = attempt.http_status or exc.http_status
                attempt.error = f"{type(exc).__name__}: {exc}"
                attempt.finished_at = datetime.now(UTC)
                log.warning("%s %s/%s failed: %s", source.id, inst.dataset, inst.key, attempt.error)
                continue
            attempt.status, attempt.rows, attempt.finished_at = "ok", len(frame), datetime.now(UTC)
            return frame.assign(source=source.id, fetched_at=attempt.finished_at)
        return None

    def _canonical(self, spec: DatasetSpec, frame: pd.DataFrame, key: str, symbol: str) -> pd.DataFrame:
        """Validated rows in the table's shape, keyed by the catalog's instrument key."""
        if _is_bars(spec):
            frame = validate_bars(frame, symbol, self.store.settings.max_daily_jump)
            return frame.assign(symbol=key, interval="1d")
        frame = validate_observations(frame.drop_duplicates(subset=["series_id", "date"], keep="last"), symbol)
        frame = frame.rename(columns={"series_id": spec.key_column}).assign(**{spec.key_column: key})
        if spec.name == "economic_indicators" and "country" not in frame:
            frame = frame.assign(country="USA")
        keep = [c.name for c in table(spec.table).columns if c.name in frame.columns]
        return frame[keep]

    def run_dataset(self, name: str, progress: Progress | None, done: int, total: int) -> int:
        spec = DATASETS.get(name)
        if spec is None:
            raise ValueError(f"catalog dataset {name!r} has no table; known: {sorted(DATASETS)}")
        with self.store.engine.connect() as conn:
            stored = stored_spans(conn, spec)
            checked = last_successes(conn, name)
        due, since_of = [], {}
        for inst in self.catalog.for_dataset(name):
            span = stored.get(inst.key)
            if span and not is_due(span, checked.get(inst.key)):
                self.summary.instruments_skipped += 1
                done += 1
                continue
            since_of[inst.key] = span.newest - OVERLAP if span else None
            due.append(inst)
        batches = self._batches(due, since_of)
        frames = []
        for inst in due:
            frame = self.fetch_instrument(spec, inst, since_of[inst.key], batches.get(inst.key))
            if frame is not None:
                frames.append(frame)
                self.summary.instruments_ok += 1
            done += 1
            if progress:
                progress(done, total, len(self.summary.failed_sources()), f"{name}/{inst.key}")
        if frames:
            self._write(spec, pd.concat(frames, ignore_index=True))
        return done

    def _batches(self, instruments: list[Instrument], since_of: dict[str, date | None]) -> dict[str, list[str]]:
        """For primaries whose connector batches: the symbols asked for in one request with each."""
        groups: dict[tuple[str, date | None], list[Instrument]] = {}
        for inst in instruments:
            primary = inst.providers[0]
            size = getattr(CONNECTORS[self.catalog.sources[primary.source].provider], "batch_size", 0)
            if size > 1:
                groups.setdefault((primary.source, since_of[inst.key]), []).append(inst)
        out: dict[str, list[str]] = {}
        for (source_id, _since), members in groups.items():
            size = CONNECTORS[self.catalog.sources[source_id].provider].batch_size
            for start in range(0, len(members), size):
                chunk = members[start : start + size]
                symbols = [m.providers[0].symbol for m in chunk]
                out.update({m.key: symbols for m in chunk})
        return out

    def _write(self, spec: DatasetSpec, frame: pd.DataFrame) -> None:
        sources = ",".join(sorted(frame["source"].unique()))
        try:
            with self.store.engine.begin() as conn:
                rows = upsert_frame(conn, spec.table, frame)
                version = bump_version(conn, spec.name, rows, sources)
        except SQLAlchemyError as exc:
            # The transaction rolled back: nothing of this dataset was written.
            self.summary.write_errors[spec.name] = f"{type(exc).__name__}: {str(exc).splitlines()[0][:300]}"
            log.error("writing %s failed: %s", spec.name, self.summary.write_errors[spec.name])
            return
        publish_version(spec.name, version)
        self.summary.rows_written[spec.name] = rows

    def record(self) -> None:
        """Append this run's attempts to ``download_log`` and update ``health_status``."""
        attempts = self.summary.attempts
        if not attempts:
            return
        log_rows = pd.DataFrame(
            [
                {
                    "run_id": self.summary.run_id,
                    "run_kind": self.summary.kind,
                    "source_id": a.source_id,
                    "dataset": a.dataset,
                    "instrument": a.instrument,
                    "started_at": a.started_at,
                    "finished_at": a.finished_at,
                    "status": a.status,
                    "http_status": a.http_status,
                    "rows": a.rows,
                    "latency_ms": a.latency_ms,
                    "error": a.error,
                }
                for a in attempts
            ]
        )
        with self.store.engine.begin() as conn:
            conn.execute(
                download_log.insert(), log_rows.astype(object).where(log_rows.notna(), None).to_dict("records")
            )
            record_usage(conn, self.fetcher.usage())
            health_rows = self._health_rows(conn)
            upsert_frame(conn, "health_status", pd.DataFrame(list(health_rows.values())))
        # After the commit: readers may now see the new health and log.
        for source_id, row in health_rows.items():
            cache.set(
                health_key(source_id), {k: str(v) if isinstance(v, datetime) else v for k, v in row.items()}, timeout=0
            )
        publish_version(SYSTEM_DATASET, time.time_ns() // 1000)

    def _health_rows(self, conn: Connection) -> dict[str, dict]:
        """One ``health_status`` row per source touched in this run."""
        now = datetime.now(UTC)
        previous = {r.source_id: r for r in conn.execute(select(health_status))}
        by_source: dict[str, list[Attempt]] = {}
        for a in self.summary.attempts:
            by_source.setdefault(a.source_id, []).append(a)
        rows = {}
        for source_id, attempts in by_source.items():
            prev = previous.get(source_id)
            ok = [a for a in attempts if a.status == "ok"]
            failed = [a for a in attempts if a.status == "failed"]
            if any(a.status == "circuit_open" for a in attempts) and not ok:
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


def run_downloads(
    store: Store,
    catalog: Catalog,
    kind: str,
    datasets: list[str] | None = None,
    client: HttpClient | None = None,
    progress: Progress | None = None,
) -> RunSummary:
    """Download ``datasets`` (default: all in the catalog) and record what happened."""
    run = DownloadRun(store, catalog, kind, client)
    names = datasets or catalog.datasets()
    total = sum(len(catalog.for_dataset(n)) for n in names)
    run.summary.instruments_total = total
    with store.engine.begin() as conn:
        sync_catalog(conn, catalog)
    done = 0
    for name in names:
        done = run.run_dataset(name, progress, done, total)
    run.summary.finished_at = datetime.now(UTC)
    run.record()
    return run.summary
