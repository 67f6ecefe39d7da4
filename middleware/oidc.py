"""Sign-in with an OpenID Connect provider (``SPARTAN_AUTH=oidc``): Keycloak, Azure AD, Google,
Okta or any other, with Authlib.

``GET /login/oidc`` discovers the provider (``<issuer>/.well-known/openid-configuration``) and
sends the browser there with the authorization code flow: a random ``state`` and ``nonce`` and a
PKCE (S256) verifier, kept in the signed session cookie for ``STATE_MINUTES``. The provider sends
it back to ``GET /login/oidc/callback``: the state must be one this browser started and has not
used (it is spent at the first use), the code is exchanged for tokens, and the ID token must be
signed by a key of the provider's JWKS and carry this station as audience, the issuer, the
nonce, and not be expired. Then the user is found or made in the ``users`` table (their
password hash an unusable marker tied to the provider's subject, sql/users.py), their role set
from ``SPARTAN_OIDC_ADMINS`` / ``SPARTAN_OIDC_ADMIN_GROUPS``, and a server-side session opens as
for a local login, keeping the ID token beside it (``user_sessions.id_token``). Every refusal is
a themed page with a clear message and an audit record; an unreachable provider is a themed 503,
never a 500.

Logout (``POST /logout``, middleware/login.py) ends the station's session, then, when the
provider's discovery document names an ``end_session_endpoint``, sends the browser there
(OpenID Connect RP-initiated logout) with the sign-in's ID token as ``id_token_hint``, the
``client_id`` and ``/login`` as ``post_logout_redirect_uri``.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode, urlsplit

import requests
from authlib.common.urls import add_params_to_uri
from authlib.integrations.base_client.errors import MismatchingStateError, OAuthError
from authlib.integrations.flask_client import OAuth
from flask import Flask, Response, g, redirect, request, session, url_for
from joserfc.errors import ExpiredTokenError, InvalidClaimError, JoseError, MissingClaimError
from markupsafe import Markup, escape

from config.settings import Settings
from middleware.auth import SESSION_ID_FIELD
from sql.sessions import open_session, revoke_session
from sql.store import get_store
from sql.users import UserError, oidc_marker, oidc_sign_in

log = logging.getLogger(__name__)
CLIENT = "spartan"  # the provider's name inside Authlib (its session keys: _state_spartan_<state>)
STATE_MINUTES = 10  # how long a sign-in started at the provider may take to come back
MAX_PENDING = 3  # sign-ins started and not yet back, kept at once in the session cookie
LEEWAY_SECONDS = 60  # clock skew allowed between the provider and the station
START_PATH = "/login/oidc"
CALLBACK_PATH = "/login/oidc/callback"

BUTTON = """{error}<a class="btn btn-spartan" href="{href}" rel="nofollow">Sign in with {name}</a>"""
REFUSED = """<p class="login-error" role="alert">{message}</p>
<p class="text-center"><a class="btn btn-spartan" href="/login">Sign in again</a></p>"""

# What a refused sign-in tells the user, per reason (the audit record names the reason).
MESSAGES = {
    "unknown_state": "This sign-in was not started here, was used already or took too long. Please sign in again.",
    "provider_error": "{provider} did not sign you in ({detail}).",
    "wrong_audience": "{provider} gave an ID token meant for another application: the sign-in is refused.",
    "misconfigured": "{provider} names another issuer than SPARTAN_OIDC_ISSUER: tell the station's administrator.",
    "wrong_issuer": "The ID token was not issued by {provider}: the sign-in is refused.",
    "wrong_nonce": "The ID token does not belong to this sign-in (nonce mismatch): the sign-in is refused.",
    "expired_token": "The ID token from {provider} has expired: the sign-in is refused. Please sign in again.",
    "invalid_token": "The ID token from {provider} is not valid ({detail}): the sign-in is refused.",
    "no_id_token": "{provider} sent no ID token: the sign-in is refused.",
    "bad_username": "{provider} gave no usable username: {detail}.",
    "unverified_email": "{provider} has not verified the email address that would name you here.",
    "local_account": "The account {detail} is not linked to your {provider} sign-in. Ask an administrator.",
    "disabled": "The account {detail} is disabled. Ask an administrator.",
}
UNREACHABLE = (
    "{provider} cannot be reached right now, so nobody can sign in. Please try again in a minute; "
    "if this lasts, tell the station's administrator."
)


def sign_in_button(settings: Settings, target: str | None, error: str | None = None) -> str:
    """The login page's body in oidc mode: a "Sign in with <provider>" button (and an error)."""
    from middleware.login import safe_next

    href = START_PATH + (f"?{urlencode({'next': safe_next(target)})}" if target else "")
    shown = Markup('<p class="login-error" role="alert">{}</p>').format(error) if error else ""
    return BUTTON.format(error=shown, href=escape(href), name=escape(settings.oidc_provider_name))


