"""sql/users.py and sql/sessions.py: local users with argon2id hashes, roles, lockout after
repeated wrong passwords, and server-side sessions that end for good when revoked. On SQLite,
and on PostgreSQL when SPARTAN_TEST_DATABASE_URL is set (the ``store`` fixture's backends)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from sql.schema_users import users
from sql.sessions import open_session, revoke_session, session_user
from sql.users import (
    UserError,
    add_user,
    authenticate,
    ensure_first_admin,
    list_users,
    remove_user,
    set_disabled,
    set_password,
    set_role,
)

PASSWORD = "correct horse battery"
LOCKOUT = timedelta(minutes=15)


def test_passwords_are_stored_as_argon2id_hashes_never_in_clear(store):
    add_user(store.engine, "Alice", PASSWORD, "viewer")
    with store.engine.connect() as conn:
        stored = conn.execute(select(users.c.username, users.c.password_hash)).one()
    assert stored.username == "alice"  # usernames are case-insensitive, stored lower-case
    assert stored.password_hash.startswith("$argon2id$") and PASSWORD not in stored.password_hash


def test_a_taken_username_a_short_password_and_an_unknown_role_are_clear_errors(store):
    add_user(store.engine, "alice", PASSWORD)
    with pytest.raises(UserError, match="exists already"):
        add_user(store.engine, "ALICE", PASSWORD)
    with pytest.raises(UserError, match="at least 10 characters"):
        add_user(store.engine, "bob", "short")
    with pytest.raises(UserError, match="role is one of viewer, admin"):
        add_user(store.engine, "bob", PASSWORD, "root")
    with pytest.raises(UserError, match="a username is"):
        add_user(store.engine, "bob smith", PASSWORD)


def test_login_succeeds_with_the_right_password_only(store):
    add_user(store.engine, "alice", PASSWORD)
    good = authenticate(store.engine, " Alice ", PASSWORD, 5, LOCKOUT)
    assert good.user is not None and good.user.username == "alice" and good.user.last_login_at is not None
    assert authenticate(store.engine, "alice", PASSWORD + "x", 5, LOCKOUT) == (None, "wrong")
    assert authenticate(store.engine, "nobody", PASSWORD, 5, LOCKOUT) == (None, "wrong")


def test_repeated_wrong_passwords_lock_the_account_even_for_the_right_one(store):
    add_user(store.engine, "alice", PASSWORD)
    reasons = [authenticate(store.engine, "alice", "wrong password", 3, LOCKOUT).reason for _ in range(3)]
    assert reasons == ["wrong", "wrong", "locked"]
    assert authenticate(store.engine, "alice", PASSWORD, 3, LOCKOUT) == (None, "locked")
    set_password(store.engine, "alice", "another long password")  # an admin's reset unlocks
    assert authenticate(store.engine, "alice", "another long password", 3, LOCKOUT).user is not None


def test_a_good_login_resets_the_count_of_failures(store):
    add_user(store.engine, "alice", PASSWORD)
    for _ in range(2):
        authenticate(store.engine, "alice", "wrong password", 3, LOCKOUT)
    assert authenticate(store.engine, "alice", PASSWORD, 3, LOCKOUT).user is not None
    for _ in range(2):
        assert authenticate(store.engine, "alice", "wrong password", 3, LOCKOUT).reason == "wrong"


def test_a_session_lives_until_revoked_or_expired(store):
    alice = add_user(store.engine, "alice", PASSWORD)
    token = open_session(store.engine, alice.id, timedelta(hours=1))
    assert session_user(store.engine, token).username == "alice"
    assert session_user(store.engine, token + "x") is None
    revoke_session(store.engine, token)
    assert session_user(store.engine, token) is None
    expired = open_session(store.engine, alice.id, timedelta(seconds=-1))
    assert session_user(store.engine, expired) is None


def test_a_new_password_ends_every_session_of_the_user(store):
    alice = add_user(store.engine, "alice", PASSWORD)
    tokens = [open_session(store.engine, alice.id, timedelta(hours=1)) for _ in range(2)]
    set_password(store.engine, "alice", "another long password")
    assert [session_user(store.engine, t) for t in tokens] == [None, None]


def test_roles_change_and_the_last_admin_stays(store):
    add_user(store.engine, "root", PASSWORD, "admin")
    add_user(store.engine, "alice", PASSWORD)
    with pytest.raises(UserError, match="last admin"):
        set_role(store.engine, "root", "viewer")
    with pytest.raises(UserError, match="last admin"):
        remove_user(store.engine, "root")
    set_role(store.engine, "alice", "admin")
    set_role(store.engine, "root", "viewer")
    assert {u.username: u.role for u in list_users(store.engine)} == {"alice": "admin", "root": "viewer"}


def test_a_removed_user_loses_their_sessions(store):
    add_user(store.engine, "root", PASSWORD, "admin")
    alice = add_user(store.engine, "alice", PASSWORD)
    token = open_session(store.engine, alice.id, timedelta(hours=1))
    remove_user(store.engine, "alice")
    assert session_user(store.engine, token) is None
    assert [u.username for u in list_users(store.engine)] == ["root"]
    with pytest.raises(UserError, match="no user 'alice'"):
        remove_user(store.engine, "alice")


def test_the_first_admin_comes_from_the_environment_only_while_no_user_exists(store):
    assert ensure_first_admin(store.engine, None, None) is None
    first = ensure_first_admin(store.engine, "root", PASSWORD)
    assert first is not None and first.role == "admin"
    assert ensure_first_admin(store.engine, "other", PASSWORD) is None
    assert [u.username for u in list_users(store.engine)] == ["root"]


def test_a_disabled_user_cannot_sign_in_and_loses_their_sessions_until_enabled(store):
    add_user(store.engine, "root", PASSWORD, "admin")
    alice = add_user(store.engine, "alice", PASSWORD)
    token = open_session(store.engine, alice.id, timedelta(hours=1))
    set_disabled(store.engine, "alice", True)
    assert session_user(store.engine, token) is None
    assert authenticate(store.engine, "alice", PASSWORD, 5, LOCKOUT) == (None, "disabled")
    with pytest.raises(UserError, match="last admin"):
        set_disabled(store.engine, "root", True)
    set_disabled(store.engine, "alice", False)
    assert authenticate(store.engine, "alice", PASSWORD, 5, LOCKOUT).user is not None
