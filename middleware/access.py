"""Who may ask for what, with SPARTAN_AUTH=local: the role each request needs.

- **public**: the login page, the health probes, static files (assets, Dash's bundles).
- **admin**: the System pages (the dashboards of the ``System`` group, with their CSV, zoom and
  embed routes), ``/api/system/*`` but its status (download log, source errors, history depth),
  ``/metrics``, the users' administration (``/account/users``), and the Dash requests that draw
  a System page (the pages router's callback, a layout drawn in from the Referer).
- **viewer**: everything else: dashboards, detail pages, CSV and the data API.
"""

from __future__ import annotations

import functools
from urllib.parse import urlsplit

from flask import Request

from middleware.request_classes import DASH_CALLBACK, DASH_LAYOUT

ROLE_RANK = {"public": 0, "viewer": 1, "admin": 2}
ADMIN_GROUPS = frozenset({"System"})
PUBLIC_PATHS = frozenset(
    {
        "/login",
        "/login/oidc",
        "/login/oidc/callback",
        "/health",
        "/health/live",
        "/health/ready",
        "/favicon.ico",
        "/_favicon.ico",
        "/robots.txt",
        "/_reload-hash",
    }
)
PUBLIC_PREFIXES = ("/assets/", "/_dash-component-suites/", "/static/")
ADMIN_PATHS = frozenset({"/metrics", "/account/users"})
# /account/users/…: the admin's forms on the users and their tokens (middleware/admin_users.py).
ADMIN_PREFIXES = ("/api/system/", "/account/users/")
# The station's status (linked from every page's footer) stays readable by viewers; the rest of
# /api/system/* (download log, sources with their errors, history depth) and whatever is added
# there later needs an admin.
VIEWER_PATHS = frozenset({"/api/system/status"})
# What an API token (Authorization: Bearer) may read: the data, never pages or Dash requests.
TOKEN_PREFIXES = ("/api/", "/csv/", "/zoom/", "/metrics")
# Routes whose first segment after the prefix names a dashboard (by id, or by path for /embed/).
DASHBOARD_ROUTES = ("/csv/", "/zoom/", "/embed/")


@functools.cache
def admin_dashboards() -> tuple[frozenset[str], frozenset[str]]:
    """(page paths, ids and path names) of the dashboards only admins see."""
    from config.dashboard_specs import load_dashboards

    paths: set[str] = set()
    names: set[str] = set()
    for board in load_dashboards().values():
        if board.group in ADMIN_GROUPS:
            paths.update(p.rstrip("/") or "/" for p in (board.path, *board.redirect_from))
            names.update({board.id, board.path.strip("/")})
    return frozenset(paths), frozenset(names)


def page_role(path: str) -> str:
    """The role a page (or a page's data route) needs: admin for the System pages."""
    paths, names = admin_dashboards()
    if (path.rstrip("/") or "/") in paths:
        return "admin"
    for prefix in DASHBOARD_ROUTES:
        if path.startswith(prefix):
            rest = path[len(prefix) :]
            # /embed/<dashboard path, may hold slashes>/<panel>; /csv|zoom/<id>/<panel>.<ext>
            dashboard = rest.rsplit("/", 1)[0] if prefix == "/embed/" else rest.split("/", 1)[0]
            if dashboard in names:
                return "admin"
    return "viewer"


def callback_pages(request: Request) -> list[str]:
    """The pathnames a Dash callback carries (the pages router's input, a page's own Location)."""
    body = request.get_json(silent=True, cache=True)
    if not isinstance(body, dict):
        return []
    items = [item for name in ("inputs", "state") if isinstance(body.get(name), list) for item in body[name]]
    return [
        str(item.get("value") or "") for item in items if isinstance(item, dict) and item.get("property") == "pathname"
    ]


def _referer_page(request: Request) -> str | None:
    if not request.referrer:
        return None
    url = urlsplit(request.referrer)
    return (url.path or "/") if url.netloc == request.host else None


def required_role(request: Request) -> str:
    """``public``, ``viewer`` or ``admin``: the least role that may make ``request``."""
    path = request.path
    if path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES):
        return "public"
    if path in VIEWER_PATHS:
        return "viewer"
    if path in ADMIN_PATHS or path.startswith(ADMIN_PREFIXES):
        return "admin"
    if path == DASH_CALLBACK:
        pages = callback_pages(request)
        return "admin" if any(page_role(page) == "admin" for page in pages) else "viewer"
    if path == DASH_LAYOUT:
        page = _referer_page(request)
        return page_role(page) if page else "viewer"
    return page_role(path)


def allowed(role: str | None, needed: str) -> bool:
    """Whether a user of ``role`` (None: anonymous) may make a request that needs ``needed``."""
    return ROLE_RANK.get(role or "public", 0) >= ROLE_RANK[needed]


def wants_json(path: str) -> bool:
    """Requests answered with JSON when refused (XHR, API, data); the rest are pages."""
    return path.startswith(("/api/", "/csv/", "/zoom/", "/_dash-")) or path in ("/api", "/metrics")
