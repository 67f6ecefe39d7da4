"""What the page-walking browser tests (test_dashboards_browser.py) ask the browser: whether a
page is rendered, which of its lazy parts are not drawn yet, what it holds; the parent page that
frames an embed; and the waits built on them (every one on a condition, with a deadline sized
for a loaded machine)."""

from __future__ import annotations

import csv
import html
import time
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from selenium.common.exceptions import (
    ElementClickInterceptedException,
    NoSuchElementException,
    StaleElementReferenceException,
)
from selenium.webdriver.common.by import By
from selenium.webdriver.support.wait import WebDriverWait

PAGE_DEADLINE = 120  # seconds for a page to render: a cold build on a loaded 2-core machine
DEADLINE = 60  # seconds for anything else to appear (a download, a redraw, a message)
# A page that re-renders replaces its elements: a reference found a moment ago may be gone.
# Waits look elements up again on every poll instead of failing on such a reference.
TRANSIENT = (NoSuchElementException, StaleElementReferenceException, ElementClickInterceptedException)

# "Rendered": the page content is in, every chart on the first screen has drawn its SVG (charts
# further down are drawn as they scroll into view: components/lazy.py), every drawn
# chart's SVG is there, every grid has rows, and no loading state is left. Returns true, or what
# is still missing.
RENDERED_JS = """
const content = document.getElementById('_pages_content');
if (document.querySelector('._dash-loading')) return 'the Dash app is still loading';
if (!content || !content.children.length) return 'no page content yet';
for (const p of document.querySelectorAll('.lazy-part')) {
  const box = p.getBoundingClientRect();
  const drawn = p.classList.contains('lazy-grid') ? !!p.querySelector('.ag-root')
    : p.classList.contains('lazy-panel') ? p.children.length > 0 : !!p.querySelector('.js-plotly-plot .main-svg');
  if (box.top < window.innerHeight && box.bottom > 0 && !drawn) {
    return p.id + ' (first screen) not drawn';
  }
}
for (const g of document.querySelectorAll('[id^="graph-"]')) {
  if (!g.querySelector('.js-plotly-plot .main-svg')) return 'chart ' + g.id + ' not drawn';
}
for (const g of document.querySelectorAll('[id*=\\'"type":"grid"\\']')) {
  if (!g.querySelector('.ag-center-cols-container .ag-row')) return 'grid ' + g.id + ' has no rows';
}
if (document.querySelector('[data-dash-is-loading="true"]')) return 'a component is loading';
return true;
"""

# The lazy parts (panel bodies, charts, grids) not drawn yet (their placeholders' ids), in page order.
UNDRAWN_JS = """
return [...document.querySelectorAll('.lazy-part')].filter(p => p.classList.contains('lazy-grid')
  ? !p.querySelector('.ag-root') : p.classList.contains('lazy-panel') ? !p.children.length
  : !p.querySelector('.js-plotly-plot .main-svg')).map(p => p.id);
"""

# What the page holds once rendered: charts, grids with their row counts, visible spinners,
# "no data"/"unavailable" states, and Dash's error overlay.
INVENTORY_JS = """
const visible = (e) => !!(e.offsetWidth || e.offsetHeight || e.getClientRects().length);
const spinners = '._dash-loading, ._dash-loading-callback, [data-dash-is-loading="true"], .dash-spinner, '
  + '.dash-default-spinner, [class*="dash-spinner"], .spinner-border, .spinner-grow';
return {
  charts: [...document.querySelectorAll('[id^="graph-"]')].map(g => g.id),
  drawn: [...document.querySelectorAll('[id^="graph-"]')].filter(g => g.querySelector('.js-plotly-plot .main-svg')).length,
  grids: [...document.querySelectorAll('[id*=\\'"type":"grid"\\']')].map(
    g => g.querySelectorAll('.ag-center-cols-container .ag-row').length),
  spinners: [...document.querySelectorAll(spinners)].filter(visible).map(e => e.className || e.tagName),
  empty: [...document.querySelectorAll(".empty-state")].map(e => [(e.closest("section.panel") || {}).id || "", e.innerText.split("\\n")[0]]),
  // plotly.js draws a trace of a type its bundle lacks as an empty scatter: list those.
  unbundled: [...document.querySelectorAll('.js-plotly-plot')].flatMap(gd => (gd.data || [])
    .map((t, i) => t.type || 'scatter').filter((type, i) => !gd._fullData || !gd._fullData[i] || gd._fullData[i].type !== type)),
  errors: [...document.querySelectorAll('.dash-fe-error__title, .dash-debug-menu__error-count')]
    .map(e => e.innerText),
  title: document.title,
  // Charts whose axis labels did not fit the margins the server gave them: plotly then widened
  // them and drew the chart a second time (components/axes.fit_margins avoids that).
  pushed: [...document.querySelectorAll('.js-plotly-plot')].flatMap(gd => {
    const L = gd._fullLayout;
    if (!L || !L._pushmargin) return [];
    const axes = Object.entries(L._pushmargin).filter(([name]) => name.includes('automargin'));
    return ['l', 'r', 't', 'b'].filter(side => axes.some(([, push]) => push[side] && push[side].size > L.margin[side] + 0.5))
      .map(side => ((gd.closest('[id^="graph-"]') || gd).id) + ' ' + side);
  }),
  // KPI text wider than its card (clipped or spilling over): the card's id path and the text.
  overflowing: [...document.querySelectorAll('.kpi')].flatMap(card => {
    const box = card.getBoundingClientRect();
    return [...card.children].filter(line => {
      const r = line.getBoundingClientRect();
      return line.scrollWidth > line.clientWidth + 1 || r.right > box.right + 1 || r.left < box.left - 1;
    }).map(line => ((card.closest('section.panel') || {}).id || '') + ': ' + line.innerText);
  }),
};
"""

