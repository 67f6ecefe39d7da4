"""Web hardening: per-IP rate limits, security headers, and the data-access audit log.

``init_app(app, settings)`` wires all three onto the Dash app's Flask server:

- **Client address.** Behind ``SPARTAN_TRUSTED_PROXIES`` reverse proxies, werkzeug's ProxyFix
  takes the client address (and http/https) from that many ``X-Forwarded-For`` /
  ``X-Forwarded-Proto`` hops; with the default 0 those headers are ignored, so a client cannot
  choose the address it is limited and logged under.
- **Rate limits** (flask-limiter), per client address (an IPv6 client per /64): one bucket for
  the data endpoints ``/api/*`` and ``/csv/*`` (``SPARTAN_RATE_LIMIT_API``), one for pages and
  Dash's own requests, callbacks included (``SPARTAN_RATE_LIMIT_WEB``). ``/health``,
  ``/metrics`` and static files are exempt. Counters live in the Redis of ``SPARTAN_REDIS_URL``
  (shared by every worker), or in process memory in the embedded default. When Redis cannot be
  reached the limiter logs a warning and counts in memory until it is back: the site stays up.
  A request over the limit gets a 429 with ``Retry-After`` (JSON for the data endpoints).
- **Security headers** on every response: a Content-Security-Policy that allows Dash's inline
  scripts by their hashes (no ``'unsafe-eval'``, no ``'unsafe-inline'`` script), framing only
  of embed pages by the origins of ``SPARTAN_EMBED_ORIGINS``, HSTS over TLS, nosniff,
  Referrer-Policy, Permissions-Policy, Cross-Origin-Opener-Policy (where browsers apply it).
- **Audit log**: one record per data access (``/api/*``, ``/csv/*``, page views, Dash
  callbacks) on the logger ``spartan.audit``, its fields as ``extra``; also appended as a JSON
  line to ``SPARTAN_AUDIT_LOG`` when that is set. On a terminal (the text log format) the
  console shows one line per request, the access line, and the audit records go to that file,
  ``var/audit.jsonl`` by default. Secret-looking query parameters are redacted; request
  headers other than the user agent are never recorded.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import math
import os
import re
import threading
import time
import weakref
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import dash
from flask import Flask, Response, g, jsonify, request, request_finished
from flask_limiter import Limit, Limiter, RateLimitExceeded
from markupsafe import escape
from werkzeug.middleware.proxy_fix import ProxyFix

from config.logging_setup import clip, resolve_format
from config.settings import Settings

log = logging.getLogger(__name__)
audit_log = logging.getLogger("spartan.audit")

# Never rate limited nor audited: the liveness probe (it touches nothing) and static files
# (Dash's JS bundles, assets/).
EXEMPT_PATHS = frozenset(
    {
        "/health/live",
        "/_favicon.ico",
        "/favicon.ico",
        "/_reload-hash",
        "/robots.txt",
    }
)
EXEMPT_PREFIXES = ("/assets/", "/_dash-component-suites/", "/static/")
DATA_PREFIXES = ("/api/", "/csv/", "/zoom/")
# Dash's own endpoints: the callbacks are audited (they render pages); layout and dependencies not.
DASH_PREFIX = "/_dash-"
DASH_CALLBACK = "/_dash-update-component"

HSTS = "max-age=31536000; includeSubDomains"
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=()"
)
# Responses that are not HTML documents (JSON, CSV, files) load nothing.
NON_DOCUMENT_POLICY = "default-src 'none'; base-uri 'none'; form-action 'none'"

USER_AGENT_MAX = 200
VALUE_MAX = 200
MAX_PARAMS = 50
REDACTED = "[REDACTED]"
_SECRET_NAME = re.compile(
    r"pass(word|wd)?|pwd|secret|token|api[-_]?key|access[-_]?key|private[-_]?key|auth|session|cookie"
    r"|signature|credential|(^|[-_])(key|sig)$",
    re.IGNORECASE,
)
_JWT = re.compile(r"eyJ[\w-]{4,}\.[\w-]{4,}\.[\w-]*")
_OPAQUE = re.compile(r"[A-Za-z0-9+/=_.~-]{32,}")
_BEARER = re.compile(r"(bearer|basic|token)\s+\S+", re.IGNORECASE)
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")


# --- request classes -----------------------------------------------------------------------------


# Probes and scrapes that ask the database or the cache something (cheap, but not free): a bucket
# of their own per client, not audited.
PROBE_PATHS = frozenset({"/health", "/health/ready", "/metrics"})


def request_class(path: str) -> str:
    """``exempt`` (liveness, static files), ``probe`` (readiness, metrics), ``api`` (``/api/*``,
    ``/csv/*``, ``/zoom/*``) or ``web`` (the rest)."""
    if path in EXEMPT_PATHS or path.startswith(EXEMPT_PREFIXES):
        return "exempt"
    if path in PROBE_PATHS:
        return "probe"
    if path.startswith(DATA_PREFIXES) or path == "/api":
        return "api"
    return "web"


def audit_kind(path: str, method: str) -> str | None:
    """What an audit record calls this request, or None for requests that read no data."""
    if request_class(path) in ("exempt", "probe") or method == "OPTIONS":
        return None
    if path.startswith("/csv/"):
        return "csv"
    if path.startswith("/zoom/"):
        return "zoom"  # a window of a chart at full resolution
    if path.startswith("/api/") or path == "/api":
        return "api"
    if path == DASH_CALLBACK:
        return "callback"
    if path.startswith(DASH_PREFIX):
        return None  # layout, dependencies: the app's skeleton, no data
    return "page"


def client_key() -> str:
    """The rate-limit key of the client: its address (after ProxyFix), an IPv6 client by /64
    (one machine usually holds a whole /64, so per-address limits would be no limits)."""
    address = request.remote_addr or ""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return address or "unknown"
    if ip.version == 6:
        if ip.ipv4_mapped:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


# --- security headers ----------------------------------------------------------------------------


def is_embed_request() -> bool:
    """An embed request: ``?embed=1`` on any page, or an ``/embed/…`` panel page."""
    return request.args.get("embed") == "1" or request.path.startswith("/embed/")


def trustworthy_origin() -> bool:
    """Whether browsers treat the request's origin as potentially trustworthy: https, or a
    loopback host (``localhost``, 127.0.0.0/8, ``::1``)."""
    if request.is_secure:
        return True
    host = request.host
    host = host[1:].split("]", 1)[0] if host.startswith("[") else host.rsplit(":", 1)[0]
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def frame_ancestors(settings: Settings) -> str:
    if is_embed_request():
        # The station itself and the origins named in SPARTAN_EMBED_ORIGINS may frame an embed page.
        return " ".join(("'self'", *settings.embed_origins))
    return "'none'"


def document_policy(script_hashes: list[str] | tuple[str, ...], ancestors: str) -> str:
    """The CSP of an HTML page: Dash's inline scripts by hash, everything else from the station.

    Styles allow 'unsafe-inline': plotly.js and AG Grid set style attributes and inject
    <style> elements at run time. Scripts never do; no 'unsafe-eval' either.
    """
    directives = {
        "default-src": "'self'",
        "script-src": " ".join(("'self'", *script_hashes)),
        "style-src": "'self' 'unsafe-inline'",
        "img-src": "'self' data: blob:",
        "font-src": "'self' data:",
        "connect-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": ancestors,
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def _security_headers(app: dash.Dash, settings: Settings):
    def add_headers(response: Response) -> Response:
        headers = response.headers
        ancestors = frame_ancestors(settings)
        if response.mimetype == "text/html":
            # Computed per page: the hashes of exactly the inline scripts Dash's index just served.
            policy = document_policy(app.csp_hashes(), ancestors)
        else:
            policy = f"{NON_DOCUMENT_POLICY}; frame-ancestors {ancestors}"
        headers.setdefault("Content-Security-Policy", policy)
        if ancestors == "'none'":
            headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if trustworthy_origin():
            # Elsewhere (plain http on a LAN address) browsers ignore it, with a console error.
            headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if request.is_secure:  # with trusted proxies, X-Forwarded-Proto: https counts
            headers.setdefault("Strict-Transport-Security", HSTS)
        # flask-limiter puts its Retry-After on every response: keep it on a 429 only, and
        # whatever the view itself said (a 503's) everywhere else.
        if response.status_code == 429 and g.get("spartan_retry_after"):
            headers["Retry-After"] = str(g.spartan_retry_after)
        elif g.get("spartan_view_retry_after"):
            headers["Retry-After"] = g.spartan_view_retry_after
        else:
            headers.pop("Retry-After", None)
        return response

    return add_headers


def _remember_retry_after():
    """Runs before flask-limiter's after_request: notes the view's own Retry-After."""

    def remember(response: Response) -> Response:
        g.spartan_view_retry_after = response.headers.get("Retry-After")
        return response

    return remember


# --- rate limits ---------------------------------------------------------------------------------


def limiter_storage(settings: Settings) -> tuple[str, dict[str, Any]]:
    """The limits storage URI and options: the station's Redis, or process memory."""
    if not settings.redis_url:
        return "memory://", {}
    uri = settings.redis_url
    if uri.startswith("unix://"):
        uri = "redis+unix://" + uri[len("unix://") :]
    options = {
        # Keys under the cache prefix (one Redis, one namespace per deployment); a Redis that
        # hangs costs a request at most this long before the limiter falls back to memory.
        "key_prefix": f"{settings.cache_prefix}ratelimit",
        "socket_timeout": 0.5,
        "socket_connect_timeout": 0.5,
    }
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
    return out


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


def _rate_limits(server: Flask, settings: Settings) -> Limiter | None:
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


# --- audit log -----------------------------------------------------------------------------------


def _clean(value: object, limit: int = VALUE_MAX) -> str:
    """Text safe for a log line: control characters escaped, at most ``limit`` characters."""
    return clip(value, limit)


def secret_looking(name: str, value: str) -> bool:
    """A parameter whose name or value looks like a credential."""
    if _SECRET_NAME.search(name):
        return True
    value = value.strip()
    if _JWT.search(value) or _BEARER.fullmatch(value):
        return True
    # A long opaque token: letters and digits mixed, no separators a list or a date would have.
    return bool(_OPAQUE.fullmatch(value) and re.search(r"\d", value) and re.search(r"[A-Za-z]", value))


def redact_query(args: Mapping[str, Any] | Any) -> dict[str, Any]:
    """The query parameters, secret-looking ones redacted, long values cut, at most 50 names."""
    out: dict[str, Any] = {}
    for name in list(args.keys())[:MAX_PARAMS]:
        values = args.getlist(name) if hasattr(args, "getlist") else [args[name]]
        cleaned = [REDACTED if secret_looking(name, str(v)) else _clean(v) for v in values]
        out[_clean(name, 64)] = cleaned[0] if len(cleaned) == 1 else cleaned
    return out


class _Datasets:
    """Which dataset(s) a request reads, where that is known: dashboards' panels from the
    dashboard definitions (read once), the ``?dataset=`` of detail pages, API paths by name."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pages: dict[str, str] | None = None
        self._panels: dict[tuple[str, str], str] = {}

    def _load(self) -> dict[str, str]:
        with self._lock:
            if self._pages is None:
                pages: dict[str, str] = {}
                try:
                    from config.dashboard_specs import load_dashboards

                    for board in load_dashboards().values():
                        names = sorted({p.dataset for p in board.panels if p.dataset})
                        pages[board.path.rstrip("/") or "/"] = ",".join(names)
                        for panel in board.panels:
                            if panel.dataset:
                                self._panels[(board.id, panel.id)] = panel.dataset
                                # /embed/ takes the page's path as well as the id (pages/embed.py)
                                self._panels.setdefault((board.path.strip("/"), panel.id), panel.dataset)
                except Exception:  # noqa: BLE001 - the audit record goes without the dataset
                    log.exception("dashboard definitions unreadable; audit records carry no dataset")
                self._pages = pages
            return self._pages

    def for_page(self, path: str) -> str | None:
        pages = self._load()
        if path.startswith("/embed/"):
            parts = path.strip("/").split("/")
            return self._panels.get(("/".join(parts[1:-1]), parts[-1])) if len(parts) >= 3 else None
        return pages.get(path.rstrip("/") or "/") or None

    def for_panel(self, dashboard: str, panel: str) -> str | None:
        self._load()
        return self._panels.get((dashboard, panel))

    @staticmethod
    def for_api(path: str) -> str | None:
        """The dataset an API path names (``/api/market/indices`` → market_indices), if one."""
        from sql.datasets import DATASETS

        for segment in reversed(path.strip("/").split("/")[1:]):
            segment = segment.lower().replace("-", "_")
            if segment in DATASETS:
                return segment
            named = [n for n in DATASETS if n.startswith(segment + "_") or n.endswith("_" + segment)]
            if len(named) == 1:
                return named[0]
        return None


def _known_dataset(name: object) -> str | None:
    from sql.datasets import DATASETS

    return name if isinstance(name, str) and name in DATASETS else None


def _callback_fields(datasets: _Datasets) -> dict[str, Any]:
    """What a Dash callback request was about: its output, and the page when it is the pages
    router (the callback that renders a page's content from the URL)."""
    body = request.get_json(silent=True, cache=True)
    if not isinstance(body, dict):
        return {}
    fields: dict[str, Any] = {"output": _clean(body.get("output", ""), 300)}
    url: dict[str, str] = {}
    # Any JSON may come here (a malformed request is refused, but audited too).
    lists = [body.get(name) for name in ("inputs", "state")]
    for item in [item for items in lists if isinstance(items, list) for item in items]:
        if isinstance(item, dict) and item.get("property") in ("pathname", "search"):
            url[item["property"]] = str(item.get("value") or "")
    if url.get("pathname"):
        from urllib.parse import parse_qs

        page = url["pathname"]
        fields["page"] = _clean(page)
        query = parse_qs(url.get("search", "").lstrip("?"), keep_blank_values=True)
        fields["page_query"] = redact_query({k: v[0] if len(v) == 1 else v for k, v in query.items()})
        fields["dataset"] = _known_dataset(query.get("dataset", [None])[0]) or datasets.for_page(page)
    return fields


def _request_id() -> str | None:
    """The request's id: the logging context's (config/logging_setup.py), else the client's."""
    try:
        from config.logging_setup import current_request_id
    except ImportError:  # a logging setup without request ids
        value = None
    else:
        value = current_request_id()
    value = value or g.get("request_id") or request.headers.get("X-Request-ID")
    return value if isinstance(value, str) and _REQUEST_ID.fullmatch(value) else None


def audit_record(response: Response, datasets: _Datasets) -> dict[str, Any] | None:
    """The audit record of the current request, or None when it reads no data."""
    kind = audit_kind(request.path, request.method)
    if kind is None:
        return None
    started = g.get("spartan_started")
    record: dict[str, Any] = {
        "event": "data_access",
        "kind": kind,
        "accessed_at": datetime.fromtimestamp(started[0] if started else time.time(), UTC)
        .isoformat(timespec="milliseconds")
        .replace("+00:00", "Z"),
        "client_ip": request.remote_addr,
        "user_agent": _clean(request.user_agent.string, USER_AGENT_MAX) if request.user_agent.string else None,
        "method": request.method,
        "path": _clean(request.path, 500),
        "query": redact_query(request.args),
        "status": response.status_code,
        "bytes": response.content_length,
        "duration_ms": round((time.perf_counter() - started[1]) * 1000, 2) if started else None,
        "dataset": None,
    }
    request_id = _request_id()
    if request_id:  # left out otherwise, so a logging context's own request_id shows
        record["request_id"] = request_id
    view_args = request.view_args or {}
    if kind == "callback":
        record.update(_callback_fields(datasets))
    else:
        if kind in ("csv", "zoom") and {"dashboard", "panel"} <= view_args.keys():
            record["dataset"] = datasets.for_panel(view_args["dashboard"], view_args["panel"])
        if kind in ("api", "csv", "zoom") and view_args:
            record["target"] = {k: _clean(v, 100) for k, v in view_args.items()}
        record["dataset"] = (
            _known_dataset(g.get("audit_dataset"))  # an endpoint may say what it read
            or _known_dataset(view_args.get("dataset"))
            or _known_dataset(request.args.get("dataset"))
            or record["dataset"]
            or (datasets.for_api(request.path) if kind == "api" else None)
            or (datasets.for_page(request.path) if kind == "page" else None)
        )
    return record


class AuditFile:
    """An append-only JSON-lines file; each record is one ``write`` on an ``O_APPEND``
    descriptor, so lines of several workers never interleave."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)

    def write(self, record: Mapping[str, Any]) -> None:
        line = json.dumps(record, ensure_ascii=False, separators=(",", ":"), default=str) + "\n"
        os.write(self._fd, line.encode("utf-8"))

    def close(self) -> None:
        os.close(self._fd)


def audit_path(settings: Settings) -> Path | None:
    """Where the audit records are appended: ``SPARTAN_AUDIT_LOG``; on a terminal, where the
    text log leaves them out (one line per request there), ``var/audit.jsonl`` by default."""
    if settings.audit_log:
        return settings.audit_log
    return settings.var_dir / "audit.jsonl" if resolve_format(settings.log_format) == "text" else None


def _audit(server: Flask, settings: Settings) -> None:
    datasets = _Datasets()
    path = audit_path(settings)
    sink = AuditFile(path) if path else None
    if sink is not None:
        weakref.finalize(server, sink.close)
    server.extensions["spartan_audit_file"] = sink
    # An audit trail wants every record whatever SPARTAN_LOG_LEVEL quiets elsewhere.
    audit_log.setLevel(logging.INFO)

    def start() -> None:
        g.spartan_started = (time.time(), time.perf_counter())

    def finished(sender: Flask, response: Response, **_: Any) -> None:
        try:
            record = audit_record(response, datasets)
            if record is None:
                return
            query = "&".join(f"{k}={v}" for k, v in record["query"].items())
            audit_log.info(
                "%s %s %s%s -> %s (%s bytes) client=%s",
                record["kind"],
                record["method"],
                record["path"],
                f"?{query}" if query else "",
                record["status"],
                record["bytes"],
                record["client_ip"],
                extra=record,
            )
            if sink is not None:
                sink.write(record)
        except Exception:  # noqa: BLE001 - a failed audit record must not fail the request
            log.exception("audit record of %s %s failed", request.method, _clean(request.path))

    server.before_request(start)
    # request_finished sees the response as sent (compressed, with its final status), errors too.
    request_finished.connect(finished, server, weak=False)


# --- wiring --------------------------------------------------------------------------------------


def init_app(app: dash.Dash, settings: Settings) -> None:
    """Client address, rate limits, security headers and the audit log on ``app``'s server."""
    server = app.server
    if settings.trusted_proxies:
        n = settings.trusted_proxies
        server.wsgi_app = ProxyFix(server.wsgi_app, x_for=n, x_proto=n)  # type: ignore[method-assign]
    _audit(server, settings)  # its before_request first: it times the whole request
    # Registered before the limiter's own after_request, so it runs after it (Flask runs them
    # in reverse) and has the last word on Retry-After.
    server.after_request(_security_headers(app, settings))
    server.extensions["spartan_limiter"] = limiter = _rate_limits(server, settings)
    if limiter is not None:
        server.after_request(_remember_retry_after())  # registered after the limiter: runs before it
