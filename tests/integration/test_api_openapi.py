"""The OpenAPI document and what is built from it: its own validity, property-based tests of
every operation (schemathesis, against the WSGI app, no network) on demo data and on an empty
database, and the /api-docs page."""

from __future__ import annotations

import json

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from plotly.utils import PlotlyJSONEncoder

from api.datasets import API_DATASETS
from tests.conftest import SHIPPED_CATALOG, demo_settings, drop_backend, make_settings
from tests.integration.test_api import bind

NO_RATE_LIMIT = {"SPARTAN_RATE_LIMIT_ENABLED": "0"}


@pytest.fixture(scope="module")
def demo_module_app(demo_root):
    import app as webapp

    settings = demo_settings(demo_root, **NO_RATE_LIMIT)
    return webapp.create_app(settings), settings


@pytest.fixture(scope="module")
def empty_module_app(tmp_path_factory):
    import app as webapp

    root = tmp_path_factory.mktemp("empty-api")
    settings = make_settings(root, "sqlite", SPARTAN_SOURCES_FILE=SHIPPED_CATALOG, **NO_RATE_LIMIT)
    yield webapp.create_app(settings), settings
    drop_backend(settings)


@pytest.fixture
def demo_app(demo_module_app):
    bind(*demo_module_app)
    return demo_module_app[0]


@pytest.fixture
def empty_app(empty_module_app):
    bind(*empty_module_app)
    return empty_module_app[0]


@pytest.fixture
def spec(demo_app):
    return demo_app.server.test_client().get("/api/openapi.json").get_json()


# --- the document ------------------------------------------------------------------------------


def test_the_document_is_openapi_3_and_names_every_endpoint(spec):
    assert spec["openapi"].startswith("3.")
    paths = set(spec["paths"])
    for ds in API_DATASETS:
        assert ds.path in paths
        assert ds.path + "/" + "/".join(f"{{{k}}}" for k in ds.path_keys) in paths
    for path in ("/health", "/api/system/status", "/api/system/sources", "/api/system/download-log"):
        assert path in paths
    for seed_path in ("/api/market/indices", "/api/market/commodities", "/api/market/forex"):
        assert seed_path in paths
    assert "/api/economic/indicators" in paths and "/api/analytics/correlations" in paths


def test_every_data_operation_documents_formats_caching_and_errors(spec):
    for path, item in spec["paths"].items():
        if path.startswith("/health") or path == "/api/system/status":
            continue
        responses = item["get"]["responses"]
        assert set(responses["200"]["content"]) == {"application/json", "text/csv", "text/toon"}, path
        assert {"ETag", "Last-Modified", "X-Data-As-Of", "X-Data-Sources", "Link"} <= set(responses["200"]["headers"])
        assert {"304", "400", "503"} <= set(responses), path
        if "{" in path:
            assert "404" in responses, path
        names = {p["name"] for p in item["get"]["parameters"]}
        assert {"format", "limit", "offset"} <= names, path


def test_the_documented_limits_are_the_enforced_ones(spec, demo_app):
    client = demo_app.server.test_client()
    limit = next(p for p in spec["paths"]["/api/market/indices"]["get"]["parameters"] if p["name"] == "limit")
    maximum = limit["schema"]["maximum"]
    assert client.get(f"/api/market/indices?limit={maximum}").status_code == 200
    assert client.get(f"/api/market/indices?limit={maximum + 1}").status_code == 400


def test_examples_in_the_document_are_real_keys(demo_app, spec):
    client = demo_app.server.test_client()
    for path, item in spec["paths"].items():
        examples = {p["name"]: p["example"] for p in item.get("parameters", []) if p.get("in") == "path"}
        if not examples:
            continue
        url = path
        for name, value in examples.items():
            url = url.replace("{" + name + "}", value)
        response = client.get(url + "?limit=1")
        assert response.status_code == 200, url
        assert response.get_json()["count"] == 1, url


# --- property-based: every operation, generated from the document -------------------------------

CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_headers_conformance,
    schemathesis.checks.response_schema_conformance,
    schemathesis.checks.negative_data_rejection,
]
# The WSGI transport hands bodies over as sent: ask for them uncompressed (gzip is tested elsewhere).
IDENTITY = {"Accept-Encoding": "identity"}
PROPERTY_SETTINGS = settings(
    max_examples=20,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def _document() -> dict:
    """The OpenAPI document of the API on a bare Flask app: it is built from the code alone."""
    from flask import Flask

    from api import rest

    bare = Flask("openapi-document")
    rest.init_app(bare)
    return bare.test_client().get("/api/openapi.json").get_json()


# Hypothesis-driven fuzzing of every parameter, valid and invalid; the boundary-enumerating
# "coverage" phase (some 140 requests an operation) is left to the explicit tests of test_api*.py.
OPERATIONS = schemathesis.openapi.from_dict(
    _document(), config=schemathesis.Config.from_dict({"phases": {"coverage": {"enabled": False}}})
)


def test_the_document_comes_from_the_code_not_from_the_data(spec):
    assert spec == _document()


@OPERATIONS.parametrize()
@PROPERTY_SETTINGS
def test_no_operation_fails_or_breaks_its_schema_on_demo_data(case, demo_app):
    case.call_and_validate(app=demo_app.server, headers=IDENTITY, checks=CHECKS)


@OPERATIONS.parametrize()
@PROPERTY_SETTINGS
def test_no_operation_fails_or_breaks_its_schema_on_an_empty_database(case, empty_app):
    response = case.call(app=empty_app.server, headers=IDENTITY)
    checks = CHECKS
    if case.path in ("/health", "/health/ready"):  # not ready before any data is stored: the documented 503
        assert response.status_code == 503 and response.json()["status"] == "no_data"
        checks = [check for check in CHECKS if check is not schemathesis.checks.not_a_server_error]
    case.validate_response(response, checks=checks)


# --- the /api-docs page --------------------------------------------------------------------------


def render_docs(dash_app) -> str:
    import dash

    page = next(p for p in dash.page_registry.values() if p["path"] == "/api-docs")
    with dash_app.server.test_request_context("/api-docs", base_url="http://station.example:8888"):
        layout = page["layout"]()
    return json.dumps(layout, cls=PlotlyJSONEncoder)


def test_the_docs_page_shows_every_endpoint_with_parameters_formats_and_a_curl(demo_app, demo_module_app, spec):
    body = render_docs(demo_app)
    for path, item in spec["paths"].items():
        assert f'"{path}"' in body, path  # the path as a heading
        for parameter in item["get"].get("parameters", []):
            assert f'"{parameter["name"]}"' in body
    for media_type in ("application/json, text/csv, text/toon", "text/toon"):
        assert media_type in body
    base = "http://station.example:8888"
    assert f"curl -s --compressed '{base}/api/market/indices?symbols=SPX&format=toon'" in body
    assert f"curl -s --compressed '{base}/api/market/indices/SPX?start=2025-01-01&interval=weekly&format=csv'" in body
    assert f"curl -s --compressed '{base}/api/analytics/correlations/SPX/GC?" in body
    from config.catalog import load_catalog

    stored = len(load_catalog(demo_module_app[1]).for_dataset("market_indices"))  # the demo stores each
    assert stored > 50 and f"Stored: {stored} series" in body and "sources: demo" in body
    assert "Spartan Research Station API" in body and "/api/openapi.json" in body


def test_the_docs_page_documents_a_shared_parameter_and_response_once_and_names_them_per_endpoint(demo_app, spec):
    body = render_docs(demo_app)
    paging = next(
        p for item in spec["paths"].values() for p in item["get"].get("parameters", []) if p["name"] == "offset"
    )
    assert body.count(json.dumps(paging["description"])[1:-1]) == 1  # in "Common parameters" only
    assert '"common-parameters"' in body and '"common-responses"' in body
    assert body.count('"#common-parameters"') >= 30  # every list and history endpoint points there
    assert body.count("The database is unavailable.") == 1
    assert '"type": "Markdown"' not in body  # the description is drawn as components, no renderer to fetch
    assert '"Formats"' in body and '"?format=json|csv|toon"' in body


def test_markdown_blocks_draw_the_descriptions_subset():
    from dash import html

    from pages.api_docs import markdown_blocks

    blocks = markdown_blocks("Intro **bold** and `code`.\n\n- **One**: a `x`\n  continued\n- two [docs](/api-docs)")
    assert [type(b) for b in blocks] == [html.P, html.Ul]
    first, second = blocks[1].children
    assert first.children[0].children == ["One"] and first.children[-1] == " continued"
    assert second.children[1].href == "/api-docs" and second.children[1].children == "docs"


def test_the_docs_page_says_no_data_yet_on_an_empty_database(empty_app):
    body = render_docs(empty_app)
    assert "Stored: No data yet." in body and "curl -s" in body


def test_the_docs_page_degrades_when_the_database_is_down(empty_app, monkeypatch):
    from sqlalchemy import create_engine

    from sql.cache import cache
    from sql.store import get_store

    with empty_app.server.app_context():
        cache.clear()  # nothing to serve from the cache either
    monkeypatch.setattr(get_store(), "engine", create_engine("sqlite:////nonexistent/dir/x.db"))
    body = render_docs(empty_app)
    assert "Stored: unknown (the database is not answering)." in body
    assert "/api/market/indices/{symbol}" in body  # the reference itself needs no database


def test_the_docs_page_is_in_the_system_menu(demo_app):
    import dash

    page = next(p for p in dash.page_registry.values() if p["path"] == "/api-docs")
    assert page["group"] == "System" and page.get("nav", True)
    response = demo_app.server.test_client().get("/api-docs")
    assert response.status_code == 200 and b"Spartan Research Station" in response.data


def test_the_reference_written_from_the_served_document_is_the_committed_one(spec):
    """api.reference builds the document on a bare Flask app: the full station serves the same."""
    from api.reference import REFERENCE_FILE, REGENERATE, render

    assert render(spec) == REFERENCE_FILE.read_text(encoding="utf-8"), f"regenerate: {REGENERATE}"
