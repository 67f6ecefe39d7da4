"""/account/users (SPARTAN_AUTH=local): an admin administers the users and every user's live API
tokens in the browser; a viewer and an anonymous caller get nothing (403, login), the same for
any username; every form needs its CSRF token; an admin cannot act on their own account; every
action, done or refused, is an audit record; refusals are notices, never a 500."""

from __future__ import annotations

import pytest

from sql.store import get_store
from sql.tokens import create_token, list_tokens, revoke_token, token_user
from sql.users import add_user, get_user, set_disabled
from tests.integration import test_auth_routes as routes
from tests.integration.test_auth_routes import make_app  # noqa: F401 - the fixture

NEW_PASSWORD = "a new password 1"


@pytest.fixture
def clients(make_app):  # noqa: F811 - the fixture imported above
    """(admin, viewer, anonymous) test clients of one app; admin is the first admin, root."""
    app = make_app(**routes.local_env())
    admin, viewer, anonymous = (app.server.test_client() for _ in range(3))
    assert routes.login(admin, "root", routes.ADMIN_PASSWORD).status_code == 303
    assert routes.login(viewer, "viewer", routes.VIEWER_PASSWORD).status_code == 303
    return admin, viewer, anonymous


def post(client, url: str, **data: str):
    """A form posted with the CSRF token of the admin page."""
    csrf = routes.csrf_of(client.get("/account/users").get_data(as_text=True))
    return client.post(url, data={"csrf_token": csrf, **data})


def text(response) -> str:
    return response.get_data(as_text=True)


def admin_records(audit) -> list[dict]:
    keys = ("action", "target", "outcome", "reason", "user")
    return [{k: getattr(r, k, None) for k in keys} for r in audit if getattr(r, "event", None) == "user_admin"]


ACTIONS = [
    ("/account/users", {"username": "x", "password": NEW_PASSWORD, "password2": NEW_PASSWORD, "role": "viewer"}),
    ("/account/users/viewer/role", {"role": "admin"}),
    ("/account/users/viewer/disable", {}),
    ("/account/users/viewer/enable", {}),
    ("/account/users/viewer/remove", {"confirm": "viewer"}),
    ("/account/users/tokens/1/revoke", {}),
]


def test_only_admins_reach_the_page_and_its_forms(clients):
    admin, viewer, anonymous = clients
    assert anonymous.get("/account/users").location == "/login?next=%2Faccount%2Fusers"
    assert viewer.get("/account/users").status_code == 403
    page = admin.get("/account/users")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    for url, data in ACTIONS:
        assert anonymous.post(url, data=data).status_code == 401, url
        assert viewer.post(url, data=data).status_code == 403, url
    assert get_user(get_store().engine, "viewer").role == "viewer"  # nothing changed


def test_a_viewer_learns_nothing_about_which_users_exist(clients):
    _, viewer, anonymous = clients
    for client in (viewer, anonymous):
        known, unknown = (
            client.post(f"/account/users/{name}/remove", data={"confirm": name}) for name in ("root", "nobody")
        )
        assert (known.status_code, text(known)) == (unknown.status_code, text(unknown))
    assert get_user(get_store().engine, "root") is not None


def test_the_account_page_links_the_admin_page_for_admins_only(clients):
    admin, viewer, _ = clients
    assert 'href="/account/users"' in text(admin.get("/account"))
    assert 'href="/account/users"' not in text(viewer.get("/account"))


def test_the_page_lists_users_with_their_state_and_live_tokens(clients):
    admin, _, _ = clients
    engine = get_store().engine
    create_token(engine, "viewer", "report one")
    revoked, _ = create_token(engine, "viewer", "old report")
    create_token(engine, "viewer", "report two")
    revoke_token(engine, revoked.id)
    add_user(engine, "newbie", NEW_PASSWORD, "viewer")
    page = text(admin.get("/account/users"))
    root_row = page.split("<strong>root</strong>", 1)[1].split("</tr>", 1)[0]
    viewer_row = page.split("<strong>viewer</strong>", 1)[1].split("</tr>", 1)[0]
    assert "(you)" in root_row and "your own account" in root_row and "<form" not in root_row
    assert "<td>admin</td><td>enabled</td>" in root_row and "never" not in root_row  # created, last login
    assert "never" not in viewer_row
    newbie_row = page.split("<strong>newbie</strong>", 1)[1].split("</tr>", 1)[0]
    assert "<td>never</td><td>0</td>" in newbie_row  # no login yet, no token
    assert 'class="spartan-card login-card wider"' in page
    assert "<td>viewer</td><td>enabled</td>" in viewer_row and "<td>2</td>" in viewer_row
    assert 'action="/account/users/viewer/remove"' in viewer_row
    assert "report one" in page and "report two" in page and "old report" not in page
    assert f'action="/account/users/tokens/{revoked.id}/revoke"' not in page


