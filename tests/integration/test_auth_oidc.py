"""SPARTAN_AUTH=oidc end to end against a real OpenID provider started here, in-process:
``oidc-provider-mock`` (Authlib's authorization server) on a local port. The station's test client
starts the sign-in, the provider's authorization form is posted with ``requests`` as a browser
would, and its redirect is followed back to the station's callback.

The mock signs ID tokens for the client that asked, with its own key. For a wrong audience (and a
token signed by a key the provider does not publish) the tests re-sign the provider's ID token
with a key of their own, served beside the provider's in its JWKS (``Tamper``); an expired ID
token is the provider's own, made with a negative lifetime."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import oidc_provider_mock
import pytest
import requests
import werkzeug.serving
import werkzeug.test
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

from sql.store import get_store
from sql.users import add_user, authenticate, get_user
from tests.integration.test_auth_routes import SECRET, make_app  # noqa: F401 - the make_app fixture

CLIENT_ID = "spartan-station"
ALICE = oidc_provider_mock.User(
    sub="alice-subject-1",
    claims={"preferred_username": "Alice", "email": "alice@example.org", "groups": ["researchers"]},
)
BOB = oidc_provider_mock.User(
    sub="bob-subject-2", claims={"preferred_username": "bob", "groups": ["researchers", "spartan-admins"]}
)


class Tamper:
    """WSGI wrapper of the provider: when ``claims`` is set, the token endpoint's ID token is
    re-signed by the test's own key with those claims changed, and ``publish`` puts that key in
    the provider's JWKS (the provider's own key has no ``kid``: its JWKS has it alone otherwise)."""

    def __init__(self, app) -> None:
        self.app = app
        self.key = RSAKey.generate_key(2048, parameters={"kid": "test-key", "alg": "RS256", "use": "sig"})
        self.claims: dict | None = None
        self.publish = True
        self.issuer: str | None = None  # another issuer named in the discovery document

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path == "/.well-known/openid-configuration" and self.issuer:
            pass
        elif self.claims is None or path not in ("/oauth2/token", "/jwks") or (path == "/jwks" and not self.publish):
            return self.app(environ, start_response)
        captured = {}

        def keep(status, headers, exc_info=None):
            captured["status"], captured["headers"] = status, headers

        body = json.loads(b"".join(self.app(environ, keep)))
        if path == "/.well-known/openid-configuration":
            body["issuer"] = self.issuer
        elif path == "/jwks":
            body["keys"].append(self.key.as_dict(private=False))
        elif "id_token" in body:
            published = KeySet.import_key_set(werkzeug.test.Client(self.app).get("/jwks").json)
            claims = jwt.decode(body["id_token"], published).claims  # the provider's own token, read
            claims.update(self.claims)
            body["id_token"] = jwt.encode({"alg": "RS256", "kid": "test-key"}, claims, self.key)
        data = json.dumps(body).encode()
        headers = [(k, v) for k, v in captured["headers"] if k.lower() != "content-length"]
        start_response(captured["status"], [*headers, ("Content-Length", str(len(data)))])
        return [data]


@contextmanager
def provider(**options) -> Iterator[tuple[str, Tamper]]:
    """An OpenID provider on a free local port: (its issuer URL, its Tamper)."""
    app = oidc_provider_mock.app(require_nonce=True, user_claims=(ALICE, BOB), **options)
    tamper = Tamper(app)
    server = werkzeug.serving.make_server("127.0.0.1", 0, tamper, threaded=True)
    issuer = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield issuer, tamper
    finally:
        server.shutdown()
        thread.join(10)
        server.server_close()


@pytest.fixture(autouse=True)
def insecure_transport(monkeypatch):
    # The provider is served over plain http on 127.0.0.1: Authlib wants https otherwise.
    monkeypatch.setenv("AUTHLIB_INSECURE_TRANSPORT", "1")


def oidc_env(issuer: str, **extra: str) -> dict[str, str]:
    return {
        "SPARTAN_AUTH": "oidc",
        "SPARTAN_SECRET_KEY": SECRET,
        "SPARTAN_OIDC_ISSUER": issuer,
        "SPARTAN_OIDC_CLIENT_ID": CLIENT_ID,
        "SPARTAN_OIDC_CLIENT_SECRET": "client-secret-of-the-station",
        "SPARTAN_OIDC_PROVIDER_NAME": "Test IdP",
        "SPARTAN_OIDC_ADMIN_GROUPS": "spartan-admins",
        "SPARTAN_RATE_LIMIT_ENABLED": "0",
        **extra,
    }


def to_provider(client, next_: str | None = None):
    """Start the sign-in at the station: the redirect to the provider's authorization endpoint."""
    response = client.get("/login/oidc" + (f"?next={next_}" if next_ else ""))
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.location


