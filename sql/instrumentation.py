"""Prometheus metrics of the storage layer: query times and pool use of the engine, hits and
misses of the cache. Exported by the web's ``/metrics`` (middleware/metrics.py).

Under gunicorn (``config/gunicorn.conf.py``) ``PROMETHEUS_MULTIPROC_DIR`` is set before any
worker imports prometheus_client, so these values live in files shared by the workers and
``/metrics`` adds them up; elsewhere (the sidecar, tests) they are plain in-process values.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from flask_caching.backends.filesystemcache import FileSystemCache
from flask_caching.backends.rediscache import RedisCache, RedisSentinelCache
from prometheus_client import Counter, Gauge, Histogram
from sqlalchemy import Engine, event

log = logging.getLogger(__name__)

DB_QUERY_SECONDS = Histogram(
    "spartan_db_query_duration_seconds",
    "Time of one database statement (cursor execute), by kind of statement.",
    ["operation"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
DB_ERRORS = Counter(
    "spartan_db_errors_total",
    "Database statements or connection attempts that raised an error.",
    ["operation"],
)
DB_CONNECTIONS_IN_USE = Gauge(
    "spartan_db_connections_in_use",
    "Database connections checked out of the pool right now (summed over live web workers).",
    multiprocess_mode="livesum",
)
DB_POOL_CAPACITY = Gauge(
    "spartan_db_pool_capacity",
    "Connections the pool may hold at most: pool size plus overflow (summed over live web workers).",
    multiprocess_mode="livesum",
)
CACHE_REQUESTS = Counter(
    "spartan_cache_requests_total",
    "Cache reads by result (hit or miss), cache backend and key space.",
    ["backend", "keyspace", "result"],
)
CACHE_ERRORS = Counter(
    "spartan_cache_errors_total",
    "Cache reads that raised (backend unreachable, unreadable entry).",
    ["backend"],
)

_OPERATIONS = frozenset({"select", "insert", "update", "delete"})
# Key spaces of the seed and the station's own; memoized reads have keys without a colon.
KEYSPACES = frozenset({"quotes", "chart", "health", "preload", "refresh", "dsver"})
_START = "spartan_query_started"


def operation_of(statement: str) -> str:
    """``select``, ``insert``, ``update``, ``delete`` or ``other``: a bounded label."""
    head = statement.lstrip().split(None, 1)
    verb = head[0].lower() if head else ""
    return verb if verb in _OPERATIONS else "other"


def _before_cursor_execute(conn, cursor, statement, parameters, context, executemany) -> None:
    conn.info[_START] = time.perf_counter()


def _after_cursor_execute(conn, cursor, statement, parameters, context, executemany) -> None:
    started = conn.info.pop(_START, None)
    if started is not None:
        DB_QUERY_SECONDS.labels(operation_of(statement)).observe(time.perf_counter() - started)


def _handle_error(context) -> None:
    if context.connection is not None:
        context.connection.info.pop(_START, None)  # the statement failed: no after_cursor_execute
    if context.statement:
        operation = operation_of(context.statement)
    else:  # no statement: opening the connection failed (or a commit, a rollback)
        operation = "connect" if context.connection is None else "other"
    DB_ERRORS.labels(operation).inc()


def _checkout(dbapi_conn, record, proxy) -> None:
    DB_CONNECTIONS_IN_USE.inc()


def _checkin(dbapi_conn, record) -> None:
    # SQLAlchemy checks in every connection it checked out, an invalidated one included.
    DB_CONNECTIONS_IN_USE.dec()


def instrument_engine(engine: Engine) -> Engine:
    """Time every statement of ``engine`` and follow its pool's checkouts (once per engine)."""
    if getattr(engine, "_spartan_instrumented", False):
        return engine
    event.listen(engine, "before_cursor_execute", _before_cursor_execute)
    event.listen(engine, "after_cursor_execute", _after_cursor_execute)
    event.listen(engine, "handle_error", _handle_error)
    event.listen(engine.pool, "checkout", _checkout)
    event.listen(engine.pool, "checkin", _checkin)
    size = getattr(engine.pool, "size", None)
    if callable(size):
        DB_POOL_CAPACITY.set(size() + max(getattr(engine.pool, "_max_overflow", 0), 0))
    engine._spartan_instrumented = True
    return engine


# --- cache -------------------------------------------------------------------------------------

_uncounted = threading.local()


@contextmanager
def uncounted() -> Iterator[None]:
    """Cache reads inside the block are not counted (probes, reads a counted call makes itself)."""
    depth = getattr(_uncounted, "depth", 0)
    _uncounted.depth = depth + 1
    try:
        yield
    finally:
        _uncounted.depth = depth


