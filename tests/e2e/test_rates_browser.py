"""The Rates page in headless Chromium: chart and grid with data, no errors in the console."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.wait import WebDriverWait

from config.catalog import load_catalog
from jobs.pipeline import run_downloads
from tests.conftest import free_port, make_settings, serve_fred

pytestmark = pytest.mark.e2e

DEADLINE = 90  # seconds for the page to draw: a loaded machine, a page built cold


@pytest.fixture
def rates_app(tmp_path, httpserver):
    import app as webapp
    from sql.store import get_store

    settings = make_settings(tmp_path, "sqlite", SPARTAN_FRED_BASE_URL=serve_fred(httpserver))
    dash_app = webapp.create_app(settings)
    run_downloads(get_store(), load_catalog(settings), "preload")
    return dash_app


def test_rates_page_shows_the_curve_and_the_grid_with_data(dash_duo, rates_app):
    dash_duo.start_server(rates_app, start_timeout=DEADLINE, port=free_port())
    dash_duo.wait_timeout = DEADLINE  # dash.testing's waits without an explicit timeout
    dash_duo.driver.get(dash_duo.server_url + "/rates")
    # Charts and grids are drawn as they scroll into view (components/lazy.py): look at each.
    for graph in ("graph-rates-curve", "graph-rates-term", "graph-rates-credit"):
        placeholder = dash_duo.find_element(f'.lazy-chart[data-graph="{graph}"]')
        dash_duo.driver.execute_script(
            "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});", placeholder
        )
        dash_duo.wait_for_element(f"#{graph} .js-plotly-plot")
    for placeholder in dash_duo.find_elements(".lazy-grid"):
        dash_duo.driver.execute_script(
            "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});", placeholder
        )
        WebDriverWait(dash_duo.driver, DEADLINE, poll_frequency=0.1).until(
            lambda _d, p=placeholder: p.find_elements(By.CSS_SELECTOR, ".ag-root")
        )
    # Three curve snapshots drawn as lines.
    dash_duo.wait_for_element("#graph-rates-curve .scatterlayer .trace:nth-child(3)")
    # The grid is below the fold of the test window; the browser skips painting rows off screen
    # (their text reads empty there), so bring it into view as a reader scrolling down would.
    grid = dash_duo.find_element(".ag-center-cols-container")
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});", grid)
    dash_duo.wait_for_contains_text(".ag-center-cols-container", "10-Year")
    # Five tenors and three spreads, in two grids (the second may fill a moment after the first).
    rows = ".ag-center-cols-container .ag-row"
    WebDriverWait(dash_duo.driver, DEADLINE, poll_frequency=0.1).until(
        lambda d: len(d.find_elements(By.CSS_SELECTOR, rows)) >= 8
    )
    assert len(dash_duo.find_elements(rows)) == 8
    assert dash_duo.find_element(".spartan-logo").get_attribute("alt")
    assert dash_duo.driver.title.startswith("Rates & spreads")
    assert dash_duo.get_logs() == []