def at_provider(authorize_url: str, sub: str) -> str:
    """The user picks ``sub`` on the provider's form; returns the callback URL it redirects to."""
    answer = requests.post(authorize_url, data={"sub": sub}, allow_redirects=False, timeout=30)
    assert answer.status_code == 302, answer.text
    return answer.headers["Location"]


def back_at_station(client, callback_url: str):
    parts = urlsplit(callback_url)
    assert parts.path == "/login/oidc/callback"
    return client.get(f"{parts.path}?{parts.query}")


def sign_in(client, sub: str, next_: str | None = None):
    return back_at_station(client, at_provider(to_provider(client, next_), sub))


def oidc_audit(records, outcome: str) -> list[dict]:
    return [r.__dict__ for r in records if getattr(r, "event", None) == "login" and r.outcome == outcome]


def test_the_login_page_offers_the_provider_and_no_password(make_app):  # noqa: F811
    with provider() as (issuer, _):
        app = make_app(**oidc_env(issuer))
        client = app.server.test_client()
        page = client.get("/login?next=/rates")
        html = page.get_data(as_text=True)
        assert page.status_code == 200 and "Sign in with Test IdP" in html
        assert 'href="/login/oidc?next=%2Frates"' in html and 'type="password"' not in html
        assert client.post("/login", data={"username": "x", "password": "y"}).status_code == 405
        start = urlsplit(to_provider(client))
        query = parse_qs(start.query)
        assert f"{start.scheme}://{start.netloc}{start.path}" == issuer + "/oauth2/authorize"
        assert query["client_id"] == [CLIENT_ID] and query["response_type"] == ["code"]
        assert query["scope"] == ["openid email profile"] and query["code_challenge_method"] == ["S256"]
        assert query["state"][0] and query["nonce"][0] and query["code_challenge"][0]
        assert query["redirect_uri"] == ["http://localhost/login/oidc/callback"]


def test_a_first_sign_in_creates_the_user_and_a_session_and_shows_the_dashboard(make_app, audit):  # noqa: F811
    with provider() as (issuer, _):
        app = make_app(**oidc_env(issuer))
        client = app.server.test_client()
        assert client.get("/rates").status_code == 302  # anonymous: to the login
        done = sign_in(client, ALICE.sub, next_="/rates")
        assert done.status_code == 303 and done.location == "/rates", done.get_data(as_text=True)
        page = client.get("/rates")
        assert page.status_code == 200 and ">alice</a>" in page.get_data(as_text=True)
        assert client.get("/system").status_code == 403  # a viewer: no admin group
        user = get_user(get_store().engine, "alice")
        assert user is not None and user.role == "viewer" and user.last_login_at is not None
        records = oidc_audit(audit, "success")
        assert records and records[-1]["username"] == "alice" and records[-1]["method"] == "oidc"
        assert records[-1]["user_id"] == user.id
        # The user's unusable password hash opens no password login, whatever is typed.
        from sql.schema_users import users

        with get_store().engine.connect() as conn:
            marker = conn.execute(users.select().where(users.c.id == user.id)).first().password_hash
        assert marker.startswith("!oidc:")
        for guess in ("", marker, marker[len("!oidc:") :], ALICE.sub):
            assert authenticate(get_store().engine, "alice", guess, 5, timedelta(minutes=1)).user is None
        # Logout ends the session as for a local login; a second sign-in finds the same user.
        csrf = client.get("/login").get_data(as_text=True).split('name="csrf_token" value="')[1].split('"')[0]
        assert client.post("/logout", data={"csrf_token": csrf}).status_code == 303
        assert client.get("/rates").status_code == 302
        assert sign_in(client, ALICE.sub).status_code == 303
        assert get_user(get_store().engine, "alice").id == user.id


