"""HTTP caching of API responses: weak ETags, Last-Modified, 304s and Cache-Control.

A data response's ETag is known before any data is read: it hashes the dataset's version (which
moves with every committed write), the path, the validated query and the format. So a client
that revalidates (``If-None-Match`` / ``If-Modified-Since``) costs one cached version lookup.
The tags are weak (``W/"…"``): the same data gzip-compressed or not is the same resource.

A view states its validators and how to build its body (``Tagged``); ``etag_cache`` does the
rest, once for every view: 304 when the client's copy is current, else the body kept for that
ETag (api/response_cache.py), else the built body, kept for the next request.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask import Response, request
from werkzeug.http import is_resource_modified

from api import response_cache

# Part of every ETag: bump it when a response's shape changes, so no client keeps an old body.
API_REVISION = "1"
DATA_MAX_AGE = 60  # seconds; the data moves at most hourly, a minute keeps dashboards current
SYSTEM_MAX_AGE = 15  # source health and the download log move during a run


def make_etag(*parts) -> str:
    """A tag for this path and ``parts`` (versions, the normalized query, the format)."""
    material = json.dumps([API_REVISION, request.path, *parts], sort_keys=True, default=str)
    return hashlib.sha256(material.encode()).hexdigest()[:32]


def not_modified(etag: str, last_modified: datetime | None) -> bool:
    """Whether the client's ``If-None-Match`` (which wins when both are sent) or
    ``If-Modified-Since`` says its copy is current."""
    if request.method not in ("GET", "HEAD"):
        return False
    return not is_resource_modified(request.environ, etag=etag, last_modified=last_modified)


def cache_headers(response: Response, etag: str, last_modified: datetime | None, max_age: int) -> Response:
    response.set_etag(etag, weak=True)
    if last_modified is not None:
        response.last_modified = last_modified
    response.cache_control.max_age = max_age
    response.vary.add("Accept")
    return response


def not_modified_response(etag: str, last_modified: datetime | None, max_age: int) -> Response:
    return cache_headers(Response(status=304), etag, last_modified, max_age)


@dataclass(frozen=True)
class Tagged:
    """What a view under ``etag_cache`` returns: its validators, known before any data is read,
    and how to build the response when the client's copy is not current."""

    etag: str
    last_modified: datetime | None
    build: Callable[[], Response]


def etag_cache(max_age: int, keep: bool = True):
    """The ETag → 304 → kept response → store sequence around a view that returns a ``Tagged``
    (as Superset's ``etag_cache``). ``keep``: serve and store finished bodies by ETag
    (api/response_cache.py); without it the body is built each time."""

    def decorate(view: Callable[..., Tagged]) -> Callable[..., Response]:
        @functools.wraps(view)
        def respond(*args, **kwargs) -> Response:
            tagged = view(*args, **kwargs)
            if not_modified(tagged.etag, tagged.last_modified):
                return not_modified_response(tagged.etag, tagged.last_modified, max_age)
            if not keep:
                return tagged.build()
            kept = response_cache.lookup(tagged.etag)
            if kept is not None:
                return kept
            return response_cache.store(tagged.etag, tagged.build())

        return respond

    return decorate
