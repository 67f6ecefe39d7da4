"""Compressed bodies kept by their digest, through flask-compress's own cache.

Most of what the pages ask for repeats byte for byte until the data moves: ``/_dash-dependencies``,
the pages router's answer for a dashboard, the index page of a path, a panel's CSV. flask-compress
compressed each again on every request (brotli at level 4 is ~5 ms for a 200 kB page), some 9 %
of a web worker's CPU under the load test's mix. Its cache (``COMPRESS_CACHE_BACKEND`` /
``COMPRESS_CACHE_KEY``) keys entries by the request only, which does not name the body (a
callback's answer depends on its POST body, a layout on the data); so here the key is a digest
of the body itself, taken just before flask-compress compresses it: the same bytes always give
the same compressed bytes, whatever request asked for them. A body seen for the first time is
compressed as before; the memo is per process, bounded in bytes, least recently used out first.
"""

from __future__ import annotations

import hashlib
import threading

from cachetools import LRUCache
from flask import Flask, Response, g
from flask_compress import Compress

MAX_BYTES = 16 * 1024 * 1024  # compressed bytes kept per process
_DIGEST = "spartan_body_digest"


class BodyMemo:
    """flask-compress's cache backend: ``get``/``set`` of compressed bodies by
    ``<algorithm>;<digest>``; a key without a digest (a body not looked at) is never kept."""

    def __init__(self, max_bytes: int = MAX_BYTES) -> None:
        self._entries: LRUCache = LRUCache(maxsize=max_bytes, getsizeof=len)
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        if key.endswith(";"):
            return None
        with self._lock:
            return self._entries.get(key)

    def set(self, key: str, value: bytes) -> None:
        if key.endswith(";") or len(value) > self._entries.maxsize:
            return
        with self._lock:
            self._entries[key] = value

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def _body_key(_request) -> str:
    return g.pop(_DIGEST, "")


def install(server: Flask) -> BodyMemo | None:
    """Give the app's flask-compress (Dash's ``compress=True``) the memo; None without one."""
    hooks = server.after_request_funcs.setdefault(None, [])
    found = [(i, h.__self__) for i, h in enumerate(hooks) if isinstance(getattr(h, "__self__", None), Compress)]
    if not found:
        return None
    index, compressor = found[0]
    memo = BodyMemo()
    compressor.cache, compressor.cache_key = memo, _body_key

    def compress(response: Response) -> Response:
        # Right before flask-compress: no later hook changes the bytes the digest names.
        g.pop(_DIGEST, None)
        if (
            response.mimetype in compressor.compress_mimetypes_set
            and "Content-Encoding" not in response.headers
            and not response.is_streamed
            and not response.direct_passthrough
        ):
            data = response.get_data()
            setattr(g, _DIGEST, f"{hashlib.blake2b(data, digest_size=20).hexdigest()}:{len(data)}")
        return compressor.after_request(response)

    compress.compressor = compressor  # type: ignore[attr-defined] - for whoever looks for it

    hooks[index] = compress
    return memo
