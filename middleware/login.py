"""The login page (``GET``/``POST /login``) and ``POST /logout``, for SPARTAN_AUTH=local (with
SPARTAN_AUTH=oidc the page shows "Sign in with <provider>" instead: middleware/oidc.py).

A plain Flask page in the Spartan theme (the station's CSS from assets/, the logo centred at
120 px), no script. The form carries a Flask-WTF CSRF token; every failure says the same
"Wrong username or password" (no user enumeration), the audit log records why. Login posts
are rate limited per client address (``SPARTAN_RATE_LIMIT_LOGIN``); wrong passwords lock the
account (sql/users.py). "Remember me" keeps the session ``SPARTAN_REMEMBER_DAYS`` (30 at most),
otherwise it ends with the browser (and after ``SPARTAN_SESSION_HOURS`` on the server)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask, Response, current_app, g, redirect, request, session
from flask_wtf.csrf import CSRFError, generate_csrf, validate_csrf
from markupsafe import Markup, escape
from wtforms.validators import ValidationError

from config.settings import Settings
from middleware.audit import write_event
from middleware.auth import SESSION_ID_FIELD, current_user
from middleware.redaction import clean
from middleware.request_classes import client_key
from sql.sessions import open_session, revoke_session
from sql.store import get_store
from sql.users import authenticate

WRONG = "Wrong username or password."
EXPIRED = "The form expired. Please sign in again."

PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{title} · Spartan Research Station</title>
<link rel="icon" href="/assets/favicon.ico">
<link rel="stylesheet" href="/assets/00-bootstrap.min.css">
<link rel="stylesheet" href="/assets/10-fonts.css">
<link rel="stylesheet" href="/assets/20-spartan.css">
<style>
  body {{ min-height: 100vh; display: flex; align-items: center; justify-content: center; }}
  .login-card {{ width: 100%; max-width: 380px; padding: 2rem; }}
  .login-logo {{ display: block; width: 120px; height: 120px; margin: 0 auto 1rem; }}
  .login-card h1 {{ font-size: 1.35rem; font-weight: 700; text-align: center; margin-bottom: 1.5rem; }}
  .login-card label {{ color: var(--text-secondary); margin-bottom: .25rem; }}
  .login-error {{ color: var(--danger-red-text); margin-bottom: 1rem; text-align: center; }}
  .login-remember {{ display: flex; gap: .5rem; align-items: center; margin: .75rem 0 1.25rem; }}
  .login-card .btn-spartan {{ width: 100%; }}
  .login-card.wide {{ max-width: 640px; }}
  .login-card.wider {{ max-width: 1140px; }}
  .login-card .btn-quiet {{
    border: 1px solid var(--spartan-border-strong); color: var(--text-primary); background: transparent;
  }}
  .login-card .btn-quiet:hover {{ border-color: var(--spartan-red-light); }}
  .account-section {{ margin-bottom: 1.5rem; }}
  .login-notice {{ color: var(--success-green); margin-bottom: .5rem; }}
  .account-token {{
    white-space: pre-wrap; word-break: break-all; padding: .5rem; background: var(--spartan-navy-dark);
  }}
</style>
</head>
<body>
<main class="spartan-card login-card{wide}">
<img src="/assets/spartan-logo.svg" alt="Spartan Research Station logo" class="login-logo">
<h1>Spartan Research Station</h1>
{body}
</main>
</body>
</html>
"""

FORM = """{error}<form method="post" action="/login{next_query}">
<input type="hidden" name="csrf_token" value="{csrf}">
<div class="mb-3"><label for="username" class="form-label">Username</label>
<input id="username" name="username" class="form-control" autocomplete="username" required autofocus
 maxlength="64" value="{username}"></div>
<div><label for="password" class="form-label">Password</label>
<input id="password" name="password" type="password" class="form-control" autocomplete="current-password"
 required maxlength="1024"></div>
{remember}<button type="submit" class="btn btn-spartan">Sign in</button>
</form>"""

REMEMBER = """<div class="login-remember"><input id="remember" name="remember" type="checkbox" value="1">
<label for="remember">Remember me for {days} days</label></div>"""

SIGNED_IN = """<p class="text-center">Signed in as <strong>{username}</strong> ({role}).</p>
<p class="text-center"><a href="{next}">Continue to the station</a> · <a href="/account">Account and API tokens</a></p>
<form method="post" action="/logout"><input type="hidden" name="csrf_token" value="{csrf}">
<button type="submit" class="btn btn-spartan">Sign out</button></form>"""


