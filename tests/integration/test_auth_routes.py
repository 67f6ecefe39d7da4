"""SPARTAN_AUTH=local: every registered Flask route, every page and the Dash requests, asked for
as anonymous, viewer and admin; each gets what its role allows (302 to the login or 401 JSON
when anonymous, 403 for a viewer at an admin's page), and SPARTAN_AUTH=none stays public."""

from __future__ import annotations

import re
from urllib.parse import quote

import dash
import pytest

from config.dashboard_specs import load_dashboards
from sql.store import get_store
from sql.users import add_user
from tests.conftest import drop_backend, make_settings

SECRET = "test-secret-key-" + "x" * 32
ADMIN_PASSWORD = "admin password 1"
VIEWER_PASSWORD = "viewer password 1"
ROUTER_OUTPUT = ".._pages_content.children..._pages_store.data.."

PUBLIC = {"/login", "/health", "/health/live", "/health/ready", "/_favicon.ico", "/_reload-hash"}
PUBLIC_PREFIXES = ("/assets/", "/static/", "/_dash-component-suites/")
SYSTEM_BOARDS = [board for board in load_dashboards().values() if board.group == "System"]
SYSTEM_PAGES = {p for board in SYSTEM_BOARDS for p in (board.path, *board.redirect_from)}
SYSTEM_IDS = {board.id for board in SYSTEM_BOARDS}
# Values for the variables of the routes' rules: real names where the rule checks them.
SAMPLES = {
    "filename": "20-spartan.css",
    "package_name": "dash",
    "fingerprinted_path": "no-such-file.js",
    "path": "no-such-page",
    "dashboard": "home",
    "board_id": "1",  # no such board: the route answers (404) for viewer and admin alike
}


def local_env(**extra: str) -> dict[str, str]:
    return {
        "SPARTAN_AUTH": "local",
        "SPARTAN_SECRET_KEY": SECRET,
        "SPARTAN_ADMIN_USER": "root",
        "SPARTAN_ADMIN_PASSWORD": ADMIN_PASSWORD,
        "SPARTAN_RATE_LIMIT_ENABLED": "0",
        **extra,
    }


@pytest.fixture
def make_app(tmp_path, backend):
    """``make_app(**SPARTAN_env)`` → the Dash app on ``backend``, with a viewer beside the admin."""
    import app as webapp

    made = []

    def make(**env: str):
        settings = make_settings(tmp_path / f"app{len(made)}", backend, **env)
        made.append(settings)
        app = webapp.create_app(settings)
        if settings.auth == "local":
            add_user(get_store().engine, "viewer", VIEWER_PASSWORD, "viewer")
        return app

    yield make
    for settings in made:
        drop_backend(settings)


