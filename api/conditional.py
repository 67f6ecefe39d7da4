"""HTTP caching of API responses: weak ETags, Last-Modified, 304s and Cache-Control.

A data response's ETag is known before any data is read: it hashes the dataset's version (which
moves with every committed write), the path, the validated query and the format. So a client
that revalidates (``If-None-Match`` / ``If-Modified-Since``) costs one cached version lookup.
The tags are weak (``W/"…"``): the same data gzip-compressed or not is the same resource.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

from flask import Response, request
from werkzeug.http import is_resource_modified

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
