"""Every page in headless Chromium on five years of demo data (shipped catalog, SQLite).

- each registered page (no path template; ``/instrument/SPX`` too when that page exists) loads
  with no console error, draws every chart and fills every grid, with no loading state left;
- a grid's "Export CSV" downloads a file holding the grid's rows and the database's values;
- an embed page renders inside an ``<iframe>`` of an origin named in SPARTAN_EMBED_ORIGINS
  and reports its height to the parent, while a normal page refuses to be framed.

The demo data is seeded once and one server and one browser serve the whole module (the
function-scoped ``dash_duo`` would start both again for every test).

Every wait is on a condition, with a deadline sized for a loaded machine (another suite beside
this one, a page built cold): a slow page passes, only one that never comes fails.
"""

from __future__ import annotations

import json
import re
import threading
from http.server import ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pandas as pd
import pytest
from dash.testing.application_runners import ThreadedRunner
from dash.testing.composite import DashComposite
from selenium.common.exceptions import (
    TimeoutException,
)
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.wait import WebDriverWait

from config.dashboard_specs import load_dashboards
from tests.conftest import demo_settings, free_port
from tests.e2e.page_support import (
    DEADLINE,
    INVENTORY_JS,
    ParentPage,
    click,
    draw_every_chart,
    embed_heights,
    frame_parent,
    number,
    read_download,
    undrawn,
    until,
    wait_rendered,
)

pytestmark = pytest.mark.e2e

INSTRUMENT_PAGES = ("/instrument/SPX",)  # detail pages to load when their template is registered

@pytest.fixture(scope="module")
def parent_origin():
    """A second HTTP server (another port: another origin) serving ``/?src=<url>`` as a page that
    frames ``<url>``."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), ParentPage)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def demo_app(demo_root, parent_origin):
    """The app on five years of demo data for the shipped catalog; the parent origin may embed."""
    import app as webapp

    return webapp.create_app(demo_settings(demo_root, SPARTAN_EMBED_ORIGINS=parent_origin))


@pytest.fixture(scope="module")
def duo(request, tmp_path_factory, demo_app):
    """``dash_duo`` for the whole module: one threaded server, one Chrome (downloads allowed)."""
    config = request.config
    with (
        ThreadedRunner() as server,
        DashComposite(
            server=server,
            browser=config.getoption("webdriver"),
            remote=config.getoption("remote"),
            remote_url=config.getoption("remote_url"),
            headless=config.getoption("headless"),
            options=config.hook.pytest_setup_options(),
            download_path=str(tmp_path_factory.mktemp("download")),
            percy_assets_root=config.getoption("percy_assets"),
            percy_finalize=config.getoption("nopercyfinalize"),
            pause=config.getoption("pause"),
        ) as composite,
    ):
        composite.start_server(demo_app, start_timeout=DEADLINE, port=free_port())
        composite.driver.set_window_size(1400, 1000)
        # Chrome drops downloads in headless mode unless told where to put them (dash sets this
        # too in recent versions; repeated here so the test does not depend on it).
        composite.driver.execute_cdp_cmd(
            "Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": composite.download_path}
        )
        yield composite


@pytest.fixture
def browser(duo):
    """The module's browser, on the top-level document with the console read up to now."""
    duo.driver.switch_to.default_content()
    duo.get_logs()
    yield duo
    duo.driver.switch_to.default_content()


def pages_to_check() -> list[str]:
    import dash

    from pages.routing import is_not_found

    registered = [p for p in dash.page_registry.values() if not is_not_found(p)]  # that one answers 404
    paths = sorted(p["path"] for p in registered if not p.get("path_template"))
    templates = {p["path_template"].split("<")[0] for p in dash.page_registry.values() if p.get("path_template")}
    return paths + [path for path in INSTRUMENT_PAGES if path.rsplit("/", 1)[0] + "/" in templates]


