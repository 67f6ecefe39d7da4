"""The navbar's search box in headless Chromium, on demo data: "/" focuses it, typing lists the
results by kind (the ARIA combobox), the arrow keys and Enter open one in the app without a
reload, Escape closes the list, and Enter on no result opens the /search page.

The box is the navbar's ``#spartan-search`` form, plain HTML in the index page
(components/shell.py)."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.wait import WebDriverWait

from tests.conftest import demo_settings, free_port

pytestmark = pytest.mark.e2e

DEADLINE = 90  # seconds for a page to draw: a loaded machine, a page built cold


@pytest.fixture
def demo_app(demo_root):
    import app as webapp

    return webapp.create_app(demo_settings(demo_root, SPARTAN_RATE_LIMIT_ENABLED="0"))


def search_box(duo):
    """The navbar's search input."""
    return duo.find_element(".spartan-navbar form.spartan-search #spartan-search")


def until(duo, condition, message: str):
    return WebDriverWait(duo.driver, DEADLINE).until(lambda driver: condition(driver), message)


def results(duo) -> list[str]:
    return duo.driver.execute_script(
        "var list = document.getElementById('spartan-search-results');"
        "if (!list || list.hidden) { return []; }"
        "return Array.from(list.querySelectorAll('[role=option]')).map(o => o.textContent);"
    )


def test_typing_in_the_navbar_search_lists_results_and_opens_one_in_the_app(dash_duo, demo_app):
    dash_duo.start_server(demo_app, start_timeout=DEADLINE, port=free_port())
    dash_duo.wait_timeout = DEADLINE
    dash_duo.driver.get(dash_duo.server_url + "/")
    dash_duo.wait_for_element(".spartan-page-title")
    box = search_box(dash_duo)
    dash_duo.driver.execute_script("window.__sameDocument = true;")  # gone after a reload

    # "/" from the page focuses the box.
    ActionChains(dash_duo.driver).send_keys("/").perform()
    until(dash_duo, lambda d: d.switch_to.active_element.get_attribute("id") == "spartan-search", "focused")
    assert box.get_attribute("value") == ""

    box.send_keys("dgs10")
    until(dash_duo, lambda d: any("DGS10" in text for text in results(dash_duo)), "results for dgs10")
    assert box.get_attribute("role") == "combobox" and box.get_attribute("aria-expanded") == "true"
    headings = [h.text for h in dash_duo.find_elements("#spartan-search-results .spartan-search-heading")]
    assert headings[0].lower() == "economic series", headings  # shown in capitals by the CSS
    assert "All results for" in results(dash_duo)[-1]

    box.send_keys(Keys.ARROW_DOWN)
    first = dash_duo.find_element("#spartan-search-results [role=option]")
    assert first.get_attribute("aria-selected") == "true"
    assert box.get_attribute("aria-activedescendant") == first.get_attribute("id")
    box.send_keys(Keys.ENTER)
    until(dash_duo, lambda d: d.current_url.endswith("/series/DGS10?dataset=fred_series"), "opened DGS10")
    dash_duo.wait_for_contains_text(".spartan-page-title", "(DGS10)")
    assert dash_duo.driver.execute_script("return window.__sameDocument === true;"), "the page was reloaded"
    assert "Related series" in dash_duo.find_element(".related-series").text

    # Escape closes the list; Enter on no result opens the /search page for the query.
    box = search_box(dash_duo)
    box.click()
    box.send_keys("treasury")
    until(dash_duo, lambda d: len(results(dash_duo)) > 3, "results for treasury")
    box.send_keys(Keys.ESCAPE)
    until(dash_duo, lambda d: results(dash_duo) == [], "closed by Escape")
    assert box.get_attribute("aria-expanded") == "false"
    box.send_keys(Keys.ENTER)
    until(dash_duo, lambda d: d.current_url.endswith("/search?q=treasury"), "the search page")
    dash_duo.wait_for_contains_text(".search-page", "Treasury yield curve")
    assert dash_duo.driver.execute_script("return window.__sameDocument === true;"), "the page was reloaded"
    assert dash_duo.get_logs() == []
