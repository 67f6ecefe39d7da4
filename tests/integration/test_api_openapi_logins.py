"""The API's document with logins on (SPARTAN_AUTH=local): every operation but the health checks
says it wants a session or a bearer token and may answer 401/403, and the station keeps to it —
schemathesis with an admin's API token (every operation conforms) and without one (every
operation but the health checks refused with the documented 401)."""

from __future__ import annotations

import pytest
import schemathesis

from tests.conftest import SHIPPED_CATALOG, drop_backend, make_settings
from tests.integration.test_api import bind
from tests.integration.test_api_openapi import CHECKS, IDENTITY, OPERATIONS, PROPERTY_SETTINGS, _document
from tests.integration.test_auth_routes import local_env

HEALTH = ("/health", "/health/live", "/health/ready")
# Logins are about who asks, not what: a few examples an operation (the demo-data test fuzzes).
FEW = PROPERTY_SETTINGS.__class__(PROPERTY_SETTINGS, max_examples=4)


@pytest.fixture(scope="module")
def locked_module_app(tmp_path_factory):
    import app as webapp
    from sql.store import get_store
    from sql.tokens import create_token

    root = tmp_path_factory.mktemp("locked-api")
    settings = make_settings(root, "sqlite", SPARTAN_SOURCES_FILE=SHIPPED_CATALOG, **local_env())
    dash_app = webapp.create_app(settings)  # makes the first admin, "root", from the environment
    _, token = create_token(get_store().engine, "root", "schemathesis")
    yield dash_app, settings, token
    drop_backend(settings)


@pytest.fixture
def locked(locked_module_app):
    dash_app, settings, token = locked_module_app
    bind(dash_app, settings)
    return dash_app, token


def test_every_operation_but_the_health_checks_documents_the_login_it_needs():
    document = _document()
    assert set(document["components"]["securitySchemes"]) == {"bearerAuth", "sessionCookie"}
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if method == "parameters":  # a path's own parameters, beside its operations
                continue
            if path in HEALTH:
                assert "security" not in operation and "401" not in operation["responses"], path
            else:
                assert {"bearerAuth": []} in operation["security"] and {} in operation["security"], (path, method)
                assert {"401", "403"} <= set(operation["responses"]), (path, method)


@OPERATIONS.parametrize()
@FEW
def test_with_an_admins_token_every_operation_conforms(case, locked):
    dash_app, token = locked
    response = case.call(app=dash_app.server, headers={**IDENTITY, "Authorization": f"Bearer {token}"})
    checks = CHECKS
    if case.path in ("/health", "/health/ready"):  # nothing stored: the documented 503
        checks = [check for check in CHECKS if check is not schemathesis.checks.not_a_server_error]
    else:
        assert response.status_code not in (401, 403), (case.path, response.text[:200])
    case.validate_response(response, checks=checks)


@OPERATIONS.parametrize()
@FEW
def test_without_a_token_every_operation_but_the_health_checks_is_refused(case, locked):
    dash_app, _ = locked
    response = case.call(app=dash_app.server, headers=IDENTITY)
    if case.path in HEALTH:
        assert response.status_code in (200, 503), case.path
        return
    assert response.status_code == 401 and response.json()["error"], (case.path, response.status_code)
    case.validate_response(response, checks=CHECKS)


def test_a_revoked_or_made_up_token_is_refused_as_documented(locked):
    dash_app, _ = locked
    client = dash_app.server.test_client()
    response = client.get("/api/market/indices", headers={"Authorization": "Bearer spartan_made_up"})
    assert response.status_code == 401 and response.get_json() == {"error": "invalid or revoked token"}
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]
