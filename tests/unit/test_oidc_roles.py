"""SPARTAN_AUTH=oidc: who a provider's user is at the station (username from the ID token's
claims) and which role the settings give them."""

from __future__ import annotations

import pytest

from config.settings import load_settings
from middleware.oidc import Refused, role_for, username_of


def settings(**extra: str):
    env = {
        "SPARTAN_AUTH": "oidc",
        "SPARTAN_SECRET_KEY": "k" * 40,
        "SPARTAN_OIDC_ISSUER": "https://idp.example.org",
        "SPARTAN_OIDC_CLIENT_ID": "spartan",
    }
    return load_settings({**env, **extra})


@pytest.mark.parametrize(
    ("claims", "username"),
    [
        ({"sub": "s1", "preferred_username": "Alice", "email": "a@example.org"}, "alice"),
        ({"sub": "s1", "email": "Bob@Example.org"}, "bob@example.org"),
        ({"sub": "s1", "email": "bob@example.org", "email_verified": True}, "bob@example.org"),
        ({"sub": "S-1", "preferred_username": "  "}, "s-1"),
    ],
)
def test_the_username_is_preferred_username_else_email_else_sub(claims, username):
    assert username_of(claims) == username


def test_an_email_the_provider_marks_unverified_names_nobody():
    with pytest.raises(Refused) as refused:
        username_of({"sub": "s1", "email": "boss@example.org", "email_verified": False})
    assert refused.value.reason == "unverified_email"


def test_the_role_is_viewer_unless_the_settings_name_the_user_or_one_of_their_groups():
    plain = settings()
    assert role_for(plain, "alice", {"sub": "s1", "groups": ["admins"]}) == "viewer"
    named = settings(SPARTAN_OIDC_ADMINS="alice,subject-9")
    assert role_for(named, "alice", {"sub": "s1"}) == "admin"
    assert role_for(named, "carol", {"sub": "Subject-9"}) == "admin"
    assert role_for(named, "carol", {"sub": "s3"}) == "viewer"
    grouped = settings(SPARTAN_OIDC_ADMIN_GROUPS="/research/admins", SPARTAN_OIDC_GROUPS_CLAIM="roles")
    assert role_for(grouped, "dan", {"sub": "s4", "roles": ["/research/admins", "x"]}) == "admin"
    assert role_for(grouped, "dan", {"sub": "s4", "roles": "x /research/admins"}) == "admin"
    assert role_for(grouped, "dan", {"sub": "s4", "groups": ["/research/admins"]}) == "viewer"
    assert role_for(grouped, "dan", {"sub": "s4", "roles": {"/research/admins": 1}}) == "viewer"