# The parent page, on another origin: one iframe, and every height the frame posts kept in window.
PARENT_HTML = """<!doctype html>
<html><head><meta charset="utf-8"><title>parent</title></head><body>
<script>
window.spartanHeights = [];
window.addEventListener("message", function (event) {{
  if (event.data && event.data.type === "spartan-embed-height") {{
    window.spartanHeights.push({{origin: event.origin, height: event.data.height}});
  }}
}});
</script>
<iframe id="frame" src="{src}" title="embedded" width="1000" height="700" style="border:0"></iframe>
</body></html>
"""


class ParentPage(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - http.server's name
        src = parse_qs(urlparse(self.path).query).get("src", [""])[0]
        body = PARENT_HTML.format(src=html.escape(src, quote=True)).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def until(browser, condition, message: str, timeout: float = DEADLINE):
    """``condition(driver)``'s first truthy value, polled until ``timeout``; a lookup that finds
    nothing yet or an element the page has just replaced is polled again, not an error."""
    wait = WebDriverWait(browser.driver, timeout, poll_frequency=0.1, ignored_exceptions=TRANSIENT)
    return wait.until(condition, f"{message} (after {timeout}s)")


def wait_rendered(duo, timeout: float = PAGE_DEADLINE) -> None:
    state = {"last": None}

    def rendered(driver):
        state["last"] = driver.execute_script(RENDERED_JS)
        return state["last"] is True

    try:
        WebDriverWait(duo.driver, timeout, poll_frequency=0.1).until(rendered)
    except Exception as exc:
        raise AssertionError(f"{duo.driver.current_url} not rendered after {timeout}s: {state['last']}") from exc


def undrawn(duo) -> list[str]:
    return duo.driver.execute_script(UNDRAWN_JS)


def draw_every_chart(duo) -> None:
    """Scroll as a reader would until every chart and grid of the page has been drawn."""
    for _ in range(150):  # a deferred panel's body, then its charts and grids
        left = undrawn(duo)
        if not left:
            break
        duo.driver.execute_script(
            "document.getElementById(arguments[0]).scrollIntoView({block: 'center', behavior: 'instant'});",
            left[0],
        )
        until(duo, lambda _d, part=left[0]: part not in undrawn(duo), f"{left[0]} not drawn in view")
    wait_rendered(duo)


def click(browser, css: str, xpath: str | None = None) -> None:
    """Scroll the element at ``css`` (then ``xpath`` inside it) into view and click it, looking it
    up again if the page replaced it in between."""

    def clicked(driver):
        element = driver.find_element(By.CSS_SELECTOR, css)
        if xpath:
            element = element.find_element(By.XPATH, xpath)
        # Bootstrap scrolls smoothly: bring the element into view at once, or the click lands short.
        driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});", element)
        element.click()
        return True

    until(browser, clicked, f"could not click {css} {xpath or ''}")


def read_download(folder: Path, name: str, timeout: float = DEADLINE) -> list[dict[str, str]]:
    path = folder / name
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and not list(folder.glob("*.crdownload")) and path.stat().st_size:
            with path.open(newline="", encoding="utf-8-sig") as handle:
                return list(csv.DictReader(handle))
        time.sleep(0.1)
    raise AssertionError(f"{name} not downloaded to {folder}: {[p.name for p in folder.iterdir()]}")


def number(text: str) -> float:
    return float(text.replace(",", "").replace("\u2212", "-"))


def frame_parent(browser, parent_origin: str, src: str) -> None:
    from urllib.parse import quote

    browser.driver.get(f"{parent_origin}/?src={quote(src, safe='')}")
    frame = browser.find_element("#frame")
    browser.driver.switch_to.frame(frame)


def embed_heights(browser, timeout: float = DEADLINE) -> list[dict]:
    browser.driver.switch_to.default_content()
    WebDriverWait(browser.driver, timeout, poll_frequency=0.1).until(
        lambda d: d.execute_script("return window.spartanHeights.length > 0")
    )
    return browser.driver.execute_script("return window.spartanHeights")
