"""/metrics: request, database and cache metrics, the stored state at scrape time, a database
that is down, bounded labels, and the counts of several gunicorn workers adding up."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text

from config.catalog import load_catalog
from datasources.http import HttpClient
from jobs.pipeline import run_downloads
from tests.conftest import FRED_CATALOG, ROOT, drop_backend, make_settings, serve_fred, stop_process

Samples = dict[str, list[tuple[dict[str, str], float]]]


def parse(body: str) -> Samples:
    samples: Samples = {}
    for family in text_string_to_metric_families(body):
        for sample in family.samples:
            samples.setdefault(sample.name, []).append((dict(sample.labels), sample.value))
    return samples


def value(samples: Samples, name: str, **labels: str) -> float | None:
    for sample_labels, sample_value in samples.get(name, []):
        if all(sample_labels.get(k) == v for k, v in labels.items()):
            return sample_value
    return None


def scrape(client) -> Samples:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.content_type.startswith("text/plain")
    return parse(response.get_data(as_text=True))


def local(name: str, **labels: str) -> float:
    """This process's value of a metric (0 before its first observation)."""
    return REGISTRY.get_sample_value(name, labels) or 0.0


@pytest.fixture
def web(tmp_path, backend):
    import app as webapp

    settings = make_settings(tmp_path, backend)
    dash_app = webapp.create_app(settings)
    yield dash_app, settings
    drop_backend(settings)


@pytest.fixture
def web_with_data(web, httpserver):
    dash_app, settings = web
    settings = settings.__class__(**{**settings.__dict__, "fred_base_url": serve_fred(httpserver)})
    from sql.store import get_store

    run_downloads(get_store(), load_catalog(settings), "preload")
    return dash_app, settings


def _record_sidecar_runs(failed: dict[str, str] | None = None) -> datetime:
    """The sidecar's status keys as after a preload and a refresh; returns the refresh's end."""
    from jobs import status
    from jobs.summary import RunSummary

    finished = datetime.now(UTC).replace(microsecond=0)
    preload = RunSummary(run_id="p1", kind="preload", started_at=finished - timedelta(minutes=70))
    preload.finished_at = finished - timedelta(minutes=60)
    preload.instruments_total = preload.instruments_ok = 5
    status.preload_finished(preload)
    refresh = RunSummary(run_id="r1", kind="refresh", started_at=finished - timedelta(seconds=42))
    refresh.finished_at = finished
    refresh.instruments_total, refresh.instruments_ok, refresh.instruments_skipped = 5, 4, 1
    refresh.write_errors = {"fred_series": "IntegrityError: boom"}
    status.refresh_finished(refresh)
    return finished


# --- per request ---------------------------------------------------------------------------------


def test_requests_are_counted_by_endpoint_method_and_status_class(web):
    client = web[0].server.test_client()
    labels = {"method": "GET", "endpoint": "/health", "status_class": "5xx"}  # 503: nothing preloaded
    before = local("spartan_http_requests_total", **labels)
    hist_before = local("spartan_http_request_duration_seconds_count", endpoint="/health")
    for _ in range(7):
        assert client.get("/health").status_code == 503
    assert local("spartan_http_requests_total", **labels) == before + 7
    assert local("spartan_http_request_duration_seconds_count", endpoint="/health") == hist_before + 7
    ok = {"method": "GET", "endpoint": "/api/system/status", "status_class": "2xx"}
    before_ok = local("spartan_http_requests_total", **ok)
    assert client.get("/api/system/status").status_code == 200
    assert local("spartan_http_requests_total", **ok) == before_ok + 1
    # Routed but refused method: no rule matched.
    unmatched = {"method": "POST", "endpoint": "unmatched", "status_class": "4xx"}
    before_405 = local("spartan_http_requests_total", **unmatched)
    assert client.post("/health").status_code == 405
    assert local("spartan_http_requests_total", **unmatched) == before_405 + 1
    assert local("spartan_http_requests_in_progress") == 0