class Refused(Exception):
    """A sign-in the station refuses: ``reason`` for the audit log, ``message`` for the user."""

    def __init__(self, reason: str, message: str, status: int = 400, username: str = "") -> None:
        super().__init__(message)
        self.reason, self.message, self.status, self.username = reason, message, status, username


def role_for(settings: Settings, username: str, claims: dict[str, Any]) -> str:
    """admin when the user is named in SPARTAN_OIDC_ADMINS (station username or subject) or holds
    a group of SPARTAN_OIDC_ADMIN_GROUPS in the groups claim; viewer otherwise."""
    names = {username, str(claims.get("sub", "")).lower()}
    if names & set(settings.oidc_admins):
        return "admin"
    groups = claims.get(settings.oidc_groups_claim) or []
    if isinstance(groups, str):
        groups = groups.replace(",", " ").split()
    if isinstance(groups, list) and set(map(str, groups)) & set(settings.oidc_admin_groups):
        return "admin"
    return "viewer"


def username_of(claims: dict[str, Any]) -> str:
    """The station username: ``preferred_username``, else ``email`` (when not marked unverified),
    else ``sub``; lower-case."""
    for claim in ("preferred_username", "email", "sub"):
        value = claims.get(claim)
        if isinstance(value, str) and value.strip():
            if claim == "email" and claims.get("email_verified") is False:
                raise Refused("unverified_email", "")
            return value.strip().lower()
    raise Refused("bad_username", "")


def _prune_pending() -> None:
    """Drop expired sign-ins from the session cookie, and all but the newest MAX_PENDING - 1
    (a sign-in started in several tabs still works; the cookie stays small)."""
    prefix = f"_state_{CLIENT}_"
    pending = sorted(
        (value.get("exp", 0) if isinstance(value, dict) else 0, key)
        for key, value in session.items()
        if key.startswith(prefix)
    )
    now = time.time()
    for position, (expires, key) in enumerate(pending):
        if expires < now or position < len(pending) - (MAX_PENDING - 1):
            session.pop(key, None)


