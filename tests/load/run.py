"""Load and soak test of the station on PostgreSQL + Redis: ``make loadtest``, ``make soak``.

    python -m tests.load.run [--users 1000] [--duration 60] [--soak 0] [--p95-limit 200] …

1. PostgreSQL and Redis of the run's own (initdb/pg_ctl, redis-server on free ports; or the
   ones named by ``SPARTAN_DATABASE_URL`` / ``SPARTAN_REDIS_URL``, in a schema and key prefix
   of the run's own), five years of demo data (``python -m jobs demo``), the web as production
   runs it (``gunicorn -c config/gunicorn.conf.py app:server``, 2 workers × 4 threads), per-IP
   rate limits off (every Locust user is 127.0.0.1).
2. The plan (tests/load/plan.py): every page, callback, CSV and API request of the mix,
   answered once as expected, then twice per worker more (every worker warm).
3. Load: Locust headless (its own venv, bench/requirements-locust.txt) with ``--users`` users
   of tests/load/locustfile.py, ``--spawn-rate`` a second, ``--wait`` seconds of think time;
   statistics from when every user has started, for ``--duration`` seconds. Worker memory and
   the database pool are watched meanwhile (tests/load/watch.py).
4. The ceiling: bench/ceiling.py (trivial Flask, the same gunicorn settings, the bytes of
   ``/api/market/indices``) under the same users and pace (``--no-ceiling``: skipped).
5. Soak (``--soak SECONDS``, 0: none): the same mix for that long with ``--soak-users``;
   fails when a worker's memory grows more than ``--rss-growth-mib`` after the warm-up
   (``--soak-warmup``) or the pool exhausts.

Prints p50/p95/p99 per request type beside the ceiling, the database's query p95 (the
station's ``spartan_db_query_duration_seconds`` histogram: during the load, and since the start,
when the plan built every page on five years of data with nothing cached) and the soak's memory.
Exits 1 when any request failed, the pool exhausted, memory grew past the bound, or the
station's p95 (all requests) reached ``--p95-limit`` ms (0: p95 reported, not judged).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from tests.load import plan as load_plan
from tests.load.station import Station, fetch, histogram_buckets, histogram_quantile, scrape
from tests.load.watch import Watch, judge, memory, pool_peak

LOCUSTFILE = Path(__file__).with_name("locustfile.py")
CEILING_PATH = "/api/market/indices"
QUERY_HISTOGRAM = "spartan_db_query_duration_seconds"


@dataclass
class Row:
    name: str
    requests: int
    failures: int
    p50: float
    p95: float
    p99: float
    rps: float


@dataclass
class LocustRun:
    rows: list[Row]  # per request type, then "Aggregated"
    errors: list[str]  # Locust's failures (type, error, occurrences) and exceptions in tasks

    @property
    def total(self) -> Row:
        return next(r for r in self.rows if r.name == "Aggregated")


def _number(text: str) -> float:
    """A figure of Locust's CSV; "N/A" (nothing measured) as NaN."""
    try:
        return float(text)
    except ValueError:
        return float("nan")


def locust(
    python: Path,
    base: str,
    users: int,
    spawn_rate: float,
    duration: int,
    wait: str,
    out: Path,
    plan: Path | None = None,
    ceiling: str | None = None,
) -> LocustRun:
    """Locust headless against ``base``; statistics reset once every user has started."""
    ramp = int(users / spawn_rate + 0.999)
    prefix = out / f"locust-{'ceiling' if ceiling else 'station'}-{time.monotonic_ns()}"
    env = {**os.environ, "SPARTAN_LOAD_WAIT": wait}
    env.update({"SPARTAN_LOAD_CEILING": ceiling} if ceiling else {"SPARTAN_LOAD_PLAN": str(plan)})
    user_class = "CeilingUser" if ceiling else "StationUser"
    with (out / "locust.log").open("a") as log:
        subprocess.run(  # noqa: S603 - Locust from its venv, fixed arguments
            [
                *(str(python), "-m", "locust", "-f", str(LOCUSTFILE), "--headless", "--host", base),
                *("--users", str(users), "--spawn-rate", str(spawn_rate), "--run-time", f"{ramp + duration}s"),
                *("--csv", str(prefix), "--reset-stats", "--only-summary", "--stop-timeout", "10"),
                *("--loglevel", "WARNING", "--exit-code-on-error", "0"),
                user_class,
            ],
            env=env,
            check=False,  # failures are read from its statistics
            stdout=subprocess.DEVNULL,
            stderr=log,
            timeout=ramp + duration + 120,
        )
    with open(f"{prefix}_stats.csv", newline="") as handle:
        rows = [
            Row(
                r["Name"],
                int(r["Request Count"]),
                int(r["Failure Count"]),
                _number(r["50%"]),
                _number(r["95%"]),
                _number(r["99%"]),
                _number(r["Requests/s"]),
            )
            for r in csv.DictReader(handle)
        ]
    with open(f"{prefix}_failures.csv", newline="") as handle:
        errors = [f"{r['Name']}: {r['Error']} ×{r['Occurrences']}" for r in csv.DictReader(handle)]
    with open(f"{prefix}_exceptions.csv", newline="") as handle:  # a task that raised: the plan or the file
        errors += [f"exception in a task: {r['Message']} ×{r['Count']}" for r in csv.DictReader(handle)]
    return LocustRun(rows, errors)


