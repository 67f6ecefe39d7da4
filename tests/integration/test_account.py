"""/account (SPARTAN_AUTH=local): a user makes API tokens, sees each once, revokes their own and
only their own; every form needs its CSRF token."""

from __future__ import annotations

import re

import pytest

from sql.store import get_store
from sql.tokens import create_token, list_tokens
from tests.integration.test_auth_routes import (  # noqa: F401 - the make_app fixture
    VIEWER_PASSWORD,
    csrf_of,
    local_env,
    login,
    make_app,
)


@pytest.fixture
def viewer(make_app):  # noqa: F811 - the fixture imported above
    client = make_app(**local_env()).server.test_client()
    login(client, "viewer", VIEWER_PASSWORD)
    return client


def test_the_account_page_needs_a_login(make_app):  # noqa: F811
    client = make_app(**local_env()).server.test_client()
    assert client.get("/account").location == "/login?next=%2Faccount"
    assert client.post("/account/tokens", data={"name": "x"}).status_code == 401


def test_a_token_made_on_the_account_page_is_shown_once_and_works(viewer):
    page = viewer.get("/account").get_data(as_text=True)
    assert "No API tokens yet." in page and viewer.get("/account").headers["Cache-Control"] == "no-store"
    made = viewer.post("/account/tokens", data={"name": "monthly report", "csrf_token": csrf_of(page)})
    token = re.search(r'<pre class="account-token">(spartan_[^<]+)</pre>', made.get_data(as_text=True)).group(1)
    assert "shown this once" in made.get_data(as_text=True)
    again = viewer.get("/account").get_data(as_text=True)
    assert token not in again and token[:12] + "…" in again and "monthly report" in again
    api = viewer.application.test_client()
    assert api.get("/api/market/indices", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_forms_without_their_csrf_token_change_nothing(viewer):
    assert viewer.post("/account/tokens", data={"name": "report"}).status_code == 400
    assert list_tokens(get_store().engine, "viewer") == []


def test_a_user_revokes_their_own_tokens_only(viewer):
    engine = get_store().engine
    own, _ = create_token(engine, "viewer", "mine")
    other, _ = create_token(engine, "root", "the admin's")
    csrf = csrf_of(viewer.get("/account").get_data(as_text=True))
    assert viewer.post(f"/account/tokens/{other.id}/revoke", data={"csrf_token": csrf}).status_code == 404
    assert viewer.post(f"/account/tokens/{own.id}/revoke", data={"csrf_token": csrf}).location == "/account"
    states = {t.name: t.revoked_at is not None for t in list_tokens(engine)}
    assert states == {"mine": True, "the admin's": False}
