"""The parts every list response shares: one page of rows with its paging fields and ``next``
link, and the normalized query an ETag is computed from."""

from __future__ import annotations

from urllib.parse import urlencode

import pandas as pd
from flask import Response, request

from api import conditional
from api.formats import records, render


def next_url(total: int, limit: int, offset: int) -> str | None:
    """The URL of the page after this one (same query, the next offset); None on the last."""
    if offset + limit >= total:
        return None
    query = request.args.to_dict(flat=False)
    query["offset"] = [str(offset + limit)]
    query["limit"] = [str(limit)]
    return f"{request.base_url}?{urlencode(query, doseq=True)}"


def page_fields(items: list[dict], total: int, limit: int, offset: int) -> dict:
    return {
        "total": total,
        "count": len(items),
        "limit": limit,
        "offset": offset,
        "next": next_url(total, limit, offset),
        "items": items,
    }


def paged(frame: pd.DataFrame, columns: list[str], limit: int, offset: int, integers=()) -> dict:
    """Rows ``offset`` to ``offset + limit`` of ``frame`` and the paging fields."""
    items = records(frame.iloc[offset : offset + limit], columns, integers)
    return page_fields(items, len(frame), limit, offset)


def normalized(args: dict) -> dict:
    """The validated query as plain, ordered values (for ETags)."""
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in sorted(args.items())}


def respond(
    envelope: dict, fmt: str, columns: list[str], filename: str, etag: str, last_modified, max_age: int
) -> Response:
    """The envelope in ``fmt`` with its Link, ETag, Last-Modified and Cache-Control headers."""
    link = {"Link": f'<{envelope["next"]}>; rel="next"'} if envelope.get("next") else {}
    response = render(envelope, fmt, columns, filename, headers=link)
    return conditional.cache_headers(response, etag, last_modified, max_age)
