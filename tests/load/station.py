"""The station under test for ``tests/load/run.py``: PostgreSQL + Redis (the test's own by
default, or ``SPARTAN_DATABASE_URL`` / ``SPARTAN_REDIS_URL`` when given), five years of demo
data (``python -m jobs demo``), and the web as production runs it (``gunicorn -c
config/gunicorn.conf.py app:server``); the trivial-Flask ceiling (bench/ceiling.py) on the same
gunicorn settings. Also what is read from a running station: its ``/metrics`` (pool gauges,
database errors, the query-duration histogram) and its workers' resident memory.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from tests.fixtures.services import PostgresServer, RedisServer, port_open, postgres_bin, stop_process, wait_for

ROOT = Path(__file__).resolve().parents[2]
GUNICORN_CONF = ROOT / "config" / "gunicorn.conf.py"
BOOT_TIMEOUT = 180.0  # seconds for the web to answer on a loaded machine
SEED_TIMEOUT = 900  # five years of demo data on a loaded machine


def missing_binaries() -> list[str]:
    """What an own PostgreSQL + Redis would need and is not installed."""
    import shutil

    missing = [] if shutil.which("redis-server") else ["redis-server"]
    return missing + ([] if postgres_bin() else ["initdb/pg_ctl (postgresql)"])


@dataclass
class Station:
    """The services, the web and the ceiling of one run; ``close()`` stops what it started."""

    scratch: Path
    workers: int = 2
    database_url: str | None = None
    redis_url: str | None = None
    env: dict[str, str] = field(default_factory=dict)
    web: subprocess.Popen | None = None
    ceiling: subprocess.Popen | None = None
    base: str = ""
    _own: list = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    def start_services(self) -> None:
        """The given PostgreSQL and Redis (a schema and key prefix of this run's own), or ours."""
        if not self.database_url:
            postgres = PostgresServer()
            self._own.append(postgres)
            self.database_url = postgres.start().url
        if not self.redis_url:
            cache = RedisServer()
            self._own.append(cache)
            self.redis_url = cache.start().url
        run = f"load_{uuid.uuid4().hex[:8]}"
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": os.environ.get("HOME", "/tmp"),
            "SPARTAN_DATABASE_URL": self.database_url,
            "SPARTAN_DB_SCHEMA": run if not self._own else "spartan_research",
            "SPARTAN_REDIS_URL": self.redis_url,
            "SPARTAN_CACHE_PREFIX": f"{run}:",
            "SPARTAN_VAR_DIR": str(self.scratch / "var"),
            "SPARTAN_LOG_FORMAT": "json",
            "SPARTAN_LOG_LEVEL": "WARNING",
            # Every Locust user comes from 127.0.0.1: one client to the per-IP limits.
            "SPARTAN_RATE_LIMIT_ENABLED": "0",
            "WEB_CONCURRENCY": str(self.workers),
        }

    def jobs(self, *args: str, timeout: float = SEED_TIMEOUT) -> None:
        started = time.monotonic()
        done = subprocess.run(  # noqa: S603 - the project's own CLI, fixed arguments
            [sys.executable, "-m", "jobs", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if done.returncode != 0:
            raise RuntimeError(
                f"python -m jobs {' '.join(args)} failed ({done.returncode}):\n{done.stdout}{done.stderr}"
            )
        self.timings[f"jobs {args[0]}"] = time.monotonic() - started

    def seed_and_start_web(self) -> None:
        """Migrate, start the web, then five years of demo data for every catalogued dataset
        (the web boots meanwhile); until the station answers ready."""
        self.jobs("migrate")
        self.web, self.base = self._gunicorn("app:server", self.env, self.scratch / "web.log")
        self.jobs("demo")
        wait_for(lambda: status(self.base + "/health/ready") == 200, BOOT_TIMEOUT, "the station ready", 0.2)

    def _gunicorn(self, app: str, env: dict[str, str], log: Path) -> tuple[subprocess.Popen, str]:
        port = _free_port()
        with log.open("w") as sink:
            process = subprocess.Popen(  # noqa: S603 - our own app, fixed arguments
                [
                    *(sys.executable, "-m", "gunicorn", "-c", str(GUNICORN_CONF), app),
                    *("--bind", f"127.0.0.1:{port}", "--workers", str(self.workers), "--backlog", "2048"),
                ],
                cwd=ROOT,
                env=env,
                stdout=sink,
                stderr=subprocess.STDOUT,
            )
        base = f"http://127.0.0.1:{port}"
        wait_for(lambda: process.poll() is not None or port_open(port), BOOT_TIMEOUT, f"{app} listening", 0.2)
        if process.poll() is not None:
            raise RuntimeError(f"{app} exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        return process, base

    def start_ceiling(self, body: bytes, path: str, content_type: str) -> str:
        """bench/ceiling.py answering ``path`` with ``body``; its base URL."""
        (self.scratch / "ceiling-body").write_bytes(body)
        env = self.env | {
            "SPARTAN_CEILING_BODY": str(self.scratch / "ceiling-body"),
            "SPARTAN_CEILING_PATH": path,
            "SPARTAN_CEILING_CONTENT_TYPE": content_type,
        }
        self.ceiling, base = self._gunicorn("bench.ceiling:app", env, self.scratch / "ceiling.log")
        wait_for(lambda: status(base + path) == 200, BOOT_TIMEOUT, "the ceiling answering", 0.2)
        return base

    def stop_ceiling(self) -> None:
        stop_process(self.ceiling, sig=2)
        self.ceiling = None

    def worker_pids(self) -> list[int]:
        if self.web is None or self.web.poll() is not None:
            return []
        return sorted(child.pid for child in psutil.Process(self.web.pid).children())

    def web_log(self) -> str:
        path = self.scratch / "web.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def close(self) -> None:
        # SIGINT: gunicorn's quick shutdown (SIGTERM waits for open keep-alive connections).
        stop_process(self.web, self.ceiling, sig=2)
        for service in reversed(self._own):
            service.stop()
        if not self._own and self.env:
            self._drop_run_data()

    def _drop_run_data(self) -> None:
        """On given services: the run's schema and cache keys go, nothing else is touched."""
        from bench.api_load import drop_run_data
        from config.settings import load_settings

        settings = load_settings(self.env)
        drop_run_data(settings.database_url, settings.db_schema, self.redis_url, self.env["SPARTAN_CACHE_PREFIX"])


def _free_port() -> int:
    from tests.conftest import free_port

    return free_port()


def status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - our own local server
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return 0


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[bytes, dict[str, str]]:
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 - our own local server
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
        return response.read(), dict(response.headers)


def rss_bytes(pid: int) -> int | None:
    try:
        return psutil.Process(pid).memory_info().rss
    except psutil.Error:
        return None


# --- /metrics --------------------------------------------------------------------------------

_SAMPLE = re.compile(r"^(?P<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(?P<labels>[^}]*)\})?\s+(?P<value>\S+)$")
_LABEL = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')


def parse_metrics(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Prometheus text exposition: (name, sorted labels) → value."""
    samples = {}
    for line in text.splitlines():
        match = _SAMPLE.match(line)
        if match is None or line.startswith("#"):
            continue
        labels = tuple(sorted(_LABEL.findall(match["labels"] or "")))
        samples[(match["name"], labels)] = float(match["value"])
    return samples


def scrape(base: str) -> dict:
    body, _ = fetch(base + "/metrics")
    return parse_metrics(body.decode())


def metric_sum(samples: dict, name: str, **labels: str) -> float:
    """The sum of ``name`` over every series whose labels include ``labels``."""
    wanted = set(labels.items())
    return sum(value for (n, lbls), value in samples.items() if n == name and wanted <= set(lbls))


def histogram_buckets(samples: dict, name: str, **labels: str) -> list[tuple[float, float]]:
    """(upper bound, cumulative count) of histogram ``name``, summed over other labels."""
    wanted = set(labels.items())
    buckets: dict[float, float] = {}
    for (n, lbls), value in samples.items():
        if n != f"{name}_bucket" or not wanted <= set(lbls):
            continue
        bound = float(dict(lbls)["le"])
        buckets[bound] = buckets.get(bound, 0.0) + value
    return sorted(buckets.items())


def histogram_quantile(q: float, before: list[tuple[float, float]], after: list[tuple[float, float]]) -> float | None:
    """Prometheus's ``histogram_quantile`` over the observations between two scrapes (linear
    within the bucket); None when nothing was observed between them."""
    earlier = dict(before)
    buckets = [(bound, count - earlier.get(bound, 0.0)) for bound, count in after]
    total = buckets[-1][1] if buckets else 0.0
    if total <= 0:
        return None
    rank, lower, below = q * total, 0.0, 0.0
    for bound, cumulative in buckets:
        if cumulative >= rank:
            if bound == float("inf"):
                return lower  # past the last finite bound: its lower edge, as Prometheus does
            share = (rank - below) / (cumulative - below) if cumulative > below else 0.0
            return lower + (bound - lower) * share
        lower, below = bound, cumulative
    return lower
