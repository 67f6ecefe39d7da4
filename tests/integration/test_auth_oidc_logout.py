"""SPARTAN_AUTH=oidc logout: the station's session ends, and when the provider's discovery names
an ``end_session_endpoint`` the browser is sent there (OpenID Connect RP-initiated logout) with
the sign-in's ID token, the client id and /login to come back to. The provider is
``oidc-provider-mock``, in-process, as in test_auth_oidc.py."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import requests
import werkzeug.test
from joserfc import jwt
from joserfc.jwk import KeySet

from sql.schema_users import user_sessions
from sql.store import get_store
from tests.integration.test_auth_oidc import ALICE, CLIENT_ID, insecure_transport, oidc_env, provider, sign_in
from tests.integration.test_auth_routes import csrf_of, make_app  # noqa: F401 - the make_app fixture

__all__ = ["insecure_transport"]  # the autouse fixture, in effect here too

# A TLS-terminating proxy in front of the station says so (the Host header it passes on as is).
PROXIED = {"HTTP_X_FORWARDED_PROTO": "https"}


def logout_audit(records) -> list[dict]:
    return [r.__dict__ for r in records if getattr(r, "event", None) == "logout"]


def sign_out(client, csrf: str | None = None):
    csrf = csrf or csrf_of(client.get("/login").get_data(as_text=True))
    return client.post("/logout", data={"csrf_token": csrf})


def stored_id_tokens() -> list[str | None]:
    with get_store().engine.connect() as conn:
        return list(conn.execute(user_sessions.select().with_only_columns(user_sessions.c.id_token)).scalars())


def test_logout_ends_the_session_here_and_sends_the_browser_to_the_providers_end_session(make_app, audit):  # noqa: F811
    with provider() as (issuer, tamper):
        app = make_app(**oidc_env(issuer))
        client = app.server.test_client()
        assert sign_in(client, ALICE.sub).status_code == 303
        stolen = client.get_cookie("spartan_session").value
        [kept] = stored_id_tokens()  # the sign-in's ID token, beside its session
        done = sign_out(client)
        assert done.status_code == 303
        parts = urlsplit(done.location)
        query = parse_qs(parts.query)
        assert f"{parts.scheme}://{parts.netloc}{parts.path}" == issuer + "/oauth2/end_session"
        assert query["client_id"] == [CLIENT_ID]
        assert query["post_logout_redirect_uri"] == ["http://localhost/login"]
        assert query["id_token_hint"] == [kept]
        published = KeySet.import_key_set(werkzeug.test.Client(tamper.app).get("/jwks").json)
        claims = jwt.decode(kept, published).claims  # the provider's own token, of that sign-in
        assert claims["sub"] == ALICE.sub and claims["aud"] in (CLIENT_ID, [CLIENT_ID])
        assert stored_id_tokens() == [None]  # forgotten once the session ended
        # At the provider: its confirmation form, which sends the browser back to /login.
        form = requests.get(done.location, timeout=30)
        assert form.status_code == 200 and 'value="http://localhost/login"' in form.text
        assert "id_token_hint</code>" in form.text and "not set" not in form.text
        back = requests.post(
            issuer + "/oauth2/end_session/confirm",
            data={"redirect_uri": "http://localhost/login"},
            allow_redirects=False,
            timeout=30,
        )
        assert back.status_code == 302 and back.headers["Location"] == "http://localhost/login"
        # The station's session is over, in this browser and in a copy of its old cookie.
        assert client.get("/rates").status_code == 302
        thief = app.server.test_client()
        thief.set_cookie("spartan_session", stolen, domain="localhost")
        assert thief.get("/rates").status_code == 302
        record = logout_audit(audit)[-1]
        assert record["username"] == "alice" and record["method"] == "oidc" and record["provider_logout"] is True


def test_a_provider_without_end_session_endpoint_logs_out_here_only(make_app, audit, monkeypatch):  # noqa: F811
    with provider() as (issuer, _):
        app = make_app(**oidc_env(issuer))
        client = app.server.test_client()
        assert sign_in(client, ALICE.sub).status_code == 303
        metadata = app.server.extensions["spartan_oidc"].client.server_metadata
        monkeypatch.delitem(metadata, "end_session_endpoint")
        done = sign_out(client)
        assert done.status_code == 303 and done.location == "/login"
        assert client.get("/rates").status_code == 302 and stored_id_tokens() == [None]
        record = logout_audit(audit)[-1]
        assert record["username"] == "alice" and record["provider_logout"] is False


def test_behind_a_trusted_tls_proxy_the_provider_is_told_the_https_login_address(make_app):  # noqa: F811
    with provider() as (issuer, _):
        app = make_app(**oidc_env(issuer, SPARTAN_TRUSTED_PROXIES="1"))
        client = app.server.test_client()
        client.environ_base.update(PROXIED)
        assert sign_in(client, ALICE.sub).status_code == 303
        done = sign_out(client)
        assert done.status_code == 303, done.get_data(as_text=True)
        query = parse_qs(urlsplit(done.location).query)
        assert query["post_logout_redirect_uri"] == ["https://localhost/login"]


def test_signing_out_of_a_session_that_already_ended_stays_at_the_station(make_app):  # noqa: F811
    with provider() as (issuer, _):
        app = make_app(**oidc_env(issuer))
        client = app.server.test_client()
        assert sign_in(client, ALICE.sub).status_code == 303
        csrf = csrf_of(client.get("/login").get_data(as_text=True))
        other = app.server.test_client()  # a copy of the cookie signs out first
        other.set_cookie("spartan_session", client.get_cookie("spartan_session").value, domain="localhost")
        assert sign_out(other).location.startswith(issuer)
        done = sign_out(client, csrf)  # refused as any request of an ended session: no provider visit
        assert done.status_code == 401 and "location" not in done.headers


def test_the_sign_out_forms_may_send_the_browser_on_to_the_provider(make_app):  # noqa: F811
    with provider() as (issuer, _):
        app = make_app(**oidc_env(issuer))
        client = app.server.test_client()
        assert sign_in(client, ALICE.sub).status_code == 303
        for page in ("/login", "/account"):
            policy = client.get(page).headers["Content-Security-Policy"]
            assert f"form-action 'self' {issuer};" in policy, policy
