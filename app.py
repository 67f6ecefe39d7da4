"""Spartan Research Station web: the Dash app, the REST API and /health on one Flask server.

``gunicorn app:server`` in production; ``python app.py`` for development. The web reads
only from the database and cache (sql/); it never imports datasources/ or jobs/.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import logging
from pathlib import Path

import dash
import dash_bootstrap_components as dbc  # noqa: F401 - registers the components used by pages
from flask import Response, has_request_context, redirect, request

from api import dash_requests, rest
from components import grid, lazy, picker, preload
from components.shell import app_layout, install_chrome, page_frame
from components.view_state import parse_view
from config.dashboard_specs import load_dashboards
from config.logging_setup import setup_logging
from config.settings import Settings, load_settings
from middleware import auth, compress_memo, metrics, security
from pages import board_routes, layout_cache, routing, warm, watchlists
from pages.panels.export import export_bp
from sql import read
from sql import store as storage
from sql.migrate import upgrade
from sql.preload_status import preload_status

log = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parent


def _framed(layout, path_template: str | None = None):
    """Wrap a page's layout function in the page frame (its ``main``, or the embed credit)."""

    embed_only = getattr(layout, "embed_only", False)

    @functools.wraps(layout)
    def framed(**query):
        query = routing.layout_arguments(path_template, query)
        embed = embed_only or parse_view(query).embed
        if embed:
            lazy.draw_everything()  # a report frames an embed at its full height: draw it all
        content = layout(**query)
        return page_frame(content, embed=embed, stale_seconds=read.staleness())

    return framed


# dcc.Graph fetches plotly.js on the first page that draws a chart, from Dash's copy of
# plotly.py's full bundle (4.8 MB, every trace type). The station draws five trace types:
# ``make plotly-bundle`` builds them into assets/plotly-spartan.min.js (1.2 MB), served at
# that same URL. Dash does not link it into pages (``assets_ignore``): pages without a chart
# do not load it.
PLOTLY_BUNDLE = "plotly-spartan.min.js"
DASH_PLOTLY_PATH = "_dash-component-suites/plotly/package_data/plotly.min.js"


@functools.cache
def _plotly_bundle() -> tuple[bytes, bytes, str]:
    """(body, gzipped body, ETag) of the bundle: read and compressed once per process, on the
    first page that draws a chart (not at every app's start)."""
    body = (ROOT / "assets" / PLOTLY_BUNDLE).read_bytes()
    return body, gzip.compress(body, compresslevel=9, mtime=0), hashlib.sha256(body).hexdigest()[:32]


def _serve_station_plotly(app: dash.Dash) -> None:
    def station_plotly():
        body, gzipped, etag = _plotly_bundle()
        compressed = "gzip" in request.headers.get("Accept-Encoding", "")
        response = Response(gzipped if compressed else body, mimetype="text/javascript")
        if compressed:
            response.headers["Content-Encoding"] = "gzip"
        response.headers["Vary"] = "Accept-Encoding"
        response.cache_control.public = True
        response.cache_control.max_age = 24 * 3600
        response.set_etag(etag + ("-gz" if compressed else ""))
        return response.make_conditional(request)

    # A rule without converters wins over Dash's /_dash-component-suites/<package>/<path>.
    app.server.add_url_rule(app.config.routes_pathname_prefix + DASH_PLOTLY_PATH, "station_plotly", station_plotly)


# What a page's first chart and first grid fetch only once the page is drawn: dcc.Graph's chunk
# and plotly.js, AG Grid's community build (2.2 MB together). Hinted in the index page's head,
# the browser fetches them beside the page's bundles instead of after its layout (a cold
# /options drew ~18 % sooner, a warm one ~9 %: each was a round trip queued behind the render).
LAZY_CHUNKS = ("dash/dcc/async-graph.js", DASH_PLOTLY_PATH.split("/", 1)[1], "dash_ag_grid/async-community.js")
# The pages that draw neither (the rest draw both, most of them on their first screen).
PAGES_WITHOUT_CHARTS = frozenset({"pages.api_docs", "pages.preload", "pages.search", "pages.not_found_404"})