def test_an_admin_group_gives_the_admin_role(make_app):  # noqa: F811
    with provider() as (issuer, _):
        app = make_app(**oidc_env(issuer))
        client = app.server.test_client()
        assert sign_in(client, BOB.sub).status_code == 303
        assert client.get("/system").status_code == 200
        assert get_user(get_store().engine, "bob").role == "admin"


def test_a_local_account_of_the_same_name_is_not_taken_over(make_app, audit):  # noqa: F811
    with provider() as (issuer, _):
        app = make_app(**oidc_env(issuer))
        add_user(get_store().engine, "alice", "a local password 1", "admin")
        client = app.server.test_client()
        refused = sign_in(client, ALICE.sub)
        assert refused.status_code == 403 and "not linked" in refused.get_data(as_text=True)
        assert client.get("/rates").status_code == 302
        assert oidc_audit(audit, "local_account")[-1]["username"] == "alice"


def test_a_wrong_audience_is_refused_and_audited(make_app, audit):  # noqa: F811
    with provider() as (issuer, tamper):
        app = make_app(**oidc_env(issuer))
        client = app.server.test_client()
        tamper.claims = {"aud": "another-application"}
        refused = sign_in(client, ALICE.sub)
        html = refused.get_data(as_text=True)
        assert refused.status_code == 401 and "meant for another application" in html
        assert 'class="login-logo"' in html  # the themed page
        assert client.get("/rates").status_code == 302 and get_user(get_store().engine, "alice") is None
        assert oidc_audit(audit, "wrong_audience")
        tamper.claims = {}  # the same key and flow with the right audience: admitted
        assert sign_in(client, ALICE.sub).status_code == 303


def test_an_id_token_signed_by_a_key_the_provider_does_not_publish_is_refused(make_app, audit):  # noqa: F811
    with provider() as (issuer, tamper):
        app = make_app(**oidc_env(issuer))
        client = app.server.test_client()
        tamper.claims, tamper.publish = {}, False
        refused = sign_in(client, ALICE.sub)
        assert refused.status_code == 401 and "is not valid" in refused.get_data(as_text=True)
        assert oidc_audit(audit, "invalid_token") and client.get("/rates").status_code == 302


def test_an_expired_id_token_is_refused_and_audited(make_app, audit):  # noqa: F811
    with provider(access_token_max_age=timedelta(minutes=-10)) as (issuer, _):
        app = make_app(**oidc_env(issuer))
        client = app.server.test_client()
        refused = sign_in(client, ALICE.sub)
        assert refused.status_code == 401 and "has expired" in refused.get_data(as_text=True)
        assert oidc_audit(audit, "expired_token") and client.get("/rates").status_code == 302


