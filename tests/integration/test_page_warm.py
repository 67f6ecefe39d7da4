"""The web's page warmer (pages/warm.py): after it ran, every page's default view is served from
the shared cache alone — analytics panels included, in any web process — and one process warms
each change of the data."""

from __future__ import annotations

import pytest

from sql import read
from tests.conftest import demo_settings
from tests.layouts import page_json


@pytest.fixture
def demo_app(demo_root):
    import app as webapp

    return webapp.create_app(demo_settings(demo_root))


def page_body(dash_app, path: str) -> str:
    import dash

    page = next(p for p in dash.page_registry.values() if p["path"] == path)
    with dash_app.server.test_request_context(path):
        return page_json(page["layout"]())


def test_after_warming_every_page_is_built_from_the_cache_alone(demo_app, monkeypatch):
    from pages import warm
    from sql import memo, station

    built, failed = warm.warm_pages(demo_app)
    assert failed == [] and built >= 25

    def no_database(*args, **kwargs):
        raise AssertionError("a page read the database after warming")

    memo.clear_local()  # another web process: only the shared cache is warm for it
    monkeypatch.setattr(read, "frame_of", no_database)
    monkeypatch.setattr(station, "frame_of", no_database)
    for path, marker in (
        ("/correlations", '"type": "heatmap"'),
        ("/sector-rotation", "XLK"),
        ("/market-breadth", "advancers"),
        ("/sentiment", "Fear"),
        ("/volatility", "VIX"),
        ("/", "S&P 500"),
        ("/indices/detail", "candlestick"),
    ):
        body = page_body(demo_app, path)
        assert marker in body, path
        assert "No data yet" not in body and "unavailable" not in body.lower(), path


def test_one_process_warms_each_change_of_the_data(demo_app, monkeypatch):
    from pages import warm
    from sql.cache import cache
    from sql.store import get_store
    from sql.versions import publish_version
    from sql.write import bump_version

    calls, drawn = [], []
    monkeypatch.setattr(warm, "warm_pages", lambda app: calls.append(app) or (1, []))
    monkeypatch.setattr(warm, "draw_pages", lambda app: drawn.append(app) or 1)
    first, second = warm.PageWarmer(demo_app, 60), warm.PageWarmer(demo_app, 60)
    assert first.tick() is True  # the data has not been warmed yet
    assert second.tick() is False  # the other web process took this state of the data
    assert first.tick() is False  # nothing moved since
    assert len(calls) == 1
    assert len(drawn) == 2  # each process drew its own pages once, after the shared cache was warm

    with get_store().engine.begin() as conn:  # what the sidecar does when a refresh changed rows
        version = bump_version(conn, "commodities", 1, "demo")
    publish_version("commodities", version)
    try:
        assert second.tick() is True and first.tick() is False
        assert len(calls) == 2 and len(drawn) == 4
    finally:
        cache.delete(warm.LOCK_KEY.format(warm.data_signature()))


def test_a_database_outage_skips_a_round_without_stopping_the_warmer(demo_app, monkeypatch):
    from pages import warm

    def down():
        raise read.StorageUnavailable("database unavailable: OperationalError")

    monkeypatch.setattr(warm, "data_signature", down)
    warmer = warm.PageWarmer(demo_app, 0.01)
    assert warmer.tick() is False
    warmer.start()
    warmer.join(0.1)
    assert warmer.is_alive()  # still checking
    warmer.stopped.set()
    warmer.join(30)  # a deadline: it stops at once
    assert not warmer.is_alive()


def test_after_drawing_a_process_serves_each_dashboard_without_building_a_panel(demo_app, monkeypatch):
    """Each web process draws every dashboard's default view once the cache is warm: its first
    visitor then gets panel bodies already built (a cold /options built 15 panels, ~0.6 s)."""
    import dataclasses

    from pages import warm
    from pages.panels import base

    warm.warm_pages(demo_app)
    assert warm.draw_pages(demo_app) >= 48

    def no_building(ctx):
        raise AssertionError(f"panel {ctx.dom_id} built again after drawing")

    for name, kind in list(base.PANEL_TYPES.items()):
        monkeypatch.setitem(base.PANEL_TYPES, name, dataclasses.replace(kind, render=no_building))
    for path in ("/options", "/performance", "/indices", "/crypto", "/market-breadth"):
        body = page_body(demo_app, path)
        assert "No data yet" not in body and "built again" not in body, path
