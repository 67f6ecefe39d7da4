"""JSON errors for everything under ``/api/``: 400 (which parameter is wrong and why), 404, 405,
503 (the database is down) and 500 (logged here, never a traceback in the response)."""

from __future__ import annotations

import logging
from http import HTTPStatus

from flask import Response, request
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException, InternalServerError

from api.formats import json_text
from sql import read

log = logging.getLogger(__name__)

API_PREFIX = "/api/"


class ApiError(Exception):
    """An error a view reports as-is: ``ApiError(404, "unknown symbol 'XYZ' …")``."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def error_response(code: int, message: str, errors: dict | None = None, headers: dict | None = None) -> Response:
    body = {"error": message, "code": code, "status": HTTPStatus(code).phrase}
    if errors:
        body["errors"] = errors
    response = Response(json_text(body), status=code, mimetype="application/json")
    response.headers["Cache-Control"] = "no-store"
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _flatten(messages) -> list[str]:
    """marshmallow's messages (lists, or dicts by list index for list parameters) as strings."""
    if isinstance(messages, dict):
        out = []
        for index, nested in messages.items():
            prefix = f"item {int(index) + 1}: " if isinstance(index, int) else f"{index}: "
            out += [prefix + text for text in _flatten(nested)]
        return out
    if isinstance(messages, list | tuple):
        return [text for item in messages for text in _flatten(item)]
    return [str(messages)]


def _validation_errors(error: HTTPException) -> tuple[str, dict]:
    data = getattr(error, "data", None) or {}
    messages = data.get("messages") or {}
    # webargs files messages under the location they came from ("query").
    if set(messages) <= {"query", "json", "view_args", "headers"}:
        messages = {name: text for location in messages.values() for name, text in location.items()}
    schema = data.get("schema")
    allowed = ", ".join(sorted(schema.load_fields)) if schema is not None else ""
    errors = {}
    for name, text in messages.items():
        flat = _flatten(text)
        if flat == ["Unknown field."]:
            flat = [f"unknown parameter; allowed: {allowed or 'none'}"]
        errors[str(name)] = flat
    summary = "; ".join(f"{name}: {' '.join(texts)}" for name, texts in errors.items())
    return f"invalid query parameter(s): {summary}", errors


def handle_http_exception(error: HTTPException) -> Response:
    code = error.code or 500
    if code == 400 and getattr(error, "data", None):
        message, errors = _validation_errors(error)
        return error_response(400, message, errors)
    headers = {}
    if code == 404:
        message = f"no such endpoint: {request.path}; the endpoints are listed at /api/openapi.json"
    elif code == 405:
        allowed = list(getattr(error, "valid_methods", None) or ["GET"])
        headers["Allow"] = ", ".join(allowed)
        message = f"{request.method} is not allowed here; use {', '.join(allowed)}"
    else:
        message = error.description or error.name
    return error_response(code, message, headers=headers)


def handle_exception(error: Exception) -> Response:
    """Every error raised by an API view: as JSON, with the status it deserves."""
    if isinstance(error, ApiError):
        return error_response(error.code, error.message)
    if isinstance(error, read.StorageUnavailable):
        return error_response(503, f"{error}; try again shortly", headers={"Retry-After": "30"})
    if isinstance(error, SQLAlchemyError):
        log.warning("API request %s failed on the database: %s", request.path, type(error).__name__)
        return error_response(503, "database unavailable; try again shortly", headers={"Retry-After": "30"})
    if isinstance(error, HTTPException):
        return handle_http_exception(error)
    log.exception("API request %s failed", request.path)
    return error_response(500, "internal error; it has been logged")


def _api_path() -> bool:
    return request.path.startswith(API_PREFIX) or request.path == API_PREFIX.rstrip("/")


def handle_app_http_exception(error: HTTPException):
    """App-wide 404/405/500: JSON under ``/api/``; the pages keep Flask's own responses."""
    if not _api_path():
        return error
    if isinstance(error, InternalServerError) and error.original_exception is not None:
        return handle_exception(error.original_exception)
    return handle_http_exception(error)


def register_app_handlers(app) -> None:
    """Routing errors (404, 405) and unhandled errors under ``/api/`` as JSON."""
    for code in (404, 405, 500):
        app.register_error_handler(code, handle_app_http_exception)
