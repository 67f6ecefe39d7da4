"""The plain GET routes of the pages' data, as one Flask blueprint (``export_bp``, registered by
app.py beside the REST API):

- ``GET /csv/<dashboard>/<panel>.csv``: the rows a panel draws, as a CSV a report can link to;
- ``GET /csv/instrument/<symbol>.csv`` and ``/csv/series/<id>.csv``: a detail page's rows;
- ``GET /zoom/<dashboard>/<panel>.json``: a history chart's traces in a window.

The query string is the dashboard's view (``?range=1Y&rebase=1``…), so the file matches what
the linked view shows. Columns are named as on screen. Cells are written through
config/csv_format.py (12 significant digits, formula-safe text), as the API's CSV is. The
blueprint lives here, not in api/, because only the pages know how to compute a panel.
"""

from __future__ import annotations

import threading

import pandas as pd
from cachetools import TTLCache
from flask import Blueprint, Response, jsonify, request

from components.view_state import parse_view
from config.csv_format import csv_text, significant_frame
from config.dashboard_index import board as find_board
from pages.panels.base import NoData, PanelContext, panel_data
from sql import read

export_bp = Blueprint("export", __name__)

# A panel's CSV, kept per process for the data it was made from (the versions of every dataset:
# ``pages.warm.data_signature``): building it again cost 20–40 ms of a worker's CPU, most of a
# load test's CSV time. TTL and size only bound the memory; the signature keeps it right.
CSV_TTL_SECONDS = 600
_csv_kept: TTLCache = TTLCache(maxsize=16 * 1024 * 1024, ttl=CSV_TTL_SECONDS, getsizeof=len)
_csv_lock = threading.Lock()


@export_bp.record
def _new_app(_state) -> None:
    # A new app is a new store, whose id and dataset versions may equal a gone one's.
    with _csv_lock:
        _csv_kept.clear()


def _error(status: int, message: str) -> Response:
    response = jsonify({"error": message})
    response.status_code = status
    return response


@export_bp.get("/csv/<dashboard>/<panel>.csv")
def panel_csv(dashboard: str, panel: str) -> Response:
    board = find_board(dashboard)
    spec = board.panel(panel) if board else None
    if spec is None:
        return _error(404, f"no panel {panel!r} on dashboard {dashboard!r}")
    filename = f"spartan-{board.id}-{spec.id}.csv"
    key = _csv_key(board.id, spec.id)
    with _csv_lock:
        kept = _csv_kept.get(key) if key else None
    if kept is not None:
        return _csv_file(kept, filename)
    view = parse_view(request.args.to_dict())
    ctx = PanelContext(board, spec, view, read.current_settings())
    try:
        frame = panel_data(ctx)
    except NoData:
        return _error(404, f"no data yet for {dashboard}/{panel}")
    except read.StorageUnavailable as exc:
        return _error(503, str(exc))
    body = csv_text(significant_frame(frame)).encode()
    if key:
        with _csv_lock:
            _csv_kept[key] = body
    return _csv_file(body, filename)


def _csv_key(dashboard: str, panel: str) -> tuple | None:
    """What a panel's CSV depends on: the panel, the view (the query), demo or not, the data; None
    while the data is served stale (the database down): that answer is not to be kept; None too
    when the process keeps no memory of reads (``SPARTAN_LOCAL_CACHE_MB=0``)."""
    from pages.warm import data_signature
    from sql.store import get_store

    if read.current_settings().local_cache_mb == 0:
        return None
    try:
        if read.staleness() is not None:
            return None
        signature = data_signature()
        demo = read.demo_active()
    except read.StorageUnavailable:
        return None
    query = tuple(sorted(request.args.items(multi=True)))
    return (id(get_store()), dashboard, panel, query, demo, signature)


ZOOM_LIMIT_MS = 4_102_444_800_000  # 2100-01-01: a window beyond it is not a date


def _epoch(value: str | None) -> pd.Timestamp | None:
    try:
        ms = int(str(value))
    except (TypeError, ValueError):
        return None
    return pd.Timestamp(ms, unit="ms") if -ZOOM_LIMIT_MS < ms < ZOOM_LIMIT_MS else None


@export_bp.get("/zoom/<dashboard>/<panel>.json")
def panel_zoom(dashboard: str, panel: str) -> Response:
    """``/zoom/<dashboard>/<panel>.json?x0=<ms>&x1=<ms>&<view>``: a history chart's traces in
    that window at full resolution (the chart sent thinned traces: assets/zoom.js asks for this
    when the reader zooms in). Read from the cache and the database like the page itself."""
    from pages.panels.core import zoom_traces

    board = find_board(dashboard)
    spec = board.panel(panel) if board else None
    if spec is None or spec.type != "history":
        return _error(404, f"no history panel {panel!r} on dashboard {dashboard!r}")
    start, end = _epoch(request.args.get("x0")), _epoch(request.args.get("x1"))
    if start is None or end is None or end <= start:
        return _error(400, "x0 and x1 must be epoch milliseconds with x0 < x1")
    ctx = PanelContext(board, spec, parse_view(request.args.to_dict()), read.current_settings())
    try:
        traces = zoom_traces(ctx, start, end)
    except NoData:
        return _error(404, f"no data yet for {dashboard}/{panel}")
    except read.StorageUnavailable as exc:
        return _error(503, str(exc))
    response = jsonify({"traces": traces})
    response.cache_control.private = True
    response.cache_control.max_age = 60
    return response


def _csv_file(body: bytes | str, filename: str) -> Response:
    return Response(body, mimetype="text/csv", headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def csv_response(frame: pd.DataFrame, filename: str) -> Response:
    return _csv_file(csv_text(significant_frame(frame)), filename)


def detail_csv(kind: str, key: str) -> Response:
    """``/csv/instrument/<symbol>.csv`` and ``/csv/series/<id>.csv``: the rows of a detail page
    (``?dataset=``, ``?range=`` and, for series, ``?transform=yoy`` as on the page)."""
    from dataclasses import replace

    from pages.detail import detail_context, find_instrument
    from pages.panels.instrument import instrument_data

    args = request.args.to_dict()
    view = replace(parse_view(args), compare=())
    try:
        dataset = find_instrument(read.current_settings(), key, args.get("dataset", ""), series=kind == "series")
        if dataset is None:
            return _error(404, f"unknown {kind} {key!r}")
        transform = "yoy" if kind == "series" and args.get("transform", "").lower() == "yoy" else ""
        frame = instrument_data(detail_context(kind, key, dataset, view, transform))
    except NoData:
        return _error(404, f"no data yet for {key}")
    except read.StorageUnavailable as exc:
        return _error(503, str(exc))
    safe_name = "".join(c if c.isalnum() or c in "-_" else "_" for c in key)
    return csv_response(frame, f"spartan-{kind}-{safe_name}.csv")


@export_bp.get("/csv/instrument/<symbol>.csv")
def instrument_csv(symbol: str) -> Response:
    return detail_csv("instrument", symbol)


@export_bp.get("/csv/series/<series_id>.csv")
def series_csv(series_id: str) -> Response:
    return detail_csv("series", series_id)
