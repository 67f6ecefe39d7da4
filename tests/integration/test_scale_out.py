"""Scale-out for real: two station web processes (gunicorn, two workers each, as ``make web``
runs them) behind HAProxy, on one PostgreSQL and one Redis of the test's own
(tests/fixtures/services.py), loaded with demo data for the FRED test catalog.

- A stream of requests (API data, dashboard pages, health) goes through the balancer to both
  replicas; the balancer names the replica in ``X-Station-Replica``.
- A refresh (``python -m jobs refresh``, the sidecar's command, against the local provider
  server) runs in the middle of the load; once it has committed, both replicas serve the new
  dataset version within ``SPARTAN_VERSION_CHECK_SECONDS``, and no request fails.
- The per-client rate limit is one bucket for the whole deployment (Redis), not one per process.
- A finished API body is kept once in Redis, whichever replica built it.
- The page warmer warms each state of the data once across all processes (a Redis lock).

Skips when redis-server, haproxy or PostgreSQL's initdb/pg_ctl are not installed.
"""

from __future__ import annotations

import http.client
import itertools
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import pytest
import redis

from tests.conftest import FRED_CATALOG, ROOT, free_port
from tests.fixtures.services import (
    HAProxy,
    PostgresServer,
    RedisServer,
    missing_binaries,
    port_open,
    stop_process,
    wait_for,
)

pytestmark = pytest.mark.skipif(bool(missing_binaries()), reason=f"not installed: {', '.join(missing_binaries())}")

REPLICAS = ("web1", "web2")
VERSION_CHECK_SECONDS = 1.0
WARM_SECONDS = 1
BOOT_TIMEOUT = 90  # seconds for a replica to answer ready: an upper bound on a loaded machine
API_LIMIT = 40  # per client and minute, for the shared-bucket check
VERSIONED = "/api/market/treasury-yields"
LOAD_PATHS = (VERSIONED, "/api/market/credit-spreads?format=csv", "/rates", "/health/ready", "/api/system/status")
REPLICA_HEADER = "X-Station-Replica"
SESSION_COOKIE = "spartan_session"
ADMIN, ADMIN_PASSWORD = "scale-admin", uuid.uuid4().hex

SHIPPED_HAPROXY_CFG = ROOT / "deploy" / "haproxy" / "haproxy.cfg"


def haproxy_config(port: int, replicas: list[Replica]) -> str:
    """deploy/haproxy/haproxy.cfg with the replicas found in Docker's DNS replaced by the local
    ones (checked, then the same again as backups) and the frontend on 127.0.0.1:``port``."""
    lines = []
    for line in SHIPPED_HAPROXY_CFG.read_text().splitlines():
        stripped = line.strip()
        if stripped.startswith("bind "):
            lines.append(f"    bind 127.0.0.1:{port}")
        elif stripped.startswith("server-template web "):
            lines += [f"    server {r.name} 127.0.0.1:{r.port} check inter 500ms" for r in replicas]
        elif stripped.startswith("server-template web-any "):
            lines += [f"    server {r.name}-any 127.0.0.1:{r.port} backup" for r in replicas]
        else:
            lines.append(line)
    return "\n".join(lines) + "\n"


@dataclass
class Replica:
    name: str
    port: int
    log: Path
    process: subprocess.Popen


@dataclass
class Cluster:
    env: dict[str, str]
    proxy_port: int
    replicas: list[Replica]
    redis_client: redis.Redis
    prefix: str
    provider_url: str
    root: Path
    cookie: str


@dataclass
class Reply:
    started: float
    status: int
    replica: str
    version: str | None
    path: str


@dataclass
class Load:
    """Threads sending LOAD_PATHS round and round through the balancer until stopped, each
    request from its own loopback address (so the per-client limit is no factor)."""

    port: int
    cookie: str
    threads: int = 4
    replies: list[Reply] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self):
        self._addresses = (f"127.0.{n // 250 + 1}.{n % 250 + 1}" for n in itertools.count())
        self._lock = threading.Lock()
        self._workers = [threading.Thread(target=self._run, args=(i,), daemon=True) for i in range(self.threads)]

    def _run(self, index: int) -> None:
        paths = itertools.cycle(LOAD_PATHS[index % len(LOAD_PATHS) :] + LOAD_PATHS[: index % len(LOAD_PATHS)])
        while not self.stop.is_set():
            with self._lock:
                source = next(self._addresses)
            try:
                reply = get(self.port, next(paths), source, self.cookie)
            except OSError as exc:
                self.errors.append(f"{type(exc).__name__}: {exc}")
                continue
            with self._lock:
                self.replies.append(reply)

    def __enter__(self) -> Load:
        for worker in self._workers:
            worker.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        for worker in self._workers:
            worker.join(30)


