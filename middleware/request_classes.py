"""Which kind of request this is, for the rate limits, the audit log and the headers: ``exempt``
(liveness, static files), ``probe`` (readiness, metrics), ``api`` (data) or ``web`` (pages and
Dash's own requests); and the client address a request is limited under."""

from __future__ import annotations

import ipaddress

from flask import request

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
# Dash's own endpoints: the callbacks are audited (they render pages), and the layout when the
# browser's page is drawn into it (pages/routing.py); dependencies not.
DASH_PREFIX = "/_dash-"
DASH_CALLBACK = "/_dash-update-component"
DASH_LAYOUT = "/_dash-layout"


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
    if path == DASH_LAYOUT:
        return "layout"  # audited only when it carried a page (see middleware/audit.py)
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
