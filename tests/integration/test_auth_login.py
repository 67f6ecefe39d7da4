"""The login page and sessions of SPARTAN_AUTH=local: CSRF, one error for every failure, bounded
"remember me", cookie flags, logout that revokes the session for good, lockout and per-address
rate limits, and audit records that name the user."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest

from tests.integration.test_auth_routes import (  # noqa: F401 - the make_app fixture
    ADMIN_PASSWORD,
    VIEWER_PASSWORD,
    csrf_of,
    local_env,
    login,
    make_app,
)

COOKIE = "spartan_session"


@pytest.fixture
def app(make_app):  # noqa: F811 - the fixture imported above
    return make_app(**local_env())


def cookie_header(response) -> str:
    return next(h for h in response.headers.getlist("Set-Cookie") if h.startswith(COOKIE + "="))


def test_the_login_page_has_the_logo_at_120_px_a_csrf_token_and_no_script(app):
    page = app.server.test_client().get("/login")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert 'class="login-logo"' in html and "width: 120px; height: 120px" in html
    assert 'src="/assets/spartan-logo.svg"' in html
    assert csrf_of(html) and "<script" not in html
    assert "Remember me for 30 days" in html


def test_a_wrong_password_and_an_unknown_user_get_the_same_answer(app):
    client = app.server.test_client()
    wrong = login(client, "root", "not the password")
    unknown = login(client, "nobody", "not the password")
    assert wrong.status_code == unknown.status_code == 401
    for response in (wrong, unknown):
        assert "Wrong username or password." in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_a_login_without_its_csrf_token_is_refused(app):
    client = app.server.test_client()
    client.get("/login")
    response = client.post("/login", data={"username": "root", "password": ADMIN_PASSWORD})
    assert response.status_code == 400 and "The form expired" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_the_login_returns_to_the_page_asked_for_and_never_to_another_site(app):
    assert login(app.server.test_client(), "viewer", VIEWER_PASSWORD, next_="/rates?range=1y").location == (
        "/rates?range=1y"
    )
    for target in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
        assert login(app.server.test_client(), "viewer", VIEWER_PASSWORD, next_=target).location == "/"


def test_session_cookies_are_httponly_lax_and_end_with_the_browser_unless_remembered(app):
    plain = cookie_header(login(app.server.test_client(), "viewer", VIEWER_PASSWORD))
    assert "HttpOnly" in plain and "SameSite=Lax" in plain and "Expires" not in plain and "Secure" not in plain
    remembered = cookie_header(login(app.server.test_client(), "viewer", VIEWER_PASSWORD, remember=True))
    expires = datetime.strptime(re.search(r"Expires=([^;]+)", remembered).group(1), "%a, %d %b %Y %H:%M:%S GMT")
    assert expires.replace(tzinfo=UTC) <= datetime.now(UTC) + timedelta(days=30, minutes=1)


def test_cookies_are_secure_when_the_station_is_behind_tls(make_app):  # noqa: F811
    app = make_app(**local_env(SPARTAN_COOKIE_SECURE="1"))
    assert "Secure" in cookie_header(login(app.server.test_client(), "viewer", VIEWER_PASSWORD))


def test_logout_needs_a_post_with_its_csrf_token_and_revokes_the_session_for_good(app):
    client = app.server.test_client()
    login(client, "viewer", VIEWER_PASSWORD)
    stolen = client.get_cookie(COOKIE).value
    assert client.get("/logout").status_code in (404, 405)  # a link or an image cannot log out
    assert client.post("/logout", data={}).status_code == 400  # no CSRF token: still signed in
    assert client.get("/").status_code == 200
    signed_in_page = client.get("/login").get_data(as_text=True)
    assert "Signed in as <strong>viewer</strong>" in signed_in_page
    out = client.post("/logout", data={"csrf_token": csrf_of(signed_in_page)})
    assert out.status_code == 303 and out.location == "/login"
    assert client.get("/").status_code == 302
    replay = app.server.test_client()
    replay.set_cookie(COOKIE, stolen)
    assert replay.get("/").status_code == 302  # the copied cookie names a revoked session
    assert replay.get("/api/market/indices").status_code == 401


def test_repeated_wrong_passwords_lock_the_account_with_the_same_message(make_app):  # noqa: F811
    app = make_app(**local_env(SPARTAN_LOGIN_MAX_FAILURES="3"))
    client = app.server.test_client()
    for _ in range(3):
        assert login(client, "viewer", "not the password").status_code == 401
    locked = login(client, "viewer", VIEWER_PASSWORD)
    assert locked.status_code == 401 and "Wrong username or password." in locked.get_data(as_text=True)


def test_login_posts_are_rate_limited_per_client_address(make_app):  # noqa: F811
    app = make_app(**local_env(SPARTAN_RATE_LIMIT_ENABLED="1", SPARTAN_RATE_LIMIT_LOGIN="3/minute"))
    client = app.server.test_client()
    statuses = [login(client, f"user{i}", "not the password").status_code for i in range(4)]
    assert statuses == [401, 401, 401, 429]


def test_audit_records_carry_the_user_and_every_login_attempt(make_app, tmp_path, audit):  # noqa: F811
    audit_file = tmp_path / "audit.jsonl"
    app = make_app(**local_env(SPARTAN_AUDIT_LOG=str(audit_file)))
    client = app.server.test_client()
    login(client, "viewer", "not the password")
    login(client, "viewer", VIEWER_PASSWORD)
    client.get("/api/market/indices")
    logins = [r.__dict__ for r in audit if getattr(r, "event", None) == "login"]
    assert [(r["outcome"], r["username"], r["user_id"] is not None) for r in logins] == [
        ("wrong", "viewer", False),
        ("success", "viewer", True),
    ]
    data = [r.__dict__ for r in audit if getattr(r, "event", None) == "data_access" and r.path == "/api/market/indices"]
    assert [(r["user"], r["user_id"]) for r in data] == [("viewer", logins[1]["user_id"])]
    lines = [json.loads(line) for line in audit_file.read_text().splitlines()]
    assert any(line.get("user") == "viewer" and line["path"] == "/api/market/indices" for line in lines)
    assert VIEWER_PASSWORD not in audit_file.read_text()
