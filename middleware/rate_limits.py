"""Rate limits (flask-limiter), per client address (an IPv6 client per /64): one bucket for the
data endpoints ``/api/*``, ``/csv/*`` and ``/zoom/*`` (``SPARTAN_RATE_LIMIT_API``), one for pages
and Dash's own requests, callbacks included (``SPARTAN_RATE_LIMIT_WEB``), one for probes and
scrapes. ``/health/live``, and static files are exempt. With SPARTAN_AUTH=local each API token
has a bucket of its own in the data class as well. Counters live in the Redis of
``SPARTAN_REDIS_URL`` (shared by every worker), or in process memory in the embedded default;
when Redis cannot be reached the limiter counts in memory until it is back. A request over the
limit gets a 429 with ``Retry-After`` (JSON for the data endpoints)."""

from __future__ import annotations

import hashlib
import math
import time
from typing import Any

from flask import Flask, Response, g, jsonify, request
from flask_limiter import Limit, Limiter, RateLimitExceeded
from markupsafe import escape

from config.redis_url import SentinelTarget, parse_redis_url
from config.settings import Settings
from middleware.request_classes import DASH_PREFIX, client_key, request_class


def limiter_storage(settings: Settings) -> tuple[str, dict[str, Any]]:
    """The limits storage URI and options: the station's Redis, or process memory."""
    if not settings.redis_url:
        return "memory://", {}
    target = parse_redis_url(settings.redis_url)
    timeouts = {"socket_timeout": 0.5, "socket_connect_timeout": 0.5}
    options: dict[str, Any] = {
        # Keys under the cache prefix (one Redis, one namespace per deployment); a Redis that
        # hangs costs a request at most this long before the limiter falls back to memory.
        "key_prefix": f"{settings.cache_prefix}ratelimit",
        **timeouts,
    }
    if isinstance(target, SentinelTarget):
        # Counts are read where they are written: a replica's copy may lag behind the master.
        options |= {"use_replicas": False, "db": target.db, "sentinel_kwargs": dict(timeouts)}
        return target.limits_uri(), options
    uri = target
    if uri.startswith("unix://"):
        uri = "redis+unix://" + uri[len("unix://") :]
    return uri, options


def _limits(settings: Settings) -> list[Limit]:
    out = []
    classes = (("api", settings.rate_limit_api), ("web", settings.rate_limit_web), ("probe", settings.rate_limit_probe))
    for scope, value in classes:
        if value:
            out.append(
                Limit(
                    value,
                    key_function=client_key,
                    scope=scope,
                    shared=True,  # one bucket per client for the whole class, not per endpoint
                    exempt_when=lambda scope=scope: request_class(request.path) != scope,
                )
            )
    if settings.auth != "none" and settings.rate_limit_api:
        # An API token's own bucket of the data class, wherever its requests come from (a report
        # farm of many addresses shares one); its client address keeps its bucket too.
        out.append(
            Limit(
                settings.rate_limit_api,
                key_function=token_key,
                scope="token",
                shared=True,
                exempt_when=lambda: request_class(request.path) != "api" or token_key() == "",
            )
        )
    return out


def token_key() -> str:
    """The bucket of the request's API token (its hash: the token never reaches the storage)."""
    header = request.headers.get("Authorization", "")
    if header[:7].lower() != "bearer ":
        return ""
    return "token:" + hashlib.sha256(header[7:].strip().encode("utf-8")).hexdigest()[:32]


def _retry_after(limiter: Limiter) -> int:
    current = limiter.current_limit
    if current is None:
        return 1
    try:
        return max(1, math.ceil(current.window[0] - time.time()))  # when the window resets
    except Exception:  # noqa: BLE001 - the storage failed just now; any small value will do
        return 1


def _too_many_requests(limiter: Limiter):
    def handle(error: RateLimitExceeded) -> Response:
        retry = _retry_after(limiter)
        g.spartan_retry_after = retry
        limit = str(getattr(getattr(error, "limit", None), "limit", "")) or "rate limit"
        message = f"Too many requests: the limit is {limit} per client. Retry in {retry} s."
        if request_class(request.path) == "api":
            response = jsonify({"error": "rate limit exceeded", "limit": limit, "retry_after": retry})
        elif request.path.startswith(DASH_PREFIX):
            response = Response(message, mimetype="text/plain")
        else:
            body = (
                "<!doctype html><html lang=en><head><meta charset=utf-8><title>Too many requests"
                f" - Spartan Research Station</title></head><body><h1>Too many requests</h1>"
                f"<p>{escape(message)}</p></body></html>"
            )
            response = Response(body, mimetype="text/html")
        response.status_code = 429
        response.headers["Retry-After"] = str(retry)
        return response

    return handle


def rate_limits(server: Flask, settings: Settings) -> Limiter | None:
    if not settings.rate_limit_enabled:
        return None
    uri, options = limiter_storage(settings)
    limiter = Limiter(
        client_key,
        default_limits=_limits(settings),
        storage_uri=uri,
        storage_options=options,
        strategy="fixed-window",  # one INCR per limit and request: the cheapest on Redis
        headers_enabled=True,  # X-RateLimit-Limit / -Remaining / -Reset, Retry-After
        # Redis down: count in this process's memory (with a logged warning) until it answers
        # again, and never turn a limiter error into a failed request.
        in_memory_fallback_enabled=True,
        swallow_errors=True,
    )
    limiter.request_filter(lambda: request_class(request.path) == "exempt")
    limiter.init_app(server)
    server.register_error_handler(RateLimitExceeded, _too_many_requests(limiter))
    return limiter
