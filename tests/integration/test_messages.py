"""What a new user sees offline: one failing-sources line per page naming only that page's
sources, empty panels that say how to get demo data, a preload whose terminal output is one
line per failed source, one log line per request in a terminal, embeds by page path."""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys

import pytest

from config.catalog import load_catalog
from datasources.http import HttpClient
from jobs.pipeline import run_downloads
from tests.conftest import ROOT, SHIPPED_CATALOG, drop_backend, make_settings

OFFLINE = {"SPARTAN_BASE_URL_ALL": "http://127.0.0.1:9", "SPARTAN_HTTP_RETRIES": "0"}


def layout_of(dash_app, path: str):
    from dash._pages import _path_to_page

    page, variables = _path_to_page(path.strip("/"))
    assert page, f"no page registered at {path}"
    with dash_app.server.test_request_context(path):
        return page["layout"](**(variables or {}))


def dumped(component) -> str:
    from plotly.utils import PlotlyJSONEncoder

    return json.dumps(component, cls=PlotlyJSONEncoder)


def find(component, class_part: str) -> list:
    """Every component under ``component`` whose className holds ``class_part``."""
    found = []
    if isinstance(component, list | tuple):
        for child in component:
            found += find(child, class_part)
        return found
    if class_part in (getattr(component, "className", None) or "").split():
        found.append(component)
    children = getattr(component, "children", None)
    if children is not None and not isinstance(children, str):
        found += find(children, class_part)
    return found


def text_of(component) -> str:
    if isinstance(component, str):
        return component
    if isinstance(component, list | tuple):
        return "".join(text_of(c) for c in component)
    children = getattr(component, "children", None)
    return text_of(children) if children is not None else ""


def names_in(line) -> set[str]:
    """The sources a failing-sources line's tooltip names ("error: a, b" per line)."""
    return {name for row in line.title.splitlines() for name in row.rsplit(": ", 1)[1].split(", ")}


@pytest.fixture
def shipped_web(tmp_path, backend):
    """The app with the shipped catalog on an empty database, every source unreachable."""
    import app as webapp

    settings = make_settings(tmp_path, backend, SPARTAN_SOURCES_FILE=SHIPPED_CATALOG, **OFFLINE)
    dash_app = webapp.create_app(settings)
    yield dash_app, settings
    drop_backend(settings)


def test_the_failing_sources_line_counts_only_the_sources_of_the_page_shown(shipped_web):
    from sql import read
    from sql.store import get_store

    dash_app, settings = shipped_web
    catalog = load_catalog(settings)
    run_downloads(get_store(), catalog, "preload", datasets=["crypto_prices"], client=HttpClient(settings))
    health = read.source_health()
    failing = set(health.loc[health["state"].isin(["failing", "circuit_open"]), "source_id"])
    crypto = {p.source for i in catalog.for_dataset("crypto_prices") for p in i.providers}
    assert failing and failing <= crypto

    (line,) = find(layout_of(dash_app, "/crypto"), "failing-sources")
    text = text_of(line)
    assert text.startswith(f"{len(failing)} sources unreachable (offline?): ") and text.endswith(" · details")
    assert line.children[-1].href == "/system#panel-system-sources"
    # Every source failed the same way: the error is told once, with the sources it hit.
    errors = set(health.loc[health["source_id"].isin(failing), "last_error"])
    assert len(line.title.splitlines()) == len(errors)
    for error in errors:
        assert line.title.count(error) == 1

    # The home page shows three coins: only the sources of those three count.
    coins = {i.key: {p.source for p in i.providers} for i in catalog.for_dataset("crypto_prices")}
    home_coins = coins["BTCUSD"] | coins["ETHUSD"] | coins["SOLUSD"]
    (home,) = find(layout_of(dash_app, "/"), "failing-sources")
    assert text_of(home).startswith(f"{len(failing & home_coins)} sources unreachable (offline?)")

    # Pages that no crypto source feeds say nothing; a page that shares one (Yahoo is a
    # fallback for coins and the primary for indices) names only that one.
    for path in ("/rates", "/economy/inflation", "/treasury-curve"):
        assert find(layout_of(dash_app, path), "failing-sources") == [], path
    indices = {p.source for i in catalog.for_dataset("market_indices") for p in i.providers}
    (shared,) = find(layout_of(dash_app, "/indices"), "failing-sources")
    assert names_in(shared) == failing & indices and names_in(shared) < failing
    # Computed series count their inputs: the correlation basket holds BTC and ETH.
    (correlations,) = find(layout_of(dash_app, "/correlations"), "failing-sources")
    basket_coins = coins["BTCUSD"] | coins["ETHUSD"]
    assert text_of(correlations).startswith(f"{len(failing & basket_coins)} sources unreachable")