class Provider:
    """The station's client at the OpenID provider, and its two routes."""

    def __init__(self, server: Flask, settings: Settings) -> None:
        self.settings = settings
        self.name = settings.oidc_provider_name
        self.issuer = settings.oidc_issuer or ""
        kwargs: dict[str, Any] = {
            "scope": settings.oidc_scopes,
            "code_challenge_method": "S256",
            "default_timeout": settings.oidc_timeout,
        }
        if not settings.oidc_client_secret:
            kwargs["token_endpoint_auth_method"] = "none"  # noqa: S105 - a public client: PKCE alone
        self.client = OAuth(server).register(
            CLIENT,
            client_id=settings.oidc_client_id,
            client_secret=settings.oidc_client_secret,
            server_metadata_url=self.issuer.rstrip("/") + "/.well-known/openid-configuration",
            client_kwargs=kwargs,
        )

    def message(self, reason: str, detail: str = "") -> str:
        return MESSAGES[reason].format(provider=self.name, detail=detail)

    def metadata(self) -> dict[str, Any]:
        """The provider's discovery document (fetched once, then kept); an OSError-like failure
        raises requests.RequestException, a document of another issuer a Refused."""
        try:
            found = self.client.load_server_metadata()
        except ValueError as exc:  # not JSON
            raise requests.RequestException(f"discovery document is not JSON: {exc}") from exc
        if str(found.get("issuer", "")).rstrip("/") != self.issuer.rstrip("/"):
            self.client.server_metadata.clear()
            log.error("OIDC discovery at %s names issuer %r", self.issuer, found.get("issuer"))
            raise Refused("misconfigured", self.message("misconfigured"), status=502)
        return found

    def unreachable(self, exc: Exception) -> Response:
        from middleware.login import _audit, themed_page

        log.warning("OIDC provider %s unreachable: %s", self.issuer, exc)
        _audit("provider_unreachable", "", None, method="oidc")
        body = REFUSED.format(message=escape(UNREACHABLE.format(provider=self.name)))
        response = themed_page(body, title="Sign-in unavailable", status=503)
        response.headers["Retry-After"] = "60"
        return response

    def start(self) -> Response:
        """Send the browser to the provider (state, nonce and PKCE kept in the session)."""
        from middleware.login import safe_next

        try:
            self.metadata()
            redirect_uri = url_for("oidc_callback", _external=True)
            started = self.client.create_authorization_url(redirect_uri)
        except requests.RequestException as exc:
            return self.unreachable(exc)
        except Refused as refused:
            return self.refuse(refused)
        state = started.pop("state")
        data = {
            "redirect_uri": redirect_uri,
            "nonce": started["nonce"],
            "code_verifier": started["code_verifier"],
            "next": safe_next(request.args.get("next")),
        }
        _prune_pending()
        # Authlib's own place for it (read back by authorize_access_token), with a shorter life.
        session[f"_state_{CLIENT}_{state}"] = {"data": data, "exp": time.time() + STATE_MINUTES * 60}
        return redirect(started["url"], 302)

    def callback(self) -> Response:
        try:
            user, target, id_token = self._sign_in()
        except requests.RequestException as exc:
            return self.unreachable(exc)
        except Refused as refused:
            return self.refuse(refused)
        from middleware.login import _audit

        old = session.get(SESSION_ID_FIELD)
        if isinstance(old, str):
            revoke_session(get_store().engine, old)
        session.clear()  # a fresh session (and CSRF token) for the signed-in user
        lifetime = timedelta(hours=self.settings.session_hours)
        session[SESSION_ID_FIELD] = open_session(get_store().engine, user.id, lifetime, id_token)
        session.permanent = False
        g.spartan_user = user
        _audit("success", user.username, user.id, method="oidc", role=user.role)
        return redirect(target, 303)

    def _pending(self) -> dict[str, Any]:
        """The state this browser started, still fresh (authorize_access_token spends it)."""
        state = request.args.get("state", "")
        saved = session.get(f"_state_{CLIENT}_{state}") if state and len(state) <= 256 else None
        if not isinstance(saved, dict) or not isinstance(saved.get("data"), dict):
            raise Refused("unknown_state", self.message("unknown_state"))
        if saved.get("exp", 0) < time.time():
            session.pop(f"_state_{CLIENT}_{state}", None)
            raise Refused("unknown_state", self.message("unknown_state"))
        return saved["data"]

    def _sign_in(self):
        if request.args.get("error"):  # the provider's own refusal (the user said no, …)
            detail = str(request.args.get("error"))[:64]
            state = request.args.get("state", "")
            session.pop(f"_state_{CLIENT}_{state}", None)
            raise Refused("provider_error", self.message("provider_error", detail), status=401)
        pending = self._pending()
        metadata = self.metadata()
        options = {
            "iss": {"essential": True, "value": metadata["issuer"]},
            "aud": {"essential": True, "value": self.settings.oidc_client_id},
            "exp": {"essential": True},
        }
        try:
            token = self.client.authorize_access_token(claims_options=options, leeway=LEEWAY_SECONDS)
        except MismatchingStateError:
            raise Refused("unknown_state", self.message("unknown_state")) from None
        except OAuthError as exc:  # the token endpoint refused the code (used, expired, …)
            detail = str(exc.error or "error")[:64]
            raise Refused("provider_error", self.message("provider_error", detail), status=401) from None
        except ExpiredTokenError:
            raise Refused("expired_token", self.message("expired_token"), status=401) from None
        except InvalidClaimError as exc:
            reason = {"aud": "wrong_audience", "azp": "wrong_audience", "iss": "wrong_issuer", "nonce": "wrong_nonce"}
            found = reason.get(exc.claim, "invalid_token")
            raise Refused(found, self.message(found, f"claim {exc.claim}"), status=401) from None
        except MissingClaimError as exc:
            raise Refused("invalid_token", self.message("invalid_token", f"no {exc.claim}"), status=401) from None
        except JoseError as exc:  # a bad signature, an unknown key, a token that is no JWT
            detail = str(exc.error or type(exc).__name__)[:64]
            raise Refused("invalid_token", self.message("invalid_token", detail), status=401) from None
        claims = token.get("userinfo")
        if not claims:
            raise Refused("no_id_token", self.message("no_id_token"), status=401)
        return self._user(dict(claims)), pending.get("next") or "/", token.get("id_token")

    def _user(self, claims: dict[str, Any]):
        try:
            username = username_of(claims)
        except Refused as refused:
            raise Refused(refused.reason, self.message(refused.reason, "no name"), status=403) from None
        role = role_for(self.settings, username, claims)
        marker = oidc_marker(str(claims["iss"]), str(claims["sub"]))
        try:
            result = oidc_sign_in(get_store().engine, username, marker, role)
        except UserError as exc:
            raise Refused("bad_username", self.message("bad_username", str(exc)), 403, username) from None
        if result.user is None:
            reason = result.reason or "disabled"
            raise Refused(reason, self.message(reason, repr(username)), status=403, username=username)
        if result.reason in ("created", "role_changed"):
            log.warning("OIDC user %r %s (role %s)", username, result.reason.replace("_", " "), role)
        return result.user

    def end_session_url(self, id_token: str | None) -> str | None:
        """Where the browser ends its session at the provider (RP-initiated logout): its
        ``end_session_endpoint`` with ``id_token_hint`` (when known), ``client_id`` and
        ``post_logout_redirect_uri`` (this station's /login, as the proxy shows it). None when
        the provider names no such endpoint (or a non-web one), or cannot be reached now."""
        try:
            endpoint = self.metadata().get("end_session_endpoint")
        except (requests.RequestException, Refused) as exc:
            log.warning("no logout at OIDC provider %s: %s", self.issuer, getattr(exc, "message", exc))
            return None
        if not endpoint:
            return None
        scheme = urlsplit(str(endpoint)).scheme
        if scheme != "https" and not (scheme == "http" and urlsplit(self.issuer).scheme == "http"):
            log.error("OIDC provider %s names an end_session_endpoint that is not https: %r", self.issuer, endpoint)
            return None
        params = [("id_token_hint", id_token)] if id_token else []
        params += [
            ("client_id", self.settings.oidc_client_id or ""),
            ("post_logout_redirect_uri", url_for("login", _external=True)),
        ]
        return add_params_to_uri(str(endpoint), params)

    def form_targets(self) -> tuple[str, ...]:
        """The provider's origins a station form's answer may redirect to (the Sign out form's,
        to the end_session_endpoint): for the pages' CSP form-action. The issuer's, and the
        endpoint's once discovery was read (no call to the provider here)."""
        urls = (self.issuer, str(self.client.server_metadata.get("end_session_endpoint") or ""))
        found = {f"{part.scheme}://{part.netloc}" for part in map(urlsplit, urls) if part.netloc}
        return tuple(sorted(origin for origin in found if origin.startswith(("https://", "http://"))))

    def refuse(self, refused: Refused) -> Response:
        from middleware.login import _audit, themed_page

        _audit(refused.reason, refused.username, None, method="oidc")
        body = REFUSED.format(message=escape(refused.message))
        return themed_page(body, title="Sign-in refused", status=refused.status)


def register(server: Flask, settings: Settings) -> None:
    """``/login/oidc`` and its callback (the login page shows the button, middleware/login.py)."""
    provider = Provider(server, settings)
    server.add_url_rule(START_PATH, "oidc_start", provider.start, methods=["GET"])
    server.add_url_rule(CALLBACK_PATH, "oidc_callback", provider.callback, methods=["GET"])
    server.extensions["spartan_oidc"] = provider
    host = urlsplit(settings.oidc_issuer or "").hostname
    log.info("sign-in with %s (%s)", settings.oidc_provider_name, host)
