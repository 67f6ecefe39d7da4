"""The station under load while its services fail for real.

The web (gunicorn, 2 workers × 4 threads) and its sidecar reach PostgreSQL and Redis through TCP
proxies the test controls (tests/fixtures/tcp_proxy.py), so nothing stops the shared services.
Each process's own memory of reads is turned off (``SPARTAN_LOCAL_CACHE_MB=0``): every read goes
to the shared cache or the database, which is what is under test. A fixed set of requests —
pages as the browser draws them, API latest and history, CSV — runs from several threads:

1. both services up: the warm throughput, no errors;
2. Redis cut: no errors, throughput at least a sixth of the warm figure (it reads the
   database instead: a page's panels and cards are built from rows where the warm load fetched
   them whole from Redis; measured 2.6× slower before the per-process memos of parsed YAML and
   compressed bodies made the warm figure twice as fast, 3.2–4.6× since, on this 2-core
   machine; an outage that stalled requests on Redis would cost far more), ``/health/live`` fast,
   ``/health/ready`` "degraded"; a sidecar refresh meanwhile commits, and the web serves the new
   version without Redis;
3. Redis slow (every chunk held 3 s, past the client's timeout): still no errors;
4. PostgreSQL cut for longer than every TTL that names the data (the versions' 1 s check, the
   1 s retry): every response still 200 from the cache, flagged stale (pages: a notice; API and
   CSV: ``X-Data-Stale``), ``/health/ready`` 503, ``/health/live`` fast;
5. PostgreSQL back: fresh answers within seconds, without restarting a worker; open
   connections reset under load: no errors.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

from tests.conftest import FRED_CATALOG, PG_URL, REDIS_URL, ROOT, SHIPPED_CATALOG, free_port, serve_fred
from tests.fixtures.pages import router_callback
from tests.fixtures.tcp_proxy import TcpProxy

pytestmark = pytest.mark.skipif(not (PG_URL and REDIS_URL), reason="needs PostgreSQL and Redis")

PAGES = ("/", "/rates", "/economy", "/sentiment", "/correlations")
API = ("/api/market/indices", "/api/market/treasury-yields", "/api/market/treasury-yields/10Y")
CSV = ("/csv/rates/curve.csv", "/csv/home/world.csv")
THREADS = 6
PHASE_SECONDS = 8
DEADLINE = 120  # for anything to start or recover on a loaded machine
REDIS_DOWN_FLOOR = 6  # the warm throughput over the Redis-down one, at most (see above)
LIVE_P95 = 2.0  # seconds: /health/live waits only for a free worker thread, never for a service
STALE_NOTICE = "Database unreachable"


@dataclass
class Result:
    kind: str
    target: str
    status: int
    seconds: float
    stale: bool
    error: str | None = None


def proxied(url: str, proxy: TcpProxy) -> str:
    parts = urlsplit(url)
    netloc = parts.netloc.rsplit("@", 1)
    host = f"127.0.0.1:{proxy.port}"
    return parts._replace(netloc=f"{netloc[0]}@{host}" if len(netloc) == 2 else host).geturl()


def target_of(url: str, default_port: int) -> tuple[str, int]:
    parts = urlsplit(url)
    return parts.hostname or "127.0.0.1", parts.port or default_port


def wait_for(condition: Callable[[], bool], what: str, timeout: float = DEADLINE) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if condition():
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{what}: not within {timeout:.0f} s")


def one_request(session: requests.Session, base: str, kind: str, target: str) -> Result:
    started = time.perf_counter()
    try:
        if kind == "page":
            response = session.post(f"{base}/_dash-update-component", json=router_callback(target), timeout=60)
            stale = STALE_NOTICE in response.text
        else:
            response = session.get(base + target, timeout=60)
            stale = response.headers.get("X-Data-Stale") == "true"
        return Result(kind, target, response.status_code, time.perf_counter() - started, stale)
    except requests.RequestException as exc:
        return Result(kind, target, 0, time.perf_counter() - started, False, f"{type(exc).__name__}: {exc}")


def requests_of_the_load() -> list[tuple[str, str]]:
    return [("page", p) for p in PAGES] + [("api", p) for p in API] + [("csv", p) for p in CSV]


def run_load(base: str, seconds: float = PHASE_SECONDS) -> tuple[list[Result], list[float]]:
    """Every request of the load, round robin from ``THREADS`` threads for ``seconds``; and the
    latencies of ``/health/live`` asked every 0.2 s meanwhile."""
    results: list[Result] = []
    live: list[float] = []
    stop = time.monotonic() + seconds
    plan = requests_of_the_load()

    def worker(offset: int) -> None:
        session, i = requests.Session(), offset
        while time.monotonic() < stop:
            kind, target = plan[i % len(plan)]
            results.append(one_request(session, base, kind, target))
            i += 1

    def prober() -> None:
        session = requests.Session()
        while time.monotonic() < stop:
            started = time.perf_counter()
            response = session.get(base + "/health/live", timeout=60)
            assert response.status_code == 200
            live.append(time.perf_counter() - started)
            time.sleep(0.2)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
    threads.append(threading.Thread(target=prober))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 120)
    return results, live


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 20 else max(values)


def failures(results: list[Result]) -> list[Result]:
    return [r for r in results if r.status != 200]


@pytest.fixture(scope="module")
def services():
    pg = TcpProxy(*target_of(PG_URL, 5432))
    redis = TcpProxy(*target_of(REDIS_URL, 6379))
    yield pg, redis
    pg.close()
    redis.close()


@pytest.fixture(scope="module")
def station(services, tmp_path_factory):
    """One year of demo data in a schema of its own, and the web on it through the proxies."""
    import sqlalchemy as sa

    import jobs.demo.seed as demo
    from config.catalog import load_catalog
    from config.settings import load_settings
    from sql.migrate import upgrade
    from sql.store import configure

    pg, redis = services
    scratch = tmp_path_factory.mktemp("faults")
    schema = f"faults_{uuid.uuid4().hex[:10]}"
    env = {
        **os.environ,
        "SPARTAN_VAR_DIR": str(scratch / "var"),
        "SPARTAN_DATABASE_URL": proxied(PG_URL, pg),
        "SPARTAN_DB_SCHEMA": schema,
        "SPARTAN_REDIS_URL": proxied(REDIS_URL, redis),
        "SPARTAN_CACHE_PREFIX": f"{schema}:",
        "SPARTAN_SOURCES_FILE": SHIPPED_CATALOG,
        "SPARTAN_LOCAL_CACHE_MB": "0",
        "SPARTAN_RATE_LIMIT_ENABLED": "0",
        "SPARTAN_PAGE_WARM_SECONDS": "2",
        "SPARTAN_DB_RETRY_SECONDS": "1",
        "SPARTAN_VERSION_CHECK_SECONDS": "1",
        "SPARTAN_LOG_FORMAT": "json",
        "SPARTAN_LOG_LEVEL": "INFO",
    }
    direct = load_settings({**env, "SPARTAN_DATABASE_URL": PG_URL, "SPARTAN_REDIS_URL": REDIS_URL})
    store = configure(direct)
    upgrade(direct, store.engine)
    years, demo.YEARS = demo.YEARS, 1
    try:
        demo.seed_demo(store, load_catalog(direct))
    finally:
        demo.YEARS = years
    port = free_port()
    log = scratch / "web.log"
    with log.open("w") as out:
        web = subprocess.Popen(  # noqa: S603 - our own app, fixed arguments
            [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "config" / "gunicorn.conf.py"), "app:server"]
            + ["--bind", f"127.0.0.1:{port}", "--workers", "2", "--threads", "4"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: requests.get(base + "/health/ready", timeout=10).status_code == 200, "the web ready")
        yield base, env, store, log
    finally:
        web.terminate()
        try:
            web.wait(30)
        except subprocess.TimeoutExpired:
            web.kill()
        store.engine.dispose()
        engine = sa.create_engine(direct.database_url)  # the driver named as the station names it
        with engine.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        engine.dispose()
        import redis as redis_client

        client = redis_client.Redis.from_url(REDIS_URL)
        keys = list(client.scan_iter(f"{schema}:*", count=1000))
        for start in range(0, len(keys), 1000):
            client.delete(*keys[start : start + 1000])


def worker_pids(base: str) -> set[int]:
    pids = set()
    for _ in range(40):
        pids.add(requests.get(base + "/health/live", timeout=30).json()["pid"])
    return pids


def stored_version(store, dataset: str) -> int:
    import sqlalchemy as sa

    with store.engine.connect() as conn:
        return conn.execute(sa.text("SELECT version FROM dataset_versions WHERE dataset = :d"), {"d": dataset}).scalar()


def log_problems(log: Path) -> list[str]:
    """ERROR lines or tracebacks the web logged (warnings about an outage are expected)."""
    problems = []
    for line in log.read_text(errors="replace").splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            if "Traceback" in line:
                problems.append(line)
            continue
        if record.get("level") in ("ERROR", "CRITICAL") or "exc_info" in record:
            problems.append(line[:2000])
    return problems


def test_the_station_stands_through_cache_and_database_outages(station, services, httpserver):
    base, env, store, log = station
    pg, redis = services

    # 1. Both up: the warm figure.
    run_load(base, 3)  # every request once or more: the shared cache holds them
    warm, live = run_load(base)
    assert not failures(warm), failures(warm)[:3]
    assert not any(r.stale for r in warm)
    warm_rate = len(warm) / PHASE_SECONDS
    print(f"faults: warm {warm_rate:.1f} req/s, /health/live p95 {p95(live) * 1000:.0f} ms")
    pids = worker_pids(base)

    # 2. Redis cut: the database serves alone.
    redis.cut()
    down, live = run_load(base)
    assert not failures(down), failures(down)[:3]
    print(f"faults: Redis down {len(down) / PHASE_SECONDS:.1f} req/s, /health/live p95 {p95(live) * 1000:.0f} ms")
    assert len(down) / PHASE_SECONDS >= warm_rate / REDIS_DOWN_FLOOR, (len(down) / PHASE_SECONDS, warm_rate)
    assert p95(live) < LIVE_P95, p95(live)
    ready = requests.get(base + "/health/ready", timeout=30).json()
    assert ready["status"] == "degraded" and ready["checks"]["cache"]["ok"] is False
    # A sidecar refresh commits meanwhile; the web serves its new version without the cache.
    before = stored_version(store, "treasury_yields")
    sidecar_env = {**env, "SPARTAN_SOURCES_FILE": str(FRED_CATALOG), "SPARTAN_FRED_BASE_URL": serve_fred(httpserver)}
    refresh = subprocess.run(  # noqa: S603 - our own CLI
        [sys.executable, "-m", "jobs", "refresh"], cwd=ROOT, env=sidecar_env, capture_output=True, timeout=600
    )
    assert refresh.returncode == 0, refresh.stderr.decode()[-2000:]
    after = stored_version(store, "treasury_yields")
    assert after > before
    wait_for(
        lambda: requests.get(base + API[1], timeout=30).json()["version"] == after,
        "the web serving the refreshed version with Redis down",
        timeout=30,
    )

    # 3. Redis slow (past the client's timeout), then back.
    redis.slow(3.0)
    slow, _live = run_load(base)
    assert not failures(slow), failures(slow)[:3]
    redis.restore()
    wait_for(lambda: requests.get(base + "/health/ready", timeout=30).json()["status"] == "ok", "Redis back")
    run_load(base, 4)  # the new versions' reads into the cache again

    # 4. PostgreSQL cut for longer than every TTL that names the data: served stale from the cache.
    pg.cut()
    outage, live = run_load(base, 12)
    print(f"faults: PostgreSQL down {len(outage) / 12:.1f} req/s, /health/live p95 {p95(live) * 1000:.0f} ms")
    assert not failures(outage), failures(outage)[:3]
    assert {r.kind for r in outage} == {"page", "api", "csv"}
    unflagged = [r for r in outage[len(outage) // 4 :] if not r.stale]
    assert not unflagged, unflagged[:3]
    assert p95(live) < LIVE_P95, p95(live)
    assert requests.get(base + "/health/ready", timeout=30).status_code == 503
    assert requests.get(base + "/health/live", timeout=30).status_code == 200

    # 5. PostgreSQL back: fresh again at once, the same workers; a reset of every connection
    # under load costs nothing.
    pg.restore()
    wait_for(lambda: requests.get(base + "/health/ready", timeout=30).status_code == 200, "PostgreSQL back", 30)
    wait_for(lambda: not one_request(requests.Session(), base, "api", API[0]).stale, "fresh answers", 30)
    resetting = threading.Timer(2.0, pg.reset)
    resetting.start()
    recovered, _live = run_load(base)
    resetting.join()
    assert not failures(recovered), failures(recovered)[:3]
    assert not any(r.stale for r in recovered[len(recovered) // 2 :])
    assert worker_pids(base) == pids  # recovered without a restart
    assert not log_problems(log), log_problems(log)[:3]
