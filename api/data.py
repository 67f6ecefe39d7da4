"""The data endpoints: for every dataset in ``api.datasets``

- ``GET /api/<group>/<slug>``: the newest row of every series, with the change since the one
  before (``?symbols=`` to pick some);
- ``GET /api/<group>/<slug>/<key>``: one series' history (``?start=&end=&interval=&order=``;
  correlations take two keys: ``/api/analytics/correlations/<asset_a>/<asset_b>``).

Each answers JSON, CSV or TOON, paged, with ETag/Last-Modified (304 when unchanged) and its
freshness (as-of date, last update, sources, version) in the body and in headers.
"""

from __future__ import annotations

import pandas as pd
from flask import Response

from api import conditional
from api.blueprints import api_blueprint, data_responses
from api.datasets import API_DATASETS, GROUPS, ApiDataset
from api.envelope import normalized, paged, respond
from api.errors import ApiError
from api.formats import negotiate
from api.frames import freshness, history, latest, names, resolve
from api.schemas import (
    KEY_PATTERN,
    QUERY,
    CorrelationHistoryArgs,
    CorrelationLatestArgs,
    HistoryArgs,
    LatestArgs,
    history_item_columns,
    history_schema,
    latest_item_columns,
    latest_schema,
)
from sql import read

BLUEPRINTS = {group: api_blueprint(group, f"/api/{group}", description) for group, description in GROUPS.items()}


def _head(ds: ApiDataset, frame: pd.DataFrame, meta: dict) -> dict:
    as_of, sources = freshness(frame)
    updated = meta["updated_at"]
    return {
        "dataset": ds.name,
        "title": ds.title,
        "as_of": as_of,
        "last_update": updated.isoformat() if updated is not None else None,
        "sources": sources,
        "version": int(meta["version"]),
        "demo": bool(meta["demo"]),
    }


def _integers(ds: ApiDataset, columns: list[str]) -> list[str]:
    return [c for c in columns if c in (*ds.identity, *ds.data_columns) and ds.column_type(c) == "integer"]


def _send(ds: ApiDataset, envelope: dict, fmt: str, columns: list[str], filename: str, etag: str, meta: dict):
    return respond(envelope, fmt, columns, filename, etag, meta["updated_at"], conditional.DATA_MAX_AGE)


@conditional.etag_cache(conditional.DATA_MAX_AGE)
def serve_latest(ds: ApiDataset, args: dict) -> conditional.Tagged:
    fmt = negotiate(args.pop("format", None))
    symbols = None
    if "symbols" in args:
        resolved = resolve(ds, args["symbols"])
        unknown = [raw for raw, key in resolved.items() if key is None]
        if unknown:
            raise ApiError(400, f"unknown instrument key(s) in symbols: {', '.join(unknown)}; {ds.path} lists them")
        symbols = sorted(set(resolved.values()))
        args["symbols"] = symbols
    meta = read.dataset_meta(ds.name)
    etag = conditional.make_etag(meta["version"], normalized(args), fmt)

    def build() -> Response:
        frame = latest(ds, symbols, args.get("window"))
        columns = latest_item_columns(ds)
        page = paged(frame, columns, args["limit"], args["offset"], _integers(ds, columns))
        envelope = {**_head(ds, frame, meta), **page}
        return _send(ds, envelope, fmt, columns, f"spartan-{ds.slug}", etag, meta)

    return conditional.Tagged(etag, meta["updated_at"], build)


@conditional.etag_cache(conditional.DATA_MAX_AGE)
def serve_history(ds: ApiDataset, args: dict, raw_keys: tuple[str, ...]) -> conditional.Tagged:
    fmt = negotiate(args.pop("format", None))
    resolved = resolve(ds, raw_keys)
    keys = tuple(resolved[raw] for raw in raw_keys)
    for raw, key in zip(raw_keys, keys, strict=True):
        if key is None:
            noun = ds.path_keys[0].replace("_", " ")
            raise ApiError(404, f"unknown {noun} {raw!r} in {ds.title.lower()}; {ds.path} lists the known ones")
    meta = read.dataset_meta(ds.name)
    etag = conditional.make_etag(meta["version"], keys, normalized(args), fmt)

    def build() -> Response:
        frame = history(
            ds,
            keys,
            start=args.get("start"),
            end=args.get("end"),
            interval=args["interval"],
            descending=args["order"] == "desc",
            window=args.get("window"),
        )
        head = {**_head(ds, frame, meta), **dict(zip(ds.path_keys, keys, strict=True))}
        if ds.named:
            head["name"] = names(ds).get(keys[0])
        head.update(
            interval=args["interval"],
            order=args["order"],
            start=args["start"].isoformat() if args.get("start") else None,
            end=args["end"].isoformat() if args.get("end") else None,
        )
        if "window_days" in ds.extra_identity:
            head["window"] = args.get("window")
        columns = history_item_columns(ds)
        page = paged(frame, columns, args["limit"], args["offset"], _integers(ds, columns))
        filename = "spartan-" + "-".join([ds.slug, *keys])
        return _send(ds, {**head, **page}, fmt, columns, filename, etag, meta)

    return conditional.Tagged(etag, meta["updated_at"], build)


def _key_parameters(ds: ApiDataset) -> list[dict]:
    return [
        {
            "in": "path",
            "name": key,
            "description": f"The {key.replace('_', ' ')} (case-insensitive); {ds.path} lists them.",
            "schema": {"type": "string", "pattern": KEY_PATTERN},
            "example": example,
        }
        for key, example in zip(ds.path_keys, ds.example, strict=True)
    ]


def _add_routes(ds: ApiDataset) -> None:
    blueprint = BLUEPRINTS[ds.group]
    correlations = "window_days" in ds.extra_identity
    key_rule = "/".join(f"<{key}>" for key in ds.path_keys)
    key_path = "/".join(f"{{{key}}}" for key in ds.path_keys)

    def latest_view(args):
        return serve_latest(ds, args)

    def history_view(args, **path_keys):
        return serve_history(ds, args, tuple(path_keys[k] for k in ds.path_keys))

    change = f", the {ds.value_column} before it and the change" if ds.value_column else ""
    latest_view.__doc__ = (
        f"{ds.title}: the newest value of every series\n\n"
        f"One row per series: its newest observation{change}. One series' history: {ds.path}/{key_path}."
    )
    history_view.__doc__ = (
        f"{ds.title}: the history of one series\n\n"
        "Every stored observation from start to end, daily or resampled to weekly or monthly."
    )
    # ``x-dataset`` names the stored dataset (the /api-docs page shows what is stored of it).
    documented = blueprint.doc(**{"x-dataset": ds.name})
    blueprint.route(f"/{ds.slug}", endpoint=f"{ds.endpoint}_latest")(
        blueprint.arguments(CorrelationLatestArgs if correlations else LatestArgs, **QUERY)(
            documented(data_responses(blueprint, latest_schema(ds), latest_item_columns(ds))(latest_view))
        )
    )
    blueprint.route(f"/{ds.slug}/{key_rule}", endpoint=f"{ds.endpoint}_history", parameters=_key_parameters(ds))(
        blueprint.arguments(CorrelationHistoryArgs if correlations else HistoryArgs, **QUERY)(
            documented(
                data_responses(blueprint, history_schema(ds), history_item_columns(ds), not_found=True)(history_view)
            )
        )
    )


for _dataset in API_DATASETS:
    _add_routes(_dataset)
