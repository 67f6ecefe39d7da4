"""The shared cache: flask-caching on Redis (production) or the file system (embedded).

One ``Cache`` instance serves the web (inside Flask requests) and the sidecar (outside any
app context). Seed key space: ``quotes:{symbol}``, ``chart:{symbol}:{tf}``,
``health:{source_id}``, ``preload:status``, ``refresh:last_run``; readers add memoized keys
that carry the dataset version.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask
from flask_caching import Cache

from config.redis_url import SentinelTarget, parse_redis_url
from config.settings import Settings
from sql.instrumentation import uncounted

log = logging.getLogger(__name__)

cache = Cache()

PRELOAD_STATUS_KEY = "preload:status"
REFRESH_LAST_RUN_KEY = "refresh:last_run"


def health_key(source_id: str) -> str:
    return f"health:{source_id}"


def version_key(dataset: str) -> str:
    return f"dsver:{dataset}"


# Pseudo-dataset whose version moves when the sidecar records a run (health, download log).
SYSTEM_DATASET = "_system"


def cache_config(settings: Settings) -> dict[str, Any]:
    config: dict[str, Any] = {
        "CACHE_DEFAULT_TIMEOUT": 300,
        "CACHE_KEY_PREFIX": settings.cache_prefix,
        # A cache outage degrades to database reads instead of failing the request.
        "CACHE_IGNORE_ERRORS": True,
    }
    target = parse_redis_url(settings.redis_url) if settings.redis_url else None
    options = {"socket_timeout": 2, "socket_connect_timeout": 2, "health_check_interval": 30}
    if isinstance(target, SentinelTarget):
        # The master the sentinels name, found again after a failover (config/redis_url.py).
        config.update(
            CACHE_TYPE="sql.instrumentation.InstrumentedRedisSentinelCache",
            CACHE_REDIS_SENTINELS=list(target.sentinels),
            CACHE_REDIS_SENTINEL_MASTER=target.service,
            CACHE_REDIS_DB=target.db,
            CACHE_REDIS_PASSWORD=target.password,
            CACHE_REDIS_SENTINEL_PASSWORD=target.password,
            CACHE_OPTIONS=options
            | {"username": target.username, "sentinel_socket_timeout": 2, "sentinel_socket_connect_timeout": 2},
        )
    elif target:
        config.update(
            # flask-caching's backends, counting hits and misses for /metrics (sql/instrumentation.py).
            CACHE_TYPE="sql.instrumentation.InstrumentedRedisCache",
            CACHE_REDIS_URL=target,
            CACHE_OPTIONS=options,
        )
    else:
        settings.cache_dir.mkdir(parents=True, exist_ok=True)
        config.update(
            CACHE_TYPE="sql.instrumentation.InstrumentedFileSystemCache",
            CACHE_DIR=str(settings.cache_dir),
            CACHE_THRESHOLD=5000,
        )
    return config


def configure_cache(settings: Settings, app: Flask | None = None) -> Cache:
    """Bind the shared cache to ``app`` (or a bare app for the sidecar) and return it."""
    app = app or Flask("spartan-cache")
    cache.init_app(app, config=cache_config(settings))
    # Let the sidecar and background threads use the cache without an app context.
    cache.app = app
    return cache


def ping(settings: Settings) -> tuple[bool, str]:
    """Whether the cache answers a write-then-read round trip."""
    probe_key = "health:cache-probe"
    try:
        backend = cache.cache
        if settings.redis_url:
            backend._write_client.ping()  # a real round trip, not swallowed by IGNORE_ERRORS
        with uncounted():  # a probe, not a read: left out of the hit rate
            if not backend.set(probe_key, "ok", timeout=30) or backend.get(probe_key) != "ok":
                return False, "cache write/read round trip failed"
        return True, settings.cache_backend
    except Exception as exc:  # noqa: BLE001 - any backend error means "cache down"
        return False, f"{type(exc).__name__}: {exc}"
