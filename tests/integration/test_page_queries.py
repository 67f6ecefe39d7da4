"""Pages are built for the database: with nothing cached, a page asks the database once per
dataset it shows (its panels' declared reads, merged) plus at most a few reads of the station's
own state — never once per panel, per series or per row, and never a count over a table."""

from __future__ import annotations

import uuid

import dash
import pytest
from sqlalchemy import event

from sql import memo, plans, read
from tests.conftest import demo_settings

# Reads of the station's own state a page may add to its data reads: the dataset versions, the
# sources' health (the failing-sources notice), the sidecar's status row.
STATION_READS = 3
# And no page, however many panels it has, beyond this.
MOST = 15


@pytest.fixture(scope="module")
def station(demo_root):
    import app as webapp

    return webapp.create_app(demo_settings(demo_root))


class Statements:
    def __init__(self, engine):
        self.engine, self.seen = engine, []
        event.listen(engine, "before_cursor_execute", self.note)

    def note(self, conn, cursor, statement, parameters, context, executemany):
        self.seen.append(" ".join(statement.split()))

    def close(self):
        event.remove(self.engine, "before_cursor_execute", self.note)


def cold() -> None:
    """Nothing cached: an empty shared cache (a new key prefix) and an empty process memory."""
    from sql.cache import cache

    cache.cache.key_prefix = f"cold-{uuid.uuid4().hex[:8]}:"
    memo.clear_local()


def page_paths() -> list[str]:
    return sorted(p["path"] for p in dash.page_registry.values() if not p.get("path_template"))


def declared_queries(path: str) -> int:
    """How many merged queries the page's panels declare for the default view."""
    from components.view_state import ViewState
    from pages.dashboards import DASHBOARDS, page_reads

    board = next((b for b in DASHBOARDS.values() if b.path == path), None)
    if board is None:
        return 0
    resolved = [plans.resolve(r, read.latest_date(plans_dataset(r))) for r in page_reads(board, ViewState())]
    return len(plans.merge([q for q in resolved if q is not None]))


def plans_dataset(r) -> str:
    return "correlations" if r.kind == "pairs" else r.dataset


def test_every_page_asks_the_database_once_per_dataset_it_shows(station):
    from sql.store import get_store

    statements = Statements(get_store().engine)
    over = {}
    try:
        for path in page_paths():
            page = next(p for p in dash.page_registry.values() if p["path"] == path)
            cold()
            statements.seen.clear()
            with station.server.test_request_context(path):
                page["layout"]()
            allowed = min(MOST, declared_queries(path) + STATION_READS)
            scans = [s for s in statements.seen if "count(" in s.lower() and "download_log" not in s]
            if len(statements.seen) > allowed or scans:
                over[path] = (len(statements.seen), allowed, statements.seen)
    finally:
        statements.close()
    assert not over, {path: f"{n} statements, at most {allowed}: {seen}" for path, (n, allowed, seen) in over.items()}


def test_a_page_is_served_from_this_process_after_its_first_build(station):
    from sql.store import get_store

    path = "/economy"
    page = next(p for p in dash.page_registry.values() if p["path"] == path)
    cold()
    with station.server.test_request_context(path):
        page["layout"]()
    statements = Statements(get_store().engine)
    try:
        with station.server.test_request_context(path):
            page["layout"]()
    finally:
        statements.close()
    # Nothing but, at most, the versions' once-a-second check.
    assert len(statements.seen) <= 1, statements.seen