def query_p95(before: dict, after: dict) -> str:
    """The p95 of SELECT statements between two scrapes of /metrics, with their count."""
    earlier = histogram_buckets(before, QUERY_HISTOGRAM, operation="select")
    later = histogram_buckets(after, QUERY_HISTOGRAM, operation="select")
    p95 = histogram_quantile(0.95, earlier, later)
    count = (later[-1][1] - (earlier[-1][1] if earlier else 0.0)) if later else 0.0
    return "no query" if p95 is None else f"{p95 * 1000:.1f} ms over {count:,.0f} SELECTs"


def table(station: LocustRun, ceiling: LocustRun | None) -> str:
    head = f"{'request type':34} {'requests':>9} {'failed':>7} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}"
    lines = [head, "-" * len(head)]
    rows = [r for r in station.rows if r.name != "Aggregated"] + [station.total]
    for r in rows:
        name = "station, all requests" if r.name == "Aggregated" else r.name
        lines.append(
            f"{name:34} {r.requests:9,} {r.failures:7,} {r.rps:7,.0f} {r.p50:7,.0f} {r.p95:7,.0f} {r.p99:7,.0f}"
        )
    if ceiling is not None:
        r = ceiling.total
        lines.append(
            f"{'ceiling: trivial Flask, same pace':34} {r.requests:9,} {r.failures:7,} {r.rps:7,.0f} {r.p50:7,.0f} "
            f"{r.p95:7,.0f} {r.p99:7,.0f}"
        )
    return "\n".join(lines)


def memory_lines(watch: Watch, warmup: float) -> list[str]:
    lines = []
    for w in memory(watch.samples, warmup):
        lines.append(
            f"  worker {w.pid}: {w.first_mib:.0f} → {w.last_mib:.0f} MiB after warm-up "
            f"(growth {w.growth_mib:+.1f} MiB, slope {w.slope_mib_per_min:+.2f} MiB/min, peak {w.peak_mib:.0f} MiB)"
        )
    in_use, capacity = pool_peak(watch.samples)
    lines.append(f"  database pool: at most {in_use:.0f} connections checked out of {capacity:.0f} (all workers)")
    return lines


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tests.load.run", description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=1000, help="Locust users in the load (default 1000)")
    parser.add_argument("--spawn-rate", type=float, default=50, help="users started a second (default 50)")
    parser.add_argument("--duration", type=int, default=60, help="seconds of load after every user started")
    parser.add_argument("--wait", default="5-15", help="think time between a user's actions, seconds (default 5-15)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2, as in production)")
    parser.add_argument("--p95-limit", type=float, default=200, help="fail at a station p95 ≥ this, ms (0: don't)")
    parser.add_argument("--no-ceiling", action="store_true", help="skip the trivial-Flask ceiling run")
    parser.add_argument("--soak", type=int, default=0, help="seconds of soak after the load (0: none)")
    parser.add_argument("--soak-users", type=int, default=None, help="users during the soak (default --users)")
    parser.add_argument(
        "--soak-warmup", type=float, default=None, help="seconds before memory is judged (default 20%%)"
    )
    parser.add_argument("--rss-growth-mib", type=float, default=32, help="a worker's allowed growth after warm-up")
    parser.add_argument("--sample-every", type=float, default=5, help="seconds between memory/pool samples")
    parser.add_argument("--plan-every", type=int, default=1, help="every Nth page and panel only (default 1: all)")
    parser.add_argument("--load", action=argparse.BooleanOptionalAction, default=True, help="run the load phase")
    args = parser.parse_args(argv)
    if min(args.users, args.duration, args.workers, args.plan_every) < 1 or args.spawn_rate <= 0:
        parser.error("--users, --duration, --spawn-rate, --workers and --plan-every must be positive")
    if args.soak < 0 or (not args.load and not args.soak):
        parser.error("nothing to run: --no-load needs --soak SECONDS > 0")
    if len(args.wait.split("-")) > 2 or not all(p.replace(".", "", 1).isdigit() for p in args.wait.split("-")):
        parser.error(f"--wait must be seconds or LOW-HIGH, not {args.wait!r}")
    return args


