"""Reads memoized by dataset version: this process's memory, then the shared cache, then the
database.

A memoized reader's first argument is the version of the data it reads, so an entry never
goes out of date: a refresh moves the version and later calls ask for other keys. That makes
a per-process layer safe (entries are immutable) and the hot path one dictionary lookup: no
Redis round trip, no unpickling. A miss there asks the shared cache (a cache that is down or
slow costs nothing more than a miss: see sql/instrumentation.py), and a miss there the
database, once per key however many threads ask at the same time.
"""

from __future__ import annotations

import functools
import hashlib
import sys
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

import pandas as pd
from cachetools import LRUCache
from prometheus_client import Counter

from sql.cache import cache
from sql.store import get_store

LOCAL_READS = Counter(
    "spartan_local_cache_requests_total",
    "Reads answered by the web process's own memory (hit) or passed on to the shared cache (miss).",
    ["result"],
)

T = TypeVar("T")


def _size(value: Any) -> int:
    if isinstance(value, pd.DataFrame):
        # Object columns hold pointers here; the strings behind them roughly double it.
        return int(value.memory_usage(index=True, deep=False).sum()) * 2 + 1024
    return sys.getsizeof(value) + 256


def _shared(value: T) -> T:
    """What a caller may change without touching the memoized entry (copy-on-write frames)."""
    if isinstance(value, pd.DataFrame):
        return value.copy(deep=False)
    if isinstance(value, dict):
        return dict(value)
    return value


class _Local:
    def __init__(self, store_id: int, megabytes: int) -> None:
        self.store_id = store_id
        self.entries: LRUCache = LRUCache(maxsize=max(1, megabytes) * 1024 * 1024, getsizeof=_size)
        self.enabled = megabytes > 0
        self.lock = threading.Lock()
        self.inflight: dict[str, Future] = {}


_local = _Local(0, 0)


def _here() -> _Local:
    global _local
    store = get_store()
    if _local.store_id != id(store):  # a new store (tests, a reconfigured process): start empty
        _local = _Local(id(store), store.settings.local_cache_mb)
    return _local


def clear_local() -> None:
    """Forget this process's memoized reads (benchmarks measuring a cold process)."""
    here = _here()
    with here.lock:
        here.entries.clear()


def cache_key(name: str, args: tuple) -> str:
    digest = hashlib.sha1(repr(args).encode(), usedforsecurity=False).hexdigest()[:20]
    return f"{name}.{digest}"  # no ":": counted as a memoized read in /metrics


def versioned(function: Callable[..., T]) -> Callable[..., T]:
    """Memoize ``function(version, *args)`` (primitive, hashable arguments) in both layers."""
    name = f"{function.__module__.rsplit('.', 1)[-1]}.{function.__name__}"

    @functools.wraps(function)
    def memoized(*args):
        here = _here()
        key = cache_key(name, args)
        if here.enabled:
            with here.lock:
                found = here.entries.get(key)
            if found is not None:
                LOCAL_READS.labels("hit").inc()
                return _shared(found)
            LOCAL_READS.labels("miss").inc()
        with here.lock:
            pending = here.inflight.get(key)
            owner = pending is None
            if owner:
                pending = here.inflight[key] = Future()
        if not owner:
            return _shared(pending.result())
        try:
            value = cache.get(key)
            if value is None:
                value = function(*args)
                cache.set(key, value, timeout=get_store().settings.cache_data_ttl)
            if here.enabled:
                with here.lock:
                    here.entries[key] = value
            pending.set_result(value)
            return _shared(value)
        except BaseException as exc:
            pending.set_exception(exc)
            raise
        finally:
            with here.lock:
                here.inflight.pop(key, None)

    memoized.uncached = function
    return memoized