def test_every_page_renders_its_charts_and_grids_without_console_errors(browser):
    pages = pages_to_check()
    assert len(pages) >= 20, pages
    assert {"/system", "/download-log", "/data-quality"} <= set(pages)  # the System menu's pages too
    data_panels = {
        f"panel-{board.id}-{spec.id}" for board in load_dashboards().values() for spec in board.panels if spec.dataset
    }
    problems: dict[str, list[str]] = {}
    charts = grids = 0
    for path in pages:
        browser.driver.get(browser.server_url + path)
        try:
            wait_rendered(browser)
        except AssertionError as exc:
            problems[path] = [str(exc)]
            browser.get_logs()
            continue
        # Below the first screen nothing is drawn until it is seen; a reader scrolling sees it all.
        try:
            draw_every_chart(browser)
        except (AssertionError, TimeoutException) as exc:  # noqa: PERF203 - one page at a time
            problems[path] = [f"scrolling down: {exc}"]
            browser.get_logs()
            continue
        page = browser.driver.execute_script(INVENTORY_JS)
        found = []
        if page["drawn"] != len(page["charts"]):
            found.append(f"{page['drawn']} of {len(page['charts'])} charts drawn")
        if any(rows == 0 for rows in page["grids"]):
            found.append(f"grid rows {page['grids']}")
        if page["spinners"]:
            found.append(f"loading spinners left: {page['spinners']}")
        if page["unbundled"]:
            found.append(f"trace types missing from assets/plotly-spartan.min.js: {page['unbundled']}")
        if page["errors"]:
            found.append(f"Dash errors: {page['errors']}")
        # Demo data fills every dataset: a panel drawing one must not be empty. (Panels of the run
        # history — download log, source health — have nothing to show before a real download.)
        empty = [f"{panel}: {title}" for panel, title in page["empty"] if panel in data_panels]
        if empty:
            found.append(f"panels without data: {empty}")
        if page["pushed"]:
            found.append(f"axis labels wider than the margins fit_margins gave (a second drawing): {page['pushed']}")
        if page["overflowing"]:
            found.append(f"KPI text overflowing its card: {page['overflowing']}")
        if "Spartan Research Station" not in page["title"]:
            found.append(f"title {page['title']!r}")
        logs = [entry["message"] for entry in browser.get_logs()]
        if logs:
            found.append(f"console errors: {logs}")
        if found:
            problems[path] = found
        charts += len(page["charts"])
        grids += len(page["grids"])
    assert not problems, json.dumps(problems, indent=1)
    assert charts >= len(pages) and grids >= 5, (charts, grids)






def test_export_csv_downloads_the_rows_of_the_grid_and_the_database(browser):
    from sql.datasets import DATASETS
    from sql.store import get_store

    folder = Path(browser.download_path)
    for old in folder.iterdir():
        old.unlink()
    browser.driver.get(browser.server_url + "/commodities")
    wait_rendered(browser)
    draw_every_chart(browser)  # the grid is drawn once it is scrolled to
    grid_id = json.dumps({"index": "commodities-table", "type": "grid"}, separators=(",", ":"))
    # What the grid shows, in its order (the rows AG Grid holds after sorting and filtering).
    shown = browser.driver.execute_script(
        "const rows = [];"
        "dash_ag_grid.getApi(arguments[0]).forEachNodeAfterFilterAndSort(n => rows.push(n.data));"
        "return rows;",
        grid_id,
    )
    click(browser, "#panel-commodities-table", ".//button[normalize-space()='Export CSV']")
    rows = read_download(folder, "spartan-commodities-table.csv")

    assert len(rows) == len(shown) >= 20
    assert list(rows[0]) == ["Name", "Symbol", "Last", "Change", "Change %", "Date", "Source"]
    for row, grid_row in zip(rows, shown, strict=True):
        # On screen the symbol is a markdown link to its page ("[CL](/instrument/CL?…)"); the
        # file holds its text.
        assert row["Symbol"] == re.fullmatch(r"\[([^\]]+)\]\(.+\)", grid_row["Symbol"]).group(1), (row, grid_row)
        assert row["Name"] == grid_row["Name"] and row["Date"] == grid_row["Date"], (row, grid_row)
        assert row["Source"] == grid_row["Source"] == "demo"
        for column in ("Last", "Change", "Change %"):
            assert number(row[column]) == pytest.approx(grid_row[column], abs=1e-6), (row, column)

    # Against the database: each contract's newest close and its date.
    spec = DATASETS["commodities"]
    stored = pd.read_sql(
        f'SELECT "{spec.key_column}" AS key, "{spec.date_column}" AS ts, close FROM {spec.table} t '
        f'WHERE "{spec.date_column}" = (SELECT MAX("{spec.date_column}") FROM {spec.table} '
        f'WHERE "{spec.key_column}" = t."{spec.key_column}")',
        get_store().engine,
    ).set_index("key")
    assert len(stored) == len(rows)
    for row in rows:
        assert number(row["Last"]) == pytest.approx(stored.loc[row["Symbol"], "close"], rel=1e-9), row
        assert row["Date"] == str(stored.loc[row["Symbol"], "ts"])[:10], row
    assert browser.get_logs() == []