def test_labels_are_bounded_by_the_routes_not_by_what_clients_send(web):
    dash_app, _settings = web
    client = dash_app.server.test_client()
    # The registry is the process's: count only what moved during this test (an earlier test's
    # app may have had routes of its own).
    before = {tuple(sorted(labels.items())): value for labels, value in scrape(client)["spartan_http_requests_total"]}
    for symbol in ("AAA", "BBB", "ZZZ9"):
        client.get(f"/instrument/{symbol}")
        client.get(f"/csv/instrument/{symbol}.csv")
    client.get("/no/such/page/at/all")
    client.open("/health", method="BREW")
    samples = scrape(client)
    rules = {rule.rule for rule in dash_app.server.url_map.iter_rules()} | {"unmatched"}
    moved = [
        labels
        for labels, value in samples["spartan_http_requests_total"]
        if value > before.get(tuple(sorted(labels.items())), 0.0)
    ]
    seen = {labels["endpoint"] for labels in moved}
    assert seen <= rules
    assert "/csv/instrument/<symbol>.csv" in seen and "/<path:path>" in seen
    methods = {labels["method"] for labels, _ in samples["spartan_http_requests_total"]}
    assert methods <= {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "other"}
    assert "other" in methods  # BREW
    body = client.get("/metrics").get_data(as_text=True)
    for raw in ("AAA", "BBB", "ZZZ9", "no/such", "BREW"):
        assert raw not in body


def _all_classes(endpoint: str, method: str = "POST") -> float:
    return sum(
        local("spartan_http_requests_total", method=method, endpoint=endpoint, status_class=f"{n}xx")
        for n in range(1, 6)
    )


def test_dash_callbacks_are_one_endpoint(web):
    client = web[0].server.test_client()
    before = _all_classes("/_dash-update-component")
    for output in ("preload-banner.children", "some-grid.rowData"):
        client.post("/_dash-update-component", json={"output": output, "inputs": [], "changedPropIds": []})
    assert _all_classes("/_dash-update-component") == before + 2
    body = client.get("/metrics").get_data(as_text=True)
    assert "preload-banner" not in body and "some-grid" not in body


# --- database and cache ------------------------------------------------------------------------


def test_queries_are_timed_and_connections_in_use_followed(web):
    from sql.store import get_store

    engine = get_store().engine
    in_use = local("spartan_db_connections_in_use")
    with engine.connect() as conn:
        assert local("spartan_db_connections_in_use") == in_use + 1
        selects = local("spartan_db_query_duration_seconds_count", operation="select")
        conn.execute(text("SELECT 1"))
        conn.execute(text("SELECT 2"))
        assert local("spartan_db_query_duration_seconds_count", operation="select") == selects + 2
        errors = local("spartan_db_errors_total", operation="select")
        with pytest.raises(Exception, match="no_such_table"):
            conn.execute(text("SELECT * FROM no_such_table"))
        assert local("spartan_db_errors_total", operation="select") == errors + 1
    assert local("spartan_db_connections_in_use") == in_use
    assert local("spartan_db_pool_capacity") == engine.pool.size() + engine.pool._max_overflow


def test_cache_reads_count_hits_and_misses_on_each_backend(web):
    from sql import memo, read
    from sql.cache import cache, ping
    from sql.versions import SNAPSHOT_KEY

    _dash_app, settings = web
    backend = "redis" if settings.redis_url else "filesystem"
    cache.delete(SNAPSHOT_KEY)
    miss = {"backend": backend, "keyspace": "dsver", "result": "miss"}
    hit = {**miss, "result": "hit"}
    misses, hits = local("spartan_cache_requests_total", **miss), local("spartan_cache_requests_total", **hit)
    assert cache.get(SNAPSHOT_KEY) is None  # a miss
    cache.set(SNAPSHOT_KEY, {"datasets": {}}, timeout=0)
    cache.get(SNAPSHOT_KEY)  # a hit
    cache.get_many(SNAPSHOT_KEY, "dsver:no_such_key")  # one of each
    assert local("spartan_cache_requests_total", **miss) == misses + 2
    assert local("spartan_cache_requests_total", **hit) == hits + 2
    # A health probe is no read of the station's data: not counted.
    probes = local("spartan_cache_requests_total", backend=backend, keyspace="health", result="hit")
    assert ping(settings)[0] is True
    assert local("spartan_cache_requests_total", backend=backend, keyspace="health", result="hit") == probes
    # Memoized readers count too (their own version bookkeeping keys do not).
    memo_labels = {"backend": backend, "keyspace": "memoized"}
    m0, h0 = (
        local("spartan_cache_requests_total", **memo_labels, result="miss"),
        local("spartan_cache_requests_total", **memo_labels, result="hit"),
    )
    local_hits = local("spartan_local_cache_requests_total", result="hit")
    memo.clear_local()
    read.source_health()  # computed and stored in both layers
    read.source_health()  # from this process's memory: the shared cache is not asked
    assert local("spartan_local_cache_requests_total", result="hit") == local_hits + 1
    memo.clear_local()
    read.source_health()  # from the shared cache
    assert local("spartan_cache_requests_total", **memo_labels, result="miss") == m0 + 1
    assert local("spartan_cache_requests_total", **memo_labels, result="hit") == h0 + 1


