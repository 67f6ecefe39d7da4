"""Observability of the web: ``/metrics`` for Prometheus, a request id and one access-log line
per request. ``init_app(app, settings)`` wires all of it onto the Dash app's Flask server.

**Request ids.** A WSGI middleware around Flask gives every request an id: the client's
``X-Request-ID`` when it is sane (1–128 of ``A-Z a-z 0-9 . _ : -``, the first a letter or
digit), else a new one. Every log line emitted while the request runs carries it
(config/logging_setup.py), the response echoes it as ``X-Request-ID``, and the request's one
access-log line (logger ``spartan.access``: method, path, status, duration_ms, remote_addr,
endpoint, request_id) ends it.

**Metrics.** Per request: a counter by method, endpoint and status class and a latency
histogram by endpoint. The endpoint is the matched Flask URL rule (``/instrument/<symbol>``,
``/_dash-update-component`` for every Dash callback), ``unmatched`` when none matched: the
label set is bounded by the app's routes, never by what clients send. sql/instrumentation.py
adds the database (query times, pool use) and cache (hits, misses) metrics. At scrape time a
collector reads the stored state through the cached readers (middleware/station_metrics.py):
database and cache up, age and rows per dataset, health per source, the sidecar's last runs
and the preload state. When the database is down ``/metrics`` still answers, with
``spartan_database_up 0``.

Under gunicorn with several workers (config/gunicorn.conf.py sets ``PROMETHEUS_MULTIPROC_DIR``)
each worker writes its values to files in that directory and a scrape, whichever worker
answers it, adds up every worker's.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import dash
from flask import Flask, Response, request, request_started
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram, disable_created_metrics, values
from prometheus_client.exposition import choose_encoder
from prometheus_client.multiprocess import MultiProcessCollector

from config.logging_setup import bind, clip, new_id, sanitize_request_id, unbind
from config.settings import Settings
from middleware.station_metrics import StationCollector

# The logger name these lines have always carried (this code lived in api/metrics.py).
log = logging.getLogger("api.metrics")
access_log = logging.getLogger("spartan.access")

# 0.2 s is the API's p95 target, 1 s the alert threshold (SEED "Performance targets").
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 1.5, 2.5, 5.0, 10.0, 30.0)
HTTP_REQUESTS = Counter(
    "spartan_http_requests_total",
    "HTTP requests answered, by method, endpoint (URL rule) and status class (2xx … 5xx).",
    ["method", "endpoint", "status_class"],
)
HTTP_LATENCY = Histogram(
    "spartan_http_request_duration_seconds",
    "Time to answer an HTTP request (until the response starts), by endpoint (URL rule).",
    ["endpoint"],
    buckets=LATENCY_BUCKETS,
)
HTTP_IN_PROGRESS = Gauge(
    "spartan_http_requests_in_progress",
    "HTTP requests being answered right now (summed over live web workers).",
    multiprocess_mode="livesum",
)

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED = "unmatched"
_ENDPOINT = "spartan.endpoint"
_REMOTE_ADDR = "spartan.remote_addr"
PATH_MAX = 500
USER_AGENT_MAX = 200


def multiprocess_mode() -> bool:
    """Whether this process's metric values live in PROMETHEUS_MULTIPROC_DIR (gunicorn workers)."""
    return values.ValueClass is not values.MutexValue


# --- per request: id, metrics, access log ------------------------------------------------------


class RequestObserver:
    """WSGI middleware: request id in, ``X-Request-ID`` out, then metrics and the access line.

    The duration runs until the application returned its response (status and headers
    final, the body ready), so a slow client reading the body does not count."""

    def __init__(self, wsgi_app) -> None:
        self.wsgi_app = wsgi_app

    def __call__(self, environ: dict, start_response):
        request_id = sanitize_request_id(environ.get("HTTP_X_REQUEST_ID")) or new_id()
        token = bind(request_id=request_id)
        started = time.perf_counter()
        status: list[int] = []

        def observed_start_response(status_line: str, headers: list, exc_info=None):
            status[:] = [int(status_line.split(" ", 1)[0])]
            headers = [(k, v) for k, v in headers if k.lower() != "x-request-id"]
            headers.append(("X-Request-ID", request_id))
            return start_response(status_line, headers, exc_info)

        HTTP_IN_PROGRESS.inc()
        try:
            return self.wsgi_app(environ, observed_start_response)
        finally:
            HTTP_IN_PROGRESS.dec()
            try:
                # An exception that escaped the app (testing mode, a broken middleware) is a 500.
                _observe(environ, status[0] if status else 500, time.perf_counter() - started, request_id)
            finally:
                unbind(token)


def _note_route(sender: Flask, **_: Any) -> None:
    """Inside Flask, once the URL is matched: the endpoint label and the client address
    (after any ProxyFix) for the middleware to read when the response is out."""
    rule = request.url_rule
    request.environ[_ENDPOINT] = rule.rule if rule is not None else UNMATCHED
    request.environ[_REMOTE_ADDR] = request.remote_addr


def _observe(environ: dict, status: int, seconds: float, request_id: str) -> None:
    method = environ.get("REQUEST_METHOD", "")
    method_label = method if method in METHODS else "other"
    endpoint = environ.get(_ENDPOINT) or UNMATCHED
    HTTP_REQUESTS.labels(method_label, endpoint, f"{status // 100}xx").inc()
    HTTP_LATENCY.labels(endpoint).observe(seconds)
    path = clip(environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", ""), PATH_MAX)
    duration_ms = round(seconds * 1000, 2)
    access_log.info(
        "%s %s %s %.1fms",
        method_label,
        path,
        status,
        duration_ms,
        extra={
            "method": method_label,
            "path": path,
            "status": status,
            "duration_ms": duration_ms,
            "remote_addr": environ.get(_REMOTE_ADDR) or environ.get("REMOTE_ADDR"),
            "endpoint": endpoint,
            "user_agent": clip(environ.get("HTTP_USER_AGENT") or "", USER_AGENT_MAX) or None,
            "request_id": request_id,
        },
    )


class _Forward:
    """The process's own registry inside a scrape registry (single-process mode)."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry

    def collect(self):
        return self.registry.collect()


def scrape_registry() -> CollectorRegistry:
    """What one scrape exports: every worker's values (or this process's) plus the stored state."""
    registry = CollectorRegistry(auto_describe=False)
    if multiprocess_mode():
        MultiProcessCollector(registry)
    else:
        registry.register(_Forward(REGISTRY))
    registry.register(StationCollector())
    return registry


def metrics_view() -> Response:
    encoder, content_type = choose_encoder(request.headers.get("Accept", ""))
    return Response(encoder(scrape_registry()), content_type=content_type, headers={"Cache-Control": "no-store"})


def init_app(app: dash.Dash | Flask, settings: Settings) -> None:
    """``/metrics``, request ids, request metrics and the access log on the app's server."""
    server = app.server if isinstance(app, dash.Dash) else app
    disable_created_metrics()  # no *_created series: the same output as with several workers
    server.add_url_rule("/metrics", "metrics", metrics_view, methods=["GET"])
    request_started.connect(_note_route, server, weak=False)
    # Around Flask (and any middleware already there), so the id is bound before anything of
    # the request logs and the duration covers the whole of it.
    server.wsgi_app = RequestObserver(server.wsgi_app)  # type: ignore[method-assign]
    log.debug("observability on: multiprocess metrics=%s, log format=%s", multiprocess_mode(), settings.log_format)
