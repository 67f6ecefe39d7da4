"""REST API throughput and latency under Locust, beside the ceiling of the same server stack.

    python -m bench.api_load [--path /api/market/indices] [--duration 60] [--workers 2] [--threads 4]

Production set-up: five years of demo data (``jobs.demo.seed_demo``, shipped catalog) in a
throwaway schema of PostgreSQL (``SPARTAN_BENCH_DATABASE_URL``, default the local ``test``
database), Redis as the cache (``SPARTAN_BENCH_REDIS_URL``, default db 14, a fresh key prefix),
``gunicorn app:server`` with the project's gunicorn config, per-IP rate limits off (every
Locust user comes from 127.0.0.1). Then, for each scenario, Locust (in its own virtual
environment, ``var/bench/locust-venv``, from bench/requirements-locust.txt: it needs urllib3 2,
the project's dash[testing] pins 1.26) asks for ``--path`` again and again:

- saturation: 50 users, no think time — the most requests per second the server gives;
- 1,000 users with a think time of 0.5–1.5 s each — the seed's "1,000 concurrent users".

The saturation scenario then runs once more against the same station with its Redis
unreachable (a port nothing listens on): what the database and each worker's own memory
give, as a ratio to the figure with Redis. The same scenarios then run against the ceiling,
``bench/ceiling.py``: a trivial Flask app on the same gunicorn settings returning the very
bytes the endpoint returned (gzip by flask-compress, as the station does). Statistics are
reset once every user has started. The cache hit rate is read from the station's own /metrics
(cache lookups by result) before and after the runs.
Figures are printed, nothing is asserted. Locust shares the machine's cores with the server.
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

from bench.dashboards import free_port, seed, wait_http

ROOT = Path(__file__).resolve().parent.parent
LOCUST_VENV = ROOT / "var" / "bench" / "locust-venv"
LOCUST_REQUIREMENTS = ROOT / "bench" / "requirements-locust.txt"
GUNICORN_CONF = ROOT / "config" / "gunicorn.conf.py"
DEAD_REDIS = "redis://127.0.0.1:1/0"  # nothing listens there
CACHE_DOWN = "station, Redis down"
SCENARIOS = (
    ("saturation: 50 users, no think time", 50, "0"),
    ("1,000 users, 0.5–1.5 s think time", 1000, "0.5-1.5"),
)


@dataclass
class Result:
    requests: int
    failures: int
    rps: float
    p50: float
    p95: float
    p99: float


def locust_python() -> Path:
    """Locust's venv, made (or brought up to bench/requirements-locust.txt) when needed."""
    python = LOCUST_VENV / "bin" / "python"
    stamp = LOCUST_VENV / ".requirements"
    wanted = LOCUST_REQUIREMENTS.read_text()
    if python.exists() and stamp.exists() and stamp.read_text() == wanted:
        return python
    print(f"installing Locust into {LOCUST_VENV} …", flush=True)
    subprocess.run([sys.executable, "-m", "venv", str(LOCUST_VENV)], check=True)  # noqa: S603
    subprocess.run(  # noqa: S603 - pinned requirements of our own
        [str(python), "-m", "pip", "install", "--quiet", "-r", str(LOCUST_REQUIREMENTS)], check=True
    )
    stamp.write_text(wanted)
    return python


