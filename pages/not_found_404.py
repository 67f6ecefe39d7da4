"""The page for paths that are no page: Dash's pages router shows the module named
``not_found_404`` for them (in the browser, after a client-side navigation too), and the server
answers such paths with HTTP 404 (pages/routing.py)."""

from __future__ import annotations

import dash
from dash import dcc, html

from components.cards import empty_state

TITLE = "Page not found"

dash.register_page(
    __name__,
    name=TITLE,
    title=f"{TITLE} · Spartan Research Station",
    description="This address is not a page of Spartan Research Station.",
    nav=False,
)


def layout(**_query) -> html.Div:
    # Nothing of the URL is shown back: a crafted link cannot put its text on the page.
    return html.Div(
        [
            html.H1(TITLE, className="spartan-page-title"),
            empty_state(
                "No page at this address",
                "The link may be mistyped or out of date. Every dashboard is in the menus above.",
            ),
            html.P(
                [
                    dcc.Link("Market overview", href="/"),
                    " · ",
                    dcc.Link("REST API", href="/api-docs"),
                    " · ",
                    dcc.Link("FRED explorer", href="/fred-explorer"),
                ],
                className="mt-3",
            ),
        ],
        className="not-found",
    )
