"""Page load time and bytes of every dashboard in headless Chromium, cold and warm.

    python -m bench.dashboards [--var-dir DIR] [--workers 2] [--threads 4]

Five years of demo data (``jobs.demo.seed_demo``, shipped catalog) go into a throwaway SQLite
directory, unless ``--var-dir`` already holds data (an empty ``--var-dir`` is seeded and kept).
The web runs as in production, ``gunicorn app:server``, on a free port with a fresh, empty cache
directory. One headless Chromium (selenium, the chromedriver on PATH) then loads every page:

- cold: each page once, in turn, with the browser cache cleared first — the first visit of a
  user, on a server that has not yet read this page's data (datasets an earlier page read are
  cached by then);
- warm: each page again, browser and server caches filled.

Time is from navigation start to fully rendered, polled in the page every 10 ms and read with
``performance.now()``: page content in, every chart's SVG drawn, every AG Grid with rows, no
Dash loading state. Bytes are what crossed the network for that page load (the Chrome DevTools
``Network.loadingFinished`` ``encodedDataLength``, headers included, summed over the load).
"Server" is the page's own build as the browser saw it: its ``/_dash-layout`` request from sent to
first byte back (Resource Timing), cold and warm; with ``--no-warm`` a cold visit is also the
server's first build of that page. Figures are printed, nothing is asserted.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REFERENCE_PATHS = ("/bare", "/chart-grid")  # bench/reference_pages.py
GOAL_WARM_MS, GOAL_COLD_MS, GOAL_WARM_RATIO = 1000, 1500, 1.25  # issue: what users see
DETAIL_PAGES = ("/instrument/SPX", "/series/UNRATE")  # measured when their template is registered

# True once the page's first screen is fully rendered, else what is missing: page content in,
# every chart on the first screen drawn (charts further down are drawn as they scroll into view:
# components/lazy.py), every drawn chart's SVG there, every AG Grid with rows, no
# Dash loading state.
RENDERED_JS = """
const content = document.getElementById('_pages_content');
if (document.querySelector('._dash-loading')) return 'the Dash app is loading';
if (!content || !content.children.length) return 'no page content';
const screen = window.innerHeight;
for (const p of document.querySelectorAll('.lazy-part')) {
  const box = p.getBoundingClientRect();
  const drawn = p.classList.contains('lazy-grid') ? !!p.querySelector('.ag-root')
    : p.classList.contains('lazy-panel') ? p.children.length > 0 : !!p.querySelector('.js-plotly-plot .main-svg');
  if (box.top < screen && box.bottom > 0 && !drawn) {
    return p.id + ' (first screen) not drawn';
  }
}
for (const g of document.querySelectorAll('[id^="graph-"]')) {
  if (!g.querySelector('.js-plotly-plot .main-svg')) return 'chart ' + g.id + ' not drawn';
}
for (const g of document.querySelectorAll('[id*=\\'"type":"grid"\\']')) {
  if (!g.querySelector('.ag-center-cols-container .ag-row')) return 'grid ' + g.id + ' without rows';
}
if (document.querySelector('[data-dash-is-loading="true"]')) return 'a component is loading';
return true;
"""

# Polls RENDERED_JS every 10 ms; calls back with the time since navigation start, and what
# the page holds (or, after the timeout, what was still missing).
WAIT_JS = (
    """
const done = arguments[arguments.length - 1];
const timeout = arguments[0];
function rendered() {"""
    + RENDERED_JS
    + """}
