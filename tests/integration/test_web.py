"""The web through Flask's test client: pages, /health and /api/system/status, with and
without data, with the database down — and never an outbound connection while serving."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from config.catalog import load_catalog
from datasources.http import HttpClient
from jobs.pipeline import run_downloads
from tests.conftest import ROOT, drop_backend, make_settings, serve_fred


@pytest.fixture
def web(tmp_path, backend):
    """The app on an empty, migrated database."""
    import app as webapp

    settings = make_settings(tmp_path, backend)
    dash_app = webapp.create_app(settings)
    yield dash_app, settings
    drop_backend(settings)


@pytest.fixture
def web_with_data(web, httpserver):
    dash_app, settings = web
    settings = settings.__class__(**{**settings.__dict__, "fred_base_url": serve_fred(httpserver)})
    from sql.store import get_store

    run_downloads(get_store(), load_catalog(settings), "preload")
    return dash_app, settings


def render(dash_app, path: str) -> str:
    """The page's layout as the browser receives it (the pages router callback's output)."""
    from dash._pages import _path_to_page

    page, variables = _path_to_page(path.strip("/"))
    assert page, f"no page registered at {path}"
    from plotly.utils import PlotlyJSONEncoder

    with dash_app.server.test_request_context(path):
        layout = page["layout"](**(variables or {}))
    return json.dumps(layout, cls=PlotlyJSONEncoder)


def test_every_page_serves_its_shell(web):
    client = web[0].server.test_client()
    for path in ("/", "/rates"):
        response = client.get(path)
        assert response.status_code == 200
        assert b"Spartan Research Station" in response.data
    assert client.get("/_dash-layout").status_code == 200
    assert b"spartan-logo.svg" in client.get("/rates").data  # every page's frame carries the logo


def _container(layout: dict) -> dict:
    """id → props of the pages container's components in a ``/_dash-layout`` body."""
    found, stack = {}, [layout]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, dict) and "props" in node:
            if str(node["props"].get("id", "")).startswith("_pages_"):
                found[node["props"]["id"]] = node["props"]
            stack.append(node["props"].get("children"))
    return found


def test_the_layout_comes_with_the_browsers_page_drawn_in(web):
    """The page of the URL the shell was loaded at (the layout request's Referer) is in the
    layout, and the Location holds that path and query, so the router has nothing to redraw."""
    client = web[0].server.test_client()
    layout = client.get("/_dash-layout", headers={"Referer": "http://localhost/rates?range=1y"}).get_json()
    parts = _container(layout)
    assert parts["_pages_location"]["pathname"] == "/rates"
    assert parts["_pages_location"]["search"] == "?range=1y"
    assert parts["_pages_store"]["data"]["title"].startswith("Rates")
    body = json.dumps(parts["_pages_content"]["children"])
    assert "Treasury yields" in body
    assert json.dumps(parts["_pages_content"]["children"]) == render_query(web[0], "/rates", {"range": "1y"})
    # A path template's variables are the path's, not the query's; an embed is drawn as an
    # embed. Asked from a thread that has run no callback yet, as a fresh server thread is.
    with ThreadPoolExecutor(1) as fresh:
        response = fresh.submit(
            client.get, "/_dash-layout", headers={"Referer": "http://localhost/series/UNRATE?embed=1&series_id=GDP"}
        ).result()
    detail = _container(response.get_json())
    assert detail["_pages_location"]["pathname"] == "/series/UNRATE"
    assert "UNRATE" in json.dumps(detail["_pages_content"]["children"])
    assert "GDP" not in json.dumps(detail["_pages_content"]["children"])
    assert "embedded" in json.dumps(detail["_pages_content"]["children"])


@pytest.mark.parametrize(
    "referer",
    [
        None,  # no Referer (stripped by a proxy or the browser): Dash's router draws the page
        "http://localhost/no-such-page",  # no page: the router draws the 404 page
        "http://elsewhere.example/rates",  # another origin's word is not taken
        "https://localhost/rates",  # another scheme is another origin
    ],
)
def test_without_a_usable_referer_the_router_draws_the_page(web, referer):
    headers = {"Referer": referer} if referer else {}
    parts = _container(web[0].server.test_client().get("/_dash-layout", headers=headers).get_json())
    assert parts["_pages_content"].get("children") is None
    assert parts["_pages_location"].get("pathname") is None  # the Location reports the path on mount


