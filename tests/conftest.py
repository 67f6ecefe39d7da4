"""Shared fixtures: settings on each storage backend, a configured store, a FRED fixture server.

Storage tests run on SQLite + file cache always, and on PostgreSQL + Redis as well when
SPARTAN_TEST_DATABASE_URL and SPARTAN_TEST_REDIS_URL are set (each test gets its own schema
and key prefix, dropped afterwards).
"""

from __future__ import annotations

import logging
import os
import uuid
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from werkzeug import Request, Response

from config.settings import Settings, load_settings

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
SHARED_SAMPLES = ROOT.parent / "shared" / "samples" / "real"
FRED_CATALOG = FIXTURES / "catalog_fred.yaml"
PG_URL = os.environ.get("SPARTAN_TEST_DATABASE_URL")
REDIS_URL = os.environ.get("SPARTAN_TEST_REDIS_URL")

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param(
        "postgres",
        id="postgres",
        marks=pytest.mark.skipif(not (PG_URL and REDIS_URL), reason="SPARTAN_TEST_DATABASE_URL/REDIS_URL not set"),
    ),
]


def make_settings(tmp_path: Path, backend: str, **extra: str) -> Settings:
    env = {
        "SPARTAN_VAR_DIR": str(tmp_path / "var"),
        "SPARTAN_SOURCES_FILE": str(FRED_CATALOG),
        "SPARTAN_CACHE_PREFIX": f"spartan-test-{uuid.uuid4().hex[:8]}:",
        "SPARTAN_HTTP_RETRIES": "1",
        # Generous: the local fixture servers answer in milliseconds, but a loaded machine (another
        # suite beside this one) can stall a request for seconds. A test of timeouts sets its own
        # small timeout and a server that really stalls.
        "SPARTAN_HTTP_TIMEOUT": "30",
        "SPARTAN_HTTP_MAX_RETRY_AFTER": "1",
        "SPARTAN_PAGE_WARM_SECONDS": "0",  # no background page warming in tests (tests call it)
    }
    if backend == "postgres":
        env["SPARTAN_DATABASE_URL"] = PG_URL
        env["SPARTAN_REDIS_URL"] = REDIS_URL
        env["SPARTAN_DB_SCHEMA"] = f"t_{uuid.uuid4().hex[:12]}"
    env.update(extra)
    return load_settings(env)


def stop_process(process, timeout: float = 60) -> None:
    """End a server a test started (SIGTERM, then SIGKILL after ``timeout`` seconds)."""
    import signal
    import subprocess

    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now: a test server's own, not dash.testing's fixed 58050 and
    up, which another test run on the same machine may hold already."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def drop_backend(settings: Settings) -> None:
    """Remove what a test created on the shared PostgreSQL and Redis."""
    if settings.is_postgres:
        import sqlalchemy as sa

        engine = sa.create_engine(settings.database_url)
        with engine.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{settings.db_schema}" CASCADE'))
        engine.dispose()
    if settings.redis_url:
        import redis

        client = redis.Redis.from_url(settings.redis_url)
        keys = list(client.scan_iter(f"{settings.cache_prefix}*"))
        if keys:
            client.delete(*keys)


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture
def settings(tmp_path, backend) -> Settings:
    s = make_settings(tmp_path, backend)
    yield s
    drop_backend(s)


@pytest.fixture
def store(settings):
    """A migrated, empty store for ``settings``."""
    from sql.migrate import upgrade
    from sql.store import configure

    s = configure(settings)
    upgrade(settings, s.engine)
    yield s
    s.engine.dispose()


def fred_fixture(series_id: str) -> bytes:
    return (FIXTURES / "fred" / f"{series_id}.csv").read_bytes()


def serve_fred(httpserver, overrides: dict[str, Response] | None = None) -> str:
    """Serve fredgraph.csv from the fixtures (``overrides`` by series id); returns the base URL.

    A batch (``id=A,B,…``) that contains an overridden series is refused with a 400, as FRED
    refuses a batch with a bad id; the pipeline then asks for each series alone.
    """
    from tests.fixtures.providers.fred import fred_csv

    overrides = overrides or {}

    def handler(request: Request) -> Response:
        ids = parse_qs(request.query_string.decode()).get("id", [""])[0].split(",")
        if len(ids) == 1 and ids[0] in overrides:
            return overrides[ids[0]]
        if set(ids) & set(overrides):
            return Response("Bad Request. The series does not exist.", status=400)
        if not all((FIXTURES / "fred" / f"{series_id}.csv").exists() for series_id in ids):
            return Response("Series not found", status=404)
        return fred_csv(",".join(ids), None)

    httpserver.expect_request("/graph/fredgraph.csv").respond_with_handler(handler)
    return httpserver.url_for("/").rstrip("/")


def pytest_collection_modifyitems(config, items):
    """Skip browser tests where Chromium is missing, unless SPARTAN_REQUIRE_BROWSER is set (CI)."""
    import shutil

    if shutil.which("chromium") and shutil.which("chromedriver"):
        return
    if os.environ.get("SPARTAN_REQUIRE_BROWSER"):
        raise pytest.UsageError("SPARTAN_REQUIRE_BROWSER is set but chromium/chromedriver are not installed")
    skip = pytest.mark.skip(
        reason="chromium and chromium-driver are not installed (apt-get install chromium chromium-driver)"
    )
    for item in items:
        if "e2e" in item.keywords:
            item.add_marker(skip)


SHIPPED_CATALOG = str(ROOT / "config" / "sources.yaml")


@pytest.fixture(scope="session")
def demo_root(tmp_path_factory) -> Path:
    """Five years of demo data for the shipped catalog, analytics included (SQLite), seeded once
    per test run (~30 s). Tests only read it: ``demo_settings(demo_root, **extra)`` gives them
    settings on it (their own cache prefix, extra variables such as embed origins)."""
    from config.catalog import load_catalog
    from jobs.demo import seed_demo
    from sql.migrate import upgrade
    from sql.store import configure

    root = tmp_path_factory.mktemp("demo")
    settings = demo_settings(root)
    store = configure(settings)
    upgrade(settings, store.engine)
    seed_demo(store, load_catalog(settings))
    store.engine.dispose()
    return root


def demo_settings(root: Path, **extra: str) -> Settings:
    return make_settings(root, "sqlite", SPARTAN_SOURCES_FILE=SHIPPED_CATALOG, **extra)


# --- log records a test reads ------------------------------------------------------------


class Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def collect(logger_name: str):
    handler = Collect()
    logger = logging.getLogger(logger_name)
    logger.addHandler(handler)
    return handler, logger


@pytest.fixture
def audit():
    """The records of the ``spartan.audit`` logger during the test."""
    handler, logger = collect("spartan.audit")
    yield handler.records
    logger.removeHandler(handler)
