"""Dash's own endpoints answer bad requests with a 4xx instead of an exception (a 500 and a
traceback in the log):

- ``POST /_dash-update-component`` with a body that is not a callback request of this app
  (api/callback_bodies.py) is a 400 with a JSON error, logged as one warning line (the
  request id comes with every line of a request; the client's value is cut short).
- ``/_dash-component-suites/<package>/<path>`` names only the files Dash registered; any other
  (``../../etc/passwd``, unknown packages) is a 404, like any file that is not there.
"""

from __future__ import annotations

import functools
import logging

import dash
from dash.exceptions import DependencyException
from flask import request
from werkzeug.exceptions import NotFound

from api.callback_bodies import BadCallbackRequest, check_callback_body
from api.errors import error_response
from config.logging_setup import clip

log = logging.getLogger(__name__)

CALLBACK_ROUTE = "_dash-update-component"
COMPONENT_SUITES_ROUTE = "_dash-component-suites/<string:package_name>/<path:fingerprinted_path>"


def _checked_callback(app: dash.Dash, dispatch):
    @functools.wraps(dispatch)
    def checked():
        body = request.get_json(silent=True)
        try:
            check_callback_body(body, app.callback_map)
        except BadCallbackRequest as error:
            log.warning("bad callback request: %s", clip(error, 300), extra={"status": 400})
            return error_response(400, f"bad callback request: {error}")
        return dispatch()

    return checked


def _registered_file_or_404(serve):
    @functools.wraps(serve)
    def serve_or_404(*args, **kwargs):
        try:
            return serve(*args, **kwargs)
        except DependencyException:
            # Dash names every registered file in its message: nothing of it goes out.
            raise NotFound() from None

    return serve_or_404


def init_app(app: dash.Dash) -> None:
    """Wrap Dash's callback and component-suite views on ``app``'s server."""
    views = app.server.view_functions
    prefix = app.config.routes_pathname_prefix
    views[prefix + CALLBACK_ROUTE] = _checked_callback(app, views[prefix + CALLBACK_ROUTE])
    suites = prefix + COMPONENT_SUITES_ROUTE
    views[suites] = _registered_file_or_404(views[suites])
