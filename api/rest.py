"""The REST API on the Dash app's Flask server: the flask-smorest ``Api`` (the OpenAPI 3 document
at ``/api/openapi.json``, generated from the routes and their marshmallow schemas), every
blueprint, JSON errors for all of ``/api/``, and compression of the JSON, CSV and TOON bodies."""

from __future__ import annotations

from flask import Blueprint, Flask, Response, jsonify, request
from flask_smorest import Api
from werkzeug.exceptions import NotFound

from api import errors
from api.conditional import DATA_MAX_AGE, SYSTEM_MAX_AGE
from api.data import BLUEPRINTS
from api.formats import MEDIA_TYPES
from api.health import health_bp
from api.openapi import DOCS_PAGE, EXTENSION, OPENAPI_PATH, openapi_document
from api.schemas import DEFAULT_LIMIT, MAX_LIMIT, ErrorSchema
from api.search import search_bp
from api.system import system_bp
from sql import read

API_TITLE = "Spartan Research Station API"
API_VERSION = "1.0"
DESCRIPTION = f"""Market and economic data stored by the station, read only from its database and cache.

- **Formats**: JSON (default), CSV or TOON, by `?format=json|csv|toon` or the Accept header
  (`application/json`, `text/csv`, `text/toon` or `application/toon`); `format` wins. An Accept header
  naming none of them gets JSON.
- **Paging**: `limit` (default {DEFAULT_LIMIT}, at most {MAX_LIMIT}) and `offset`; the body's `next` and a
  `Link: <…>; rel="next"` header point at the next page.
- **Caching**: a weak `ETag` and `Last-Modified` on every data response; send them back as
  `If-None-Match` / `If-Modified-Since` for a 304. `Cache-Control: max-age={DATA_MAX_AGE}` ({SYSTEM_MAX_AGE} s for
  system lists).
- **Freshness**: `as_of` (newest observation), `last_update` (the station's last write), `sources` and
  `version` in the body, and as `X-Data-As-Of`, `X-Data-Last-Update`, `X-Data-Sources`,
  `X-Dataset-Version` headers (the only place for them in CSV).
- **Search**: `/api/search?q=` finds instruments, series, dashboards and panels by symbol, name or title
  (each word matches the start of a word; the exact symbol first), with links to their pages.
- **Errors** are JSON `{{"error", "code", "status", "errors"}}`: 400 for a bad or unknown query parameter
  (unknown parameters are rejected, not ignored), 404 for an unknown endpoint or instrument, 405, 429 past
  the per-client rate limit, 503 when the database is down.

Human-readable documentation: [{DOCS_PAGE}]({DOCS_PAGE})."""


class StationApi(Api):
    """flask-smorest's Api with the station's error body, and its error handlers limited to
    ``/api/`` (the dashboards keep Flask's own error pages)."""

    ERROR_SCHEMA = ErrorSchema

    def _register_error_handlers(self):
        errors.register_app_handlers(self._app)


fallback_bp = Blueprint("api_fallback", __name__)


@fallback_bp.get("/api")
@fallback_bp.get("/api/")
def index():
    """Where the endpoints are listed."""
    paths = sorted(openapi_document()["paths"])
    return jsonify({"openapi": OPENAPI_PATH, "docs": DOCS_PAGE, "paths": paths})


@fallback_bp.get("/api/<path:_rest>")
def not_found(_rest: str):
    """Any other ``/api/…`` path: a JSON 404 (the pages would otherwise answer it with HTML)."""
    return errors.handle_http_exception(NotFound())


def _compress_api_formats(server: Flask) -> None:
    """flask-compress (Dash's ``compress=True``) compresses only the types it was set up with;
    add CSV and TOON (JSON is there already) to its list."""
    from flask_compress import Compress

    wanted = set(MEDIA_TYPES.values())
    server.config["COMPRESS_MIMETYPES"] = sorted({*server.config.get("COMPRESS_MIMETYPES", []), *wanted})
    for hook in server.after_request_funcs.get(None, []):
        compressor = getattr(hook, "__self__", None)
        if isinstance(compressor, Compress):
            compressor.compress_mimetypes_set |= wanted


STALE_PREFIXES = ("/api/", "/csv/", "/zoom/")


def flag_stale(response: Response) -> Response:
    """Data served while the database cannot be reached comes from the cache: say so, and since
    when the database has not confirmed it (``X-Data-Stale``, ``X-Data-Stale-Seconds`` and the
    standard ``Warning: 110``)."""
    if request.path.startswith(STALE_PREFIXES) and response.status_code in (200, 304):
        stale = read.staleness()
        if stale is not None:
            response.headers["X-Data-Stale"] = "true"
            response.headers["X-Data-Stale-Seconds"] = str(round(stale))
            response.headers["Warning"] = '110 - "Response is Stale"'
    return response


# With logins on (SPARTAN_AUTH=local|oidc, middleware/auth.py) every endpoint but the health checks
# wants a session cookie or an API token, and /api/system/* an admin's: said on each operation.
AUTH_FREE_PREFIX = "/health"
SECURITY_SCHEMES = {
    "bearerAuth": {"type": "http", "scheme": "bearer", "description": "An API token (`jobs users token add`)."},
    "sessionCookie": {"type": "apiKey", "in": "cookie", "name": "spartan_session", "description": "A browser's login."},
}
REFUSAL = {"type": "object", "properties": {"error": {"type": "string"}}, "required": ["error"]}
LOGIN_RESPONSES = {
    "401": {
        "description": "Logins are on and the request has no session, or an invalid or revoked token.",
        "content": {"application/json": {"schema": REFUSAL}},
    },
    "403": {
        "description": "The user's role may not read this (the system endpoints need an admin).",
        "content": {"application/json": {"schema": REFUSAL}},
    },
}


def _document_logins(api: StationApi) -> None:
    """Security schemes, and 401/403 on every operation that needs a login when logins are on
    (none: ``{}`` among its requirements, as with ``SPARTAN_AUTH=none``)."""
    for name, scheme in SECURITY_SCHEMES.items():
        api.spec.components.security_scheme(name, scheme)
    for path, operations in api.spec._paths.items():  # noqa: SLF001 - apispec keeps the built paths there
        if path.startswith(AUTH_FREE_PREFIX) or path == OPENAPI_PATH:
            continue
        for operation in (op for op in operations.values() if isinstance(op, dict) and "responses" in op):
            operation["security"] = [{name: []} for name in SECURITY_SCHEMES] + [{}]
            for status, response in LOGIN_RESPONSES.items():
                operation["responses"].setdefault(status, response)


def init_app(app) -> StationApi:
    """The API on a Dash app's server (``app`` may also be a bare Flask app)."""
    server = getattr(app, "server", app)
    server.config.update(
        API_TITLE=API_TITLE,
        API_VERSION=API_VERSION,
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api",
        OPENAPI_JSON_PATH="openapi.json",
        API_SPEC_OPTIONS={"info": {"description": DESCRIPTION}},
    )
    api = StationApi(server)
    for blueprint in (health_bp, *BLUEPRINTS.values(), system_bp, search_bp):
        api.register_blueprint(blueprint)
    _document_logins(api)
    server.register_blueprint(fallback_bp)
    server.after_request(flag_stale)
    server.extensions[EXTENSION] = api
    _compress_api_formats(server)
    return api