def pick(browser, panel: str, search: str, option_text: str) -> None:
    """Open the picker of ``panel``, type ``search`` and click the option showing ``option_text``.
    Each step looks its element up afresh: the dropdown redraws its options as one types."""
    search_field = ".dash-dropdown-content input.dash-dropdown-search"

    def opened(driver):
        if driver.find_elements(By.CSS_SELECTOR, search_field):
            return True
        click(browser, f"#panel-{panel} .view-picker .dash-dropdown")
        # A click opens it; give it the time to show before clicking again (which would close it).
        try:
            WebDriverWait(driver, 15, poll_frequency=0.1).until(
                lambda d: d.find_elements(By.CSS_SELECTOR, search_field)
            )
        except Exception:  # noqa: BLE001 - not open yet: the next poll clicks again
            return False
        return True

    def typed(driver):
        field = driver.find_element(By.CSS_SELECTOR, search_field)
        value = field.get_attribute("value")
        if value != search:
            if value:
                field.send_keys(Keys.CONTROL, "a")
                field.send_keys(Keys.BACKSPACE)
            field.send_keys(search)
        return driver.find_element(By.CSS_SELECTOR, search_field).get_attribute("value") == search

    def chosen(driver):
        options = driver.find_elements(By.CSS_SELECTOR, ".dash-dropdown-option")
        option = next((o for o in options if option_text in o.text), None)
        if option is None:
            return False
        option.click()
        return True

    until(browser, opened, f"the picker of {panel} did not open")
    until(browser, typed, f"could not type {search!r} in the picker of {panel}")
    until(browser, chosen, f"no option {option_text!r} in the picker of {panel}")


def test_charts_below_the_first_screen_are_drawn_when_scrolled_to(browser):
    """The first screen is drawn first: a long page's lower charts wait until the reader gets
    there, then draw without a server round trip."""
    browser.driver.get(browser.server_url + "/economy/labor")
    wait_rendered(browser)
    left = undrawn(browser)
    charts = browser.driver.execute_script("return document.querySelectorAll('.lazy-part').length")
    assert left and len(left) < charts, (left, charts)
    server_calls = (
        "return performance.getEntriesByType('resource').filter(e => e.name.includes('_dash-update-component')).length"
    )
    before = browser.driver.execute_script(server_calls)
    draw_every_chart(browser)
    assert undrawn(browser) == []
    assert browser.driver.execute_script(server_calls) == before, "drawing a chart asked the server"
    assert browser.get_logs() == []


def test_printing_draws_every_part_and_the_parts_inside_deferred_panels(browser):
    """A long page's lower panels come as one part each (their bodies), with charts and grids
    inside: printing starts them all, and then what they hold, without scrolling."""
    browser.driver.get(browser.server_url + "/options")
    wait_rendered(browser)
    assert browser.driver.execute_script("return document.querySelectorAll('.lazy-panel:empty').length") > 0
    browser.driver.execute_script("window.dispatchEvent(new Event('beforeprint'));")
    until(browser, lambda _d: undrawn(browser) == [], "every part drawn for printing")
    assert browser.driver.execute_script("return window.scrollY") == 0