def _preload_chunks(app: dash.Dash) -> None:
    plain = app.interpolate_index
    prefix = app.config.requests_pathname_prefix

    @functools.wraps(plain)
    def interpolate_index(**parts):
        page = routing.page_at(request.path) if has_request_context() else None
        if page is not None and page["module"] not in PAGES_WITHOUT_CHARTS:
            hints = (f'<link rel="preload" as="script" href="{prefix}_dash-component-suites/{c}">' for c in LAZY_CHUNKS)
            parts["metas"] = parts.get("metas", "") + "".join(hints)
        return plain(**parts)

    app.interpolate_index = interpolate_index


def _add_redirects(server) -> None:
    """A dashboard's ``redirect_from`` paths answer 301 to it (links to pages that moved)."""
    for board in load_dashboards().values():
        for old in board.redirect_from:
            target = board.path
            server.add_url_rule(old, f"redirect:{old}", lambda target=target: redirect(target, 301))


def create_app(settings: Settings | None = None, migrate: bool = True) -> dash.Dash:
    """Build the web app on ``settings`` (default: from the environment)."""
    settings = settings or load_settings()
    setup_logging(settings.log_level, settings.log_format)
    app = dash.Dash(
        __name__,
        use_pages=True,
        pages_folder=str(ROOT / "pages"),
        assets_folder=str(ROOT / "assets"),
        # The plotly bundle is fetched by dcc.Graph when needed (see _serve_station_plotly); the
        # session script is linked by middleware/auth.py with SPARTAN_AUTH=local only.
        assets_ignore=rf"^({PLOTLY_BUNDLE}|{auth.SESSION_SCRIPT})$",
        assets_path_ignore=["^vendor$"],  # the untrimmed Bootstrap `make css` starts from
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
    rest.init_app(app)  # the REST API: /api/*, /health, /api/openapi.json
    compress_memo.install(server)  # repeated bodies compressed once (after rest: it sets the types)
    server.register_blueprint(export_bp)  # /csv/… and /zoom/…: the pages' data as plain GETs
    security.init_app(app, settings)  # rate limits, security headers, audit log
    auth.install(app, settings)  # SPARTAN_AUTH=local: login, sessions, roles (none: nothing)
    watchlists.register(server, settings)  # each user's watchlists (none: a page saying they need logins)
    metrics.init_app(app, settings)  # /metrics, request ids, access log
    _add_redirects(server)
    dash_requests.init_app(app)  # malformed callback requests are 400s, unknown bundle files 404s
    routing.answer_404_off_pages(app)  # paths that are no page: the shell with a 404
    # each user's boards (none: a page saying they need logins); a board's page is Dash's shell
    board_routes.register(server, settings, app.config.routes_pathname_prefix + "<path:path>")
    install_chrome(app, routing.page_at, auth.navbar_account)  # navbar and footer: plain HTML in the index page
    layout_cache.init_app(app)  # a dashboard's layout, its page drawn in, answered from memory
    _serve_station_plotly(app)
    _preload_chunks(app)  # the chunks of its first chart and grid, hinted in a page's head
    preload.register_callbacks(app)
    grid.register_callbacks(app)  # the "Export CSV" buttons
    picker.register_callbacks(app)  # the instrument pickers of the detail pages and the explorer
    for page in dash.page_registry.values():
        if callable(page["layout"]) and not getattr(page["layout"], "__wrapped__", None):
            page["layout"] = _framed(page["layout"], page.get("path_template"))
    app.layout = _layout
    # Dash finishes its set-up on a worker's first request; two threads of a fresh gunicorn
    # worker racing through it serve "not a registered library" errors (plotly/dash#3971).
    # Do it now, once, before any request.
    with server.test_request_context("/"):
        app._setup_server()
    if settings.page_warm_seconds:
        warm.start(app, settings.page_warm_seconds)  # each page's default view, after each refresh
    return app


def _layout():
    # Built per page load: the ribbon follows the data (memoized read, no extra query), the
    # preload banner the sidecar's status (one cache get), the page the browser is at.
    location = routing.browser_location()
    return app_layout(
        demo=read.demo_active(),
        preload_status=preload_status(),
        container=routing.page_container(),
        path=location[0] if location else None,
    )


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
