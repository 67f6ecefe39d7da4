"""Warm the cache with what every page's default view reads, whenever the data moves.

The sidecar warms the reads it knows of right after each refresh (``sql.read.warm``: latest
values, status tables, history and curve charts). The pages know best what they read
(correlations, rotation, breadth, sentiment, detail pages, the explorer), so a background
thread of each web process builds every page's default layout once per change of the data;
a cache lock lets one process do it per change. The first visitor after a refresh then gets
a page built from the cache instead of the database.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import time

import dash

from sql import read
from sql.cache import cache

log = logging.getLogger(__name__)

LOCK_KEY = "warm:pages:{}"
LOCK_TTL = 3600


def data_signature() -> str:
    """Changes whenever a dataset's version or the sidecar's run moves (one cache round trip)."""
    state = repr((read.all_versions(), read.system_version()))
    return hashlib.sha1(state.encode(), usedforsecurity=False).hexdigest()


def warm_pages(app: dash.Dash) -> tuple[int, list[str]]:
    """Build the default layout of every page without a path template; (pages built, failures)."""
    built, failed = 0, []
    for page in list(dash.page_registry.values()):
        layout = page.get("layout")
        if page.get("path_template") or not callable(layout):
            continue
        with app.server.test_request_context(page["path"]):
            try:
                layout()
                built += 1
            except Exception:  # one broken page must not stop the others being warmed
                log.exception("warming %s failed", page["path"])
                failed.append(page["path"])
    return built, failed


class PageWarmer(threading.Thread):
    """Every ``interval`` seconds: if the data moved and no other process took this change,
    build every page once."""

    def __init__(self, app: dash.Dash, interval: float):
        super().__init__(name="page-warmer", daemon=True)
        self.app, self.interval = app, interval
        self.last: str | None = None
        self.stopped = threading.Event()

    def tick(self) -> bool:
        """One check; True when this process warmed the pages."""
        try:
            signature = data_signature()
        except read.StorageUnavailable as exc:
            log.warning("page warming skipped: %s", exc)
            return False
        if signature == self.last:
            return False
        self.last = signature
        if not cache.add(LOCK_KEY.format(signature), os.getpid(), timeout=LOCK_TTL):
            return False  # another web process is warming (or warmed) this state of the data
        started = time.perf_counter()
        built, failed = warm_pages(self.app)
        log.info(
            "warmed %d pages in %.1f s",
            built,
            time.perf_counter() - started,
            extra={"pages": built, "failed": failed},
        )
        return True

    def run(self) -> None:
        while True:
            try:
                self.tick()
            except Exception:  # the thread must outlive a cache or database hiccup
                log.exception("page warming failed")
            if self.stopped.wait(self.interval):
                return


def start(app: dash.Dash, interval: float) -> PageWarmer:
    warmer = PageWarmer(app, interval)
    warmer.start()
    return warmer
