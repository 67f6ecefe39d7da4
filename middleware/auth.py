"""Users and access, with ``SPARTAN_AUTH=local`` or ``oidc``: one ``before_request`` decides every request.

Each request's user comes from the signed Flask session cookie (``SPARTAN_SECRET_KEY``), whose
token must name a live server-side session (sql/sessions.py), or from an API token sent as
``Authorization: Bearer`` (sql/tokens.py; GET of the data API, CSV and metrics only); the role a
request needs comes from middleware/access.py. Refused: an anonymous page view is redirected to ``/login?next=…``,
an anonymous API, CSV or Dash request gets a 401 JSON; a viewer asking for an admin's page or
endpoint gets a 403. With ``SPARTAN_AUTH=none`` (the default) nothing here is installed.
"""

from __future__ import annotations

import ipaddress
import logging
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

import dash
from flask import Response, g, jsonify, redirect, request, session
from markupsafe import escape

from config.settings import Settings
from middleware import access, embed_links
from sql.sessions import session_user
from sql.store import get_store
from sql.tokens import token_user
from sql.users import User, ensure_first_admin

log = logging.getLogger(__name__)
SESSION_COOKIE = "spartan_session"
SESSION_ID_FIELD = "sid"
BEARER = "Bearer "
SESSION_SCRIPT = "auth-session.js"


def current_user() -> User | None:
    """The user of the current request (None: anonymous, or SPARTAN_AUTH=none)."""
    return g.get("spartan_user")


def navbar_account() -> tuple[str, frozenset[str]] | None:
    """The signed-in user for the navbar (components/shell.py): a viewer's navbar leaves out the
    menus of admin pages, which would answer them 403."""
    user = current_user()
    if user is None:
        return None
    return user.username, frozenset() if access.allowed(user.role, "admin") else access.ADMIN_GROUPS


def _user_from_session() -> User | None:
    token = session.get(SESSION_ID_FIELD)
    if not isinstance(token, str):
        return None
    user = session_user(get_store().engine, token)
    if user is None:
        session.clear()  # revoked or expired: the cookie goes too
    return user


def _refused(needed: str, user: User | None) -> Response:
    if user is None:
        if access.wants_json(request.path) or request.method != "GET":
            response = jsonify({"error": "authentication required", "login": "/login"})
            response.status_code = 401
            response.headers["WWW-Authenticate"] = 'Session realm="Spartan Research Station"'
            return response
        target = request.full_path.rstrip("?") if request.query_string else request.path
        return redirect("/login?" + urlencode({"next": target}), 302)
    if access.wants_json(request.path):
        response = jsonify({"error": "forbidden", "needs_role": needed})
    else:
        from middleware.login import themed_page

        body = (
            f'<p class="text-center">This page needs the {escape(needed)} role; you are signed in as'
            f" <strong>{escape(user.username)}</strong> ({escape(user.role)}).</p>"
            '<p class="text-center"><a href="/">Back to the station</a> · <a href="/login">Switch user</a></p>'
        )
        response = themed_page(body, title="Forbidden", status=403)
    response.status_code = 403
    return response


def _json_error(status: int, message: str) -> Response:
    response = jsonify({"error": message})
    response.status_code = status
    return response


def _bearer(header: str, needed: str) -> Response | None:
    """A request with ``Authorization: Bearer``: the token's user, read access to data only."""
    found = token_user(get_store().engine, header[len(BEARER) :].strip())
    if found is None:
        response = _json_error(401, "invalid or revoked token")
        response.headers["WWW-Authenticate"] = 'Bearer realm="Spartan Research Station", error="invalid_token"'
        return response
    g.spartan_user, g.spartan_token_id = found
    if request.method not in ("GET", "HEAD") or not request.path.startswith(access.TOKEN_PREFIXES):
        return _json_error(403, "an API token reads the data API, CSV and metrics only")
    if not access.allowed(found[0].role, needed):
        return _refused(needed, found[0])
    return None


def _scraper_network(networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]) -> bool:
    """Whether the client (after ProxyFix) is on a network allowed to scrape /metrics."""
    try:
        address = ipaddress.ip_address((request.remote_addr or "").split("%", 1)[0])
    except ValueError:
        return False
    address = address.ipv4_mapped or address if address.version == 6 else address
    return any(address in network for network in networks)


def _enforcer(settings: Settings):
    networks = tuple(ipaddress.ip_network(n) for n in settings.metrics_allow)

    def enforce() -> Response | None:
        if request.path == "/metrics" and networks and _scraper_network(networks):
            g.spartan_auth = True
            return None  # Prometheus on an allowed network: no login, no token
        return _enforce()

    return enforce


def _enforce() -> Response | None:
    g.spartan_auth = True
    needed = access.required_role(request)
    if needed == "public" and request.path != "/login":
        return None  # static files and probes: no session lookup
    header = request.headers.get("Authorization", "")
    if header[: len(BEARER)].lower() == BEARER.lower():
        return _bearer(header, needed)
    user = _user_from_session()
    g.spartan_user = user
    if access.allowed(user.role if user else None, needed):
        return None
    if user is None:
        # A signed embed link (middleware/embed_links.py) opens its embed without a session.
        verdict = embed_links.check(request)
        if verdict is not None:
            return None if verdict.link is not None else embed_links.refusal(request, verdict.message or "")
    return _refused(needed, user)


def _private_caching(response: Response) -> Response:
    # What a signed-in user sees is theirs: shared caches (proxies) keep none of it.
    if (g.get("spartan_user") is not None or g.get("spartan_embed_link")) and response.cache_control.public:
        response.cache_control.public = False
        response.cache_control.private = True
    return response


def install(app: dash.Dash, settings: Settings) -> None:
    """Sessions, the login and logout routes and the access check on ``app``'s server."""
    if settings.auth == "none":
        return
    from middleware import account, admin_users, embed_dialog, login

    server = app.server
    # Pages go to the login when their session ends while open (assets/auth-session.js).
    script = Path(app.config.assets_folder) / SESSION_SCRIPT
    app.scripts.append_script({"asset_path": SESSION_SCRIPT, "filepath": str(script)})  # as Dash links assets
    server.secret_key = settings.secret_key
    server.config.update(
        SESSION_COOKIE_NAME=SESSION_COOKIE,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.cookie_secure,
        PERMANENT_SESSION_LIFETIME=timedelta(days=settings.remember_days or 1),
        WTF_CSRF_TIME_LIMIT=3600,
    )
    engine = get_store().engine
    # With oidc the provider signs users in (admins from SPARTAN_OIDC_ADMINS/_ADMIN_GROUPS).
    first = (
        ensure_first_admin(engine, settings.admin_user, settings.admin_password) if settings.auth == "local" else None
    )
    if first is not None:
        log.warning("first admin %r created from SPARTAN_ADMIN_USER", first.username)
    server.before_request(_enforcer(settings))
    server.after_request(_private_caching)
    login.register(server, settings)
    account.register(server)
    admin_users.register(server, settings)
    embed_dialog.register(server)