def test_a_replayed_or_unknown_state_is_refused_and_audited(make_app, audit):  # noqa: F811
    with provider() as (issuer, _):
        app = make_app(**oidc_env(issuer))
        client = app.server.test_client()
        callback = at_provider(to_provider(client), ALICE.sub)
        stolen = client.get_cookie("spartan_session").value  # the cookie as it was before the callback
        assert back_at_station(client, callback).status_code == 303
        # The same callback again, in the same browser: its state was spent.
        again = back_at_station(client, callback)
        assert again.status_code == 400 and "used already" in again.get_data(as_text=True)
        # In a browser that never started it: unknown.
        stranger = app.server.test_client()
        assert back_at_station(stranger, callback).status_code == 400
        assert stranger.get("/rates").status_code == 302
        assert len(oidc_audit(audit, "unknown_state")) == 2
        # With a copy of the earlier cookie (its state inside): the provider's code is spent.
        thief = app.server.test_client()
        thief.set_cookie("spartan_session", stolen, domain="localhost")
        replayed = back_at_station(thief, callback)
        assert replayed.status_code == 401 and "did not sign you in" in replayed.get_data(as_text=True)
        assert thief.get("/rates").status_code == 302 and oidc_audit(audit, "provider_error")


def test_a_state_older_than_its_ten_minutes_is_refused(make_app, monkeypatch):  # noqa: F811
    with provider() as (issuer, _):
        app = make_app(**oidc_env(issuer))
        client = app.server.test_client()
        callback = at_provider(to_provider(client), ALICE.sub)
        later = time.time() + 11 * 60
        monkeypatch.setattr("middleware.oidc.time.time", lambda: later)
        refused = back_at_station(client, callback)
        assert refused.status_code == 400 and client.get("/rates").status_code == 302


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_unreachable_provider_gives_a_themed_error_page_not_a_500(make_app, audit):  # noqa: F811
    app = make_app(**oidc_env(f"http://127.0.0.1:{free_port()}", SPARTAN_OIDC_TIMEOUT="5"))
    client = app.server.test_client()
    assert client.get("/login").status_code == 200  # the page itself needs no provider
    down = client.get("/login/oidc")
    html = down.get_data(as_text=True)
    assert down.status_code == 503 and down.headers["Retry-After"] == "60"
    assert "Test IdP cannot be reached right now" in html and 'class="login-logo"' in html
    assert oidc_audit(audit, "provider_unreachable")


def test_a_provider_that_goes_down_during_the_sign_in_gives_the_themed_error(make_app):  # noqa: F811
    with provider() as (issuer, _):
        app = make_app(**oidc_env(issuer))
        client = app.server.test_client()
        callback = at_provider(to_provider(client), ALICE.sub)
    down = back_at_station(client, callback)  # the provider has stopped: no token endpoint
    assert down.status_code == 503 and "cannot be reached" in down.get_data(as_text=True)


def test_a_sign_in_the_user_declines_at_the_provider_is_refused_with_its_reason(make_app, audit):  # noqa: F811
    with provider() as (issuer, _):
        app = make_app(**oidc_env(issuer))
        client = app.server.test_client()
        answer = requests.post(to_provider(client), data={"action": "deny"}, allow_redirects=False, timeout=30)
        refused = back_at_station(client, answer.headers["Location"])
        assert refused.status_code == 401 and "did not sign you in (access_denied)" in refused.get_data(as_text=True)
        assert oidc_audit(audit, "provider_error") and client.get("/rates").status_code == 302


def test_sign_ins_started_in_several_tabs_keep_the_newest_three(make_app):  # noqa: F811
    with provider() as (issuer, _):
        app = make_app(**oidc_env(issuer))
        client = app.server.test_client()
        started = [to_provider(client) for _ in range(5)]
        oldest, newest = (at_provider(url, ALICE.sub) for url in (started[0], started[-1]))
        assert back_at_station(client, oldest).status_code == 400  # dropped from the cookie
        assert back_at_station(client, newest).status_code == 303


def test_a_discovery_document_of_another_issuer_is_a_clear_configuration_error(make_app, audit):  # noqa: F811
    with provider() as (issuer, tamper):
        app = make_app(**oidc_env(issuer))
        tamper.issuer = "https://somewhere-else.example.org"
        refused = app.server.test_client().get("/login/oidc")
        assert refused.status_code == 502 and "another issuer than SPARTAN_OIDC_ISSUER" in refused.get_data(
            as_text=True
        )
        assert oidc_audit(audit, "misconfigured")
