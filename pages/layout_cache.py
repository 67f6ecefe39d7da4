"""The app layout of a dashboard, with its page drawn in, kept per process as the bytes sent.

A warm page load waits for ``/_dash-layout`` before it can draw anything, and that answer is
the page itself (``pages/routing.py`` draws the browser's page into the layout): building it
from the kept panel bodies, serialising it (up to ~0.8 MB of JSON on a page of long charts)
and gzipping it cost 20–35 ms a load on this class of machine, against ~5 ms for a bare Dash
page. The answer depends on the page's path and query, whether demo data is shown, and the
data (the versions of every dataset and of the sidecar's run: ``pages.warm.data_signature``),
so it is kept for exactly those, as the plain and the gzipped body, and answered from memory.

Not kept: layouts whose page was not drawn in (no usable Referer, a path that is no page, a
page that failed: the router draws those), layouts with a notice that tells the time (preload
banner, database down, a panel in its degraded state), and pages that show the station's own
state (the System group, the preload page), which change without a dataset version moving.
Entries also expire after ``TTL_SECONDS``: the freshness badges tell the age of the data, and
may be that much behind.
"""

from __future__ import annotations

import functools
import gzip
import threading

from cachetools import TTLCache
from flask import Response, g, has_request_context, request

TTL_SECONDS = 30
MAX_BYTES = 64 * 1024 * 1024
GZIP_LEVEL = 6  # flask-compress's default, the level the rest of the station's answers get
_UNCACHEABLE = "spartan_layout_uncacheable"

_entries: TTLCache = TTLCache(maxsize=MAX_BYTES, ttl=TTL_SECONDS, getsizeof=lambda e: len(e[0]) + len(e[1]) + 512)
_lock = threading.Lock()


def uncacheable() -> None:
    """The layout being built this request must not be kept (it shows a passing state)."""
    if has_request_context():
        setattr(g, _UNCACHEABLE, True)


def clear() -> None:
    with _lock:
        _entries.clear()


def _page_key(path: str, search: str) -> tuple | None:
    """What the layout of the page at ``path`` depends on; None when it is not to be kept."""
    from pages import routing
    from pages.warm import data_signature
    from sql import read
    from sql.preload_status import preload_status
    from sql.store import get_store

    page = routing.page_at(path)
    if page is None or not page.get("layout_cacheable", False):
        return None
    try:
        if read.staleness() is not None:
            return None
        signature = data_signature()
    except read.StorageUnavailable:
        return None
    from components.preload import preload_banner

    if preload_banner(preload_status()) is not None:
        return None
    return (id(get_store()), path, search, read.demo_active(), signature)


def _answer(plain: bytes, gzipped: bytes) -> Response:
    compressed = "gzip" in request.headers.get("Accept-Encoding", "")
    response = Response(gzipped if compressed else plain, mimetype="application/json")
    if compressed:
        response.headers["Content-Encoding"] = "gzip"  # flask-compress leaves an encoded answer alone
    response.headers["Vary"] = "Accept-Encoding"
    return response


def wrap(serve_layout):
    """``serve_layout`` (Dash's ``/_dash-layout`` view) answering kept layouts from memory."""

    @functools.wraps(serve_layout)
    def serve(*args, **kwargs):
        from pages.routing import browser_location

        location = browser_location()
        key = _page_key(*location) if location else None
        if key is None:
            return serve_layout(*args, **kwargs)
        with _lock:
            found = _entries.get(key)
        if found is not None:
            g.spartan_drawn_page = location  # the audit record names the page, as when it is built
            return _answer(*found)
        setattr(g, _UNCACHEABLE, False)
        response = serve_layout(*args, **kwargs)
        drawn = g.get("spartan_drawn_page") == location
        if not drawn or g.get(_UNCACHEABLE) or response.status_code != 200 or response.direct_passthrough:
            return response
        plain = response.get_data()
        entry = (plain, gzip.compress(plain, compresslevel=GZIP_LEVEL, mtime=0))
        with _lock:
            _entries[key] = entry
        return _answer(*entry)

    return serve


def init_app(app) -> None:
    """Answer ``app``'s ``/_dash-layout`` from kept layouts where it can (none kept yet: a new
    app is a new store, whose versions may equal another's)."""
    clear()
    views = app.server.view_functions
    endpoint = app.config.routes_pathname_prefix + "_dash-layout"
    views[endpoint] = wrap(views[endpoint])