def csrf_of(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def login(client, username: str, password: str, remember: bool = False, next_: str | None = None):
    token = csrf_of(client.get("/login").get_data(as_text=True))
    data = {"csrf_token": token, "username": username, "password": password}
    if remember:
        data["remember"] = "1"
    return client.post("/login" + (f"?next={quote(next_, safe='')}" if next_ else ""), data=data)


def expected_role(url: str) -> str:
    """The role the issue gives each URL: public, viewer or admin."""
    if url in PUBLIC or url.startswith(PUBLIC_PREFIXES):
        return "public"
    if url in ("/metrics", "/account/users") or (url.startswith("/api/system/") and url != "/api/system/status"):
        return "admin"
    if url in SYSTEM_PAGES or any(url.startswith((f"/csv/{i}/", f"/zoom/{i}/", f"/embed/{i}/")) for i in SYSTEM_IDS):
        return "admin"
    return "viewer"


def get_urls(server) -> list[str]:
    """A concrete URL for every GET rule of the server, every page, and System data routes."""
    urls = set()
    for rule in server.url_map.iter_rules():
        if "GET" in rule.methods:
            urls.add(re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", lambda m: SAMPLES.get(m.group(1), "x"), rule.rule))
    for page in dash.page_registry.values():
        template = page.get("path_template")
        urls.add(re.sub(r"<([^<>]+)>", "x", template) if template else page["path"])
    for board in SYSTEM_BOARDS:
        panel = board.panels[0].id
        urls.update({f"/csv/{board.id}/{panel}.csv", f"/zoom/{board.id}/{panel}.json", f"/embed/{board.id}/{panel}"})
    return sorted(urls)


def refused_anonymously(response, url: str) -> bool:
    if response.status_code == 401:
        return response.is_json and response.get_json()["error"] == "authentication required"
    return response.status_code == 302 and response.location.startswith("/login?next=")


def admitted(response) -> bool:
    return response.status_code not in (401, 403) and not refused_anonymously(response, "")


@pytest.fixture
def clients(make_app):
    app = make_app(**local_env())
    anonymous, viewer, admin = (app.server.test_client() for _ in range(3))
    assert login(viewer, "viewer", VIEWER_PASSWORD).status_code == 303
    assert login(admin, "root", ADMIN_PASSWORD).status_code == 303  # the first admin, from the env
    return app, anonymous, viewer, admin


def test_every_route_and_page_answers_each_role_as_the_issue_says(clients):
    app, anonymous, viewer, admin = clients
    urls = get_urls(app.server)
    assert {"/metrics", "/api/system/download-log", "/system", "/csv/system/datasets.csv", "/login"} <= set(urls)
    assert {"/watchlists", "/boards", "/boards/1", "/boards/1.yaml", "/boards/pin", "/boards/x"} <= set(urls)
    assert "/account/users" in urls
    wrong = []
    for url in urls:
        role = expected_role(url)
        as_anonymous, as_viewer, as_admin = (c.get(url) for c in (anonymous, viewer, admin))
        if (role == "public") == refused_anonymously(as_anonymous, url):
            wrong.append((url, "anonymous", as_anonymous.status_code))
        if role == "admin" and as_viewer.status_code != 403:
            wrong.append((url, "viewer", as_viewer.status_code))
        if role != "admin" and not admitted(as_viewer):
            wrong.append((url, "viewer", as_viewer.status_code))
        if not admitted(as_admin):
            wrong.append((url, "admin", as_admin.status_code))
    assert wrong == []


def test_anonymous_pages_go_to_the_login_and_data_requests_get_a_401_json(clients):
    _, anonymous, _, _ = clients
    page = anonymous.get("/rates?range=1y")
    assert page.status_code == 302 and page.location == "/login?next=%2Frates%3Frange%3D1y"
    for url in ("/api/market/indices", "/csv/series/UNRATE.csv", "/_dash-layout", "/_dash-dependencies"):
        response = anonymous.get(url)
        assert response.status_code == 401 and response.get_json() == {
            "error": "authentication required",
            "login": "/login",
        }, url


def router_callback(pathname: str) -> dict:
    return {
        "output": ROUTER_OUTPUT,
        "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
        "inputs": [
            {"id": "_pages_location", "property": "pathname", "value": pathname},
            {"id": "_pages_location", "property": "search", "value": ""},
        ],
        "changedPropIds": ["_pages_location.pathname"],
        "state": [],
    }


@pytest.mark.parametrize(("page", "viewer_status"), [("/rates", 200), ("/system", 403), ("/download-log", 403)])
def test_dash_callbacks_and_layouts_draw_a_page_only_for_a_role_that_may_see_it(clients, page, viewer_status):
    _, anonymous, viewer, admin = clients
    body = router_callback(page)
    assert anonymous.post("/_dash-update-component", json=body).status_code == 401
    assert viewer.post("/_dash-update-component", json=body).status_code == viewer_status
    assert admin.post("/_dash-update-component", json=body).status_code == 200
    referer = {"Referer": f"http://localhost{page}"}
    assert anonymous.get("/_dash-layout", headers=referer).status_code == 401
    assert viewer.get("/_dash-layout", headers=referer).status_code == viewer_status
    assert admin.get("/_dash-layout", headers=referer).status_code == 200


def test_a_viewer_refused_sees_which_role_the_page_needs(clients):
    _, _, viewer, _ = clients
    page = viewer.get("/system")
    assert page.status_code == 403 and "needs the admin role" in page.get_data(as_text=True)
    assert viewer.get("/metrics").get_json() == {"error": "forbidden", "needs_role": "admin"}


def test_the_navbar_names_the_user_and_shows_a_viewer_no_admin_menu(clients):
    _, anonymous, viewer, admin = clients
    as_viewer, as_admin = (c.get("/rates").get_data(as_text=True) for c in (viewer, admin))
    assert 'class="nav-link spartan-account" href="/account"' in as_viewer and ">viewer</a>" in as_viewer
    assert 'href="/boards"' in as_viewer
    assert ">root</a>" in as_admin
    assert 'href="/download-log"' in as_admin and ">System<" in as_admin
    assert 'href="/download-log"' not in as_viewer and ">System<" not in as_viewer
    assert 'href="/rates"' in as_viewer  # the viewer's own menus stay
    assert "spartan-account" not in anonymous.get("/login").get_data(as_text=True)


def test_signed_in_responses_are_never_kept_by_shared_caches(clients):
    _, _, viewer, _ = clients
    response = viewer.get("/api/market/indices")
    assert response.status_code == 200 and not response.cache_control.public


def test_without_spartan_auth_everything_stays_public_and_no_cookie_is_set(make_app):
    app = make_app()
    client = app.server.test_client()
    for url in ("/", "/system", "/metrics", "/api/system/download-log", "/api/system/sources"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Set-Cookie" not in response.headers
    assert client.get("/login").status_code == 404  # no login page at all
    assert client.post("/logout").status_code in (404, 405)


@pytest.mark.parametrize(("networks", "status"), [("127.0.0.0/8", 200), ("10.0.0.0/8", 401)])
def test_metrics_answer_scrapers_of_an_allowed_network_without_a_login(make_app, networks, status):
    app = make_app(**local_env(SPARTAN_METRICS_ALLOW=networks))
    client = app.server.test_client()  # its requests come from 127.0.0.1
    assert client.get("/metrics").status_code == status
    assert client.get("/api/system/download-log").status_code == 401  # only /metrics


def test_pages_link_the_session_script_only_when_logins_are_on(make_app):
    signed_in = make_app(**local_env()).server.test_client()
    login(signed_in, "viewer", VIEWER_PASSWORD)
    assert '<script src="/assets/auth-session.js?m=' in signed_in.get("/rates").get_data(as_text=True)
    assert signed_in.get("/assets/auth-session.js").status_code == 200
    public = make_app().server.test_client()
    assert "auth-session.js" not in public.get("/rates").get_data(as_text=True)
