"""`python -m jobs demo`: labelled synthetic data through the same writer, a DEMO ribbon on
every page while it is there, and `--remove` to take it out again."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from config.catalog import Instrument, load_catalog
from jobs.demo import remove_demo, seed_demo
from jobs.demo.generator import DemoSeries
from jobs.demo.seed import demo_frame
from jobs.demo.specs import DEMO_SOURCE
from jobs.pipeline import run_downloads
from sql import read
from sql.write import row_count
from tests.conftest import drop_backend, make_settings, serve_fred


def test_demo_paths_are_deterministic_and_stay_in_their_asset_class():
    days = pd.bdate_range("2021-11-24", "2026-11-23")
    yields = DemoSeries(days).values("10Y", "treasury_yields").to_numpy()
    assert np.array_equal(DemoSeries(days).values("10Y", "treasury_yields").to_numpy(), yields)
    assert yields.min() > 1.0 and yields.max() < 12.0  # rates revert to their level
    vix = DemoSeries(days).values("VIX").to_numpy()
    assert 5 < np.median(vix) < 60
    assert not np.array_equal(DemoSeries(days).values("2Y", "treasury_yields").to_numpy(), yields)


def test_demo_bars_are_valid_bars():
    days = pd.bdate_range("2026-01-01", "2026-03-31")
    bars = demo_frame(
        "market_indices", Instrument("market_indices", "SPX", "S&P 500", ()), days, pd.Timestamp.now(tz="UTC")
    )
    assert (bars["high"] >= bars[["open", "close"]].max(axis=1)).all()
    assert (bars["low"] <= bars[["open", "close"]].min(axis=1)).all() and (bars["low"] > 0).all()
    assert set(bars["source"]) == {DEMO_SOURCE} and set(bars["interval"]) == {"1d"}


@pytest.fixture
def web(tmp_path, backend, httpserver):
    import app as webapp

    settings = make_settings(tmp_path, backend, SPARTAN_FRED_BASE_URL=serve_fred(httpserver))
    dash_app = webapp.create_app(settings)
    yield dash_app, settings
    drop_backend(settings)


def page_text(dash_app) -> str:
    import app as webapp

    with dash_app.server.test_request_context("/"):
        return json.dumps(webapp._layout().to_plotly_json(), default=str)


def test_demo_fills_the_catalogued_datasets_and_shows_a_ribbon_until_removed(web):
    from sql.store import get_store

    dash_app, settings = web
    store = get_store()
    assert "DEMO DATA" not in page_text(dash_app)
    written = seed_demo(store, load_catalog(settings))
    days = len(pd.bdate_range(*_window()))
    assert (written["treasury_yields"], written["credit_spreads"]) == (5 * days, 3 * days)
    # The analytics, computed from the demo rows: this catalog holds three of the basket's assets.
    assert written["correlations"] == 3 * (days - 1 - 48 + 1)
    assert written["sector_rotation"] == written["market_breadth"] == 0
    status = read.dataset_status().set_index("dataset")
    assert status.loc["treasury_yields", "demo"] and status.loc["treasury_yields", "sources"] == "demo"
    assert "DEMO DATA" in page_text(dash_app)
    latest = read.last_two("treasury_yields").sort_values("date").groupby("key").last()["value"]
    spread = read.last_two("credit_spreads").sort_values("date").groupby("key").last()["value"]
    assert spread["T10Y2Y"] == pytest.approx(latest["10Y"] - latest["2Y"], abs=1e-3)  # consistent with the curve
    assert latest["30Y"] > latest["3M"]  # an upward-sloping demo curve
    # The System page lists the catalog's sources before any download: never run yet.
    health = read.source_health().set_index("source_id")
    assert set(health.index) == set(load_catalog(settings).sources)
    assert set(health["state"]) <= {"not_used_yet", "not_configured"}
    removed = remove_demo(store)
    assert removed == {name: rows for name, rows in written.items() if rows}
    with store.engine.connect() as conn:
        assert row_count(conn, "treasury_yields") == 0
    assert "DEMO DATA" not in page_text(dash_app)


def test_a_real_refresh_does_not_hide_demo_rows_that_remain(web):
    from sql.store import get_store

    dash_app, settings = web
    catalog = load_catalog(settings)
    seed_demo(get_store(), catalog)
    run_downloads(get_store(), catalog, "refresh")  # real rows for the fixture dates
    assert read.dataset_status().set_index("dataset").loc["treasury_yields", "demo"]
    assert "DEMO DATA" in page_text(dash_app)


def _window():
    today = pd.Timestamp.now(tz="UTC").date()
    return today - pd.Timedelta(days=365 * 5), today - pd.Timedelta(days=1)


def test_demo_command(tmp_path):
    import os
    import subprocess
    import sys

    from tests.conftest import FRED_CATALOG, ROOT

    env = {
        "PATH": os.environ.get("PATH", ""),
        "SPARTAN_VAR_DIR": str(tmp_path),
        "SPARTAN_SOURCES_FILE": str(FRED_CATALOG),
    }
    result = subprocess.run(
        [sys.executable, "-m", "jobs", "demo"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stderr
    assert "treasury_yields:" in result.stdout and "demo rows written" in result.stdout
    again = subprocess.run(
        [sys.executable, "-m", "jobs", "demo", "--remove"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert "demo rows removed" in again.stdout
