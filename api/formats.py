"""Response formats: JSON (default), CSV and TOON, chosen by ``?format=`` or the Accept header.

Every body is built from one envelope: the metadata (freshness, paging) and ``items``, a list
of flat rows. JSON and TOON carry the whole envelope (TOON writes ``items`` as one table:
``items[2]{symbol,close}:``); CSV carries the rows, and the metadata goes into headers — which
every format gets, so a client can read freshness without parsing the body.
"""

from __future__ import annotations

import json
import math
import re
from datetime import date, datetime

import pandas as pd
import toon_format
from flask import Response, request

from config.csv_format import csv_text, significant

FORMATS = ("json", "csv", "toon")
MEDIA_TYPES = {"json": "application/json", "csv": "text/csv", "toon": "text/toon"}
# What an Accept header may name for each format (TOON's media type is provisional).
ACCEPTED = {"application/json": "json", "text/csv": "csv", "text/toon": "toon", "application/toon": "toon"}
# The envelope fields that go into headers too (for CSV, where the body has only the rows).
FRESHNESS_HEADERS = {
    "as_of": "X-Data-As-Of",
    "last_update": "X-Data-Last-Update",
    "sources": "X-Data-Sources",
    "version": "X-Dataset-Version",
    "total": "X-Total-Count",
}
_UNSAFE_HEADER_TEXT = re.compile(r"[^\x20-\x7e]")


def negotiate(requested: str | None) -> str:
    """``?format=`` when given (already validated), else the best the Accept header names;
    JSON when it names none of them (a browser's ``*/*``, an unknown type)."""
    if requested:
        return requested
    accept = request.accept_mimetypes
    if not accept:
        return "json"
    best = accept.best_match(list(ACCEPTED), default="application/json")
    # ``*/*`` matches the first offered type equally well: keep JSON the default for it.
    if accept.quality(best) <= accept.quality("application/json"):
        return "json"
    return ACCEPTED[best]


def plain(value):
    """A JSON-ready scalar: NaN and NaT as None, floats without binary noise (12 significant
    digits), dates as ISO strings, numpy scalars as Python."""
    if value is None:
        return None
    if isinstance(value, float):
        return significant(value) if math.isfinite(value) else None
    if isinstance(value, pd.Timestamp | datetime):
        if pd.isna(value):
            return None
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalar
        return plain(value.item())
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return value


def records(frame: pd.DataFrame, columns: list[str] | tuple[str, ...], integers=()) -> list[dict]:
    """The frame's rows as dicts of plain values, in ``columns`` order; ``integers`` are columns
    of whole numbers (pandas keeps them as floats once one is missing)."""
    if frame.empty:
        return []
    values = frame[list(columns)].astype(object).to_numpy()
    out = [{col: plain(v) for col, v in zip(columns, row, strict=True)} for row in values]
    for row in out:
        for col in integers:
            if isinstance(row[col], float):
                row[col] = int(row[col])
    return out


def json_text(value) -> str:
    """Compact JSON in which ``<``, ``>`` and ``&`` are escaped: stored or echoed text stays data
    even for a client that sniffs a JSON body as HTML."""
    text = json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _header_text(value) -> str:
    if isinstance(value, list | tuple):
        value = ",".join(str(v) for v in value)
    return _UNSAFE_HEADER_TEXT.sub("?", str(value))


def _csv(envelope: dict, columns: list[str]) -> str:
    return csv_text(pd.DataFrame(envelope["items"], columns=columns), lineterminator="\r\n")


def render(envelope: dict, fmt: str, columns: list[str], filename: str, headers: dict | None = None) -> Response:
    """``envelope`` as a ``fmt`` response; ``columns`` are the CSV header (the rows' fields)."""
    if fmt == "csv":
        body = _csv(envelope, columns)
    elif fmt == "toon":
        body = toon_format.encode(envelope) + "\n"
    else:
        body = json_text(envelope)
    response = Response(body, mimetype=MEDIA_TYPES[fmt])
    if fmt == "csv":
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    for field, header in FRESHNESS_HEADERS.items():
        value = envelope.get(field)
        if value is not None and value != []:
            response.headers[header] = _header_text(value)
    for name, value in (headers or {}).items():
        response.headers[name] = _header_text(value)
    return response
