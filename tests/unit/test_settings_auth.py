"""SPARTAN_AUTH and its companions: none by default (everything public, as before), local and oidc
only with a long enough SPARTAN_SECRET_KEY, oidc with its provider, secrets never in repr or describe()."""

from __future__ import annotations

import pytest

from config.settings import SettingsError, load_settings

SECRET = "k" * 40


def test_auth_is_none_by_default_and_needs_no_secret():
    s = load_settings({})
    assert (s.auth, s.secret_key, s.admin_user) == ("none", None, None)


def test_local_mode_takes_the_secret_key_and_the_first_admin():
    s = load_settings(
        {
            "SPARTAN_AUTH": "Local",
            "SPARTAN_SECRET_KEY": SECRET,
            "SPARTAN_ADMIN_USER": "root",
            "SPARTAN_ADMIN_PASSWORD": "a long password",
        }
    )
    assert (s.auth, s.secret_key, s.admin_user, s.admin_password) == ("local", SECRET, "root", "a long password")
    assert (s.remember_days, s.session_hours, s.login_max_failures, s.cookie_secure) == (30, 12, 5, False)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SPARTAN_AUTH": "local"}, "SPARTAN_AUTH=local needs SPARTAN_SECRET_KEY"),
        ({"SPARTAN_AUTH": "local", "SPARTAN_SECRET_KEY": "short"}, "at least 32 characters"),
        ({"SPARTAN_AUTH": "ldap"}, "SPARTAN_AUTH must be one of none, local, oidc"),
        (
            {"SPARTAN_AUTH": "oidc", "SPARTAN_OIDC_ISSUER": "https://idp", "SPARTAN_OIDC_CLIENT_ID": "x"},
            "needs SPARTAN_SECRET_KEY",
        ),
        ({"SPARTAN_AUTH": "oidc", "SPARTAN_SECRET_KEY": SECRET}, "needs SPARTAN_OIDC_ISSUER"),
        (
            {"SPARTAN_AUTH": "oidc", "SPARTAN_SECRET_KEY": SECRET, "SPARTAN_OIDC_ISSUER": "idp.example"},
            "http\\(s\\) URL",
        ),
        ({"SPARTAN_AUTH": "oidc", "SPARTAN_SECRET_KEY": SECRET, "SPARTAN_OIDC_ISSUER": "https://idp"}, "CLIENT_ID"),
        (
            {"SPARTAN_AUTH": "oidc", "SPARTAN_SECRET_KEY": SECRET, "SPARTAN_OIDC_ISSUER": "http://idp.example.org"},
            "SPARTAN_OIDC_ISSUER must be https",
        ),
        (
            {
                "SPARTAN_AUTH": "oidc",
                "SPARTAN_SECRET_KEY": SECRET,
                "SPARTAN_OIDC_ISSUER": "https://idp",
                "SPARTAN_OIDC_CLIENT_ID": "x",
                "SPARTAN_OIDC_SCOPES": "email profile",
            },
            "SPARTAN_OIDC_SCOPES must include openid",
        ),
        ({"SPARTAN_ADMIN_USER": "root"}, "SPARTAN_ADMIN_USER and SPARTAN_ADMIN_PASSWORD go together"),
        ({"SPARTAN_REMEMBER_DAYS": "90"}, "SPARTAN_REMEMBER_DAYS must be <= 30"),
        ({"SPARTAN_RATE_LIMIT_LOGIN": "lots"}, "SPARTAN_RATE_LIMIT_LOGIN must look like"),
    ],
)
def test_unusable_access_settings_refuse_to_start_naming_the_variable(env, message):
    with pytest.raises(SettingsError, match=message):
        load_settings(env)


def test_the_secret_key_and_admin_password_never_show_in_repr_or_describe():
    s = load_settings(
        {
            "SPARTAN_AUTH": "local",
            "SPARTAN_SECRET_KEY": SECRET,
            "SPARTAN_ADMIN_USER": "root",
            "SPARTAN_ADMIN_PASSWORD": "a long password",
        }
    )
    described = s.describe()
    assert SECRET not in repr(s) and "a long password" not in repr(s)
    assert described["secret_key"] == "***" and described["admin_password"] == "***"
    assert SECRET not in str(described) and "a long password" not in str(described)


def test_metrics_scrapers_networks_are_checked_and_normalised():
    s = load_settings({"SPARTAN_METRICS_ALLOW": " 10.1.2.3/8 , ::1 "})
    assert s.metrics_allow == ("10.0.0.0/8", "::1/128")
    with pytest.raises(SettingsError, match="SPARTAN_METRICS_ALLOW must list networks"):
        load_settings({"SPARTAN_METRICS_ALLOW": "10.0.0.0/8,intranet"})


def test_oidc_mode_reads_its_provider_client_and_admins():
    s = load_settings(
        {
            "SPARTAN_AUTH": "oidc",
            "SPARTAN_SECRET_KEY": SECRET,
            "SPARTAN_OIDC_ISSUER": "https://login.example.org/realms/research",
            "SPARTAN_OIDC_CLIENT_ID": "spartan",
            "SPARTAN_OIDC_CLIENT_SECRET": "the client secret",
            "SPARTAN_OIDC_PROVIDER_NAME": " Keycloak ",
            "SPARTAN_OIDC_ADMINS": "Alice, bob@example.org",
            "SPARTAN_OIDC_ADMIN_GROUPS": "spartan-admins,/research/admins",
        }
    )
    assert (s.auth, s.oidc_issuer, s.oidc_client_id) == ("oidc", "https://login.example.org/realms/research", "spartan")
    assert (s.oidc_scopes, s.oidc_provider_name, s.oidc_groups_claim) == ("openid email profile", "Keycloak", "groups")
    assert s.oidc_admins == ("alice", "bob@example.org")
    assert s.oidc_admin_groups == ("spartan-admins", "/research/admins")
    assert "the client secret" not in repr(s) and s.describe()["oidc_client_secret"] == "***"
    public = load_settings(
        {
            "SPARTAN_AUTH": "oidc",
            "SPARTAN_SECRET_KEY": SECRET,
            "SPARTAN_OIDC_ISSUER": "https://idp",
            "SPARTAN_OIDC_CLIENT_ID": "x",
        }
    )
    assert public.oidc_client_secret is None and public.oidc_provider_name == "OpenID Connect"


def test_a_plain_http_issuer_is_for_loopback_or_when_allowed():
    env = {"SPARTAN_AUTH": "oidc", "SPARTAN_SECRET_KEY": SECRET, "SPARTAN_OIDC_CLIENT_ID": "x"}
    assert load_settings({**env, "SPARTAN_OIDC_ISSUER": "http://127.0.0.1:8080"}).oidc_issuer == "http://127.0.0.1:8080"
    allowed = {**env, "SPARTAN_OIDC_ISSUER": "http://keycloak:8080/realms/r", "SPARTAN_OIDC_ALLOW_HTTP": "1"}
    assert load_settings(allowed).oidc_issuer == "http://keycloak:8080/realms/r"