def test_a_page_that_fails_to_build_leaves_it_to_the_router(web, monkeypatch):
    import dash

    page = next(p for p in dash.page_registry.values() if p["path"] == "/rates")

    def broken(**_query):
        raise RuntimeError("boom")

    monkeypatch.setitem(page, "layout", broken)
    response = web[0].server.test_client().get("/_dash-layout", headers={"Referer": "http://localhost/rates"})
    assert response.status_code == 200
    assert _container(response.get_json())["_pages_content"].get("children") is None


def render_query(dash_app, path: str, query: dict) -> str:
    from dash._pages import _path_to_page
    from plotly.utils import PlotlyJSONEncoder

    page, _variables = _path_to_page(path.strip("/"))
    with dash_app.server.test_request_context(path):
        return json.dumps(page["layout"](**query), cls=PlotlyJSONEncoder)


def test_empty_database_shows_no_data_yet_not_an_error(web):
    assert "No data yet" in render(web[0], "/rates")
    assert "No data yet" in render(web[0], "/")


def test_rates_page_renders_curve_spreads_and_grid_from_stored_data(web_with_data):
    body = render(web_with_data[0], "/rates")
    for part in (
        "graph-rates-curve",
        "graph-rates-term",
        "graph-rates-credit",
        "rates-yields-table",
        "Export CSV",
        "10-Year",
        "US High Yield OAS",
    ):
        assert part in body
    assert "No data yet" not in body
    assert "Today (2026-11-20)" in body  # the curve legend names the observation date used
    assert "1M ago (2026-10-20)" in body


def test_home_page_shows_headlines_and_dataset_freshness(web_with_data):
    body = render(web_with_data[0], "/")
    assert "US 10Y yield" in body
    assert "home-datasets" in body
    assert "Treasury yields" in body


def test_health_is_ready_with_data_and_reports_each_check(web_with_data):
    response = web_with_data[0].server.test_client().get("/health")
    body = response.get_json()
    assert response.status_code == 200
    assert body["ready"] is True
    assert body["checks"]["database"]["ok"] and body["checks"]["cache"]["ok"]
    assert body["checks"]["preload"]["has_data"] is True


def test_health_is_not_ready_before_any_preload(web):
    response = web[0].server.test_client().get("/health")
    assert response.status_code == 503
    assert response.get_json()["status"] == "no_data"
    assert "python -m jobs demo" in response.get_json()["hint"]
    assert response.get_json()["checks"]["preload"] == {
        "ok": False,
        "state": "unknown",
        "has_data": False,
        "done": None,
        "total": None,
        "last_update_age_seconds": None,
        "last_refresh_finished_at": None,
        "last_refresh_age_seconds": None,
        "datasets_stale": 2,  # nothing stored is past any target
        "stale_datasets": ["treasury_yields", "credit_spreads"],
        "stale": False,
    }


def test_health_is_503_and_pages_degrade_when_the_database_is_down(web, monkeypatch):
    from sqlalchemy import create_engine

    from sql.store import get_store

    dash_app, settings = web
    dead = (
        "postgresql+psycopg2://nobody@127.0.0.1:9/none"
        if settings.is_postgres
        else "sqlite:////nonexistent/dir/db.sqlite"
    )
    monkeypatch.setattr(get_store(), "engine", create_engine(dead))
    response = dash_app.server.test_client().get("/health")
    assert response.status_code == 503
    assert response.get_json()["checks"]["database"]["ok"] is False
    assert "Data temporarily unavailable" in render(dash_app, "/rates")
    status = dash_app.server.test_client().get("/api/system/status")
    assert status.status_code == 503
    assert "database unavailable" in status.get_json()["error"]


def test_system_status_gives_freshness_per_dataset(web_with_data):
    body = web_with_data[0].server.test_client().get("/api/system/status").get_json()
    datasets = {d["dataset"]: d for d in body["datasets"]}
    yields = datasets["treasury_yields"]
    assert yields["rows"] == 2650 and yields["instruments"] == 5
    assert yields["latest_observation"] == "2026-11-20"
    assert yields["sources"] == ["fred_graph"]
    assert yields["fresh"] is True and 0 <= yields["age_seconds"] < 120
    assert datasets["market_indices"]["rows"] == 0 and datasets["market_indices"]["last_update"] is None
    assert body["sources"][0]["source_id"] == "fred_graph" and body["sources"][0]["state"] == "ok"


