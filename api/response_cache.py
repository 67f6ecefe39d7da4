"""Finished API bodies, kept by ETag: in this process (a small LRU) and in the shared cache.

A data response's ETag already names everything its body depends on (the dataset version,
the path, the validated query, the format; ``api.conditional.make_etag``) — plus the host,
which the ``next`` links carry. So a body built once can be served again as it is, until the
dataset moves to a new version (a new ETag) and the old entries age out. The local layer
saves the Redis round trip on hot endpoints; the shared one lets the other workers (and a
restarted one) reuse a body too.
"""

from __future__ import annotations

import gzip
import hashlib
import threading
from collections import OrderedDict

from flask import Response, request

from sql.cache import cache
from sql.memo import LOCAL_READS
from sql.store import get_store

LOCAL_ENTRIES = 256  # bodies per process
MAX_BODY = 1_000_000  # bytes; a larger body is rebuilt each time rather than kept
SHARED_TTL = 3600  # seconds in the shared cache (the version, not the TTL, keeps it correct)
GZIP_LEVEL = 6  # flask-compress's default: the same bytes it would send, compressed once
GZIP_MIN_SIZE = 500  # flask-compress's default minimum
# Set-Cookie: a kept body is served to everyone, a user's session cookie must never go with it.
_SKIPPED_HEADERS = ("Content-Length", "Content-Type", "Content-Encoding", "Vary", "Set-Cookie")

_local: OrderedDict[str, tuple] = OrderedDict()
_lock = threading.Lock()


def _key(etag: str) -> str:
    # The cache prefix names the station (its database) the body was read from.
    station = f"{request.host_url}|{get_store().settings.cache_prefix}"
    host = hashlib.sha256(station.encode()).hexdigest()[:12]
    return f"api:body:{etag}:{host}"


def _response(entry: tuple) -> Response:
    body, gzipped, mimetype, headers = entry
    if gzipped is not None and "gzip" in request.headers.get("Accept-Encoding", "").lower():
        # Compressed once when kept; flask-compress leaves a response with an encoding alone.
        response = Response(gzipped, mimetype=mimetype)
        response.headers["Content-Encoding"] = "gzip"
    else:
        response = Response(body, mimetype=mimetype)
    for name, value in headers:
        response.headers[name] = value
    response.vary.add("Accept-Encoding")
    return response


def lookup(etag: str) -> Response | None:
    """The body stored for ``etag`` as a fresh response, or None."""
    key = _key(etag)
    with _lock:
        entry = _local.get(key)
        if entry is not None:
            _local.move_to_end(key)
    LOCAL_READS.labels("hit" if entry is not None else "miss").inc()
    if entry is None:
        entry = cache.get(key)
        if not isinstance(entry, tuple) or len(entry) != 4:
            return None
        _remember(key, entry)
    return _response(entry)


def _remember(key: str, entry: tuple) -> None:
    with _lock:
        _local[key] = entry
        _local.move_to_end(key)
        while len(_local) > LOCAL_ENTRIES:
            _local.popitem(last=False)


def store(etag: str, response: Response) -> Response:
    """Keep ``response`` (a finished 200) for ``etag``; returns it unchanged."""
    if response.status_code != 200 or response.direct_passthrough:
        return response
    body = response.get_data()
    if len(body) > MAX_BODY:
        return response
    headers = tuple((name, value) for name, value in response.headers.items() if name not in _SKIPPED_HEADERS)
    gzipped = gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0) if len(body) >= GZIP_MIN_SIZE else None
    entry = (body, gzipped, response.mimetype, headers)
    key = _key(etag)
    _remember(key, entry)
    cache.set(key, entry, timeout=SHARED_TTL)
    return response


def clear_local() -> None:
    """Forget this process's bodies (tests)."""
    with _lock:
        _local.clear()
