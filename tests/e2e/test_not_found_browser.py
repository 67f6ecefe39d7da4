"""A path that is no page, in headless Chromium: the server answers 404 with the app shell, the
pages router draws the Spartan not-found page into it, and navigation goes on from there."""

from __future__ import annotations

import pytest

from tests.conftest import drop_backend, make_settings

pytestmark = pytest.mark.e2e

DEADLINE = 90  # seconds for a page to draw: a loaded machine, a page built cold


@pytest.fixture
def empty_app(tmp_path):
    import app as webapp

    settings = make_settings(tmp_path, "sqlite")
    yield webapp.create_app(settings)
    drop_backend(settings)


def test_an_unknown_path_shows_the_not_found_page_and_navigation_goes_on(dash_duo, empty_app):
    dash_duo.start_server(empty_app, start_timeout=DEADLINE)
    dash_duo.wait_timeout = DEADLINE
    dash_duo.driver.get(dash_duo.server_url + "/no-such-page")
    dash_duo.wait_for_text_to_equal(".spartan-page-title", "Page not found")
    assert dash_duo.find_element(".spartan-logo").get_attribute("alt")
    assert dash_duo.driver.title.startswith("Page not found")
    logs = [entry["message"] for entry in dash_duo.get_logs()]
    assert all("404" in message for message in logs), logs  # the document's own status, nothing else

    dash_duo.find_element(".not-found a[href='/api-docs']").click()  # a client-side navigation
    dash_duo.wait_for_text_to_equal(".spartan-page-title", "REST API")
    # And back to a path that is no page, without a reload: the router draws the same page.
    dash_duo.driver.execute_script(
        "window.history.pushState({}, '', '/another/missing/page');"
        "window.dispatchEvent(new CustomEvent('_dashprivate_pushstate'));"
    )
    dash_duo.wait_for_text_to_equal(".spartan-page-title", "Page not found")
    assert dash_duo.get_logs() == []
