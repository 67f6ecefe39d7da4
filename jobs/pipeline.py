"""One download run: every catalogued instrument through its provider cascade, then one
transaction per dataset, then the dataset's version moves and the health/log tables tell
what happened. A failing source never stops the others and never leaves a partial write.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from datetime import UTC, date, datetime, timedelta
from itertools import zip_longest

import pandas as pd
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from config.catalog import Catalog, Instrument, Source
from config.logging_setup import context_fields
from datasources.base import Connector, DownloadError, ParseError, parse_responses, reads_together
from datasources.fetcher import Fetcher
from datasources.http import HttpClient
from datasources.registry import CONNECTORS
from datasources.validate import ValidationError, validate_bars, validate_observations, validate_rows
from jobs import quality
from jobs.bookkeeping import health_rows, is_due, last_successes, record_usage, stored_spans, sync_catalog
from jobs.history import depth_record, join_pages, needs_full_depth, recorded_keys, revised_rows, split_at
from jobs.summary import Attempt, RunSummary
from sql.cache import SYSTEM_DATASET, cache, health_key
from sql.datasets import DATASETS, DatasetSpec
from sql.schema import download_log, health_status, table
from sql.store import Store
from sql.versions import bump_version, publish_version
from sql.write import WriteError, upsert_frame, write_dataset

log = logging.getLogger(__name__)

# Re-fetch this much before the newest stored date: providers revise recent observations.
OVERLAP = timedelta(days=14)


Progress = Callable[[int, int, int, str], None]


class DownloadRun:
    def __init__(self, store: Store, catalog: Catalog, kind: str, client: HttpClient | None = None) -> None:
        self.store = store
        self.catalog = catalog
        self.fetcher = Fetcher(
            client or HttpClient(store.settings), catalog.sources, store.settings.rate_limit_multiplier
        )
        # The run id of the log lines (jobs.commands binds one per preload/refresh), so the
        # download log and the logs of a run share it.
        run_id = context_fields().get("run_id") or str(uuid.uuid4())
        self.summary = RunSummary(run_id=run_id, kind=kind, started_at=datetime.now(UTC))
        # Batch bodies parsed once for all their instruments (each waits for the first to parse).
        self._batch_parses: dict[tuple, Future] = {}
        self._batch_lock = threading.Lock()
        # Per dataset: the instrument_history rows of its full-depth downloads, written with it.
        self._depth: dict[str, list[dict]] = {}
        # Each downloaded instrument's quality flags and the spans its rules judged, by
        # (dataset, key): written with its dataset (jobs/quality.py).
        self.flags: dict[tuple[str, str], tuple[pd.DataFrame, pd.DataFrame]] = {}
        self._rules = {(i.dataset, i.key): i.quality for i in catalog.instruments}
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
        """Every request the instrument needs, parsed and concatenated (the fetcher rotates a
        refused key and sends the refused request again).

        With ``batch`` (symbols sharing this instrument's source and start date) a connector
        that can batch asks for all of them in one request, fetched once for the whole batch;
        should that fail, the instrument is asked for alone.
        """
        if batch and len(batch) > 1 and hasattr(connector, "build_batch_request"):
            try:
                request = connector.build_batch_request(source.base_url, batch, since)
                result = self.fetcher.fetch(source, request)
                attempt.http_status, attempt.latency_ms = result.http_status, result.latency_ms
                parsed = self._parse_batch(connector, (source.id, request.url, tuple(batch), since), result.body, batch)
                frame = parsed[symbol]
                if isinstance(frame, Exception):
                    raise frame
                return frame
            except DownloadError as exc:
                # One bad id spoils a batch (a 4xx or an unreadable body): ask alone. A source
                # that is down (timeout, 5xx, 429) would fail alone as well: give up at once.
                if not (
                    isinstance(exc, ParseError)
                    or (exc.http_status and 400 <= exc.http_status < 500 and exc.http_status != 429)
                ):
                    raise
                log.debug("%s: batch of %d failed (%s); asking for %s alone", source.id, len(batch), exc, symbol)
        frames, bodies, together = [], [], reads_together(connector)
        for request in connector.build_requests(source.base_url, symbol, since, self.fetcher.api_key(source.id)):
            result = self.fetcher.fetch(source, request)
            attempt.http_status = result.http_status
            attempt.latency_ms = (attempt.latency_ms or 0) + result.latency_ms
            if together:  # parsed once every request has answered
                bodies.append(result.body)
            else:
                frames.append(connector.parse(result.body, symbol))
        if together:
            return join_pages(parse_responses(connector, bodies, symbol))
        # A connector whose requests answer different halves of a row (funding, open interest)
        # joins its own bodies.
        return getattr(connector, "join_pages", join_pages)(frames)

    def _parse_batch(self, connector: Connector, key: tuple, body: bytes, batch: list[str]) -> dict:
        """``connector.parse_batch`` of one batch body, run once however many instruments ask."""
        with self._batch_lock:
            future = self._batch_parses.get(key)
            owner = future is None
            if owner:
                future = self._batch_parses[key] = Future()
        if owner:
            try:
                future.set_result(connector.parse_batch(body, batch))
            except Exception as exc:  # noqa: BLE001 - handed to every instrument of the batch
                future.set_exception(exc)
        return future.result()

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
                attempt.status, attempt.error = "not_configured", f"{self.fetcher.auth_env(source)} is not set"
                continue
            if self.fetcher.circuit_open(source.id):
                attempt.status, attempt.error = "circuit_open", "skipped: circuit open after repeated failures"
                continue
            connector = CONNECTORS[source.provider]
            try:
                if connector.kind != spec.kind:
                    raise ValidationError(f"{source.provider} yields {connector.kind}, {spec.name} stores {spec.kind}")
                primary_batch = batch if provider is inst.providers[0] else None
                frame = self._download(source, connector, provider.symbol, since, attempt, primary_batch)
                frame, revised = self._trim_to_since(spec, frame, inst.key, since, source.id, attempt)
                frame = self._canonical(spec, frame, inst.key, provider.symbol)
                revised = self._checked_revisions(spec, revised, inst.key, provider.symbol, attempt)
            except Exception as exc:  # noqa: BLE001 - a connector's bug fails this provider, never the run
                attempt.http_status = attempt.http_status or getattr(exc, "http_status", None)
                attempt.error = self.fetcher.hide_keys(source.id, f"{type(exc).__name__}: {exc}")
                attempt.finished_at = datetime.now(UTC)
                if isinstance(exc, DownloadError):
                    # Per instrument at DEBUG (offline that is hundreds of lines): the run logs one
                    # line per failed source at its end (jobs/commands.py), the download log all.
                    log.debug("%s %s/%s failed: %s", source.id, inst.dataset, inst.key, attempt.error)
                else:  # not one of the errors a download can end in: a body the parser did not expect
                    log.exception("%s %s/%s failed unexpectedly: %s", source.id, inst.dataset, inst.key, attempt.error)
                continue
            attempt.status, attempt.rows, attempt.finished_at = "ok", len(frame) + len(revised), datetime.now(UTC)
            if since is None:  # a full-depth download: record how deep the provider went
                with self._batch_lock:
                    self._depth.setdefault(spec.name, []).append(
                        depth_record(spec, inst.key, source.id, connector, frame)
                    )
            stamp = {"source": source.id, "fetched_at": attempt.finished_at}
            # Judged: the contiguous rows from ``since`` on. The revised older rows are apart
            # from them (judged together, the span between would be a gap).
            frame = self._judged(spec, inst, provider, frame.assign(**stamp))
            return pd.concat([frame, revised.assign(**stamp)], ignore_index=True) if len(revised) else frame
        return None

    def _trim_to_since(
        self, spec: DatasetSpec, frame: pd.DataFrame, key: str, since: date | None, source_id: str, attempt: Attempt
    ) -> tuple[pd.DataFrame, pd.DataFrame]:
        """A body reaching back before ``since`` (a provider that always sends its whole
        history): the rows from ``since`` on, to be validated and written, and apart from them
        the older rows the provider revised against what is stored (jobs/history.py), counted
        in the attempt. The unchanged older history is dropped here, never rewritten."""
        recent, older = split_at(spec, frame, since)
        if older.empty:
            return recent, older
        with self.store.engine.connect() as conn:
            revised = revised_rows(conn, spec, key, source_id, older, since)
        attempt.revised_rows = len(revised)
        return recent, revised

    def _checked_revisions(
        self, spec: DatasetSpec, revised: pd.DataFrame, key: str, symbol: str, attempt: Attempt
    ) -> pd.DataFrame:
        """The revised older rows, validated on their own: a revision is the provider's
        current figure, written like any new row. Revisions that fail validation are not
        written, and the attempt says so (the new rows still are)."""
        if revised.empty:
            return revised
        try:
            return self._canonical(spec, revised, key, symbol)
        except ValidationError as exc:
            attempt.error = f"{len(revised)} revised older rows not written: {exc}"
            attempt.revised_rows = 0
            return revised.iloc[0:0]

    def _judged(self, spec: DatasetSpec, inst: Instrument, provider, frame: pd.DataFrame) -> pd.DataFrame:
        """``frame``, its suspicious points flagged and checked against the next provider."""
        try:
            flags, judged = quality.judge(spec, frame, inst.quality)
        except Exception:  # noqa: BLE001 - judging is an addition to a download, never its end
            log.exception("%s/%s: judging its quality failed; written unjudged", spec.name, inst.key)
            return frame
        if not flags.empty:
            flags = quality.cross_check(self, spec, inst, provider, flags.assign(source=str(frame["source"].iloc[0])))
        self.flags[(spec.name, inst.key)] = (flags, judged)
        return frame

    def _canonical(self, spec: DatasetSpec, frame: pd.DataFrame, key: str, symbol: str) -> pd.DataFrame:
        """Validated rows in the table's shape, keyed by the catalog's instrument key."""
        if spec.kind == "bars":
            rules = self._rules.get((spec.name, key))
            frame = validate_bars(frame, symbol, allow_non_positive=bool(rules and rules.allow_non_positive))
            return frame.assign(symbol=key, interval="1d")
        if spec.kind == "rows":
            frame = validate_rows(spec.name, frame, symbol).assign(**{spec.key_column: key})
            return frame[[c.name for c in table(spec.table).columns if c.name in frame.columns]]
        frame = validate_observations(frame.drop_duplicates(subset=["series_id", "date"], keep="last"), symbol)
        frame = frame.rename(columns={"series_id": spec.key_column}).assign(**{spec.key_column: key})
        if spec.name == "economic_indicators" and "country" not in frame:
            frame = frame.assign(country="USA")
        keep = [c.name for c in table(spec.table).columns if c.name in frame.columns]
        return frame[keep]

    def submit_dataset(self, name: str, pool: ThreadPoolExecutor) -> tuple[DatasetSpec, dict[Future, Instrument]]:
        """Queue the downloads of every instrument of ``name`` that is due; skip the rest."""
        spec = DATASETS.get(name)
        if spec is None:
            raise ValueError(f"catalog dataset {name!r} has no table; known: {sorted(DATASETS)}")
        with self.store.engine.connect() as conn:
            stored = stored_spans(conn, spec)
            checked = last_successes(conn, name)
            recorded = recorded_keys(conn, name)
        due, since_of = [], {}
        for inst in self.catalog.for_dataset(name):
            span = stored.get(inst.key)
            if span and not is_due(span, checked.get(inst.key)):
                self.summary.instruments_skipped += 1
                continue
            # A series without its full depth, and no record of why, is asked for it (once).
            full = span is None or needs_full_depth(span.oldest, inst.key in recorded)
            since_of[inst.key] = None if full else span.newest - OVERLAP
            due.append(inst)
        batches = self._batches(due, since_of)
        # Interleave the batches: the members of one batch wait for its single request, so
        # queued one after another they would hold every worker on that one request.
        groups: dict[tuple, list[Instrument]] = {}
        for inst in due:
            groups.setdefault(tuple(batches.get(inst.key) or (inst.key,)), []).append(inst)
        due = [inst for round_ in zip_longest(*groups.values()) for inst in round_ if inst is not None]
        futures = {
            pool.submit(self.fetch_instrument, spec, inst, since_of[inst.key], batches.get(inst.key)): inst
            for inst in due
        }
        return spec, futures

    def collect_dataset(
        self, spec: DatasetSpec, futures: dict[Future, Instrument], progress: Progress | None, done: int, total: int
    ) -> int:
        """Wait for a dataset's downloads and write them, one transaction; returns instruments done."""
        frames = []
        for future in as_completed(futures):
            frame = future.result()
            if frame is not None:
                frames.append(frame)
                self.summary.instruments_ok += 1
            done += 1
            if progress:
                progress(done, total, len(self.summary.failed_sources()), f"{spec.name}/{futures[future].key}")
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
        depth = self._depth.get(spec.name)
        found = [v for (name, _key), v in self.flags.items() if name == spec.name]
        flags = pd.concat([f for f, _ in found if not f.empty] or [pd.DataFrame(columns=quality.FLAG_COLUMNS)])
        judged = pd.concat([j for _, j in found if not j.empty] or [pd.DataFrame(columns=quality.SPAN_COLUMNS)])
        try:
            with self.store.engine.begin() as conn:
                rows, version = write_dataset(conn, spec.name, frame, sources, flags=flags, judged=judged)
                if depth:
                    upsert_frame(conn, "instrument_history", pd.DataFrame(depth))
        except (SQLAlchemyError, WriteError) as exc:
            # The transaction rolled back: nothing of this dataset was written.
            self.summary.write_errors[spec.name] = f"{type(exc).__name__}: {str(exc).splitlines()[0][:300]}"
            log.error("writing %s failed: %s", spec.name, self.summary.write_errors[spec.name])
            return
        publish_version(spec.name, version)
        self.summary.rows_written[spec.name] = rows

    def _outcome(self, attempt: Attempt) -> dict[str, str | None]:
        """The logged status and error. A download whose dataset could not be written is no
        success: logged "ok", the next run would take it as current and, for a slow series, not
        ask again for a day. It is no fault of the source either (its health stays as it was)."""
        error = self.summary.write_errors.get(attempt.dataset)
        if attempt.status == "ok" and error:
            return {"status": "write_failed", "error": f"downloaded, not written: {error}"}
        return {"status": attempt.status, "error": attempt.error}

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
                    **self._outcome(a),
                    "http_status": a.http_status,
                    "rows": a.rows,
                    "revised_rows": a.revised_rows,
                    "latency_ms": a.latency_ms,
                }
                for a in attempts
            ]
        )
        with self.store.engine.begin() as conn:
            conn.execute(
                download_log.insert(), log_rows.astype(object).where(log_rows.notna(), None).to_dict("records")
            )
            record_usage(conn, self.fetcher.usage())
            previous = {r.source_id: r for r in conn.execute(select(health_status))}
            rows = health_rows(self.summary.attempts, previous)
            upsert_frame(conn, "health_status", pd.DataFrame(list(rows.values())))
            # The health and log readers' version: in the database, so it is known with the cache down.
            system_version = bump_version(conn, SYSTEM_DATASET, len(log_rows), None)
        # After the commit: readers may now see the new health and log.
        for source_id, row in rows.items():
            cache.set(
                health_key(source_id), {k: str(v) if isinstance(v, datetime) else v for k, v in row.items()}, timeout=0
            )
        publish_version(SYSTEM_DATASET, system_version)


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
        sync_catalog(conn, catalog, run.fetcher.is_configured, run.fetcher.auth_env)
    # One pool for the whole run: while a dataset is written, the next ones keep downloading.
    with ThreadPoolExecutor(max_workers=store.settings.workers, thread_name_prefix="download") as pool:
        queued = [run.submit_dataset(name, pool) for name in names]
        done = run.summary.instruments_skipped
        for spec, futures in queued:
            done = run.collect_dataset(spec, futures, progress, done, total)
    run.summary.finished_at = datetime.now(UTC)
    run.summary.requests = sum(u["requests"] for u in run.fetcher.usage())
    run.record()
    return run.summary
