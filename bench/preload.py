"""Preload wall time against a local server that adds latency to every response, beside the
ideal (the sum of per-request latencies divided by the worker count).

    python -m bench.preload [--latency-ms 200] [--workers 10] [--datasets market_indices,…]

The fixture server (tests/fixtures/server.py) runs in a subprocess and answers every
provider's wire format; the sidecar preloads the shipped catalog into a throwaway SQLite
database, then a refresh runs with nothing new. Figures are printed, nothing is asserted.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from config.catalog import load_catalog
from config.settings import load_settings
from jobs.commands import after_downloads
from jobs.pipeline import run_downloads
from sql.migrate import upgrade
from sql.store import configure

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(port: int, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError("fixture server did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency-ms", type=float, default=200)
    parser.add_argument("--workers", type=int, default=10)
    parser.add_argument("--datasets", default="", help="comma-separated; default: the whole catalog")
    args = parser.parse_args()

    port = free_port()
    server = subprocess.Popen(  # noqa: S603 - our own module, fixed arguments
        [sys.executable, "-m", "tests.fixtures.server", "--port", str(port), "--latency-ms", str(args.latency_ms)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(port)
        env = {
            "SPARTAN_VAR_DIR": tempfile.mkdtemp(prefix="spartan-bench-"),
            "SPARTAN_BASE_URL_ALL": f"http://127.0.0.1:{port}",
            "SPARTAN_RATE_LIMIT_MULTIPLIER": "1000",
            "SPARTAN_WORKERS": str(args.workers),
            "SPARTAN_LOG_LEVEL": "ERROR",
        }
        settings = load_settings(env)
        store = configure(settings)
        upgrade(settings, store.engine)
        catalog = load_catalog(settings)
        datasets = [d for d in args.datasets.split(",") if d] or None
        print(f"{os.cpu_count()} cores, {args.workers} workers, {args.latency_ms:.0f} ms added to every response")

        for kind in ("preload", "refresh"):
            started = time.perf_counter()
            summary = run_downloads(store, catalog, kind, datasets=datasets)
            downloads = time.perf_counter() - started
            rows = sum(summary.rows_written.values())
            after_downloads(store, summary)  # analytics whose inputs changed, then cache warming
            wall = time.perf_counter() - started
            ideal = summary.requests * args.latency_ms / 1000 / args.workers
            print(
                f"{kind:8} wall {wall:6.1f} s (downloads {downloads:5.1f} s + analytics & warming "
                f"{wall - downloads:4.1f} s) | ideal {ideal:5.1f} s | {summary.requests} requests | "
                f"{summary.instruments_ok}/{summary.instruments_total} instruments, "
                f"{summary.instruments_skipped} not due | {rows:,} rows written"
            )
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