def main(argv: list[str] | None = None) -> int:
    from bench.api_load import locust_python

    args = parse_args(argv)
    handler = None
    if threading.current_thread() is threading.main_thread():  # a SIGTERM still stops what was started
        handler = signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    python = locust_python()
    scratch = Path(tempfile.mkdtemp(prefix="spartan-load-"))
    station = Station(
        scratch, args.workers, os.environ.get("SPARTAN_DATABASE_URL"), os.environ.get("SPARTAN_REDIS_URL")
    )
    problems: list[str] = []
    report: list[str] = []
    try:
        station.start_services()
        station.seed_and_start_web()
        started = time.monotonic()
        plan = load_plan.build(station.base, every=args.plan_every)
        load_plan.warm(station.base, plan, rounds=2 * args.workers)
        (scratch / "plan.json").write_text(json.dumps(plan))
        report.append(
            f"plan: {', '.join(f'{len(v)} {k}' for k, v in plan.items())} (checked and warmed in "
            f"{time.monotonic() - started:.0f} s); demo data seeded in {station.timings['jobs demo']:.0f} s"
        )
        at_start = scrape(station.base)
        ceiling = None
        if args.load:
            with Watch(station, args.sample_every) as watch:
                run = locust(
                    python,
                    station.base,
                    args.users,
                    args.spawn_rate,
                    args.duration,
                    args.wait,
                    scratch,
                    plan=scratch / "plan.json",
                )
            after = scrape(station.base)
            problems += [f"load: {p}" for p in judge(watch, 0, None, args.workers, station.web_log())]
            if not args.no_ceiling:
                body, headers = fetch(station.base + CEILING_PATH)
                base = station.start_ceiling(body, CEILING_PATH, headers.get("Content-Type", "application/json"))
                ceiling = locust(
                    python, base, args.users, args.spawn_rate, args.duration, args.wait, scratch, ceiling=CEILING_PATH
                )
                station.stop_ceiling()
            total = run.total
            report += [
                "",
                f"LOAD: {args.users:,} users (think time {args.wait} s, {args.spawn_rate:g}/s spawned), "
                f"{args.duration} s measured after the ramp; gunicorn {args.workers} workers × 4 threads; "
                f"PostgreSQL + Redis; {os.cpu_count()} cores shared with Locust; load average "
                f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}",
                table(run, ceiling),
                "",
                f"database query p95 (SELECT, five years of demo data): during the load {query_p95(at_start, after)}; "
                f"since the start (plan: every page built cold) {query_p95({}, after)}",
                *memory_lines(watch, 0),
            ]
            if total.requests == 0:
                problems.append("load: Locust made no request (see its log)")
            if total.failures or run.errors:
                problems.append(f"load: {total.failures} requests failed: " + "; ".join(run.errors[:10]))
            if args.p95_limit and total.p95 >= args.p95_limit:
                problems.append(f"load: the station's p95 is {total.p95:.0f} ms, the limit {args.p95_limit:g} ms")
            report.append(
                f"station p95 (all requests): {total.p95:.0f} ms"
                + (f", limit {args.p95_limit:g} ms" if args.p95_limit else " (not judged)")
            )
        if args.soak:
            users = args.soak_users or args.users
            warmup = args.soak_warmup if args.soak_warmup is not None else 0.2 * args.soak
            with Watch(station, args.sample_every) as soak_watch:
                soak = locust(
                    python,
                    station.base,
                    users,
                    args.spawn_rate,
                    args.soak,
                    args.wait,
                    scratch,
                    plan=scratch / "plan.json",
                )
            found = judge(soak_watch, warmup, args.rss_growth_mib, args.workers, station.web_log())
            problems += [f"soak: {p}" for p in found]
            if soak.total.failures or soak.errors:
                problems.append(f"soak: {soak.total.failures} requests failed: " + "; ".join(soak.errors[:10]))
            report += [
                "",
                f"SOAK: {users:,} users for {args.soak} s, {soak.total.requests:,} requests, p95 {soak.total.p95:.0f} ms; "
                f"memory judged after {warmup:.0f} s (bound {args.rss_growth_mib:g} MiB a worker), "
                f"{len(soak_watch.samples)} samples; load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}",
                *memory_lines(soak_watch, warmup),
            ]
    finally:
        station.close()
        if handler is not None:
            signal.signal(signal.SIGTERM, handler)
        print("\n".join(report), flush=True)
        if os.environ.get("SPARTAN_LOAD_KEEP") != "1":
            shutil.rmtree(scratch, ignore_errors=True)
        else:
            print(f"kept: {scratch}")
    if problems:
        print("\nFAILED:\n" + "\n".join(f"- {p}" for p in problems), file=sys.stderr)
        return 1
    print("\nPASSED")
    return 0


if __name__ == "__main__":
    sys.exit(main())