def test_adding_a_user_checks_both_passwords_the_name_and_the_length(clients, audit):
    admin, _, anonymous = clients
    form = {"username": "Analyst", "role": "viewer", "password": NEW_PASSWORD}
    differ = post(admin, "/account/users", **form, password2=NEW_PASSWORD + "x")
    assert differ.status_code == 400 and "The two passwords differ." in text(differ)
    short = post(admin, "/account/users", **{**form, "password": "short"}, password2="short")
    assert short.status_code == 400 and "at least 10 characters" in text(short)
    bad = post(admin, "/account/users", **{**form, "username": "no spaces"}, password2=NEW_PASSWORD)
    assert bad.status_code == 400 and "a username is 1 to 64 characters" in text(bad)
    bad_role = post(admin, "/account/users", **{**form, "role": "owner"}, password2=NEW_PASSWORD)
    assert bad_role.status_code == 400 and "a role is one of viewer, admin" in text(bad_role)
    assert get_user(get_store().engine, "analyst") is None
    done = post(admin, "/account/users", **form, password2=NEW_PASSWORD)
    assert done.status_code == 200 and "User analyst added (viewer)." in text(done)
    again = post(admin, "/account/users", **form, password2=NEW_PASSWORD)
    assert again.status_code == 400 and "exists already" in text(again)
    assert routes.login(anonymous, "analyst", NEW_PASSWORD).status_code == 303
    records = admin_records(audit)
    assert [(r["action"], r["outcome"]) for r in records] == [("add", "refused")] * 4 + [
        ("add", "done"),
        ("add", "refused"),
    ]
    assert records[4] == {"action": "add", "target": "analyst", "outcome": "done", "reason": None, "user": "root"}
    assert all(NEW_PASSWORD not in str(vars(r)) for r in audit)  # no password in any record


def test_an_admin_changes_a_role_and_the_change_counts_at_once(clients, audit):
    admin, viewer, _ = clients
    assert viewer.get("/system").status_code == 403
    done = post(admin, "/account/users/viewer/role", role="admin")
    assert done.status_code == 200 and "viewer is admin now." in text(done)
    assert viewer.get("/system").status_code == 200
    wrong = post(admin, "/account/users/viewer/role", role="owner")
    assert wrong.status_code == 400 and "a role is one of" in text(wrong)
    post(admin, "/account/users/viewer/role", role="viewer")
    assert get_user(get_store().engine, "viewer").role == "viewer"
    roles = [
        (getattr(r, "role", None), getattr(r, "was", None)) for r in audit if getattr(r, "event", "") == "user_admin"
    ]
    assert roles == [("admin", "viewer"), (None, None), ("viewer", "admin")]


def test_disabling_ends_sessions_and_tokens_and_enabling_lets_the_user_in_again(clients):
    admin, viewer, anonymous = clients
    engine = get_store().engine
    _, token = create_token(engine, "viewer", "report")
    done = post(admin, "/account/users/viewer/disable")
    assert done.status_code == 200 and "viewer is disabled" in text(done)
    assert "<td>viewer</td><td>disabled</td>" in text(done)
    assert viewer.get("/account").status_code == 302  # the session is over
    assert token_user(engine, token) is None
    assert routes.login(anonymous, "viewer", routes.VIEWER_PASSWORD).status_code == 401
    enabled = post(admin, "/account/users/viewer/enable")
    assert enabled.status_code == 200 and "viewer is enabled." in text(enabled)
    assert routes.login(anonymous, "viewer", routes.VIEWER_PASSWORD).status_code == 303


def test_removing_needs_the_username_typed_and_takes_the_tokens_along(clients, audit):
    admin, _, _ = clients
    engine = get_store().engine
    create_token(engine, "viewer", "report")
    for confirm in ("", "root", "viewe"):
        refused = post(admin, "/account/users/viewer/remove", confirm=confirm)
        assert refused.status_code == 400 and "Type the username viewer to confirm" in text(refused)
    assert get_user(engine, "viewer") is not None
    done = post(admin, "/account/users/viewer/remove", confirm=" Viewer ")
    assert done.status_code == 200 and "User viewer removed" in text(done)
    assert get_user(engine, "viewer") is None and list_tokens(engine, "viewer") == []
    gone = post(admin, "/account/users/viewer/remove", confirm="viewer")
    assert gone.status_code == 404 and "There is no user &#39;viewer&#39;." in text(gone)
    assert [r["outcome"] for r in admin_records(audit)] == ["refused"] * 3 + ["done", "refused"]