def test_responses_never_reveal_secrets(tmp_path):
    import app as webapp

    settings = make_settings(tmp_path, "sqlite")
    settings = settings.__class__(**{**settings.__dict__, "redis_url": None})
    webapp.create_app(settings)
    secret = "hunter2-secret-password"
    client = webapp.create_app(settings).server.test_client()
    for path in ("/health", "/api/system/status", "/_dash-layout", "/"):
        assert secret not in client.get(path).get_data(as_text=True)
    assert "hunter2" not in repr(
        make_settings(tmp_path, "sqlite", SPARTAN_DATABASE_URL=f"postgresql://u:{secret}@db/x")
    )


def test_security_headers_refuse_framing(web):
    response = web[0].server.test_client().get("/rates")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_serving_pages_and_endpoints_opens_no_outbound_connection(web_with_data, monkeypatch):
    dash_app, settings = web_with_data
    attempts = []
    real_connect = socket.socket.connect

    def guarded_connect(sock, address):
        host = address[0] if isinstance(address, tuple) else address
        # Only the test's own database and cache (on loopback or a unix socket) may be reached.
        if isinstance(host, str) and host not in ("127.0.0.1", "::1", "localhost") and not host.startswith("/"):
            attempts.append(address)
            raise ConnectionRefusedError(f"outbound connection to {address} refused by the test")
        return real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    with pytest.raises(ConnectionRefusedError):  # the guard itself works
        socket.create_connection(("192.0.2.10", 443), timeout=1)
    assert attempts == [("192.0.2.10", 443)]
    attempts.clear()
    client = dash_app.server.test_client()
    for path in ("/", "/rates", "/health", "/api/system/status", "/_dash-layout", "/_dash-dependencies"):
        assert client.get(path).status_code in (200, 503)
    render(dash_app, "/")
    render(dash_app, "/rates")
    assert attempts == []


def test_web_code_never_imports_the_network_side(tmp_path):
    # Building the app imports every page, component and API module.
    code = (
        "import sys, app; app.create_app();"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('datasources', 'jobs', 'requests', 'urllib3'));"
        "print(','.join(bad))"
    )
    env = {"PATH": "/usr/bin:/bin", "SPARTAN_VAR_DIR": str(tmp_path)}
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""


def test_pages_name_the_failing_sources_when_downloads_failed(web):
    from sql.store import get_store

    dash_app, settings = web
    offline = settings.__class__(**{**settings.__dict__, "fred_base_url": "http://127.0.0.1:9", "http_retries": 0})
    run_downloads(get_store(), load_catalog(offline), "preload", client=HttpClient(offline))
    for path in ("/", "/rates"):
        body = render(dash_app, path)
        assert "1 source unreachable (offline?)" in body and ": fred_graph" in body
        assert "/system#panel-system-sources" in body  # "details": the System page's sources
        assert body.count("FetchError: connection failed: connection refused") == 1  # the tooltip


def test_system_page_lists_every_source_with_state_and_error(web):
    from sql.store import get_store

    dash_app, settings = web
    assert "No sources recorded yet" in render(dash_app, "/system")
    moved = dash_app.server.test_client().get("/sources")  # the earlier Data sources page
    assert moved.status_code in (301, 308) and moved.headers["Location"].endswith("/system")
    offline = settings.__class__(**{**settings.__dict__, "fred_base_url": "http://127.0.0.1:9", "http_retries": 0})
    run_downloads(get_store(), load_catalog(offline), "preload", client=HttpClient(offline))
    body = render(dash_app, "/system")
    expected = ("system-sources", "system-downloads", "fred_graph", "circuit open", "connection refused", "Export CSV")
    for part in expected:
        assert part in body


def test_the_navbar_is_plain_html_in_the_index_page_with_the_current_page_marked(web):
    """The navbar and footer come with the index page, outside the Dash app (nothing for React to
    draw); the current page's link and its menu are marked; an embed has neither."""
    client = web[0].server.test_client()
    body = client.get("/rates?range=1Y").get_data(as_text=True)
    assert body.index('class="spartan-navbar"') < body.index('id="react-entry-point"') < body.index("spartan-footer")
    assert '<a class="dropdown-item active" href="/rates" data-nav="page">' in body
    assert '<summary class="nav-link dropdown-toggle active">Rates</summary>' in body
    assert body.count(" active") == 2
    layout = client.get("/_dash-layout", headers={"Referer": "http://localhost/rates"}).get_data(as_text=True)
    assert "spartan-navbar" not in layout and "spartan-footer" not in layout
    home = client.get("/").get_data(as_text=True)
    assert '<a class="dropdown-item" href="/rates" data-nav="page">' in home
    for embedded in ("/rates?embed=1", "/embed/rates/curve"):
        assert "spartan-navbar" not in client.get(embedded).get_data(as_text=True), embedded