def safe_next(target: str | None) -> str:
    """Where to go after the login: a path on this station, never another site."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    if any(ord(ch) < 0x20 for ch in target) or target.startswith("/login"):
        return "/"
    return target


def themed_page(body: str, title: str = "Sign in", status: int = 200, wide: bool | str = False) -> Response:
    """A small page in the login's frame: the Spartan card with the logo centred at 120 px;
    ``wide`` (640 px) or ``"wider"`` (1140 px, for tables) instead of the login's 380 px."""
    width = wide if isinstance(wide, str) else "wide" if wide else ""
    page = PAGE.format(body=body, title=escape(title), wide=f" {width}" if width else "")
    response = Response(page, status=status, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    return response


def _form(settings: Settings, error: str | None = None, username: str = "", status: int = 200) -> Response:
    target = request.args.get("next")
    if settings.auth == "oidc":  # no password here: the provider's button
        from middleware.oidc import sign_in_button

        return themed_page(sign_in_button(settings, target, error), status=status)
    next_query = f"?next={escape(safe_next(target))}" if target else ""
    remember = REMEMBER.format(days=settings.remember_days) if settings.remember_days else ""
    body = FORM.format(
        error=Markup('<p class="login-error" role="alert">{}</p>').format(error) if error else "",
        next_query=next_query,
        csrf=escape(generate_csrf()),
        username=escape(username),
        remember=remember,
    )
    return themed_page(body, status=status)


def _audit(outcome: str, username: str, user_id: int | None, **extra: str | bool) -> None:
    """One audit record per login attempt and logout (the same sinks as data access); ``extra``
    fields say more (``method="oidc"``, ``provider_logout=True``)."""
    record: dict[str, Any] = {
        "event": "login" if outcome != "logout" else "logout",
        "outcome": outcome,
        "accessed_at": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "client_ip": request.remote_addr,
        "username": clean(username, 64),
        "user_id": user_id,
        **extra,
    }
    write_event(record, f"{record['event']} {outcome} user={record['username']} client={record['client_ip']}")


def csrf_field() -> str:
    """The hidden CSRF input of a form (Flask-WTF's signed token)."""
    return f'<input type="hidden" name="csrf_token" value="{escape(generate_csrf())}">'


def csrf_ok() -> bool:
    try:
        validate_csrf(request.form.get("csrf_token"))
    except (ValidationError, CSRFError):
        return False
    return True


def login_view(settings: Settings):
    lockout = timedelta(minutes=settings.lockout_minutes)

    def login() -> Response:
        user = current_user()
        if request.method == "GET":
            if user is not None:
                target = escape(safe_next(request.args.get("next")))
                csrf = escape(generate_csrf())
                return themed_page(
                    SIGNED_IN.format(username=escape(user.username), role=user.role, next=target, csrf=csrf),
                    title="Signed in",
                )
            return _form(settings)
        username = request.form.get("username", "")[:256]
        if not csrf_ok():
            _audit("csrf", username, None)
            return _form(settings, EXPIRED, username, status=400)
        result = authenticate(
            get_store().engine, username, request.form.get("password", ""), settings.login_max_failures, lockout
        )
        if result.user is None:
            _audit(result.reason or "wrong", username, None)
            return _form(settings, WRONG, username, status=401)
        old = session.get(SESSION_ID_FIELD)
        if isinstance(old, str):
            revoke_session(get_store().engine, old)
        remember = bool(request.form.get("remember")) and settings.remember_days > 0
        lifetime = timedelta(days=settings.remember_days) if remember else timedelta(hours=settings.session_hours)
        session.clear()  # a fresh session (and CSRF token) for the signed-in user
        session[SESSION_ID_FIELD] = open_session(get_store().engine, result.user.id, lifetime)
        session.permanent = remember
        g.spartan_user = result.user  # the audit record of this request names them
        _audit("success", result.user.username, result.user.id)
        return redirect(safe_next(request.args.get("next")), 303)

    return login


def logout() -> Response:
    if not csrf_ok():
        return themed_page(
            f'<p class="login-error" role="alert">{EXPIRED}</p><p class="text-center"><a href="/login">Sign in</a></p>',
            title="Sign out",
            status=400,
        )
    token = session.get(SESSION_ID_FIELD)
    id_token = revoke_session(get_store().engine, token) if isinstance(token, str) else None
    user = current_user()
    session.clear()
    provider = current_app.extensions.get("spartan_oidc")
    if provider is None:  # SPARTAN_AUTH=local
        _audit("logout", user.username if user else "", user.id if user else None)
        return redirect("/login", 303)
    # SPARTAN_AUTH=oidc: a signed-in user's browser also ends its session at the provider, when
    # the provider offers that (RP-initiated logout); it comes back to /login from there.
    target = provider.end_session_url(id_token) if user is not None else None
    extra = {"method": "oidc", "provider_logout": target is not None}
    _audit("logout", user.username if user else "", user.id if user else None, **extra)
    return redirect(target or "/login", 303)


def register(server: Flask, settings: Settings) -> None:
    """``/login`` (rate limited per client address when rate limits are on) and ``/logout``."""
    view = login_view(settings)
    limiter = server.extensions.get("spartan_limiter")
    if limiter is not None and settings.rate_limit_login:
        view = limiter.limit(settings.rate_limit_login, key_func=client_key, methods=["POST"], scope="login")(view)
    # With SPARTAN_AUTH=oidc the page only shows the provider's button: no password is posted.
    methods = ["GET"] if settings.auth == "oidc" else ["GET", "POST"]
    server.add_url_rule("/login", "login", view, methods=methods)
    server.add_url_rule("/logout", "logout", logout, methods=["POST"])
    if settings.auth == "oidc":
        from middleware import oidc

        oidc.register(server, settings)