@pytest.mark.parametrize(
    ("action", "data"), [("role", {"role": "viewer"}), ("disable", {}), ("remove", {"confirm": "root"})]
)
def test_an_admin_cannot_demote_disable_or_remove_themself(clients, audit, action, data):
    admin, _, _ = clients
    refused = post(admin, f"/account/users/root/{action}", **data)
    assert refused.status_code == 400 and "You cannot do that to your own account" in text(refused)
    root = get_user(get_store().engine, "root")
    assert (root.role, root.disabled) == ("admin", False)
    assert admin.get("/account/users").status_code == 200
    assert admin_records(audit)[-1]["outcome"] == "refused" and admin_records(audit)[-1]["action"] == action


def test_another_admin_may_be_disabled_while_one_enabled_admin_stays(clients):
    admin, _, anonymous = clients
    engine = get_store().engine
    add_user(engine, "boss", NEW_PASSWORD, "admin")
    assert post(admin, "/account/users/boss/disable").status_code == 200
    # boss, disabled, no longer counts: root is the last enabled admin, and stays so.
    assert routes.login(anonymous, "boss", NEW_PASSWORD).status_code == 401
    set_disabled(engine, "boss", False)
    assert post(admin, "/account/users/boss/role", role="viewer").status_code == 200
    assert get_user(engine, "boss").role == "viewer"


def test_an_admin_revokes_any_users_token(clients, audit):
    admin, _, _ = clients
    engine = get_store().engine
    record, token = create_token(engine, "viewer", "report")
    done = post(admin, f"/account/users/tokens/{record.id}/revoke")
    assert done.status_code == 200 and f"Token {record.id} of viewer revoked." in text(done)
    assert token_user(engine, token) is None and "No live API tokens." in text(done)
    again = post(admin, f"/account/users/tokens/{record.id}/revoke")
    assert again.status_code == 404 and f"There is no live token {record.id}." in text(again)
    assert [(r["action"], r["outcome"]) for r in admin_records(audit)] == [
        ("revoke_token", "done"),
        ("revoke_token", "refused"),
    ]


@pytest.mark.parametrize(("url", "data"), ACTIONS)
def test_every_form_needs_its_csrf_token(clients, url, data):
    admin, _, _ = clients
    engine = get_store().engine
    record, _ = create_token(engine, "viewer", "report")
    assert record.id == 1
    refused = admin.post(url, data=data)
    assert refused.status_code == 400 and "The form expired." in text(refused)
    user = get_user(engine, "viewer")
    assert (user.role, user.disabled, get_user(engine, "x")) == ("viewer", False, None)
    assert list_tokens(engine, "viewer")[0].revoked_at is None


def test_odd_usernames_in_the_url_get_a_notice_not_an_error(clients):
    admin, _, _ = clients
    for name in ("no%20such", "%00", "a" * 300, "ROOT%27%3B--"):
        response = post(admin, f"/account/users/{name}/disable")
        assert response.status_code == 404 and "There is no user" in text(response), name


def test_with_oidc_users_come_from_the_provider_and_are_disabled_here(make_app, monkeypatch):  # noqa: F811
    from tests.integration.test_auth_oidc import ALICE, BOB, oidc_env, provider, sign_in

    monkeypatch.setenv("AUTHLIB_INSECURE_TRANSPORT", "1")  # the provider is served over plain http
    with provider() as (issuer, _):
        app = make_app(**oidc_env(issuer))
        admin, alice = app.server.test_client(), app.server.test_client()
        assert sign_in(admin, BOB.sub).status_code == 303 and sign_in(alice, ALICE.sub).status_code == 303
        page = text(admin.get("/account/users"))
        assert "Users sign in with Test IdP" in page and 'name="password"' not in page and 'name="role"' not in page
        form = {"username": "x", "role": "viewer", "password": NEW_PASSWORD, "password2": NEW_PASSWORD}
        assert post(admin, "/account/users", **form).status_code == 400
        assert post(admin, "/account/users/alice/role", role="admin").status_code == 400
        assert get_user(get_store().engine, "x") is None and get_user(get_store().engine, "alice").role == "viewer"
        assert post(admin, "/account/users/alice/disable").status_code == 200
        assert alice.get("/rates").status_code == 302  # her session is over
        assert sign_in(alice, ALICE.sub).status_code != 303  # and the provider's sign-in is refused