function poll() {
  const state = rendered();
  if (state === true || performance.now() > timeout) {
    done({
      ms: performance.now(),
      missing: state === true ? null : state,
      server: (() => {
        const entry = performance.getEntriesByType('resource').find(r => r.name.includes('/_dash-layout'));
        return entry && entry.responseStart > 0 ? entry.responseStart - entry.requestStart : null;
      })(),
      charts: document.querySelectorAll('.lazy-chart').length
        + document.querySelectorAll('[id^="graph-"]:not(.lazy-part *)').length,
      grids: document.querySelectorAll('[id*=\\'"type":"grid"\\']').length,
    });
  } else {
    setTimeout(poll, 10);
  }
}
poll();
"""
)


@dataclass
class Load:
    ms: float
    bytes: int
    requests: int
    charts: int
    grids: int
    errors: int
    missing: str | None
    first_error: str = ""
    server_ms: float | None = None  # the page's layout request: sent to first byte back


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def has_data(settings) -> bool:
    import sqlalchemy as sa

    from sql.datasets import DATASETS
    from sql.schema import table
    from sql.store import configure

    if not Path(settings.var_dir, "spartan.db").exists() and settings.database_url.startswith("sqlite"):
        return False
    engine = configure(settings).engine
    try:
        with engine.connect() as conn:
            return any(
                conn.execute(sa.select(table(spec.table)).limit(1)).first() is not None for spec in DATASETS.values()
            )
    except sa.exc.SQLAlchemyError:
        return False


def seed(settings) -> None:
    from config.catalog import load_catalog
    from jobs.demo import seed_demo
    from sql.migrate import upgrade
    from sql.store import configure

    started = time.perf_counter()
    store = configure(settings)
    upgrade(settings, store.engine)
    rows = seed_demo(store, load_catalog(settings))
    print(f"seeded {sum(rows.values()):,} demo rows in {time.perf_counter() - started:.0f} s into {settings.var_dir}")


def page_paths(settings) -> list[str]:
    """Every registered page without a path template, and the detail pages that exist."""
    import dataclasses

    import dash

    import app as webapp
    from pages.routing import is_not_found

    webapp.create_app(dataclasses.replace(settings, page_warm_seconds=0))  # the web warms, not this process
    pages = sorted(
        (p for p in dash.page_registry.values() if not p.get("path_template") and not is_not_found(p)),
        key=lambda p: (99 if p.get("order") is None else p["order"], p["path"]),
    )
    templates = {p["path_template"].split("<")[0] for p in dash.page_registry.values() if p.get("path_template")}
    return [p["path"] for p in pages] + [p for p in DETAIL_PAGES if p.rsplit("/", 1)[0] + "/" in templates]


def wait_http(url: str, server: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the web server exited with {server.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - our own local server
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s")


def wait_warmed(log: Path, server: subprocess.Popen, workers: int, timeout: float = 300) -> None:
    """Until a web process logged that it warmed the cache for every page, and each of the
    ``workers`` that it drew every dashboard from it (pages/warm.py): a page visited earlier
    would be measured beside that work."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if server.poll() is not None:
            raise RuntimeError(f"the web server exited with {server.returncode}")
        lines = [json.loads(line) for line in log.read_text(errors="replace").splitlines() if '"pages.warm"' in line]
        warmed = [r["message"] for r in lines if r["message"].startswith("warmed")]
        drawn = [r["message"] for r in lines if r["message"].startswith("drew")]
        if warmed and len(drawn) >= workers:
            print(f"pages warmed and drawn by the web in {time.monotonic() - started:.0f} s: {warmed[0]}; {drawn}")
            return
        time.sleep(0.5)
    raise RuntimeError(f"no page warming and drawing by {workers} workers logged within {timeout:.0f} s")