# --- the stored state at scrape time -------------------------------------------------------------


def test_scrape_exports_data_age_source_health_and_the_sidecar_runs(web_with_data):
    dash_app, settings = web_with_data
    finished = _record_sidecar_runs()
    samples = scrape(dash_app.server.test_client())
    assert value(samples, "spartan_database_up") == 1
    assert value(samples, "spartan_cache_up") == 1
    assert value(samples, "spartan_freshness_target_seconds") == settings.freshness_target_minutes * 60
    age = value(samples, "spartan_dataset_age_seconds", dataset="treasury_yields")
    assert age is not None and 0 <= age < 120
    updated = value(samples, "spartan_dataset_last_update_timestamp_seconds", dataset="treasury_yields")
    assert abs(updated - time.time()) < 120
    assert value(samples, "spartan_dataset_rows", dataset="treasury_yields") == 2650
    # Never written: a row count of 0 and no age.
    assert value(samples, "spartan_dataset_rows", dataset="market_indices") == 0
    assert value(samples, "spartan_dataset_age_seconds", dataset="market_indices") is None
    assert value(samples, "spartan_source_healthy", source_id="fred_graph") == 1
    assert value(samples, "spartan_sources", state="ok") == 1
    assert value(samples, "spartan_sources", state="failing") == 0
    assert value(samples, "spartan_preload_state", state="complete") == 1
    assert value(samples, "spartan_preload_state", state="running") == 0
    stamp = value(samples, "spartan_sidecar_last_run_timestamp_seconds", kind="refresh")
    assert stamp == finished.timestamp()
    assert value(samples, "spartan_sidecar_last_run_duration_seconds", kind="refresh") == 42
    assert value(samples, "spartan_sidecar_last_run_duration_seconds", kind="preload") == 600
    assert value(samples, "spartan_sidecar_last_run_write_errors", kind="refresh") == 1
    assert value(samples, "spartan_sidecar_last_run_failed_sources", kind="refresh") == 0
    assert value(samples, "spartan_sidecar_last_run_instruments", kind="refresh", outcome="skipped") == 1
    assert value(samples, "spartan_sidecar_last_run_instruments", kind="refresh", outcome="ok") == 4


def test_a_failing_source_shows_as_unhealthy(web):
    from sql.store import get_store

    dash_app, settings = web
    offline = settings.__class__(**{**settings.__dict__, "fred_base_url": "http://127.0.0.1:9", "http_retries": 0})
    run_downloads(get_store(), load_catalog(offline), "preload", client=HttpClient(offline))
    samples = scrape(dash_app.server.test_client())
    assert value(samples, "spartan_source_healthy", source_id="fred_graph") == 0
    failing = value(samples, "spartan_sources", state="failing") + value(
        samples, "spartan_sources", state="circuit_open"
    )
    assert failing == 1 and value(samples, "spartan_sources", state="ok") == 0


def test_a_database_that_is_down_gives_up_0_not_a_500(web, monkeypatch):
    from sqlalchemy import create_engine

    from sql.store import get_store

    dash_app, settings = web
    dead = (
        "postgresql+psycopg2://nobody@127.0.0.1:9/none"
        if settings.is_postgres
        else "sqlite:////nonexistent/dir/db.sqlite"
    )
    from sql.instrumentation import instrument_engine

    monkeypatch.setattr(get_store(), "engine", instrument_engine(create_engine(dead)))
    connect_errors, in_use = (
        local("spartan_db_errors_total", operation="connect"),
        local("spartan_db_connections_in_use"),
    )
    samples = scrape(dash_app.server.test_client())
    assert value(samples, "spartan_database_up") == 0
    assert local("spartan_db_errors_total", operation="connect") > connect_errors
    assert local("spartan_db_connections_in_use") == in_use
    assert value(samples, "spartan_cache_up") == 1
    assert "spartan_dataset_age_seconds" not in samples and "spartan_source_healthy" not in samples
    assert value(samples, "spartan_preload_state", state="unknown") == 1  # from the cache, still there


def test_every_app_metric_an_alert_rule_uses_is_in_a_real_scrape(web_with_data):
    from tests.unit.test_monitoring_rules import rule_metric_names

    dash_app, _settings = web_with_data
    _record_sidecar_runs()
    client = dash_app.server.test_client()
    for path in ("/health", "/api/system/status", "/rates"):
        client.get(path)
    exported = set(scrape(client))
    used = {name for name in rule_metric_names() if name.startswith("spartan_")}
    assert len(used) >= 10
    assert used - exported == set()


