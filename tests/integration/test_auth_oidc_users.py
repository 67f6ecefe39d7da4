"""The users a provider signs in (SPARTAN_AUTH=oidc) live in the same ``users`` table as local
ones, with no migration: their password hash is a marker tied to the provider's subject that no
password ever matches, and a name taken by a local user or another subject is not theirs."""

from __future__ import annotations

from datetime import timedelta

from sql.users import add_user, authenticate, get_user, oidc_marker, oidc_sign_in, set_disabled

LOCKOUT = timedelta(minutes=5)


def test_a_first_sign_in_makes_the_user_and_later_ones_set_their_role(store):
    marker = oidc_marker("https://idp.example.org", "subject-1")
    first = oidc_sign_in(store.engine, "Alice", marker, "viewer")
    assert first.reason == "created" and first.user.username == "alice" and first.user.role == "viewer"
    again = oidc_sign_in(store.engine, "alice", marker, "admin")
    assert again.reason == "role_changed" and again.user.id == first.user.id and again.user.role == "admin"
    assert oidc_sign_in(store.engine, "alice", marker, "admin").reason is None


def test_the_marker_opens_no_password_login(store):
    marker = oidc_marker("https://idp.example.org", "subject-1")
    oidc_sign_in(store.engine, "alice", marker, "admin")
    assert marker.startswith("!oidc:") and len(marker) <= 255
    for guess in ("", marker, marker[6:], "subject-1", "https://idp.example.org\nsubject-1"):
        result = authenticate(store.engine, "alice", guess, 5, LOCKOUT)
        assert result.user is None and result.reason in ("wrong", "locked")  # the fifth locks: no matter


def test_a_local_user_or_another_subject_keeps_their_name(store):
    add_user(store.engine, "alice", "a local password", "admin")
    taken = oidc_sign_in(store.engine, "alice", oidc_marker("https://idp.example.org", "s1"), "viewer")
    assert taken.user is None and taken.reason == "local_account"
    assert get_user(store.engine, "alice").role == "admin"
    oidc_sign_in(store.engine, "bob", oidc_marker("https://idp.example.org", "s2"), "viewer")
    other = oidc_sign_in(store.engine, "bob", oidc_marker("https://other-idp.example.org", "s2"), "viewer")
    assert other.user is None and other.reason == "local_account"


def test_a_disabled_user_is_refused(store):
    marker = oidc_marker("https://idp.example.org", "s1")
    oidc_sign_in(store.engine, "alice", marker, "viewer")
    oidc_sign_in(store.engine, "root", oidc_marker("https://idp.example.org", "s0"), "admin")
    set_disabled(store.engine, "alice", True)
    refused = oidc_sign_in(store.engine, "alice", marker, "viewer")
    assert refused.user is None and refused.reason == "disabled"