def browser():
    from selenium import webdriver

    options = webdriver.ChromeOptions()
    for arg in ("--headless", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1400,1000"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "SEVERE"})
    driver = webdriver.Chrome(options=options)
    driver.set_script_timeout(120)
    driver.execute_cdp_cmd("Network.enable", {})
    return driver


def network_totals(driver, settle: float = 0.3, timeout: float = 5) -> tuple[int, int]:
    """Bytes and requests (those not answered from the browser cache) of the load under way:
    performance-log events until every request has finished (or failed) and nothing new came
    for ``settle`` seconds."""
    sent, ended, cached, size = set(), set(), set(), 0
    quiet_since, deadline = time.monotonic(), time.monotonic() + timeout
    while time.monotonic() < deadline:
        entries = driver.get_log("performance")
        for entry in entries:
            message = json.loads(entry["message"])["message"]
            method, params = message.get("method"), message.get("params", {})
            if method == "Network.requestWillBeSent":
                sent.add(params["requestId"])
            elif method == "Network.loadingFinished":
                ended.add(params["requestId"])
                size += int(params.get("encodedDataLength", 0))
            elif method == "Network.requestServedFromCache":
                cached.add(params["requestId"])
            elif method == "Network.loadingFailed":
                ended.add(params["requestId"])
        if entries:
            quiet_since = time.monotonic()
        elif not (sent - ended) and time.monotonic() - quiet_since >= settle:
            break
        time.sleep(0.05)
    return size, len(sent - cached)


def load(driver, url: str, cold: bool) -> Load:
    driver.get("about:blank")
    if cold:
        driver.execute_cdp_cmd("Network.clearBrowserCache", {})
    driver.get_log("performance")
    driver.get_log("browser")
    driver.get(url)
    page = driver.execute_async_script(WAIT_JS, 60_000)
    size, requests = network_totals(driver)
    errors = [entry["message"] for entry in driver.get_log("browser")]
    return Load(
        page["ms"],
        size,
        requests,
        page["charts"],
        page["grids"],
        len(errors),
        page["missing"],
        "".join(errors[:1]),
        page["server"],
    )


def kib(n: float) -> str:
    return f"{n / 1024:,.0f}"


def server(run: Load) -> str:
    return "-" if run.server_ms is None else f"{run.server_ms:,.0f}"


def report(results: dict[str, dict[str, Load]]) -> None:
    width = max(len(p) for p in results)
    head = (
        f"{'page':{width}}  {'cold ms':>8} {'warm ms':>8}  {'server cold/warm':>16}  {'cold KiB':>9} {'warm KiB':>9}"
        f"  {'requests':>9}  charts grids"
    )
    print(head)
    print("-" * len(head))
    for path, runs in results.items():
        cold, warm = runs["cold"], runs["warm"]
        flags = []
        if cold.errors or warm.errors:
            first = (cold.first_error or warm.first_error)[:160]
            flags.append(f"console errors {cold.errors}/{warm.errors}, first: {first}")
        for kind, run in runs.items():
            if run.missing:
                flags.append(f"{kind}: not rendered ({run.missing})")
        print(
            f"{path:{width}}  {cold.ms:8.0f} {warm.ms:8.0f}  {server(cold):>7} / {server(warm):<6}  "
            f"{kib(cold.bytes):>9} {kib(warm.bytes):>9}  "
            f"{cold.requests:>4}/{warm.requests:<4}  {warm.charts:>6} {warm.grids:>5}  {'; '.join(flags)}"
        )
    print()
    station = {name: runs for name, runs in results.items() if not name.startswith("reference ")}
    for kind in ("cold", "warm"):
        times = {path: runs[kind].ms for path, runs in station.items()}
        slowest = max(times, key=times.get)
        sizes = [runs[kind].bytes for runs in station.values()]
        print(
            f"{kind}: median {statistics.median(times.values()):,.0f} ms, slowest {slowest} "
            f"{times[slowest]:,.0f} ms, total {sum(times.values()) / 1000:,.1f} s for {len(times)} pages | "
            f"median {kib(statistics.median(sizes))} KiB, largest {kib(max(sizes))} KiB, "
            f"total {sum(sizes) / 1024 / 1024:,.1f} MiB"
        )
        builds = {path: runs[kind].server_ms for path, runs in station.items() if runs[kind].server_ms is not None}
        if builds:
            slowest = max(builds, key=builds.get)
            print(
                f"{kind} server (layout request to first byte): median {statistics.median(builds.values()):,.0f} ms, "
                f"slowest {slowest} {builds[slowest]:,.0f} ms"
            )
    reference = results.get("reference /chart-grid")
    if reference:
        warm_median = statistics.median(runs["warm"].ms for runs in station.values())
        print(
            f"\nwarm median / one-chart reference page (warm {reference['warm'].ms:,.0f} ms): "
            f"{warm_median / reference['warm'].ms:.2f} (goal ≤ {GOAL_WARM_RATIO})"
        )
    over_warm = [p for p, runs in station.items() if runs["warm"].ms > GOAL_WARM_MS]
    over_cold = [p for p, runs in station.items() if runs["cold"].ms > GOAL_COLD_MS]
    print(f"pages over {GOAL_WARM_MS} ms warm: {len(over_warm)} {' '.join(over_warm)}")
    print(f"pages over {GOAL_COLD_MS} ms cold: {len(over_cold)} {' '.join(over_cold)}")


def start_web(target: str, port: int, args, env: dict, log_path: Path) -> subprocess.Popen:
    """``gunicorn target`` as in production (config/gunicorn.conf.py, the workers and threads
    asked for) on ``port``, its output to ``log_path``."""
    from bench.api_load import gunicorn

    return gunicorn(target, env, port, args.workers, args.threads, log_path)


def ready(base: str, server: subprocess.Popen, workers: int, probe: str = "/assets/favicon.ico") -> None:
    """Until every worker answers. Dash sets a process up on its first request, and a request
    arriving while that runs can find no JS bundle registered (plotly/dash#3971): one request at
    a time first, so every worker is set up before the browser's bursts. No page data is read."""
    wait_http(base + probe, server)
    time.sleep(2)  # the other workers finish booting
    for _ in range(10 * workers):
        wait_http(base + probe, server)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--var-dir", type=Path, help="SQLite data directory to use (seeded if it holds no data)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2, as in production)")
    parser.add_argument("--threads", type=int, default=4, help="gunicorn threads per worker (default 4)")
    parser.add_argument(
        "--no-warm",
        action="store_true",
        help="no page warming by the web (pages/warm.py): cold visits then also find the server's cache cold",
    )
    parser.add_argument(
        "--repeat", type=int, default=3, help="warm visits of every page (rounds over all pages); the median is shown"
    )
    args = parser.parse_args()

    from config.settings import load_settings

    scratch = Path(tempfile.mkdtemp(prefix="spartan-bench-pages-"))
    var_dir = args.var_dir.resolve() if args.var_dir else scratch / "var"
    env = {
        **os.environ,
        "SPARTAN_VAR_DIR": str(var_dir),
        "SPARTAN_CACHE_DIR": str(scratch / "cache"),  # every run starts with an empty cache
        "SPARTAN_LOG_LEVEL": "INFO",
        "SPARTAN_LOG_FORMAT": "json",
        "SPARTAN_EMBED_ORIGINS": "",
        "SPARTAN_RATE_LIMIT_ENABLED": "0",  # one browser loading 28 pages twice is not abuse
        "SPARTAN_PAGE_WARM_SECONDS": "0" if args.no_warm else "60",
    }
    for name in ("SPARTAN_DATABASE_URL", "SPARTAN_REDIS_URL"):
        env.pop(name, None)
    settings = load_settings(env)
    server = reference = driver = None
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        if has_data(settings):
            print(f"using the data in {var_dir}")
        else:
            seed(settings)
        paths = page_paths(settings)
        port = free_port()
        server = start_web("app:server", port, args, env, scratch / "web.log")
        base = f"http://127.0.0.1:{port}"
        ready(base, server, args.workers)
        if not args.no_warm:
            wait_warmed(scratch / "web.log", server, args.workers)
        ref_port = free_port()
        reference = start_web("bench.reference_pages:server", ref_port, args, env, scratch / "reference.log")
        ref_base = f"http://127.0.0.1:{ref_port}"
        ready(ref_base, reference, args.workers, probe="/bare")
        driver = browser()
        version = driver.capabilities.get("browserVersion", "?")
        print(
            f"{len(paths)} pages and {len(REFERENCE_PATHS)} reference pages | gunicorn {args.workers} workers × "
            f"{args.threads} threads | Chromium {version} headless 1400×1000 | {os.cpu_count()} cores\n"
        )
        urls = {path: base + path for path in paths}
        urls.update({f"reference {path}": ref_base + path for path in REFERENCE_PATHS})
        results: dict[str, dict[str, Load]] = {name: {} for name in urls}
        for name, url in urls.items():
            results[name]["cold"] = load(driver, url, cold=True)
        warm: dict[str, list[Load]] = {name: [] for name in urls}
        for _round in range(args.repeat):  # rounds over every page: a slow moment hits each page once
            for name, url in urls.items():
                warm[name].append(load(driver, url, cold=False))
        for name, loads in warm.items():
            served = [run.server_ms for run in loads if run.server_ms is not None]
            results[name]["warm"] = dataclasses.replace(
                loads[0],
                ms=statistics.median(run.ms for run in loads),
                server_ms=statistics.median(served) if served else None,
            )
        report(results)
    finally:
        if driver is not None:
            driver.quit()
        for process in (server, reference):
            if process is not None:
                process.terminate()
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