def test_the_navbar_menus_open_navigate_in_the_page_and_close(browser):
    """The navbar's menus are native disclosures (no Bootstrap script): one opens at a time, a
    pick navigates without reloading the document and closes the menu, the current page's
    group is marked, and Escape or a click elsewhere closes an open menu."""
    driver = browser.driver
    driver.get(browser.server_url + "/rates")
    wait_rendered(browser)
    driver.execute_script("window.__same_document = true;")  # gone if the document reloads
    opened = "return [...document.querySelectorAll('.spartan-nav-group[open] > summary')].map(s => s.textContent)"
    assert browser.find_element(".spartan-nav-group > summary.active").text.startswith("Rates")

    click(browser, ".spartan-navbar", "//summary[starts-with(normalize-space(.), 'Markets')]")
    until(browser, lambda d: d.execute_script(opened) == ["Markets"], "the Markets menu did not open")
    click(browser, ".spartan-navbar", "//summary[starts-with(normalize-space(.), 'Economy')]")
    until(browser, lambda d: d.execute_script(opened) == ["Economy"], "opening Economy left another menu open")
    driver.find_element(By.TAG_NAME, "body").send_keys(Keys.ESCAPE)
    until(browser, lambda d: d.execute_script(opened) == [], "Escape did not close the menu")

    click(browser, ".spartan-navbar", "//summary[starts-with(normalize-space(.), 'Markets')]")
    click(browser, ".spartan-nav-group[open] a[href='/forex']")
    browser.wait_for_text_to_equal(".spartan-page-title", "Forex matrix")
    assert driver.execute_script("return window.__same_document === true"), "the pick reloaded the page"
    assert driver.execute_script(opened) == []
    assert browser.find_element(".spartan-nav-group > summary.active").text.startswith("Markets")
    assert browser.find_element(".spartan-nav-group a.active").get_attribute("href").endswith("/forex")

    click(browser, ".spartan-navbar", "//summary[starts-with(normalize-space(.), 'Analytics')]")
    until(browser, lambda d: d.execute_script(opened) == ["Analytics"], "the Analytics menu did not open")
    # A click on the page's title, left of the open menu (two columns wide, over the title's middle).
    title = browser.find_element(".spartan-page-title")
    ActionChains(driver).move_to_element(title).move_by_offset(-title.size["width"] // 2 + 20, 0).click().perform()
    until(browser, lambda d: d.execute_script(opened) == [], "a click elsewhere did not close the menu")
    assert browser.get_logs() == []


def test_zooming_into_a_thinned_chart_draws_the_window_at_full_resolution(browser):
    """USD/JPY on /forex is a third of the page wide: its five years are thinned to what that
    width shows. Zoomed to a month it shows every business day of the month; zoomed back out, the
    thinned trace again."""
    browser.driver.get(browser.server_url + "/forex")
    wait_rendered(browser)
    draw_every_chart(browser)
    points = "return document.querySelector('#graph-forex-yen .js-plotly-plot').data[0].x.length"
    thinned = browser.driver.execute_script(points)
    assert 100 < thinned < 1_000, thinned
    assert browser.driver.execute_script(
        "return document.querySelector('#graph-forex-yen .js-plotly-plot').layout.meta.zoom"
    ).startswith("/zoom/forex/yen.json")
    browser.driver.execute_script(
        "const gd = document.querySelector('#graph-forex-yen .js-plotly-plot');"
        "const end = gd.data[0].x[gd.data[0].x.length - 1];"
        "window.Plotly.relayout(gd, {'xaxis.range': [end - 31 * 86400000, end]});"
    )
    until(browser, lambda d: 19 <= d.execute_script(points) <= 24, "the zoomed window was not drawn in full")
    browser.driver.execute_script(
        "window.Plotly.relayout(document.querySelector('#graph-forex-yen .js-plotly-plot'), {'xaxis.autorange': true});"
    )
    until(browser, lambda d: d.execute_script(points) == thinned, "zooming out did not bring the chart back")
    assert browser.get_logs() == []


def test_the_instrument_picker_redraws_the_detail_page_for_the_pick(browser):
    browser.driver.get(browser.server_url + "/indices/detail?range=1Y")
    wait_rendered(browser)
    heading = "#panel-index-detail-detail h3"
    until(browser, lambda d: "(SPX)" in d.find_element(By.CSS_SELECTOR, heading).text, "SPX is not the default")
    pick(browser, "index-detail-detail", "NDX", "(NDX)")
    # The pick moves the URL and the page is drawn again: every element is looked up anew.
    until(browser, lambda d: "compare=NDX" in d.current_url, "the URL did not follow the pick")
    until(browser, lambda d: "(NDX)" in d.find_element(By.CSS_SELECTOR, heading).text, "the heading did not follow")
    wait_rendered(browser)
    assert parse_qs(urlparse(browser.driver.current_url).query) == {"range": ["1Y"], "compare": ["NDX"]}
    # The chart and the panel's CSV link follow the pick; the range chosen before is kept.
    names = browser.driver.execute_script(
        "return document.querySelector('#panel-index-detail-detail .js-plotly-plot').data.map(t => t.name);"
    )
    assert any("NDX" in (name or "") or "Nasdaq" in (name or "") for name in names), names
    csv_link = until(
        browser,
        lambda d: d.find_element(By.CSS_SELECTOR, "#panel-index-detail-detail a[href^='/csv/']").get_attribute("href"),
        "no CSV link on the panel",
    )
    assert "compare=NDX" in csv_link and "range=1Y" in csv_link
    assert browser.get_logs() == []






EMBEDS = [
    pytest.param("/embed/commodities/energy", ["graph-commodities-energy"], id="panel"),
    pytest.param("/commodities?embed=1", ["graph-commodities-energy", "graph-commodities-grains"], id="page"),
]


@pytest.mark.parametrize(("path", "charts"), EMBEDS)
def test_an_embed_renders_in_an_iframe_of_an_allowed_origin(browser, parent_origin, path, charts):
    frame_parent(browser, parent_origin, browser.server_url + path)
    wait_rendered(browser)
    for chart in charts:
        assert browser.driver.execute_script(f"return !!document.querySelector('#{chart} .js-plotly-plot .main-svg')")
    # Embedded: a small credit instead of the navbar and footer.
    assert browser.driver.execute_script(
        "return !document.querySelector('.spartan-navbar, .spartan-footer') && !!document.querySelector('.embed-credit')"
    )
    browser.driver.switch_to.default_content()
    assert browser.get_logs() == []


@pytest.mark.parametrize(
    "path",
    [
        pytest.param("/embed/commodities/energy", id="panel"),
        pytest.param("/commodities?embed=1", id="page"),
    ],
)
def test_an_embed_tells_the_parent_its_height(browser, parent_origin, path):
    frame_parent(browser, parent_origin, browser.server_url + path)
    wait_rendered(browser)
    assert browser.driver.execute_script("return document.documentElement.classList.contains('spartan-embed')")
    heights = embed_heights(browser)
    app_origin = browser.server_url.rstrip("/")
    assert all(h["origin"] == app_origin for h in heights), heights
    assert heights[-1]["height"] > 300, heights
    assert browser.get_logs() == []


def test_a_page_that_is_not_an_embed_refuses_to_be_framed(browser, parent_origin):
    frame_parent(browser, parent_origin, browser.server_url + "/commodities")
    # The browser says in the console that it refused the frame: once it has, nothing else comes.
    logs: list[str] = []

    def refused(_driver):
        logs.extend(entry["message"] for entry in browser.get_logs())
        return any("frame-ancestors" in message for message in logs)

    until(browser, refused, "the browser did not report refusing the frame")
    framed = browser.driver.execute_script(
        "return {url: location.href, app: !!document.querySelector('#_pages_content, #react-entry-point'),"
        " text: document.body ? document.body.innerText.slice(0, 200) : ''}"
    )
    assert not framed["app"], framed
    assert "Commodities" not in framed["text"], framed
    browser.driver.switch_to.default_content()
    assert browser.driver.execute_script("return window.spartanHeights") == []
    logs += [entry["message"] for entry in browser.get_logs()]
    assert logs and all("frame-ancestors" in message for message in logs), logs
