"""The API's public surface for the rest of the web: where its OpenAPI document is served and the
document itself. The /api-docs page (pages/api_docs.py) reads the API through this module only,
so it loads none of the API's routes, schemas or readers (tests/unit/test_layering.py checks).
"""

from __future__ import annotations

from flask import current_app

OPENAPI_PATH = "/api/openapi.json"
DOCS_PAGE = "/api-docs"
# Where api.rest.init_app keeps the flask-smorest ``Api`` on the server.
EXTENSION = "spartan_api"


def openapi_document() -> dict:
    """The OpenAPI document of the current app (for the /api-docs page)."""
    return current_app.extensions[EXTENSION].spec.to_dict()