def keyspace_of(key: str) -> str | None:
    """The key's space for the label; None for the libraries' bookkeeping: flask-caching's
    memoize version keys, cachelib's file counter (read on every write of the file cache)."""
    if key.endswith("_memver") or key.startswith("__wz_"):
        return None
    head, sep, _ = key.partition(":")
    if not sep:
        return "memoized"
    return head if head in KEYSPACES else "other"


def count_read(backend: str, key: str, hit: bool) -> None:
    if getattr(_uncounted, "depth", 0):
        return
    space = keyspace_of(key)
    if space is not None:
        CACHE_REQUESTS.labels(backend, space, "hit" if hit else "miss").inc()


class _CountingCache:
    """Counts each key read through ``get`` and ``get_many`` as a hit or a miss, and turns a
    backend that fails (Redis down, a full disk) into misses and refused writes: the readers
    then go to the database, so pages and the API stay up, slower, while the cache is out.
    After a failure the backend is left alone for ``RETRY_AFTER`` seconds (a dead Redis would
    otherwise cost its connect timeout on every call)."""

    backend_label = "unknown"
    RETRY_AFTER = 5.0
    WARN_EVERY = 60.0

    _down_until = 0.0
    _warned_at = 0.0

    def _available(self) -> bool:
        return time.monotonic() >= self._down_until

    def available(self) -> bool:
        """False while the backend is left alone after a failure."""
        return self._available()

    def _failed(self, operation: str, exc: Exception) -> None:
        now = time.monotonic()
        self._down_until = now + self.RETRY_AFTER
        if not getattr(_uncounted, "depth", 0):
            CACHE_ERRORS.labels(self.backend_label).inc()
        if now - self._warned_at >= self.WARN_EVERY:
            self._warned_at = now
            log.warning(
                "cache %s failed (%s: %s): reading from the database, retrying the cache in %.0f s",
                operation,
                type(exc).__name__,
                exc,
                self.RETRY_AFTER,
            )

    def _guarded(self, operation: str, default, call, *args, **kwargs):
        if not self._available():
            return default
        try:
            return call(*args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - any backend error is an outage of the cache, not of the request
            self._failed(operation, exc)
            return default

    def get(self, key):
        if not self._available():
            return None
        try:
            value = super().get(key)
        except Exception as exc:  # noqa: BLE001 - see _guarded
            self._failed("get", exc)
            return None
        count_read(self.backend_label, key, value is not None)
        return value

    def get_many(self, *keys):
        if not self._available():
            return [None] * len(keys)
        try:
            with uncounted():  # a backend whose get_many calls get counts once, here
                values = super().get_many(*keys)
        except Exception as exc:  # noqa: BLE001 - see _guarded
            self._failed("get_many", exc)
            return [None] * len(keys)
        for key, value in zip(keys, values, strict=False):
            count_read(self.backend_label, key, value is not None)
        return values

    # Keyword arguments pass through: cachelib's file cache writes its counter file with its own.
    def set(self, key, value, timeout=None, **kwargs):
        return self._guarded("set", False, super().set, key, value, timeout=timeout, **kwargs)

    def add(self, key, value, timeout=None, **kwargs):
        return self._guarded("add", False, super().add, key, value, timeout=timeout, **kwargs)

    def set_many(self, mapping, timeout=None, **kwargs):
        return self._guarded("set_many", [], super().set_many, mapping, timeout=timeout, **kwargs)

    def delete(self, key):
        return self._guarded("delete", False, super().delete, key)

    def delete_many(self, *keys):
        return self._guarded("delete_many", [], super().delete_many, *keys)

    def has(self, key):
        return self._guarded("has", False, super().has, key)


class InstrumentedRedisCache(_CountingCache, RedisCache):
    """flask-caching's RedisCache, counting hits and misses (``CACHE_TYPE`` in sql/cache.py)."""

    backend_label = "redis"


class InstrumentedRedisSentinelCache(_CountingCache, RedisSentinelCache):
    """flask-caching's RedisSentinelCache, counting hits and misses, reading from the master as
    it writes there (flask-caching would read from a replica, which may not have the write yet)."""

    backend_label = "redis"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._read_client = self._write_client


class InstrumentedFileSystemCache(_CountingCache, FileSystemCache):
    """flask-caching's FileSystemCache, counting hits and misses (``CACHE_TYPE`` in sql/cache.py)."""

    backend_label = "filesystem"
