"""Which page a path shows, what its layout is called with, and HTTP 404 for paths that are no page.

Dash serves its app shell at every path, and its pages router picks the page in the browser.
The matching here is the router's own (``dash._pages``), so the status the server answers and
the page the browser shows agree: a path that is no page gets the shell with a 404, and the
router draws pages/not_found_404.py into it (as it does after a client-side navigation).
"""

from __future__ import annotations

import functools
import logging
from urllib.parse import urlsplit

import dash
from dash import dcc, html
from dash._pages import _parse_path_variables, _parse_query_string, _path_to_page
from dash.dash import _ID_CONTENT, _ID_DUMMY, _ID_LOCATION, _ID_STORE
from dash.exceptions import MissingCallbackContextException, UnsupportedRelativePath
from flask import Response, g, has_request_context, request

log = logging.getLogger(__name__)

NOT_FOUND_MODULE = "not_found_404"  # Dash's name for the page its router shows for unknown paths
ROUTER_PATHNAME = f"{_ID_LOCATION}.pathname"  # the router callback's input: the browser's path


def _path_id(pathname: str | None) -> str | None:
    try:
        return dash.strip_relative_path(pathname)
    except UnsupportedRelativePath:
        return None


def is_not_found(page: dict) -> bool:
    """Whether ``page`` is the not-found page (listed in dash.page_registry like the others)."""
    return page["module"].split(".")[-1] == NOT_FOUND_MODULE


def page_at(pathname: str) -> dict | None:
    """The registered page the pages router shows at ``pathname``; None where it shows the
    not-found page."""
    path_id = _path_id(pathname)
    if path_id is None:
        return None
    try:
        page, _variables = _path_to_page(path_id)
    except IndexError:  # a template whose wildcard matches but whose pattern does not (a newline)
        return None
    return page if page and not is_not_found(page) else None


def _shown_pathname() -> str | None:
    """The path being drawn: the page being drawn into the app's layout (``page_container``),
    else the router callback's input, else the request's own path (a page built on the
    server, e.g. by the warmer or a test)."""
    if has_request_context() and g.get("spartan_shown_pathname"):
        return g.spartan_shown_pathname
    try:
        return dash.callback_context.inputs.get(ROUTER_PATHNAME)
    except (MissingCallbackContextException, LookupError):  # LookupError: no callback ran in this thread yet
        return request.path if has_request_context() else None


def layout_arguments(path_template: str | None, query: dict) -> dict:
    """A layout's keyword arguments: the query string's parameters, but a path template's
    variables as the path has them (Dash lets ``/instrument/SPX?symbol=NDX`` say NDX)."""
    path_id = _path_id(_shown_pathname()) if path_template else None
    if path_id is None:
        return query
    try:
        variables = _parse_path_variables(path_id, path_template.strip("/"))
    except IndexError:
        variables = None
    return {**query, **(variables or {})}


def browser_location() -> tuple[str, str] | None:
    """(path, query string) of the page whose app shell asks for its layout: the request's
    Referer, which browsers send on same-origin requests (the station's Referrer-Policy is
    strict-origin-when-cross-origin); None without one, or from another origin."""
    if not has_request_context() or not request.referrer:
        return None
    url = urlsplit(request.referrer)
    if url.netloc != request.host or url.scheme != request.scheme:
        return None
    return url.path or "/", f"?{url.query}" if url.query else ""


def page_container() -> html.Div:
    """``dash.page_container`` with the browser's page already drawn into it.

    Dash's pages router draws a page in a callback: the shell renders, its ``dcc.Location``
    reports the path, the router answers with the page, and the page renders — a second
    round trip and render before any chart starts. Built here from the Referer of the layout
    request, the page comes with the layout; the Location holds the browser's path and query,
    so it reports no change and the router (``prevent_initial_call``) stays idle until the
    user navigates. Without a usable Referer, for a path that is no page, or if the page
    fails to build, the container is Dash's own and the router draws the page as before.
    """
    location = browser_location()
    page = page_at(location[0]) if location else None
    if page is None:
        return dash.page_container
    pathname, search = location
    layout, title = page.get("layout", ""), page["title"]
    variables = (
        _parse_path_variables(_path_id(pathname), page["path_template"].strip("/"))
        if page.get("path_template")
        else None
    )
    g.spartan_shown_pathname = pathname
    try:
        if callable(layout):
            layout = layout(**{**(variables or {}), **_parse_query_string(search)})
        if callable(title):
            title = title(**(variables or {}))
    except Exception:  # noqa: BLE001 - the router draws the page (and shows its error) instead
        log.exception("drawing %s into the layout failed; the router draws it", pathname)
        return dash.page_container
    finally:
        g.pop("spartan_shown_pathname", None)
    g.spartan_drawn_page = (pathname, search)  # the audit record of this request names the page
    return html.Div(
        [
            dcc.Location(id=_ID_LOCATION, refresh="callback-nav", pathname=pathname, search=search),
            html.Div(layout, id=_ID_CONTENT, disable_n_clicks=True),
            dcc.Store(id=_ID_STORE, data={"title": title}),
            html.Div(id=_ID_DUMMY, disable_n_clicks=True),
        ]
    )


def _not_found_title(default: str) -> str:
    return next((p["title"] for p in dash.page_registry.values() if is_not_found(p)), default)


def _shell_or_404(app: dash.Dash, serve_shell):
    @functools.wraps(serve_shell)
    def serve(*args, **kwargs):
        shell = serve_shell(*args, **kwargs)
        if page_at(request.path) is not None or not isinstance(shell, str):
            return shell
        title = app.title
        shell = shell.replace(f"<title>{title}</title>", f"<title>{_not_found_title(title)}</title>", 1)
        return Response(shell, status=404, mimetype="text/html")

    return serve


def answer_404_off_pages(app: dash.Dash) -> None:
    """Dash's index and catch-all views on ``app``'s server: 404 at paths that are no page."""
    views = app.server.view_functions
    prefix = app.config.routes_pathname_prefix
    for endpoint in (prefix, prefix + "<path:path>"):
        views[endpoint] = _shell_or_404(app, views[endpoint])