def request(
    port: int, path: str, source: str = "127.0.0.1", cookie: str | None = None, method: str = "GET", form=None
) -> tuple[Reply, http.client.HTTPResponse, str]:
    started = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30, source_address=(source, 0))
    headers = {"Cookie": cookie} if cookie else {}
    body = None
    if form is not None:
        body = urlencode(form)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        reply = Reply(
            started,
            response.status,
            response.getheader(REPLICA_HEADER, ""),
            response.getheader("X-Dataset-Version"),
            path,
        )
        return reply, response, text
    finally:
        conn.close()


def get(port: int, path: str, source: str = "127.0.0.1", cookie: str | None = None) -> Reply:
    return request(port, path, source, cookie)[0]


def session_cookie(response: http.client.HTTPResponse) -> str | None:
    for header in response.headers.get_all("Set-Cookie") or []:
        if header.startswith(f"{SESSION_COOKIE}="):
            return header.split(";", 1)[0]
    return None


def sign_in(port: int) -> str:
    """Sign in as the first admin through the balancer: the form from one replica, the POST
    most likely to the other (round robin). The session cookie."""
    reply, response, page = request(port, "/login")
    assert reply.status == 200, page[:500]
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)[1]
    form = {"username": ADMIN, "password": ADMIN_PASSWORD, "csrf_token": csrf}
    reply, response, page = request(port, "/login", cookie=session_cookie(response), method="POST", form=form)
    assert reply.status == 303, f"sign-in refused ({reply.status}): {page[:500]}"
    return session_cookie(response)


def _start_replica(name: str, env: dict[str, str], root: Path) -> Replica:
    port = free_port()
    log = root / f"{name}.log"
    replica_env = env | {"SPARTAN_VAR_DIR": str(root / name), "WEB_CONCURRENCY": "2"}
    command = [str(Path(sys.executable).parent / "gunicorn"), "-c", "config/gunicorn.conf.py", "app:server"]
    with log.open("w") as sink:
        process = subprocess.Popen(
            [*command, "--bind", f"127.0.0.1:{port}"], cwd=ROOT, env=replica_env, stdout=sink, stderr=sink
        )
    return Replica(name, port, log, process)


