"""Every page's server-side build with the cache cold, warm and down, in one run.

    python -m bench.page_builds [--schema NAME] [--repeat 3]

Production set-up: five years of demo data (``jobs.demo.seed_demo``, shipped catalog) in a
schema of PostgreSQL (``SPARTAN_BENCH_DATABASE_URL``, default the local ``test`` database;
a throwaway schema dropped at the end, or ``--schema NAME`` kept and reused), Redis as the
cache (``SPARTAN_BENCH_REDIS_URL``). Each mode runs in a process of its own, which first builds
every page once (untimed: Python's and plotly's first-use costs are no page's), then per page:

- cold: an empty shared cache (a new key prefix) and an empty process memory, one build;
- warm: the same page again, the median of ``--repeat`` builds (everything in memory);
- cache down: Redis unreachable (a port nothing listens on), an empty process memory, one
  build: the database alone;

counting the SQL statements of each build. "Build" is the page's layout function in a request
context, what the pages router calls: no HTTP, no browser. Then ``/health/ready`` asked 300
times with the cache down (its p95). Prints a row per page and the slowest builds and ratios;
nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DETAIL_PAGES = ("/instrument/SPX", "/series/UNRATE")
DEAD_REDIS = "redis://127.0.0.1:1/0"


def station_env(args, schema: str, redis_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "SPARTAN_VAR_DIR": str(ROOT / "var" / "bench" / schema),
        "SPARTAN_DATABASE_URL": args.database_url,
        "SPARTAN_DB_SCHEMA": schema,
        "SPARTAN_REDIS_URL": redis_url,
        "SPARTAN_CACHE_PREFIX": f"{schema}-{uuid.uuid4().hex[:6]}:",
        "SPARTAN_PAGE_WARM_SECONDS": "0",
        "SPARTAN_LOG_LEVEL": "ERROR",
    }


# --- the child: one mode, one process -------------------------------------------------------


def _layout_of(path: str):
    import dash

    for page in dash.page_registry.values():
        if page["path"] == path:
            return page["layout"], {}
    for page in dash.page_registry.values():
        template = page.get("path_template") or ""
        head = template.split("<")[0]
        if template and path.startswith(head):
            return page["layout"], {template.split("<")[1].rstrip(">"): path[len(head) :]}
    raise KeyError(path)


def child(mode: str, repeat: int) -> None:
    import dash
    from sqlalchemy import event

    import app as webapp
    from sql import memo
    from sql.cache import cache
    from sql.store import get_store

    station = webapp.create_app()
    statements = [0]
    event.listen(get_store().engine, "before_cursor_execute", lambda *a: statements.__setitem__(0, statements[0] + 1))
    paths = [p["path"] for p in dash.page_registry.values() if not p.get("path_template")]
    paths += [
        p
        for p in DETAIL_PAGES
        if any(p.startswith((t.get("path_template") or "@").split("<")[0]) for t in dash.page_registry.values())
    ]

    def build(path: str) -> tuple[float, int]:
        layout, kwargs = _layout_of(path)
        statements[0] = 0
        with station.server.test_request_context(path):
            started = time.perf_counter()
            layout(**kwargs)
            return (time.perf_counter() - started) * 1000, statements[0]

    for path in paths:  # first-use costs of the process, untimed
        build(path)
    for path in paths:
        memo.clear_local()
        if mode == "up":
            cache.cache.key_prefix = f"bench-{uuid.uuid4().hex[:8]}:"
            cold, cold_q = build(path)
            warm = statistics.median(build(path)[0] for _ in range(repeat))
            print(json.dumps({"path": path, "cold": cold, "cold_q": cold_q, "warm": warm}), flush=True)
        else:
            down, down_q = build(path)
            print(json.dumps({"path": path, "down": down, "down_q": down_q}), flush=True)
    if mode == "down":
        client = station.server.test_client()
        times = []
        for _ in range(300):
            started = time.perf_counter()
            client.get("/health/ready")
            times.append((time.perf_counter() - started) * 1000)
        print(
            json.dumps(
                {
                    "health_ready_p95": statistics.quantiles(times, n=20)[-1],
                    "health_ready_median": statistics.median(times),
                }
            ),
            flush=True,
        )


# --- the parent -------------------------------------------------------------------------------


def run_child(args, env: dict[str, str], mode: str) -> list[dict]:
    out = subprocess.run(  # noqa: S603 - this module, fixed arguments
        [sys.executable, "-m", "bench.page_builds", "--child", mode, "--repeat", str(args.repeat)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]


def report(up: list[dict], down: list[dict]) -> None:
    by_path = {r["path"]: r for r in up}
    for row in down:
        if "path" in row:
            by_path[row["path"]].update(row)
    heads = ("warm", "cold", "down", "cold/warm", "down/warm", "SQL cold", "SQL down")
    print(f"{'page':24} " + " ".join(f"{h:>9}" for h in heads))
    rows = list(by_path.values())
    for r in rows:
        print(
            f"{r['path']:24} {r['warm']:7.0f}  {r['cold']:7.0f}  {r['down']:7.0f}  {r['cold'] / r['warm']:9.1f}x "
            f"{r['down'] / r['warm']:9.1f}x {r['cold_q']:9d} {r['down_q']:9d}"
        )
    for label, key in (("warm", "warm"), ("cold", "cold"), ("cache down", "down")):
        median, slowest = statistics.median(r[key] for r in rows), max(rows, key=lambda r: r[key])
        print(f"{label:10}: median {median:.0f} ms, slowest {slowest['path']} {slowest[key]:.0f} ms")
    worst = max(rows, key=lambda r: max(r["cold"], r["down"]) / r["warm"])
    print(f"largest ratio to warm: {worst['path']} {max(worst['cold'], worst['down']) / worst['warm']:.1f}x")
    health = next((r for r in down if "health_ready_p95" in r), None)
    if health:
        median, p95 = health["health_ready_median"], health["health_ready_p95"]
        print(f"/health/ready with the cache down: median {median:.1f} ms, p95 {p95:.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", choices=("up", "down"), help=argparse.SUPPRESS)
    parser.add_argument("--repeat", type=int, default=3, help="warm builds per page (median)")
    parser.add_argument("--schema", help="use (and keep) this schema, seeding it when empty")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("SPARTAN_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test"),
    )
    parser.add_argument("--redis-url", default=os.environ.get("SPARTAN_BENCH_REDIS_URL", "redis://127.0.0.1:6379/14"))
    args = parser.parse_args()
    if args.child:
        child(args.child, args.repeat)
        return

    import sqlalchemy as sa

    from bench.dashboards import has_data, seed
    from config.settings import load_settings

    schema = args.schema or f"bench_{uuid.uuid4().hex[:10]}"
    settings = load_settings(station_env(args, schema, args.redis_url))
    try:
        if not has_data(settings):
            seed(settings)
        up = run_child(args, station_env(args, schema, args.redis_url), "up")
        down = run_child(args, station_env(args, schema, DEAD_REDIS), "down")
        print(f"\nPostgreSQL + Redis, five years of demo data, schema {schema}; times in ms\n")
        report(up, down)
    finally:
        if not args.schema:
            engine = sa.create_engine(settings.database_url)
            with engine.begin() as conn:
                conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            engine.dispose()


if __name__ == "__main__":
    main()
