"""Spartan Research Station web: the Dash app, the REST API and /health on one Flask server.

``gunicorn app:server`` in production; ``python app.py`` for development. The web reads
only from the database and cache (sql/); it never imports datasources/ or jobs/.
"""

from __future__ import annotations

import functools
import logging
from pathlib import Path

import dash
import dash_bootstrap_components as dbc  # noqa: F401 - registers the components used by pages
from flask import Response, request

from api import health_bp, system_bp
from components import grid, preload
from components.shell import app_layout, page_frame
from components.view_state import parse_view
from config.logging_setup import setup_logging
from config.settings import Settings, load_settings
from pages.panels import markets
from pages.panels.export import instrument_csv, panel_csv, series_csv
from sql import read
from sql import store as storage
from sql.migrate import upgrade

log = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parent


def _embeddable() -> bool:
    """An embed request: ``?embed=1`` on any page, or an ``/embed/…`` panel page."""
    return request.args.get("embed") == "1" or request.path.startswith("/embed/")


def _security_headers(response: Response) -> Response:
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    if _embeddable():
        # The station itself and the origins named in SPARTAN_EMBED_ORIGINS may frame an embed page.
        origins = " ".join(read.current_settings().embed_origins)
        response.headers.setdefault("Content-Security-Policy", f"frame-ancestors 'self' {origins}".rstrip())
    else:
        response.headers.setdefault("Content-Security-Policy", "frame-ancestors 'none'")
        response.headers.setdefault("X-Frame-Options", "DENY")
    return response


def _framed(layout):
    """Wrap a page's layout function in the page frame (navbar/footer, or the embed credit)."""

    embed_only = getattr(layout, "embed_only", False)

    @functools.wraps(layout)
    def framed(**query):
        return page_frame(layout(**query), embed=embed_only or parse_view(query).embed)

    return framed


def create_app(settings: Settings | None = None, migrate: bool = True) -> dash.Dash:
    """Build the web app on ``settings`` (default: from the environment)."""
    settings = settings or load_settings()
    setup_logging(settings.log_level)
    app = dash.Dash(
        __name__,
        use_pages=True,
        pages_folder=str(ROOT / "pages"),
        assets_folder=str(ROOT / "assets"),
        title="Spartan Research Station",
        update_title=None,
        suppress_callback_exceptions=True,
        serve_locally=True,
        compress=True,  # gzip pages, callbacks and the JS bundles (flask-compress)
        meta_tags=[{"name": "viewport", "content": "width=device-width, initial-scale=1"}],
    )
    server = app.server
    # Dash links the files of assets/ with a ?m=<mtime> fingerprint, so browsers may keep them
    # (a day; the logo is linked without one) instead of revalidating some 25 files a page.
    server.config["SEND_FILE_MAX_AGE_DEFAULT"] = 24 * 3600
    store = storage.configure(settings, server)
    if migrate:
        upgrade(settings, store.engine)
    server.register_blueprint(health_bp)
    server.register_blueprint(system_bp)
    server.add_url_rule("/csv/<dashboard>/<panel>.csv", "panel_csv", panel_csv)
    server.add_url_rule("/csv/instrument/<symbol>.csv", "instrument_csv", instrument_csv)
    server.add_url_rule("/csv/series/<series_id>.csv", "series_csv", series_csv)
    server.after_request(_security_headers)
    preload.register_callbacks(app)
    grid.register_callbacks(app)  # the "Export CSV" buttons
    markets.register_callbacks(app)  # the instrument pickers of the detail pages and the explorer
    for page in dash.page_registry.values():
        if callable(page["layout"]) and not getattr(page["layout"], "__wrapped__", None):
            page["layout"] = _framed(page["layout"])
    app.layout = _layout
    # Dash finishes its set-up on a worker's first request; two threads of a fresh gunicorn
    # worker racing through it serve "not a registered library" errors (plotly/dash#3971).
    # Do it now, once, before any request.
    with server.test_request_context("/"):
        app._setup_server()
    return app


def _layout():
    # Built per page load: the ribbon follows the data (memoized read, no extra query), the
    # preload banner the sidecar's status (one cache get).
    return app_layout(demo=read.demo_active(), preload_status=read.preload_status())


def __getattr__(name: str):
    # Built on first use, so importing this module (tests, tooling) has no side effects.
    if name in ("app", "server"):
        instance = create_app()
        globals().update(app=instance, server=instance.server)
        return globals()[name]
    raise AttributeError(name)


if __name__ == "__main__":
    settings = load_settings()
    create_app(settings).run(host=settings.host, port=settings.port, debug=False)
