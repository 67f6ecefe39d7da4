"""``/embed/<dashboard>/<panel>``: one panel of a dashboard alone, to put in an ``<iframe>``.
The dashboard is named by its id (``/embed/global-indices/headline``) or by its page's path
(``/embed/indices/headline``, ``/embed/economy/inflation/headline``).

Framing is allowed for the origins in SPARTAN_EMBED_ORIGINS (middleware/headers.py); the page
has no navbar or footer, only a small credit, and tells its parent its height (assets/embed.js).
"""

from __future__ import annotations

import dash
from dash import dcc, html

from components.cards import empty_state
from components.view_state import parse_view
from config.dashboard_specs import Dashboard
from pages.dashboards import DASHBOARDS, render_dashboard

dash.register_page(__name__, path_template="/embed/<dashboard>/<panel>", name="Embedded panel", nav=False)


def find_board(name: str) -> Dashboard | None:
    """The dashboard whose id, or else whose page path, is ``name``."""
    board = DASHBOARDS.get(name)
    if board is not None:
        return board
    path = "/" + name.strip("/")
    return next((b for b in DASHBOARDS.values() if b.path.rstrip("/") == path.rstrip("/")), None)


def layout(dashboard: str | None = None, panel: str | None = None, **query) -> html.Div:
    board = find_board(str(dashboard))
    if board is None or board.panel(str(panel)) is None:
        return html.Div(
            [
                empty_state("No such panel", "This embed link names a dashboard or panel that does not exist."),
                dcc.Link("Open Spartan Research Station", href="/"),
            ]
        )
    view = parse_view({**query, "embed": "1"})
    return render_dashboard(board, view, panels=[str(panel)], title=False)


layout.embed_only = True
