"""The preload page in headless Chromium: the banner leads to it while a preload runs, it follows
the status the sidecar writes to the cache without a reload, and shows the result at the end.

Waits are on conditions, with deadlines sized for a loaded machine (the page polls every
``POLL_MS``; a busy browser and server can take many polls to show a change)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.wait import WebDriverWait

from components.preload import POLL_MS
from jobs import status as sidecar_status
from jobs.summary import Attempt, RunSummary
from tests.conftest import free_port, make_settings

pytestmark = pytest.mark.e2e

DEADLINE = 90  # seconds for a change of the status to show on the page


@pytest.fixture
def empty_app(tmp_path):
    """The app on an empty database, the jobs run lock held as a live preload's sidecar holds it
    (a "running" status with no run behind it reads "interrupted")."""
    import app as webapp
    from jobs.locks import run_lock
    from sql.store import get_store

    dash_app = webapp.create_app(make_settings(tmp_path, "sqlite"))
    with run_lock(get_store()) as held:
        assert held
        yield dash_app


def finished_summary() -> RunSummary:
    start = datetime.now(UTC) - timedelta(minutes=2)
    end = datetime.now(UTC)
    return RunSummary(
        run_id="browser-run",
        kind="preload",
        started_at=start,
        finished_at=end,
        attempts=[
            Attempt("fred_graph", "treasury_yields", "10Y", start, end, "ok", 200, rows=10),
            Attempt("treasury_direct", "treasury_yields", "2Y", start, end, "failed", 503, error="HTTP 503 upstream"),
        ],
        rows_written={"treasury_yields": 10},
        instruments_total=10,
        instruments_ok=9,
    )


def test_preload_page_follows_the_status_live_until_complete(dash_duo, empty_app):
    sidecar_status.preload_started(10)
    sidecar_status.preload_progress(3, 10, 0, "treasury_yields/2Y")
    dash_duo.start_server(empty_app, start_timeout=DEADLINE, port=free_port())
    dash_duo.wait_timeout = DEADLINE  # dash.testing's waits without an explicit timeout

    # Another page carries the banner; its link opens the progress page (client-side navigation).
    dash_duo.wait_for_contains_text("#preload-banner", "Preload running: 3 of 10 instruments", timeout=DEADLINE)
    WebDriverWait(dash_duo.driver, DEADLINE, ignored_exceptions=(StaleElementReferenceException,)).until(
        lambda d: d.find_element(By.CSS_SELECTOR, "#preload-banner a").click() or True  # looked up afresh
    )
    dash_duo.wait_for_contains_text("#preload-body", "3 of 10 instruments (30%)", timeout=DEADLINE)
    assert dash_duo.find_element("#preload-body").text.count("treasury_yields/2Y") == 1
    dash_duo.wait_for_text_to_equal("#preload-banner", "", timeout=DEADLINE)  # not on the page itself
    assert dash_duo.driver.title.startswith("Preload progress")

    sidecar_status.preload_progress(7, 10, 1, "credit_spreads/HY_OAS")
    dash_duo.wait_for_contains_text("#preload-body", "7 of 10 instruments (70%)", timeout=DEADLINE)
    dash_duo.wait_for_contains_text("#preload-body", "credit_spreads/HY_OAS", timeout=DEADLINE)

    sidecar_status.preload_finished(finished_summary())
    dash_duo.wait_for_contains_text("#preload-result", "Preload complete with 1 failed source(s)", timeout=DEADLINE)
    failures = dash_duo.find_element("#preload-failed-sources").text
    assert "treasury_direct" in failures and "HTTP 503 upstream" in failures
    assert dash_duo.find_element("#preload-state").text == "complete with failures"

    # Complete: the interval is off, so a later status is not picked up without a reload. (Not a
    # wait for something to happen: a window of a few polls in which nothing may change.)
    sidecar_status.preload_started(5)
    time.sleep(2.5 * POLL_MS / 1000)
    assert "Preload complete" in dash_duo.find_element("#preload-result").text
    assert dash_duo.get_logs() == []
