"""The stock screener's filter form in headless Chromium, on demo data: submitting it screens in
the app (no reload), with only the filters set in the URL, and the page shows the screen."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.select import Select
from selenium.webdriver.support.wait import WebDriverWait

from tests.conftest import demo_settings, free_port

pytestmark = pytest.mark.e2e

DEADLINE = 90  # seconds for a page to draw: a loaded machine, a page built cold


@pytest.fixture
def demo_app(demo_root):
    import app as webapp

    return webapp.create_app(demo_settings(demo_root, SPARTAN_RATE_LIMIT_ENABLED="0"))


def test_the_screen_form_screens_in_the_app_with_only_the_set_filters_in_the_url(dash_duo, demo_app):
    dash_duo.start_server(demo_app, start_timeout=DEADLINE, port=free_port())
    dash_duo.wait_timeout = DEADLINE
    driver = dash_duo.driver
    driver.get(dash_duo.server_url + "/equities/screener")
    dash_duo.wait_for_contains_text(".screen-summary", "50 of 50 stocks pass", timeout=DEADLINE)
    driver.execute_script("window.__sameDocument = true;")  # gone after a reload

    Select(dash_duo.find_element(".screen-form select[name='sma200']")).select_by_value("above")
    dash_duo.find_element(".screen-form input[name='r3m_min']").send_keys("5", Keys.ENTER)  # submits

    WebDriverWait(driver, DEADLINE).until(
        lambda d: d.current_url.endswith("/equities/screener?r3m_min=5&sma200=above"), "the screen's URL"
    )
    # The summary is read by script: the page redraws it, and a selenium element found before a
    # redraw goes stale (as it did on CI) before its text is read.
    summary_js = "var e = document.querySelector('.screen-summary'); return e ? e.textContent : '';"
    WebDriverWait(driver, DEADLINE).until(
        lambda d: "50 of 50" not in d.execute_script(summary_js) and " of 50" in d.execute_script(summary_js),
        "the screen applied",
    )
    summary = driver.execute_script(summary_js)
    assert " of 50 stocks pass" in summary and "200-day" in summary, summary
    assert driver.execute_script("return window.__sameDocument === true;"), "the page was reloaded"
    assert dash_duo.get_logs() == []
