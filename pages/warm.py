"""Warm the cache with what every page's default view reads, whenever the data moves.

The panels declare their reads (sql/plans.py), so warming a dashboard is running its default
view's reads merged — the very queries and cache keys a visit asks for — without drawing
anything. A background thread of each web process checks every few seconds whether the data
moved (its versions are one memoized read); a cache lock lets one process warm each change,
then every process draws each dashboard's default view from that cache, so the panel bodies it
keeps are built before a visitor asks.
It also publishes those plans, so the sidecar warms the same keys right after its next
refresh. Pages that are not dashboards (explorer, API docs) are built once instead.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import time

import dash

from components.view_state import ViewState
from sql import read, versions
from sql.cache import cache
from sql.datasets import DATASETS
from sql.plans import Read

log = logging.getLogger(__name__)

LOCK_KEY = "warm:pages:{}"
DONE_KEY = "warm:pages:done:{}"  # set once the shared cache holds this state of the data
LOCK_TTL = 3600


def data_signature() -> str:
    """Changes whenever a dataset's version or the sidecar's run moves (a memoized read)."""
    state = repr(versions.current().signature)
    return hashlib.sha1(state.encode(), usedforsecurity=False).hexdigest()


def dashboard_plans() -> dict[str, list[Read]]:
    """Each dashboard's path → the reads of its default view, from its panels' declarations."""
    from pages.dashboards import DASHBOARDS, page_reads

    return {board.path: page_reads(board, ViewState()) for board in DASHBOARDS.values()}


def warm_pages(app: dash.Dash) -> tuple[int, list[str]]:
    """Run every dashboard's default reads and build the other pages without a path template;
    (pages warmed, failures)."""
    built, failed = 0, []
    plans = dashboard_plans()
    read.publish_page_plans(list(plans.values()))
    for reads in (read.dataset_status, read.source_health, lambda: read.recent_downloads(500)):
        reads()
    for path, reads in plans.items():
        try:
            with read.batch(reads):
                built += 1
        except Exception:  # one broken page must not stop the others being warmed
            log.exception("warming %s failed", path)
            failed.append(path)
    # The charts' flag markers: one read per dataset with flags, none for the others.
    for name in sorted({r.dataset for reads in plans.values() for r in reads} & set(DATASETS)):
        read.quality_flags(name)
    for page in list(dash.page_registry.values()):
        layout = page.get("layout")
        if page["path"] in plans or page.get("path_template") or not callable(layout):
            continue
        with app.server.test_request_context(page["path"]):
            try:
                layout()
                built += 1
            except Exception:
                log.exception("warming %s failed", page["path"])
                failed.append(page["path"])
    return built, failed


def draw_pages(app: dash.Dash) -> int:
    """Build every dashboard's default view in this process, from the shared cache: its panel
    bodies (kept per process, pages/panels/base.py) are then ready for the first visit a worker
    gets, which otherwise built them (a cold /options: ~0.6 s of a ~1.9 s load). Pages built."""
    from pages.dashboards import DASHBOARDS, render_dashboard

    drawn = 0
    for board in DASHBOARDS.values():
        with app.server.test_request_context(board.path):
            try:
                render_dashboard(board, ViewState())
                drawn += 1
            except Exception:  # one broken page must not stop the others being drawn
                log.exception("drawing %s failed", board.path)
    return drawn


class PageWarmer(threading.Thread):
    """Every ``interval`` seconds: if the data moved and no other process took this change,
    warm every page once."""

    def __init__(self, app: dash.Dash, interval: float):
        super().__init__(name="page-warmer", daemon=True)
        self.app, self.interval = app, interval
        self.last: str | None = None
        self.drawn: str | None = None  # the state of the data this process's pages were drawn for
        self.stopped = threading.Event()

    def tick(self) -> bool:
        """One check; True when this process warmed the pages. Then, once the shared cache is
        warm for this state of the data (by whichever process), this process draws them."""
        try:
            signature = data_signature()
        except read.StorageUnavailable as exc:
            log.warning("page warming skipped: %s", exc)
            return False
        warmed = False
        if signature != self.last:
            self.last = signature
            warmed = self._warm(signature)
        if self.drawn != signature and cache.get(DONE_KEY.format(signature)):
            self.drawn = signature
            started = time.perf_counter()
            drawn = draw_pages(self.app)
            log.info("drew %d pages in %.1f s", drawn, time.perf_counter() - started, extra={"drawn_for": signature})
        return warmed

    def _warm(self, signature: str) -> bool:
        if not cache.add(LOCK_KEY.format(signature), os.getpid(), timeout=LOCK_TTL):
            return False  # another web process is warming (or warmed) this state of the data
        started = time.perf_counter()
        built, failed = warm_pages(self.app)
        cache.set(DONE_KEY.format(signature), 1, timeout=LOCK_TTL)
        log.info(
            "warmed %d pages in %.1f s",
            built,
            time.perf_counter() - started,
            extra={"pages": built, "failed": failed, "signature": signature},
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
