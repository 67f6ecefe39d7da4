"""``/api/system/*``: freshness per dataset and source health (``status``), every data source with
its health (``sources``), the download log (``download-log``) and how deep each series' history
goes and why (``history``)."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

import pandas as pd
from flask import Response, jsonify

from api import conditional
from api.blueprints import api_blueprint, data_responses
from api.envelope import normalized, page_fields, respond
from api.formats import negotiate, records
from api.schemas import QUERY, DownloadLogArgs, ErrorSchema, HistoryDepthArgs, NoArgs, SourcesArgs
from api.schemas_system import (
    DownloadItem,
    DownloadLogSchema,
    HistoryDepthItem,
    HistoryDepthSchema,
    SourceItem,
    SourcesSchema,
    StatusSchema,
)
from config.catalog_index import catalog
from sql import freshness, read
from sql.cache import PRELOAD_STATUS_KEY, REFRESH_LAST_RUN_KEY, cache
from sql.sidecar import last_backup

system_bp = api_blueprint("system", "/api/system", "The station itself: dataset freshness, sources, downloads")

SOURCE_COLUMNS = list(SourceItem().fields)
DOWNLOAD_COLUMNS = list(DownloadItem().fields)
HISTORY_COLUMNS = list(HistoryDepthItem().fields)


def _iso(value) -> str | None:
    """ISO 8601; a bare date for date-only values (observation dates of daily series)."""
    if value is None or pd.isna(value):
        return None
    stamp = pd.Timestamp(value)
    if stamp.tzinfo is None and stamp == stamp.normalize():
        return stamp.date().isoformat()
    return stamp.isoformat()


@system_bp.route("/status")
@system_bp.arguments(NoArgs, **QUERY)
@system_bp.response(200, StatusSchema)
@system_bp.alt_response(503, schema=ErrorSchema, description="The database is unavailable.")
def status(_args):
    """Freshness of every dataset and health of every source

    Per dataset: rows, instruments, newest observation, last update, age, whether it was
    written within the refresh target (``fresh``), sources; and its own freshness target (the
    catalog's ``freshness:``, derived from the data's frequency and market calendar): the target
    in words, the oldest newest observation that still meets it, and whether the data is past it
    (per series for datasets of mixed frequencies: how many series, and which). Per source:
    state, last success and failure, last error. The sidecar's last backup: when, its size and
    file (``python -m jobs backup``, daily from the sidecar).
    """
    now = datetime.now(UTC)
    settings = read.current_settings()
    datasets = read.dataset_status()
    sources = read.source_health()
    judged = {d.dataset: d for d in freshness.evaluate(catalog(settings), now)}
    target = settings.freshness_target_minutes * 60
    dataset_rows = []
    for row in datasets.itertuples():
        age = None if pd.isna(row.last_update) else round((now - row.last_update).total_seconds(), 1)
        verdict = judged.get(row.dataset)
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
                **_target_fields(verdict),
            }
        )
    source_rows = [
        {
            "source_id": r.source_id,
            "provider": r.provider,
            "category": r.category,
            "access": r.access,
            "auth_env": r.auth_env if isinstance(r.auth_env, str) else None,
            "state": r.state,
            "last_success_at": _iso(r.last_success_at),
            "last_failure_at": _iso(r.last_failure_at),
            "last_error": r.last_error,
            "consecutive_failures": None if pd.isna(r.consecutive_failures) else int(r.consecutive_failures),
            "latency_ms": None if pd.isna(r.latency_ms) else round(float(r.latency_ms), 1),
        }
        for r in sources.itertuples()
    ]
    response = jsonify(
        {
            "generated_at": now.isoformat(),
            "freshness_target_seconds": target,
            "datasets_past_target": sorted(d.dataset for d in judged.values() if d.past_target),
            "datasets": dataset_rows,
            "sources": source_rows,
            "preload": cache.get(PRELOAD_STATUS_KEY),
            "refresh_last_run": cache.get(REFRESH_LAST_RUN_KEY),
            "backup": last_backup(),
        }
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _target_fields(verdict: freshness.DatasetFreshness | None) -> dict:
    """A dataset's own freshness target and whether it is past it (None: not a catalog dataset,
    such as the analytics the sidecar computes, or not known)."""
    if verdict is None:
        return {"freshness_target": None, "frequency": None, "min_latest_observation": None, "past_target": None}
    fields = {
        "freshness_target": verdict.target,
        "frequency": verdict.frequency,
        "min_latest_observation": _iso(verdict.min_latest_observation),
        "past_target": verdict.past_target,
    }
    if verdict.frequency == "per series":
        fields.update(
            series_judged=verdict.series,
            series_past_target=verdict.series_past_target,
            stale_series=list(verdict.stale_series),
            series_missing=verdict.series_missing,
        )
    return fields


@conditional.etag_cache(conditional.SYSTEM_MAX_AGE, keep=False)
def serve_system(
    args: dict, items_frame: pd.DataFrame, total: int, newest: datetime | None, columns: list[str], table: str
) -> conditional.Tagged:
    """A page of a system table; its freshness is the ``newest`` entry's time, its ETag its content's."""
    fmt = negotiate(args.pop("format", None))
    integers = [c for c in columns if c in ("id", "http_status", "rows", "consecutive_failures", "revised_rows")]
    items = records(items_frame, columns, integers)
    digest = hashlib.sha256(json.dumps(items, default=str).encode()).hexdigest()
    etag = conditional.make_etag(total, normalized(args), fmt, digest)

    def build() -> Response:
        envelope = {
            "as_of": newest.isoformat() if newest else None,
            "last_update": newest.isoformat() if newest else None,
            "sources": [table],
            "version": read.system_version(),
            **page_fields(items, total, args["limit"], args["offset"]),
        }
        filename = f"spartan-{table.replace('_', '-')}"
        return respond(envelope, fmt, columns, filename, etag, newest, conditional.SYSTEM_MAX_AGE)

    return conditional.Tagged(etag, newest, build)


@system_bp.route("/sources")
@system_bp.arguments(SourcesArgs, **QUERY)
@data_responses(system_bp, SourcesSchema, SOURCE_COLUMNS)
def sources(args) -> Response:
    """Every data source with its health

    Each source of the catalog: provider, category, access (keyless or key) and the key's
    environment variable, state (ok, failing, circuit_open, not_configured: a keyed source
    without a key; not_used_yet for a fallback never needed), last success and failure, last
    error, consecutive failures, latency.
    """
    health = read.source_health()
    page = health.iloc[args["offset"] : args["offset"] + args["limit"]]
    checked = health["checked_at"].dropna()
    newest = checked.max().to_pydatetime() if not checked.empty else None
    return serve_system(args, page, len(health), newest, SOURCE_COLUMNS, "health_status")


@system_bp.route("/download-log")
@system_bp.arguments(DownloadLogArgs, **QUERY)
@data_responses(system_bp, DownloadLogSchema, DOWNLOAD_COLUMNS)
def download_log(args) -> Response:
    """The download log, newest first

    Every download attempt of the sidecar: source, dataset, instrument, start and end, status,
    HTTP status, rows, latency, error. Filter by source, dataset or status.
    """
    frame, total, newest = read.download_log_page(
        args["limit"], args["offset"], args.get("source"), args.get("dataset"), args.get("status")
    )
    return serve_system(args, frame, total, newest, DOWNLOAD_COLUMNS, "download_log")


@system_bp.route("/history")
@system_bp.arguments(HistoryDepthArgs, **QUERY)
@data_responses(system_bp, HistoryDepthSchema, HISTORY_COLUMNS)
def history(args) -> Response:
    """How deep each series' history goes, and why not deeper

    Per stored series: first and last stored date, rows, and what its full-depth download
    (five years asked for) found: the provider, the first date asked for and served, and a
    note — full depth, the provider's fixed window (Kraken serves 720 days), the instrument's
    listing, a snapshot source. Filter by dataset.
    """
    frame = read.history_depth(args.get("dataset"))
    page = frame.iloc[args["offset"] : args["offset"] + args["limit"]]
    return serve_system(args, page, len(frame), None, HISTORY_COLUMNS, "instrument_history")