def _jobs(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "jobs", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    root = tmp_path_factory.mktemp("scale-out")
    postgres, cache = PostgresServer(), RedisServer()
    provider = proxy = None
    replicas: list[Replica] = []
    try:
        postgres.start()
        cache.start()
        provider_port = free_port()
        provider = subprocess.Popen(
            [sys.executable, "-m", "tests.fixtures.server", "--port", str(provider_port)],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        prefix = f"spartan-scale-{uuid.uuid4().hex[:8]}:"
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "SPARTAN_DATABASE_URL": postgres.url,
            "SPARTAN_REDIS_URL": cache.url,
            "SPARTAN_CACHE_PREFIX": prefix,
            "SPARTAN_SOURCES_FILE": str(FRED_CATALOG),
            "SPARTAN_VAR_DIR": str(root / "sidecar"),
            # Logins on, as compose runs the station: every request of the load carries one
            # session, opened through the balancer; the replicas share the signing key.
            "SPARTAN_AUTH": "local",
            "SPARTAN_ADMIN_USER": ADMIN,
            "SPARTAN_ADMIN_PASSWORD": ADMIN_PASSWORD,
            "SPARTAN_SECRET_KEY": uuid.uuid4().hex * 2,
            "SPARTAN_LOG_FORMAT": "json",
            "SPARTAN_TRUSTED_PROXIES": "1",
            "SPARTAN_RATE_LIMIT_API": f"{API_LIMIT}/minute",
            "SPARTAN_VERSION_CHECK_SECONDS": str(VERSION_CHECK_SECONDS),
            "SPARTAN_PAGE_WARM_SECONDS": str(WARM_SECONDS),
            "SPARTAN_HTTP_RETRIES": "0",
        }
        done = _jobs(env, "migrate")
        assert done.returncode == 0, done.stdout + done.stderr
        # The replicas boot while the demo data is written; they are ready once it is there.
        replicas = [_start_replica(name, env, root) for name in REPLICAS]
        done = _jobs(env, "demo")
        assert done.returncode == 0, done.stdout + done.stderr
        for replica in replicas:
            wait_for(
                lambda r=replica: r.process.poll() is not None or port_open(r.port),
                timeout=BOOT_TIMEOUT,
                what=f"{replica.name} listening",
            )
            assert replica.process.poll() is None, replica.log.read_text()[-3000:]
            wait_for(
                lambda r=replica: get(r.port, "/health/ready").status == 200, BOOT_TIMEOUT, f"{replica.name} ready"
            )
        proxy_port = free_port()
        config = root / "haproxy.cfg"
        config.write_text(haproxy_config(proxy_port, replicas))
        proxy = HAProxy(config, proxy_port).start(root / "haproxy.log")
        wait_for(lambda: port_open(provider_port), what="the provider server")
        yield Cluster(
            env=env | {"SPARTAN_BASE_URL_ALL": f"http://127.0.0.1:{provider_port}"},
            proxy_port=proxy_port,
            replicas=replicas,
            redis_client=redis.Redis.from_url(cache.url),
            prefix=prefix,
            provider_url=f"http://127.0.0.1:{provider_port}",
            root=root,
            cookie=sign_in(proxy_port),
        )
    finally:
        stop_process(proxy and proxy.process, provider)
        # SIGINT: gunicorn's quick shutdown (SIGTERM waits for its workers' open connections).
        stop_process(*(r.process for r in replicas), sig=signal.SIGINT)
        cache.stop()
        postgres.stop()


def database_versions(cluster: Cluster) -> dict[str, int]:
    import sqlalchemy as sa

    engine = sa.create_engine(cluster.env["SPARTAN_DATABASE_URL"].replace("postgresql://", "postgresql+psycopg2://"))
    try:
        with engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT dataset, version FROM spartan_research.dataset_versions"))
            return {dataset: version for dataset, version in rows}
    finally:
        engine.dispose()


def log_records(cluster: Cluster) -> list[dict]:
    records = []
    for replica in cluster.replicas:
        for line in replica.log.read_text().splitlines():
            if line.startswith("{"):
                records.append(json.loads(line) | {"replica": replica.name})
    return records


def test_both_replicas_serve_the_new_data_right_after_a_refresh_in_the_middle_of_load(cluster):
    before = database_versions(cluster)["treasury_yields"]
    with Load(cluster.proxy_port, cluster.cookie) as load:
        wait_for(lambda: len({r.replica for r in load.replies}) == 2, what="both replicas answering")
        refresh = _jobs(cluster.env, "refresh")
        committed = time.monotonic()  # the sidecar has exited: its transactions are committed
        assert refresh.returncode == 0, refresh.stdout + refresh.stderr
        after = database_versions(cluster)["treasury_yields"]
        assert after > before, "the refresh wrote no new treasury yields"
        settled = committed + VERSION_CHECK_SECONDS

        def both_replicas_serve_the_new_version() -> bool:
            late = [r for r in load.replies if r.path == VERSIONED and r.started > settled]
            return {r.replica for r in late if r.version == str(after)} == set(REPLICAS)

        wait_for(both_replicas_serve_the_new_version, timeout=10, what="both replicas on the new version")
    replies = load.replies
    assert not load.errors, load.errors[:5]
    failed = Counter((r.path, r.status) for r in replies if r.status not in (200, 304))
    assert not failed, f"requests failed through the balancer: {failed}"
    served = Counter(r.replica for r in replies)
    assert set(served) == set(REPLICAS) and min(served.values()) > len(replies) // 4, served
    versioned = [r for r in replies if r.path == VERSIONED]
    assert {r.version for r in versioned} <= {str(before), str(after)}
    stale = [r for r in versioned if r.started > settled and r.version != str(after)]
    assert not stale, f"{len(stale)} responses after the refresh committed still named the old version"
    first_new = {
        name: min(r.started for r in versioned if r.replica == name and r.version == str(after)) - committed
        for name in REPLICAS
    }
    assert max(first_new.values()) <= VERSION_CHECK_SECONDS + 0.5, first_new


def test_the_rate_limit_is_one_bucket_for_all_replicas(cluster):
    """With a bucket per process, 4 processes would let 4 × the limit through."""
    source = "127.0.200.7"
    within = [get(cluster.proxy_port, VERSIONED, source, cluster.cookie) for _ in range(API_LIMIT)]
    assert [r.status for r in within] == [200] * API_LIMIT
    assert {r.replica for r in within} == set(REPLICAS)
    over = [get(cluster.proxy_port, VERSIONED, source, cluster.cookie) for _ in range(4)]
    assert [r.status for r in over] == [429] * 4
    assert {r.replica for r in over} == set(REPLICAS)


def test_an_api_body_is_kept_once_in_redis_whichever_replica_built_it(cluster):
    path = f"{VERSIONED}?limit=3"
    pattern = f"{cluster.prefix}api:body:*"
    before = set(cluster.redis_client.scan_iter(pattern))
    replies = [get(cluster.proxy_port, path, f"127.0.201.{n}", cluster.cookie) for n in range(1, 7)]
    assert [r.status for r in replies] == [200] * 6 and {r.replica for r in replies} == set(REPLICAS)
    new = set(cluster.redis_client.scan_iter(pattern)) - before
    assert len(new) == 1, f"one shared body expected for {path}, found {sorted(new)}"


def warm_records(cluster: Cluster) -> list[dict]:
    return [r for r in log_records(cluster) if r.get("logger") == "pages.warm" and "signature" in r]


def test_the_page_warmer_warms_each_state_of_the_data_once_across_all_processes(cluster):
    """Four web processes (two replicas of two workers) each check every second whether the data
    moved; one of them warms each new state, the others find its Redis lock taken."""
    seen = {r["signature"] for r in warm_records(cluster)}
    assert seen, "no process warmed the pages at start"
    refresh = _jobs(cluster.env, "refresh")  # records a sidecar run: the data signature moves
    assert refresh.returncode == 0, refresh.stdout + refresh.stderr
    wait_for(lambda: {r["signature"] for r in warm_records(cluster)} - seen, timeout=15, what="a warm of the new data")
    # Each process ticks every WARM_SECONDS: two ticks more give every other process the chance
    # to warm the same state again, which the lock must refuse (nothing to poll for: an absence).
    time.sleep(2 * WARM_SECONDS)
    by_signature = Counter(r["signature"] for r in warm_records(cluster))
    assert max(by_signature.values()) == 1, f"a state of the data was warmed more than once: {by_signature}"


def test_a_session_opened_on_one_replica_is_honoured_and_ended_on_both(cluster):
    """Sessions are rows in PostgreSQL behind a cookie signed with the shared key: no stickiness."""
    assert get(cluster.proxy_port, VERSIONED, "127.0.202.1").status == 401  # no session, no data
    cookie = sign_in(cluster.proxy_port)
    pages = [request(cluster.proxy_port, "/login", f"127.0.202.{n}", cookie) for n in range(2, 8)]
    assert all(reply.status == 200 and f"Signed in as <strong>{ADMIN}</strong>" in text for reply, _, text in pages)
    assert {reply.replica for reply, _, _ in pages} == set(REPLICAS)
    _, response, text = pages[-1]
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', text)[1]
    # The session cookie as the page that issued the CSRF token set it (the token is kept in it).
    form_cookie = session_cookie(response) or cookie
    reply, _, _ = request(cluster.proxy_port, "/logout", cookie=form_cookie, method="POST", form={"csrf_token": csrf})
    assert reply.status in (302, 303)
    after = [get(cluster.proxy_port, VERSIONED, f"127.0.202.{n}", cookie) for n in range(10, 14)]
    assert [r.status for r in after] == [401] * 4 and {r.replica for r in after} == set(REPLICAS)
