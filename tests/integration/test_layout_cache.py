"""The app layout of a dashboard, its page drawn in, answered from the process's memory for the
same page, query and data (pages/layout_cache.py), and built again once any of them moves; never
kept for the System pages, pages showing the station's own state, or a degraded page."""

from __future__ import annotations

import dataclasses
import gzip
import json

import dash
import pytest

from tests.conftest import demo_settings


@pytest.fixture
def demo_web(demo_root):
    import app as webapp

    settings = demo_settings(demo_root)
    return webapp.create_app(settings), settings


def _counting(monkeypatch, path: str) -> list:
    """Calls of the layout function of the page at ``path``."""
    page = next(p for p in dash.page_registry.values() if p["path"] == path)
    calls, layout = [], page["layout"]
    monkeypatch.setitem(page, "layout", lambda **query: calls.append(query) or layout(**query))
    return calls


def _layout(client, referer: str, gzipped: bool = False):
    headers = {"Referer": f"http://localhost{referer}"}
    if gzipped:
        headers["Accept-Encoding"] = "gzip"
    response = client.get("/_dash-layout", headers=headers)
    assert response.status_code == 200
    return response


def test_a_dashboard_layout_is_built_once_per_page_query_and_data(demo_web, monkeypatch):
    from sql.store import get_store
    from sql.versions import publish_version
    from sql.write import bump_version

    client = demo_web[0].server.test_client()
    calls = _counting(monkeypatch, "/volatility")
    first = _layout(client, "/volatility")
    assert len(calls) == 1 and "VIX" in first.get_data(as_text=True)
    again = _layout(client, "/volatility")
    assert len(calls) == 1  # answered from memory
    assert again.get_data() == first.get_data()
    zipped = _layout(client, "/volatility", gzipped=True)
    assert zipped.headers["Content-Encoding"] == "gzip" and len(calls) == 1
    assert json.loads(gzip.decompress(zipped.get_data())) == first.get_json()

    _layout(client, "/volatility?range=1y")  # another view is another layout
    assert len(calls) == 2

    with get_store().engine.begin() as conn:  # the sidecar wrote: the data moved
        version = bump_version(conn, "volatility_indicators", 1, "demo", demo=True)
    publish_version("volatility_indicators", version)
    _layout(client, "/volatility")
    assert len(calls) == 3


@pytest.mark.parametrize("path", ["/system", "/"])
def test_pages_showing_the_stations_own_state_are_built_every_time(demo_web, monkeypatch, path):
    """The System pages, and any page with a panel built from the station's state (the home
    page's dataset status), move without a dataset version moving."""
    client = demo_web[0].server.test_client()
    calls = _counting(monkeypatch, path)
    _layout(client, path)
    _layout(client, path)
    assert len(calls) == 2


def test_a_degraded_page_is_not_kept(demo_web, monkeypatch):
    """A panel the database could not answer says so; once it answers again, the next load
    shows the data, not the kept outage."""
    from pages.panels import base
    from sql import read

    client = demo_web[0].server.test_client()
    calls = _counting(monkeypatch, "/credit")
    kind = base.PANEL_TYPES["history"]

    def down(ctx):
        raise read.StorageUnavailable("database unavailable: OperationalError")

    with monkeypatch.context() as patch:
        patch.setattr(base, "_BODIES", base.LRUCache(maxsize=8))
        patch.setitem(base.PANEL_TYPES, "history", dataclasses.replace(kind, render=down))
        assert "temporarily unavailable" in _layout(client, "/credit").get_data(as_text=True)
    assert "temporarily unavailable" not in _layout(client, "/credit").get_data(as_text=True)
    assert len(calls) == 2


def test_without_the_page_drawn_in_nothing_is_kept(demo_web):
    """No Referer: Dash's router draws the page; the shell's layout is answered as Dash's."""
    client = demo_web[0].server.test_client()
    response = client.get("/_dash-layout")
    assert response.status_code == 200 and "Content-Encoding" not in response.headers
    from pages import layout_cache

    assert len(layout_cache._entries) == 0


def test_a_panel_csv_is_built_once_per_panel_view_and_data(demo_web, monkeypatch):
    """/csv/<dashboard>/<panel>.csv is kept like a layout: the same bytes until the view or the
    data moves; never kept while the data is served stale."""
    from pages.panels import export
    from sql import read
    from sql.store import get_store
    from sql.versions import publish_version
    from sql.write import bump_version

    client = demo_web[0].server.test_client()
    calls, build = [], export.panel_data
    monkeypatch.setattr(export, "panel_data", lambda ctx: calls.append(ctx.spec.id) or build(ctx))
    first = client.get("/csv/volatility/vix.csv")
    assert first.status_code == 200 and len(calls) == 1
    again = client.get("/csv/volatility/vix.csv")
    assert again.get_data() == first.get_data() and again.mimetype == "text/csv" and len(calls) == 1
    assert again.headers["Content-Disposition"] == first.headers["Content-Disposition"]
    client.get("/csv/volatility/vix.csv?range=1M")  # another view
    assert len(calls) == 2

    with get_store().engine.begin() as conn:
        version = bump_version(conn, "volatility_indicators", 1, "demo", demo=True)
    publish_version("volatility_indicators", version)
    client.get("/csv/volatility/vix.csv")
    assert len(calls) == 3

    settings = read.current_settings()  # SPARTAN_LOCAL_CACHE_MB=0: no memory of reads, CSV neither
    monkeypatch.setattr(read, "current_settings", lambda: dataclasses.replace(settings, local_cache_mb=0))
    client.get("/csv/volatility/vix.csv")
    client.get("/csv/volatility/vix.csv")
    assert len(calls) == 5
    monkeypatch.setattr(read, "current_settings", lambda: settings)
    client.get("/csv/volatility/vix.csv")
    assert len(calls) == 5  # kept from before

    monkeypatch.setattr(read, "staleness", lambda: 120.0)  # the database down: from the cache
    client.get("/csv/volatility/vix.csv")
    client.get("/csv/volatility/vix.csv")
    assert len(calls) == 7
