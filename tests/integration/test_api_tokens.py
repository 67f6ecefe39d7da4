"""API tokens (SPARTAN_AUTH=local): made by CLI and shown once, stored hashed, sent as
``Authorization: Bearer``; they read the data API as their user and nothing else, stop at
revocation, note their last use, and the audit log names them."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from sql.schema_users import api_tokens
from sql.store import get_store
from sql.tokens import create_token, list_tokens, revoke_token, token_user
from sql.users import UserError, add_user, remove_user, set_disabled
from tests.integration.test_auth_routes import local_env, make_app  # noqa: F401 - the make_app fixture
from tests.integration.test_users_cli import users_cli

PASSWORD = "correct horse battery"


def test_a_token_is_stored_as_its_hash_and_names_its_user_until_revoked(store):
    add_user(store.engine, "alice", PASSWORD)
    record, token = create_token(store.engine, "alice", "monthly report")
    assert token.startswith("spartan_") and len(token) > 40 and record.prefix == token[:12]
    with store.engine.connect() as conn:
        stored = conn.execute(select(api_tokens.c.token_hash)).scalar_one()
    assert token not in stored and len(stored) == 64
    user, token_id = token_user(store.engine, token)
    assert (user.username, token_id) == ("alice", record.id)
    assert list_tokens(store.engine, "alice")[0].last_used_at is not None
    assert token_user(store.engine, token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    revoke_token(store.engine, record.id)
    assert token_user(store.engine, token) is None
    with pytest.raises(UserError, match=f"no live token {record.id}"):
        revoke_token(store.engine, record.id)


def test_a_removed_user_takes_their_tokens_along(store):
    add_user(store.engine, "root", PASSWORD, "admin")
    add_user(store.engine, "alice", PASSWORD)
    _, token = create_token(store.engine, "alice", "report")
    remove_user(store.engine, "alice")
    assert token_user(store.engine, token) is None and list_tokens(store.engine) == []


def test_tokens_are_made_listed_and_revoked_by_cli_and_shown_only_once(tmp_path):
    assert users_cli(tmp_path, "add", "alice", "--password-stdin", stdin=PASSWORD + "\n").returncode == 0
    made = users_cli(tmp_path, "token", "add", "alice", "--name", "monthly report")
    assert made.returncode == 0, made.stderr
    token = made.stdout.strip().splitlines()[-1]
    assert token.startswith("spartan_")
    listed = users_cli(tmp_path, "token", "list")
    assert token not in listed.stdout
    row = listed.stdout.splitlines()[1].split()
    assert row[:2] == ["1", "alice"] and token[:12] + "…" in listed.stdout and "live" in row
    assert users_cli(tmp_path, "token", "revoke", "1").returncode == 0
    assert "revoked" in users_cli(tmp_path, "token", "list", "alice").stdout
    again = users_cli(tmp_path, "token", "revoke", "1")
    assert again.returncode == 1 and "error: no live token 1" in again.stderr


@pytest.fixture
def tokens(make_app):  # noqa: F811 - the fixture imported above
    app = make_app(**local_env())
    engine = get_store().engine
    _, viewer = create_token(engine, "viewer", "viewer report")
    _, admin = create_token(engine, "root", "scraper")
    return app.server.test_client(), viewer, admin


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_a_token_reads_the_data_api_with_its_users_role(tokens):
    client, viewer, admin = tokens
    assert client.get("/api/market/indices", headers=bearer(viewer)).status_code == 200
    assert client.get("/csv/series/UNRATE.csv", headers=bearer(viewer)).status_code in (200, 404)
    assert client.get("/metrics", headers=bearer(viewer)).status_code == 403
    assert client.get("/api/system/download-log", headers=bearer(viewer)).status_code == 403
    assert client.get("/metrics", headers=bearer(admin)).status_code == 200
    assert client.get("/api/system/download-log", headers=bearer(admin)).status_code == 200


def test_a_token_opens_no_page_and_no_dash_request(tokens):
    client, viewer, _ = tokens
    for url in ("/", "/rates", "/_dash-layout"):
        response = client.get(url, headers=bearer(viewer))
        assert response.status_code == 403 and "data API" in response.get_json()["error"], url
    assert client.post("/_dash-update-component", json={}, headers=bearer(viewer)).status_code == 403


def test_a_wrong_or_revoked_token_is_a_401_never_anonymous_access(tokens):
    client, viewer, _ = tokens
    wrong = client.get("/api/market/indices", headers=bearer("spartan_nope"))
    assert wrong.status_code == 401 and "invalid_token" in wrong.headers["WWW-Authenticate"]
    revoke_token(get_store().engine, list_tokens(get_store().engine, "viewer")[0].id)
    assert client.get("/api/market/indices", headers=bearer(viewer)).status_code == 401


def test_the_audit_record_names_the_token_and_its_user(tokens):
    client, viewer, _ = tokens
    records: list[logging.LogRecord] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler = Collect()
    logging.getLogger("spartan.audit").addHandler(handler)
    try:
        client.get("/api/market/indices", headers=bearer(viewer))
    finally:
        logging.getLogger("spartan.audit").removeHandler(handler)
    token_id = list_tokens(get_store().engine, "viewer")[0].id
    assert [(r.user, r.token_id) for r in records if getattr(r, "path", "") == "/api/market/indices"] == [
        ("viewer", token_id)
    ]


def test_a_token_has_its_own_rate_limit_whatever_address_it_comes_from(make_app):  # noqa: F811
    app = make_app(**local_env(SPARTAN_RATE_LIMIT_ENABLED="1", SPARTAN_RATE_LIMIT_API="3/minute"))
    _, token = create_token(get_store().engine, "viewer", "report farm")
    statuses = [
        app.server.test_client()
        .get("/api/market/indices", headers=bearer(token), environ_base={"REMOTE_ADDR": f"10.0.0.{i}"})
        .status_code
        for i in range(1, 5)
    ]
    assert statuses == [200, 200, 200, 429]


def test_a_disabled_users_tokens_stop_working(store):
    add_user(store.engine, "alice", PASSWORD)
    _, token = create_token(store.engine, "alice", "report")
    set_disabled(store.engine, "alice", True)
    assert token_user(store.engine, token) is None
