"""Every query of every Grafana panel, run by a real Prometheus (Debian's ``prometheus``) scraping a
real station: gunicorn with two workers on SQLite, data from a preload and a refresh of the FRED
fixtures, a backup, and some traffic. Each query must return at least one finite value; a metric
misspelt, renamed or never exported fails here rather than as an empty panel in production.

Grafana's own variables are filled in as Grafana would: ``$__rate_interval`` (at least four
scrape intervals) with 30s here, where Prometheus scrapes every second; ``$category`` with
"All" (``.*``)."""

from __future__ import annotations

import contextlib
import json
import math
import os
import re
import shutil
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from monitoring.grafana.boards import BOARDS, data_sources
from monitoring.grafana.panels import targets
from tests.conftest import FRED_CATALOG, ROOT, drop_backend, free_port, make_settings, serve_fred, stop_process
from tests.unit.test_monitoring_rules import tool

PROMETHEUS = shutil.which("prometheus")
GRAFANA_VARIABLES = {"$__rate_interval": "30s", "$category": ".*"}
TRAFFIC = ("/api/system/status", "/api/market/treasury-yields", "/health", "/api/system/sources", "/no-such-page")


def get(url: str, timeout: float = 30) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - local servers
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def wait_for(what: str, check, timeout: float, process: subprocess.Popen, log: Path) -> None:
    """Until ``check()`` is true, failing with the process's log if it dies or time runs out."""
    deadline = time.monotonic() + timeout
    while True:
        assert process.poll() is None, f"{what}: the process ended\n" + log.read_text()[-3000:]
        try:
            if check():
                return
        except OSError:
            pass
        assert time.monotonic() < deadline, f"{what}: not within {timeout} s\n" + log.read_text()[-3000:]
        time.sleep(0.2)


def start(command: list[str], log: Path, env: dict[str, str] | None = None) -> subprocess.Popen:
    with log.open("wb") as out:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)


@pytest.fixture
def station_data(tmp_path, httpserver):
    """A SQLite station after a preload, a refresh and a backup; its settings."""
    from config.catalog import load_catalog
    from jobs import commands
    from jobs.backup import create_backup, record_backup
    from sql.migrate import upgrade
    from sql.store import configure

    settings = make_settings(tmp_path, "sqlite", SPARTAN_FRED_BASE_URL=serve_fred(httpserver))
    store = configure(settings)
    upgrade(settings, store.engine)
    catalog = load_catalog(settings)
    assert commands.preload(store, catalog, show_progress=False, report=False) == 0
    assert commands.refresh(store, catalog, report=False) == 0
    record_backup(store, create_backup(store, tmp_path / "backups"))
    yield settings
    store.engine.dispose()
    drop_backend(settings)


@pytest.fixture
def station(tmp_path, station_data):
    """`gunicorn -c config/gunicorn.conf.py app:server`, 2 workers, on that data; its base URL."""
    port = free_port()
    multiproc = tmp_path / "multiproc"
    multiproc.mkdir()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "SPARTAN_VAR_DIR": str(station_data.var_dir),
        "SPARTAN_SOURCES_FILE": str(FRED_CATALOG),
        "SPARTAN_CACHE_PREFIX": station_data.cache_prefix,
        "SPARTAN_PAGE_WARM_SECONDS": "0",
        "SPARTAN_LOG_FORMAT": "json",
        "PROMETHEUS_MULTIPROC_DIR": str(multiproc),
    }
    log = tmp_path / "gunicorn.log"
    command = [sys.executable, "-m", "gunicorn", "app:server", "-c", "config/gunicorn.conf.py"]
    process = start(command + ["--bind", f"127.0.0.1:{port}", "--workers", "2"], log, env)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for("the station answers", lambda: get(f"{base}/health/live")[0] == 200, 120, process, log)
        yield base
    finally:
        stop_process(process)