def test_empty_panels_say_how_to_get_demo_data_and_embeds_take_the_page_path(shipped_web):
    dash_app, _settings = shipped_web
    for path in ("/rates", "/", "/economy/inflation"):
        body = dumped(layout_of(dash_app, path))
        assert "No data yet" in body and "python -m jobs demo" in body, path

    by_path = dumped(layout_of(dash_app, "/embed/indices/headline"))
    assert "panel-global-indices-headline" in by_path and "No such panel" not in by_path
    assert "panel-global-indices-headline" in dumped(layout_of(dash_app, "/embed/global-indices/headline"))
    nested = dumped(layout_of(dash_app, "/embed/economy/inflation/headline"))
    assert "panel-inflation-headline" in nested and "No such panel" not in nested
    assert "No such panel" in dumped(layout_of(dash_app, "/embed/indices/nope"))
    assert "No such panel" in dumped(layout_of(dash_app, "/embed/nope/headline"))
    client = dash_app.server.test_client()
    assert client.get("/embed/indices/headline").status_code == 200
    assert client.get("/embed/economy/inflation/headline").status_code == 200


def run_preload(tmp_path, log_format: str) -> subprocess.CompletedProcess:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "SPARTAN_VAR_DIR": str(tmp_path / log_format),
        "SPARTAN_SOURCES_FILE": SHIPPED_CATALOG,
        "SPARTAN_LOG_FORMAT": log_format,
        **OFFLINE,
    }
    return subprocess.run(
        [sys.executable, "-m", "jobs", "preload"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )


def test_an_offline_preload_prints_one_line_per_failed_source_then_the_summary(tmp_path):
    result = run_preload(tmp_path, "text")
    assert result.returncode == 2, result.stderr
    out = result.stdout.splitlines()
    header = out.index(next(line for line in out if line.startswith("failed sources (")))
    count = int(re.match(r"failed sources \((\d+)\):", out[header]).group(1))
    sources = [line.strip().split(":")[0] for line in out[header + 1 : header + 1 + count]]
    assert count > 20 and len(set(sources)) == count
    everything = (result.stdout + result.stderr).splitlines()
    for source in sources:  # one line each, in stdout and stderr together
        assert len([line for line in everything if re.search(rf"\b{source}\b", line)]) == 1, source
    # then the summary; no line per instrument anywhere
    finished = next(i for i, line in enumerate(out) if re.match(r"preload \w+ finished in", line))
    total = len(load_catalog(make_settings(tmp_path, "sqlite", SPARTAN_SOURCES_FILE=SHIPPED_CATALOG)).instruments)
    assert finished > header + count and f"instruments: 0/{total} downloaded" in out[finished + 1]
    assert not re.search(r"\b(market_indices|forex_rates|fred_series)/", result.stdout + result.stderr)
    # not a terminal: plain progress lines, no carriage returns
    assert "\r" not in result.stderr
    assert re.search(
        rf"^preload: {total}/{total} instruments \(100%\) in [\d.]+s, \d+ sources failing$", result.stderr, re.M
    )
    assert len(everything) < count + 20


def test_an_offline_preload_logs_one_json_record_per_failed_source(tmp_path):
    result = run_preload(tmp_path, "json")
    assert result.returncode == 2
    records = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    per_source = [r for r in records if r["message"].startswith("source ") and "source_id" in r]
    failed = re.findall(r"^  (\w+): ", result.stdout.split("\npreload ")[0], re.M)
    assert sorted(r["source_id"] for r in per_source) == sorted(failed)
    assert all(r["level"] == "WARNING" and r["attempts"] >= 1 and r["error"] for r in per_source)
    assert not [r for r in records if r["logger"] == "jobs.pipeline"]  # per instrument: DEBUG only
    (summary,) = [r for r in records if "finished in" in r["message"]]
    assert sorted(summary["failed_sources"]) == sorted(failed)


@pytest.fixture
def restore_root():
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    logging.captureWarnings(False)


def test_a_terminal_shows_one_line_per_request_and_the_audit_goes_to_its_file(tmp_path, capsys, restore_root):
    import app as webapp

    settings = make_settings(tmp_path, "sqlite", SPARTAN_LOG_FORMAT="text")
    dash_app = webapp.create_app(settings)  # its log handler writes to the captured stderr
    client = dash_app.server.test_client()
    capsys.readouterr()
    paths = ("/rates", "/api/market/indices", "/csv/rates/curve.csv", "/health/live")
    for path in paths:
        client.get(path, headers={"User-Agent": "pytest-terminal"})
    lines = capsys.readouterr().err.splitlines()
    access = [line for line in lines if " spartan.access: " in line]
    assert [line.split(" spartan.access: ")[1].split(" ")[1] for line in access] == list(paths)
    assert not [line for line in lines if "spartan.audit" in line]
    records = [json.loads(line) for line in (settings.var_dir / "audit.jsonl").read_text().splitlines()]
    assert [r["path"] for r in records] == list(paths[:3])  # the liveness probe is never audited
    for record in records:
        assert record["event"] == "data_access" and record["user_agent"] == "pytest-terminal"
        assert {"kind", "client_ip", "method", "query", "status", "bytes", "duration_ms", "accessed_at"} <= set(record)
