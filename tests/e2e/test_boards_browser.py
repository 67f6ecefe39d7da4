"""Personal boards in headless Chromium (SPARTAN_AUTH=local, on a copy of the demo data): sign in,
pin two panels of the rates page from their Pin links to a new board, see the board draw their
charts, and change it through the board's own forms (drawn by Dash, posted by the browser): a
panel moved up, made full width, taken off."""

from __future__ import annotations

import re

import pytest
from selenium.webdriver.common.by import By

from sql.boards import get_board
from sql.store import get_store
from sql.users import list_users
from tests.conftest import free_port
from tests.e2e.test_auth_browser import local_app, press, sign_in, until  # noqa: F401 - the local_app fixture

pytestmark = pytest.mark.e2e

CHART_DRAWN_JS = """
const panel = document.getElementById(arguments[0]);
if (!panel) return false;
panel.scrollIntoView();
return !!panel.querySelector('.js-plotly-plot .main-svg');
"""
ORDER_JS = "return [...document.querySelectorAll('.board .panel')].map(p => p.id);"


def pin(driver, panel: str, board: str | None = None) -> int:
    """The panel's Pin link on /rates, then the picker: to a new board "Desk", or to ``board``."""
    driver.execute_script(f"document.querySelector('#panel-rates-{panel} a[href^=\"/boards/pin\"]').click();")
    until(driver, lambda d: f"/boards/pin?dashboard=rates&panel={panel}" in d.current_url, "the pin picker")
    if board is None:
        driver.find_element(By.ID, "board-new").send_keys("Desk")
    else:
        driver.execute_script(f"document.getElementById('board-pick').value = '{board}';")
    press(driver, "form[action='/boards/pin'] button[type=submit]")
    until(driver, lambda d: re.search(r"/boards/\d+$", d.current_url), "the board after pinning")
    return int(driver.current_url.rsplit("/", 1)[1])


def test_pin_panels_see_them_on_the_board_and_rearrange_it(dash_duo, local_app):  # noqa: F811
    dash_duo.start_server(local_app, navigate=False, start_timeout=90, port=free_port())
    driver, base = dash_duo.driver, dash_duo.server.url.rstrip("/")
    sign_in(driver, base)  # as the first admin, back at /rates

    until(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#panel-rates-term a[href^='/boards/pin']"), "Pin")
    board_id = pin(driver, "term")
    driver.get(base + "/rates")
    until(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#panel-rates-credit a[href^='/boards/pin']"), "Pin")
    assert pin(driver, "credit", str(board_id)) == board_id

    until(driver, lambda d: d.execute_script(CHART_DRAWN_JS, "panel-rates-credit"), "the credit chart on the board")
    until(driver, lambda d: d.execute_script(CHART_DRAWN_JS, "panel-rates-term"), "the term chart on the board")
    assert driver.find_element(By.TAG_NAME, "h1").text == "Desk"
    assert driver.execute_script(ORDER_JS) == ["panel-rates-term", "panel-rates-credit"]

    press(driver, "#panel-rates-credit button[name=move][value=up]")
    until(driver, lambda d: d.execute_script(ORDER_JS) == ["panel-rates-credit", "panel-rates-term"], "moved up")
    press(driver, "#panel-rates-term button[name=width][value='12']")
    until(
        driver,
        lambda d: "span 12" in (d.find_element(By.ID, "panel-rates-term").get_attribute("style") or ""),
        "the term panel full width",
    )
    press(driver, "#panel-rates-credit button[name=remove]")
    until(driver, lambda d: d.execute_script(ORDER_JS) == ["panel-rates-term"], "the credit panel taken off")

    root = next(u.id for u in list_users(get_store().engine) if u.username == "root")
    owner = get_board(get_store().engine, board_id, root)
    assert [(p.dashboard_id, p.panel_id, p.width) for p in owner.pins] == [("rates", "term", 12)]
