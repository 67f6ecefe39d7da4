"""flask-smorest blueprints of the API, with JSON errors, and the response documentation the data
and system endpoints share (formats, caching and freshness headers, 304/404/503)."""

from __future__ import annotations

import marshmallow as ma
from flask_smorest import Blueprint

from api.errors import handle_exception
from api.schemas import ErrorSchema

HEADERS = {
    "ETag": "Weak tag of the dataset version, the query and the format: send it back as If-None-Match.",
    "Last-Modified": "When the station last wrote the data: send it back as If-Modified-Since.",
    "Cache-Control": "max-age: how long a client may reuse the response without asking again.",
    "Link": 'The next page, as <url>; rel="next" (absent on the last page).',
    "X-Data-As-Of": "Newest observation in the result (YYYY-MM-DD).",
    "X-Data-Last-Update": "When the station last wrote the data (ISO 8601, UTC).",
    "X-Data-Sources": "Comma-separated sources of the rows.",
    "X-Dataset-Version": "The dataset's version.",
    "X-Total-Count": "Rows in the whole result (every page).",
}
RESPONSE_HEADERS = {name: {"description": text, "schema": {"type": "string"}} for name, text in HEADERS.items()}


def api_blueprint(name: str, url_prefix: str | None, description: str) -> Blueprint:
    """A blueprint of the API whose every error is a JSON body (see ``api.errors``)."""
    blueprint = Blueprint(name, __name__, url_prefix=url_prefix, description=description)
    blueprint.register_error_handler(Exception, handle_exception)
    return blueprint


def data_responses(blueprint: Blueprint, schema: type[ma.Schema], columns: list[str], not_found: bool = False):
    """Document 200 in JSON (``schema``), CSV (``columns``) and TOON, 304, and the errors."""
    csv_doc = {"type": "string", "description": "RFC 4180 CSV with a header row: " + ",".join(columns)}
    toon_doc = {"type": "string", "description": "The JSON body encoded as TOON; items as one table."}

    def decorate(view):
        documented = [
            blueprint.alt_response(503, schema=ErrorSchema, description="The database is unavailable."),
            blueprint.alt_response(
                429,
                schema={"type": "object"},
                description=(
                    "Too many requests from this client (middleware/rate_limits.py); retry after Retry-After seconds."
                ),
            ),
            blueprint.alt_response(
                304,
                description="Not Modified: the copy named by If-None-Match or If-Modified-Since is current.",
                headers={k: v for k, v in RESPONSE_HEADERS.items() if k in ("ETag", "Last-Modified", "Cache-Control")},
            ),
            blueprint.alt_response(200, schema=toon_doc, content_type="text/toon", success=True),
            blueprint.alt_response(200, schema=csv_doc, content_type="text/csv", success=True),
        ]
        if not_found:
            documented.insert(0, blueprint.alt_response(404, schema=ErrorSchema, description="Unknown instrument."))
        for decorator in documented:
            view = decorator(view)
        return blueprint.response(200, schema, headers=RESPONSE_HEADERS)(view)

    return decorate
