"""Preload progress: the sidecar's ``preload:status`` from the shared cache (else the database),
live while the preload runs (a 2 s interval that switches itself off once the data is complete),
then its result, or what became of it when it was interrupted. The body and its callback live
in components/preload.py."""

from __future__ import annotations

import dash
from dash import dcc, html

from components.preload import BODY_ID, INTERVAL_ID, view
from sql.preload_status import preload_status

dash.register_page(
    __name__,
    path="/preload",
    name="Preload",
    title="Preload progress · Spartan Research Station",
    order=95,
    nav=False,  # reached from the banner shown while a preload runs, and from the footer
)


def layout(**_query) -> html.Div:
    # Built from the cache on the server: the first paint already has the current figures.
    body, disabled, period = view(preload_status())
    return html.Div(
        [
            html.H1("Preload progress", className="spartan-page-title"),
            html.P(
                "The sidecar's first download of every catalogued instrument, as it reports it to the shared"
                " cache and the database. This page follows it live until the data is complete.",
                className="spartan-subtitle",
            ),
            html.Div(body, id=BODY_ID),
            dcc.Interval(id=INTERVAL_ID, interval=period, disabled=disabled),
        ]
    )