# --- several gunicorn workers ---------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], str]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - a local test server
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read().decode()


def _json_lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


@pytest.fixture
def gunicorn_web(tmp_path):
    """`gunicorn -c config/gunicorn.conf.py app:server` with 2 workers on a fresh SQLite station."""
    port = _free_port()
    multiproc = tmp_path / "prometheus"
    multiproc.mkdir()
    (multiproc / "counter_999999.db").write_bytes(b"left over by an earlier run")
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "SPARTAN_VAR_DIR": str(tmp_path / "var"),
        "SPARTAN_SOURCES_FILE": str(FRED_CATALOG),
        "SPARTAN_LOG_FORMAT": "json",
        "PROMETHEUS_MULTIPROC_DIR": str(multiproc),
    }
    log = tmp_path / "gunicorn.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "app:server", "-c", "config/gunicorn.conf.py"]
            + ["--bind", f"127.0.0.1:{port}", "--workers", "2"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            assert process.poll() is None, log.read_text()[-3000:]
            try:
                if _get(f"{base}/health")[0] in (200, 503):
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "gunicorn did not come up\n" + log.read_text()[-3000:]
            time.sleep(0.5)
        yield base, process, log, multiproc
    finally:
        stop_process(process)


def _served_by(log: Path, path: str) -> dict[int, int]:
    counts: dict[int, int] = {}
    for record in _json_lines(log):
        if record.get("logger") == "spartan.access" and record.get("path") == path:
            counts[record["pid"]] = counts.get(record["pid"], 0) + 1
    return counts


def _logged(log: Path, path: str, count: int, timeout: float = 60) -> dict[int, int]:
    """:func:`_served_by` once ``count`` access lines of ``path`` are in the log: a worker writes
    its line once the response is out, a moment after the client has it."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            served = _served_by(log, path)
        except json.JSONDecodeError:  # a line being written just now
            served = {}
        if sum(served.values()) >= count:
            return served
        assert time.monotonic() < deadline, f"{count} access lines of {path} not written in {timeout} s: {served}"
        time.sleep(0.05)


def _scraped(base: str, endpoint: str) -> float:
    status, _headers, body = _get(f"{base}/metrics")
    assert status == 200
    return value(parse(body), "spartan_http_requests_total", method="GET", endpoint=endpoint, status_class="2xx") or 0


def test_counts_of_several_gunicorn_workers_add_up(gunicorn_web):
    base, process, log, multiproc = gunicorn_web
    assert not (multiproc / "counter_999999.db").exists()  # cleaned at start
    sent = 0
    with ThreadPoolExecutor(8) as pool:
        # Concurrent requests on fresh connections, until both workers have answered some.
        for _ in range(10):
            statuses = list(pool.map(lambda _: _get(f"{base}/api/system/status")[0], range(24)))
            assert statuses == [200] * 24
            sent += 24
            if len(_logged(log, "/api/system/status", sent)) >= 2:
                break
    served = _served_by(log, "/api/system/status")
    assert len(served) == 2, served
    assert sum(served.values()) == sent
    # Whichever worker answers the scrape, it reports every worker's requests.
    for _ in range(6):
        assert _scraped(base, "/api/system/status") == sent
    # Every line gunicorn and the app wrote is one JSON object; each access line has its id.
    records = _json_lines(log)
    assert any(r["logger"] == "gunicorn.error" for r in records)
    access = [r for r in records if r.get("logger") == "spartan.access"]
    assert all(len(r["request_id"]) == 32 and r["duration_ms"] >= 0 for r in access)
    assert not any(r.get("logger") == "gunicorn.access" for r in records)

    # A worker that dies: its counts stay, its live gauges go (child_exit -> mark_process_dead).
    victim = sorted(served)[0]
    assert (multiproc / f"gauge_livesum_{victim}.db").exists()
    os.kill(victim, signal.SIGTERM)
    deadline = time.monotonic() + 60
    while (multiproc / f"gauge_livesum_{victim}.db").exists():
        assert time.monotonic() < deadline, "the dead worker's live gauges were not removed"
        time.sleep(0.2)
    assert _scraped(base, "/api/system/status") == sent
    status, headers, _body = _get(f"{base}/health", headers={"X-Request-ID": "probe-42"})
    assert headers["X-Request-ID"] == "probe-42"
    assert process.poll() is None
