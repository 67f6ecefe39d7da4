"""What a load or soak run watches on the station while Locust runs, and the verdict on it:

- each gunicorn worker's resident memory (psutil), every ``interval`` seconds;
- the database pool, from the station's ``/metrics``: connections checked out
  (``spartan_db_connections_in_use``) against the pool's capacity (``spartan_db_pool_capacity``,
  pool size + overflow; both summed over live workers), and database errors
  (``spartan_db_errors_total``: a pool timeout or a refused connection counts there);
- at the end, the web's log for SQLAlchemy's "QueuePool limit … reached" (a checkout that timed out).

Memory: after ``warmup`` seconds (the caches fill, the allocator settles) each worker's RSS may
grow by at most ``rss_growth_mib`` (median of its last three samples against the median of its
first three after warm-up); the least-squares slope is reported beside it. A worker that
disappears (a crash; the station's gunicorn does not recycle workers) fails the run too.
The pool: it never exhausts — checked out never reaches one worker's capacity (summed figures
cannot say which worker holds them, so the bound is the strictest: one worker's share), no
database error, no pool timeout in the log.
"""

from __future__ import annotations

import statistics
import threading
import time
from dataclasses import dataclass, field

from tests.load.station import Station, metric_sum, rss_bytes, scrape

MIB = 1024 * 1024


@dataclass
class Sample:
    at: float  # seconds since the watch started
    rss: dict[int, int]  # worker pid → bytes
    in_use: float
    capacity: float
    db_errors: float


@dataclass
class Watch:
    station: Station
    interval: float = 5.0
    samples: list[Sample] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None
    _started: float = 0.0

    def sample(self) -> None:
        pids = self.station.worker_pids()
        rss = {pid: value for pid in pids if (value := rss_bytes(pid)) is not None}
        try:
            metrics = scrape(self.station.base)
        except OSError as exc:
            self.failures.append(f"/metrics did not answer: {exc}")
            return
        self.samples.append(
            Sample(
                at=time.monotonic() - self._started,
                rss=rss,
                in_use=metric_sum(metrics, "spartan_db_connections_in_use"),
                capacity=metric_sum(metrics, "spartan_db_pool_capacity"),
                db_errors=metric_sum(metrics, "spartan_db_errors_total"),
            )
        )

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()

    def __enter__(self) -> Watch:
        self._started = time.monotonic()
        self.sample()
        self._thread = threading.Thread(target=self._run, daemon=True, name="load-watch")
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(30)
        self.sample()


@dataclass
class WorkerMemory:
    pid: int
    first_mib: float  # median of the first three samples after warm-up
    last_mib: float  # median of the last three
    peak_mib: float
    slope_mib_per_min: float

    @property
    def growth_mib(self) -> float:
        return self.last_mib - self.first_mib


def _slope(points: list[tuple[float, float]]) -> float:
    """Least-squares slope of (seconds, MiB), in MiB per minute."""
    if len(points) < 2:
        return 0.0
    mean_t = statistics.fmean(t for t, _ in points)
    mean_v = statistics.fmean(v for _, v in points)
    spread = sum((t - mean_t) ** 2 for t, _ in points)
    return 60 * sum((t - mean_t) * (v - mean_v) for t, v in points) / spread if spread else 0.0


def memory(samples: list[Sample], warmup: float) -> list[WorkerMemory]:
    """Per worker, its memory after ``warmup`` seconds."""
    pids = sorted({pid for s in samples for pid in s.rss})
    result = []
    for pid in pids:
        points = [(s.at, s.rss[pid] / MIB) for s in samples if pid in s.rss and s.at >= warmup]
        if len(points) < 2:
            continue
        values = [v for _, v in points]
        result.append(
            WorkerMemory(
                pid=pid,
                first_mib=statistics.median(values[:3]),
                last_mib=statistics.median(values[-3:]),
                peak_mib=max(values),
                slope_mib_per_min=_slope(points),
            )
        )
    return result


def judge(watch: Watch, warmup: float, rss_growth_mib: float | None, workers: int, log: str) -> list[str]:
    """Why the watched run failed (empty: it did not). ``rss_growth_mib`` None: memory not judged."""
    problems = list(watch.failures)
    samples = watch.samples
    if not samples:
        return [*problems, "no sample of the station was taken"]
    first_pids, last_pids = set(samples[0].rss), set(samples[-1].rss)
    if first_pids - last_pids:
        problems.append(f"gunicorn workers gone during the run (crashed or killed): {sorted(first_pids - last_pids)}")
    capacity = max(s.capacity for s in samples) / max(workers, 1)
    exhausted = [s for s in samples if capacity and s.in_use >= capacity]
    if not capacity:
        problems.append("the station exported no pool capacity (spartan_db_pool_capacity)")
    elif exhausted:
        problems.append(
            f"the database pool ran full: {exhausted[0].in_use:.0f} connections checked out at "
            f"{exhausted[0].at:.0f} s, one worker's pool holds {capacity:.0f}"
        )
    errors = samples[-1].db_errors - samples[0].db_errors
    if errors:
        problems.append(f"{errors:.0f} database errors during the run (spartan_db_errors_total)")
    if "QueuePool limit" in log:
        problems.append("a pool checkout timed out (QueuePool limit … reached, in the web's log)")
    if rss_growth_mib is not None:
        measured = memory(samples, warmup)
        if not measured:
            problems.append(f"too few memory samples after the {warmup:.0f} s warm-up to judge growth")
        for worker in measured:
            if worker.growth_mib > rss_growth_mib:
                problems.append(
                    f"worker {worker.pid} grew {worker.growth_mib:.1f} MiB after warm-up "
                    f"({worker.first_mib:.0f} → {worker.last_mib:.0f} MiB, bound {rss_growth_mib:g} MiB)"
                )
    return problems


def pool_peak(samples: list[Sample]) -> tuple[float, float]:
    """(most connections checked out at once, capacity), both summed over the workers."""
    return max((s.in_use for s in samples), default=0.0), max((s.capacity for s in samples), default=0.0)