@pytest.fixture
def traffic(station):
    """Requests to a few routes (a 404 among them) until the test ends, as a visitor would make."""
    done = threading.Event()

    def visit() -> None:
        while not done.is_set():
            for path in TRAFFIC:
                with contextlib.suppress(OSError):  # the station going away at the end
                    get(station + path)
            done.wait(0.05)

    thread = threading.Thread(target=visit, daemon=True)
    thread.start()
    yield station
    done.set()
    thread.join(timeout=30)


@pytest.fixture
def prometheus(tmp_path, traffic):
    """A real Prometheus scraping the station every second; its base URL."""
    binary = tool(PROMETHEUS, "prometheus")
    port = free_port()
    config = tmp_path / "prometheus.yml"
    target = urllib.parse.urlsplit(traffic).netloc
    config.write_text(
        json.dumps(  # JSON is YAML
            {
                "global": {"scrape_interval": "1s", "scrape_timeout": "1s", "evaluation_interval": "1s"},
                "scrape_configs": [
                    {"job_name": "spartan-web", "metrics_path": "/metrics", "static_configs": [{"targets": [target]}]}
                ],
            }
        )
    )
    log = tmp_path / "prometheus.log"
    process = start(
        [binary, f"--config.file={config}", f"--storage.tsdb.path={tmp_path / 'tsdb'}"]
        + [f"--web.listen-address=127.0.0.1:{port}", "--log.level=warn"],
        log,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for("prometheus is ready", lambda: get(f"{base}/-/ready")[0] == 200, 60, process, log)
        # Enough scrapes for a rate over the 30 s window: at least three of the station, each up.
        wait_for(
            "three scrapes of the station",
            lambda: _finite(query(base, 'count_over_time(up{job="spartan-web"}[30s]) >= 3')),
            60,
            process,
            log,
        )
        yield base
    finally:
        stop_process(process)


def query(base: str, expr: str) -> list[dict]:
    """``/api/v1/query`` at the present; the result's series (an error is a failure, not empty)."""
    status, body = get(f"{base}/api/v1/query?" + urllib.parse.urlencode({"query": expr}))
    answer = json.loads(body)
    assert status == 200 and answer["status"] == "success", f"{expr}: {answer.get('error')}"
    result = answer["data"]["result"]
    return [result] if answer["data"]["resultType"] == "scalar" else result


def _finite(result: list) -> bool:
    values = [item[1] if isinstance(item, list) else item["value"][1] for item in result]
    return any(math.isfinite(float(value)) for value in values)


def substitute(expr: str) -> str:
    for name, value in GRAFANA_VARIABLES.items():
        expr = expr.replace(name, value)
    assert "$" not in expr, f"a Grafana variable the test does not know: {expr}"
    return expr


def all_queries() -> list[tuple[str, str, str]]:
    return [(name, title, expr) for name, build in BOARDS.items() for title, expr in targets(build())]


def test_every_panel_query_returns_data_from_a_real_prometheus(prometheus):
    """And the Data sources board's category variable lists the catalog's category."""
    pending = {(name, title, expr): substitute(expr) for name, title, expr in all_queries()}
    assert len(pending) >= 30
    # Rates need traffic inside their window and the histograms a few scrapes: wait until each
    # query has a finite value, up to a deadline, then report every one that never had.
    deadline = time.monotonic() + 40
    while pending and time.monotonic() < deadline:
        for key, expr in list(pending.items()):
            if _finite(query(prometheus, expr)):
                del pending[key]
        if pending:
            time.sleep(0.5)
    assert not pending, "queries without a finite result:\n" + "\n".join(
        f"  {name} / {title}: {expr}" for (name, title, expr) in pending
    )
    # The Data sources board's variable: label_values() is Grafana's, through the labels API.
    (variable,) = data_sources()["templating"]["list"]
    metric, label = re.fullmatch(r"label_values\((\w+), (\w+)\)", variable["definition"]).groups()
    params = urllib.parse.urlencode({"match[]": metric})
    status, body = get(f"{prometheus}/api/v1/label/{label}/values?{params}")
    assert status == 200
    assert "economic" in json.loads(body)["data"]  # the FRED catalog's one category
