"""The response bodies of the system and health endpoints (/api/system/*, /health*), as
marshmallow schemas documented in the OpenAPI document; the query parameters and the data
endpoints' bodies are in api/schemas.py."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields

from api.schemas import DOWNLOAD_STATUSES, describe, freshness_fields, page_fields


class SourceItem(ma.Schema):
    source_id = fields.String(required=True)
    provider = fields.String(required=True)
    category = fields.String(required=True)
    access = fields.String(required=True, **describe("keyless, or key (the source needs an API key)."))
    auth_env = fields.String(
        allow_none=True, **describe("The environment variable holding a keyed source's keys (null: keyless).")
    )
    state = fields.String(
        required=True,
        **describe(
            "ok, failing, circuit_open, not_configured (a keyed source without a key), or not_used_yet (a fallback)."
        ),
    )
    last_success_at = fields.DateTime(allow_none=True)
    last_failure_at = fields.DateTime(allow_none=True)
    last_error = fields.String(allow_none=True)
    consecutive_failures = fields.Integer(allow_none=True)
    latency_ms = fields.Float(allow_none=True)
    checked_at = fields.DateTime(allow_none=True)


class DownloadItem(ma.Schema):
    id = fields.Integer(required=True)
    run_id = fields.String(required=True)
    run_kind = fields.String(required=True, **describe("preload or refresh."))
    source_id = fields.String(required=True)
    dataset = fields.String(required=True)
    instrument = fields.String(required=True)
    started_at = fields.DateTime(required=True)
    finished_at = fields.DateTime(required=True)
    status = fields.String(required=True, **describe(", ".join(DOWNLOAD_STATUSES)))
    http_status = fields.Integer(allow_none=True)
    rows = fields.Integer(required=True)
    latency_ms = fields.Float(allow_none=True)
    error = fields.String(allow_none=True)
    revised_rows = fields.Integer(
        required=True,
        **describe("Rows older than the refresh window that the provider revised, written with the new ones."),
    )


class HistoryDepthItem(ma.Schema):
    dataset = fields.String(required=True)
    key = fields.String(required=True, **describe("The series (instrument key)."))
    first_date = fields.Date(required=True, **describe("The oldest stored observation."))
    last_date = fields.Date(required=True, **describe("The newest stored observation."))
    rows = fields.Integer(required=True)
    source = fields.String(allow_none=True, **describe("The provider of the full-depth download."))
    requested_from = fields.Date(allow_none=True, **describe("The first date that download asked for."))
    provider_first = fields.Date(allow_none=True, **describe("The first date the provider served."))
    depth_note = fields.String(
        allow_none=True,
        **describe(
            "Why the history starts where it does: full depth, the provider's fixed window (Kraken: 720 "
            "days), the instrument's listing, a snapshot source. None: no full-depth download recorded yet."
        ),
    )


def _system_schema(name: str, item: type[ma.Schema]) -> type[ma.Schema]:
    return ma.Schema.from_dict({**freshness_fields(fields.DateTime), **page_fields(item)}, name=name)


SourcesSchema = _system_schema("SystemSources", SourceItem)
DownloadLogSchema = _system_schema("SystemDownloadLog", DownloadItem)
HistoryDepthSchema = _system_schema("SystemHistoryDepth", HistoryDepthItem)


class DatasetStatus(ma.Schema):
    dataset = fields.String(required=True)
    title = fields.String(required=True)
    rows = fields.Integer(required=True)
    instruments = fields.Integer(required=True)
    latest_observation = fields.String(allow_none=True)
    last_update = fields.String(allow_none=True)
    age_seconds = fields.Float(allow_none=True)
    fresh = fields.Boolean(
        required=True, **describe("Written within the refresh target (SPARTAN_FRESHNESS_TARGET_MINUTES).")
    )
    sources = fields.List(fields.String())
    demo = fields.Boolean()
    freshness_target = fields.String(
        allow_none=True, **describe("The dataset's own freshness target in words (the catalog's freshness:).")
    )
    frequency = fields.String(allow_none=True, **describe("daily, weekly, monthly, …, or per series."))
    min_latest_observation = fields.String(
        allow_none=True, **describe("The oldest newest observation that still meets the target (one frequency).")
    )
    past_target = fields.Boolean(
        allow_none=True, **describe("The newest data is older than the target (null: no target, or not known).")
    )
    series_judged = fields.Integer(**describe("Per series: the catalogued series stored."))
    series_past_target = fields.Integer(**describe("Per series: how many are past their target."))
    stale_series = fields.List(fields.String(), **describe("Per series: the first ten past their target."))
    series_missing = fields.Integer(**describe("Per series: catalogued series with nothing stored."))


class SourceStatus(SourceItem):
    """A source's row in ``/api/system/status``: the row of ``/api/system/sources`` (one schema,
    the same types) without ``checked_at``, as the status has always answered it."""

    class Meta:
        exclude = ("checked_at",)


class StatusSchema(ma.Schema):
    generated_at = fields.DateTime(required=True)
    freshness_target_seconds = fields.Integer(required=True)
    datasets_past_target = fields.List(
        fields.String(), **describe("The catalog datasets whose newest data is past their own target.")
    )
    datasets = fields.List(fields.Nested(DatasetStatus))
    sources = fields.List(fields.Nested(SourceStatus))
    preload = fields.Dict(allow_none=True, **describe("The sidecar's preload progress, as it wrote it."))
    refresh_last_run = fields.Raw(allow_none=True, **describe("What the last refresh reported."))
    backup = fields.Dict(
        allow_none=True,
        **describe(
            "The last backup: last_backup_at, age_seconds, bytes, file, rows, alembic_revision; state, and the "
            "error and failed_at of a failed attempt since. Null before the first backup."
        ),
    )


class LiveSchema(ma.Schema):
    status = fields.String(required=True, **describe("Always live."))
    live = fields.Boolean(required=True)
    pid = fields.Integer(required=True)
    uptime_seconds = fields.Float(required=True)


class HealthSchema(ma.Schema):
    status = fields.String(
        required=True,
        **describe("ok, degraded (the cache is down), no_data (nothing stored yet: see hint) or not_ready."),
    )
    hint = fields.String(**describe("With no_data: how to get data (the preload, or `python -m jobs demo`)."))
    live = fields.Boolean(required=True)
    ready = fields.Boolean(required=True)
    checks = fields.Dict(
        keys=fields.String(), values=fields.Dict(), **describe("database, cache and preload: ok and details.")
    )
