"""Logins in headless Chromium (SPARTAN_AUTH=local, on a copy of the demo data): sign in through
the form and see a dashboard draw, make a signed embed link in the Embed dialog, sign out and be
sent to the login on the next page, a session cookie replayed after the logout refused, the embed
link drawing its chart without a session, and refused once expired."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.wait import WebDriverWait
from sqlalchemy import update

from sql.schema_users import embed_links
from sql.store import get_store
from tests.conftest import SHIPPED_CATALOG, free_port, make_settings
from tests.integration.test_auth_routes import ADMIN_PASSWORD, local_env

pytestmark = pytest.mark.e2e

DEADLINE = 90  # seconds for a page to draw: a loaded machine, a page built cold
# The panel is scrolled into view first: a dashboard draws its charts as they come into view.
CHART_DRAWN_JS = """
const panel = document.getElementById('panel-rates-term');
if (!panel) return false;
panel.scrollIntoView();
return !!panel.querySelector('.js-plotly-plot .main-svg');
"""


@pytest.fixture
def local_app(demo_root, tmp_path):
    """The station with logins on, over its own copy of the demo database (the demo stays read-only)."""
    import app as webapp

    (tmp_path / "var").mkdir()
    shutil.copy(demo_root / "var" / "spartan.db", tmp_path / "var" / "spartan.db")
    settings = make_settings(tmp_path, "sqlite", SPARTAN_SOURCES_FILE=SHIPPED_CATALOG, **local_env())
    return webapp.create_app(settings)


def until(driver, condition, message: str) -> None:
    WebDriverWait(driver, DEADLINE, poll_frequency=0.2).until(condition, message)


def press(driver, css: str) -> None:
    """Click a button by script: the small login-frame pages may lay one under another element
    in a small headless window, which a native click refuses."""
    driver.execute_script("arguments[0].click();", driver.find_element(By.CSS_SELECTOR, css))


def sign_in(driver, base: str) -> None:
    driver.get(base + "/rates")
    until(driver, lambda d: "/login?next=%2Frates" in d.current_url, "the login page, to return to /rates")
    driver.find_element(By.ID, "username").send_keys("root")
    driver.find_element(By.ID, "password").send_keys(ADMIN_PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    until(driver, lambda d: d.current_url == base + "/rates", "back at /rates after signing in")


def make_embed_link(driver, base: str) -> str:
    """The panel's Embed action, the dialog's button, and the link it shows."""
    driver.execute_script("document.querySelector('#panel-rates-term a[href^=\"/account/embed\"]').click();")
    until(driver, lambda d: "/account/embed?dashboard=rates&panel=term" in d.current_url, "the Embed dialog")
    press(driver, "form[action='/account/embed'] button[type=submit]")
    until(driver, lambda d: d.find_elements(By.ID, "embed-link"), "the link made")
    link = driver.find_element(By.ID, "embed-link").get_attribute("value")
    assert link.startswith(base + "/embed/rates/term?token="), link
    return link


def test_sign_in_draw_embed_sign_out_and_be_refused(dash_duo, local_app):
    # Not navigate=True: it waits for the app at "/", which sends an anonymous browser to the login.
    dash_duo.start_server(local_app, navigate=False, start_timeout=DEADLINE, port=free_port())
    driver, base = dash_duo.driver, dash_duo.server.url.rstrip("/")

    sign_in(driver, base)
    until(driver, lambda d: d.execute_script(CHART_DRAWN_JS), "the term spreads chart drawn")
    link = make_embed_link(driver, base)
    session_cookie = driver.get_cookie("spartan_session")
    assert session_cookie is not None

    driver.get(base + "/account")
    press(driver, "form[action='/logout'] button")
    until(driver, lambda d: d.current_url.startswith(base + "/login"), "the login page after signing out")
    driver.get(base + "/indices")
    until(driver, lambda d: "/login?next=%2Findices" in d.current_url, "refused: sent to the login")

    # The cookie of the ended session, put back: the server has revoked it.
    driver.add_cookie({"name": "spartan_session", "value": session_cookie["value"], "path": "/"})
    driver.get(base + "/indices")
    until(driver, lambda d: "/login?next=%2Findices" in d.current_url, "a replayed session cookie refused")

    # The embed link draws its panel without a session ...
    driver.delete_all_cookies()
    driver.get(link)
    until(driver, lambda d: d.execute_script(CHART_DRAWN_JS), "the embedded chart drawn without a session")
    assert not driver.find_elements(By.CSS_SELECTOR, ".spartan-navbar")

    # ... until it expires.
    with get_store().engine.begin() as conn:
        conn.execute(update(embed_links).values(expires_at=datetime.now(UTC) - timedelta(minutes=1)))
    driver.get(link)
    until(driver, lambda d: "This embed link expired on" in d.find_element(By.TAG_NAME, "body").text, "refused")
    assert not driver.find_elements(By.CSS_SELECTOR, ".js-plotly-plot")