def gunicorn(app: str, env: dict, port: int, workers: int, threads: int, log: Path) -> subprocess.Popen:
    config = ["-c", str(GUNICORN_CONF)] if GUNICORN_CONF.exists() else []
    with log.open("w") as out:
        return subprocess.Popen(  # noqa: S603 - our own app, fixed arguments
            [
                *(sys.executable, "-m", "gunicorn", *config, app),
                *("--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--threads", str(threads)),
                *("--timeout", "120", "--backlog", "2048"),
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def stop(server: subprocess.Popen | None) -> None:
    if server is None or server.poll() is not None:
        return
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()


def run_locust(python: Path, base: str, path: str, users: int, wait: str, duration: int, out: Path) -> Result:
    prefix = out / f"locust-{uuid.uuid4().hex[:6]}"
    subprocess.run(  # noqa: S603 - Locust from its venv, fixed arguments
        [
            *(str(python), "-m", "locust", "-f", str(ROOT / "bench" / "locustfile.py"), "--headless"),
            *("--users", str(users), "--spawn-rate", str(min(users, 250)), "--run-time", f"{duration}s"),
            *("--host", base, "--csv", str(prefix), "--reset-stats", "--only-summary", "--loglevel", "WARNING"),
            "--stop-timeout",
            "5",
        ],
        env={**os.environ, "SPARTAN_BENCH_PATH": path, "SPARTAN_BENCH_WAIT": wait},
        check=False,  # Locust exits 1 when any request failed; the failures are reported
        stdout=subprocess.DEVNULL,
        stderr=(out / "locust.log").open("a"),
    )
    with open(f"{prefix}_stats.csv", newline="") as handle:
        row = next(r for r in csv.DictReader(handle) if r["Name"] == "Aggregated")
    return Result(
        requests=int(row["Request Count"]),
        failures=int(row["Failure Count"]),
        rps=float(row["Requests/s"]),
        p50=float(row["50%"]),
        p95=float(row["95%"]),
        p99=float(row["99%"]),
    )


CACHE_LINE = re.compile(
    r"^(?P<name>spartan_(?:local_)?cache_\w*?)(?:_total)?\{(?P<labels>[^}]*)\}\s+(?P<value>[0-9.eE+-]+)$"
)


def cache_lookups(base: str) -> tuple[float, float] | None:
    """(hits, misses) over the station's cache metrics: reads answered by a web process's own
    memory or by the shared cache, and reads the shared cache did not hold (a process-memory
    miss goes on to the shared cache, so it is not a miss of its own); None without metrics."""
    try:
        with urllib.request.urlopen(base + "/metrics", timeout=10) as response:  # noqa: S310 - our server
            text = response.read().decode()
    except OSError:
        return None
    hits = misses = 0.0
    found = False
    for line in text.splitlines():
        match = CACHE_LINE.match(line)
        if not match or line.startswith(("spartan_cache_size", "spartan_cache_bytes")):
            continue
        labels, local = match["labels"], match["name"].startswith("spartan_local_")
        if 'result="hit"' in labels:
            hits += float(match["value"])
            found = True
        elif 'result="miss"' in labels and not local:
            misses += float(match["value"])
            found = True
    return (hits, misses) if found else None


def fetch(url: str) -> tuple[bytes, str]:
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - our own local server
        return response.read(), response.headers.get("Content-Type", "application/json")


def table(rows: list[tuple[str, str, Result]]) -> None:
    heads = ("req/s", "p50 ms", "p95 ms", "p99 ms")
    print(f"{'scenario':38} {'server':20} " + " ".join(f"{h:>8}" for h in heads) + f" {'requests':>9} {'failed':>7}")
    print("-" * 115)
    for scenario, server, r in rows:
        print(
            f"{scenario:38} {server:20} {r.rps:8,.0f} {r.p50:8,.0f} {r.p95:8,.0f} {r.p99:8,.0f} "
            f"{r.requests:9,} {r.failures:7,}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--path", default="/api/market/indices", help="endpoint to load (default /api/market/indices)")
    parser.add_argument("--duration", type=int, default=60, help="seconds per run, after every user started")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2, as in production)")
    parser.add_argument("--threads", type=int, default=4, help="gunicorn threads per worker (default 4)")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("SPARTAN_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test"),
    )
    parser.add_argument("--redis-url", default=os.environ.get("SPARTAN_BENCH_REDIS_URL", "redis://127.0.0.1:6379/14"))
    args = parser.parse_args()

    from config.settings import load_settings

    python = locust_python()
    scratch = Path(tempfile.mkdtemp(prefix="spartan-bench-api-"))
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    env = {
        **os.environ,
        "SPARTAN_VAR_DIR": str(scratch / "var"),
        "SPARTAN_DATABASE_URL": args.database_url,
        "SPARTAN_DB_SCHEMA": schema,
        "SPARTAN_REDIS_URL": args.redis_url,
        "SPARTAN_CACHE_PREFIX": f"{schema}:",
        "SPARTAN_LOG_LEVEL": "WARNING",
        "SPARTAN_RATE_LIMIT_ENABLED": "0",  # every Locust user is 127.0.0.1
        "SPARTAN_PAGE_WARM_SECONDS": "0",  # no page building beside the API load
    }
    settings = load_settings(env)
    server = None
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    rows: list[tuple[str, str, Result]] = []
    try:
        seed(settings)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = gunicorn("app:server", env, port, args.workers, args.threads, scratch / "web.log")
        wait_http(base + "/health", server, timeout=120)
        for _ in range(20 * args.workers):  # every worker set up and the endpoint's reads cached
            body, content_type = fetch(base + args.path)
        (scratch / "body").write_bytes(body)
        before = cache_lookups(base)
        for scenario, users, wait in SCENARIOS:
            rows.append((scenario, "station", run_locust(python, base, args.path, users, wait, args.duration, scratch)))
        after = cache_lookups(base)
        stop(server)

        # The same station with its cache unreachable: the database and each worker's memory.
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = gunicorn(
            "app:server",
            {**env, "SPARTAN_REDIS_URL": DEAD_REDIS},
            port,
            args.workers,
            args.threads,
            scratch / "web-down.log",
        )
        wait_http(base + "/health", server, timeout=120)
        for _ in range(20 * args.workers):
            fetch(base + args.path)
        scenario, users, wait = SCENARIOS[0]
        rows.append((scenario, CACHE_DOWN, run_locust(python, base, args.path, users, wait, args.duration, scratch)))
        stop(server)

        ceiling_env = {
            **env,
            "SPARTAN_CEILING_BODY": str(scratch / "body"),
            "SPARTAN_CEILING_PATH": args.path,
            "SPARTAN_CEILING_CONTENT_TYPE": content_type,
        }
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = gunicorn("bench.ceiling:app", ceiling_env, port, args.workers, args.threads, scratch / "ceiling.log")
        wait_http(base + args.path, server)
        for scenario, users, wait in SCENARIOS:
            rows.append((scenario, "ceiling", run_locust(python, base, args.path, users, wait, args.duration, scratch)))

        print(
            f"\nGET {args.path} ({len(body):,} bytes, {content_type}) | gunicorn {args.workers} workers × "
            f"{args.threads} threads | PostgreSQL + Redis | {os.cpu_count()} cores shared with Locust | "
            f"{args.duration} s a run\n"
        )
        table(sorted(rows, key=lambda r: (r[0] != SCENARIOS[0][0], ("station", CACHE_DOWN, "ceiling").index(r[1]))))
        up = next(r for s, server, r in rows if s == SCENARIOS[0][0] and server == "station")
        down = next(r for s, server, r in rows if server == CACHE_DOWN)
        print(f"\nsaturation throughput with Redis down / with Redis up: {down.rps / up.rps:.2f}")
        if before is not None and after is not None:
            hits, misses = after[0] - before[0], after[1] - before[1]
            rate = hits / (hits + misses) if hits + misses else float("nan")
            print(f"\ncache during the station's runs: {hits:,.0f} hits, {misses:,.0f} misses, hit rate {rate:.2%}")
        else:
            print("\ncache hit rate: the station's /metrics has no cache lookup counters")
    finally:
        stop(server)
        drop_run_data(settings.database_url, schema, args.redis_url, f"{schema}:")
        shutil.rmtree(scratch, ignore_errors=True)


def drop_run_data(database_url: str, schema: str, redis_url: str, prefix: str) -> None:
    """Best effort: a run's own schema and its cache keys (``prefix``*) go, or it says why not."""
    import sqlalchemy as sa

    try:
        engine = sa.create_engine(database_url)  # the driver named as the app names it
        with engine.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        engine.dispose()
        import redis

        client = redis.Redis.from_url(redis_url)
        keys = list(client.scan_iter(f"{prefix}*", count=1000))
        for start in range(0, len(keys), 1000):
            client.delete(*keys[start : start + 1000])
    except Exception as exc:  # noqa: BLE001 - clean-up is best effort, and says so
        print(f"clean-up of {schema}: {exc}", file=sys.stderr)


if __name__ == "__main__":
    main()
