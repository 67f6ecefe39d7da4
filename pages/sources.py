"""Data sources: every catalogued source with its state, last success, last error and latency,
and the most recent downloads."""

from __future__ import annotations

import dash
from dash import html

from components.cards import degraded_state, empty_state, failing_sources_notice, panel
from pages.panels.system import downloads_grid, health_summary, sources_grid
from sql import read

dash.register_page(
    __name__, path="/sources", name="Data sources", title="Data Sources · Spartan Research Station", order=90
)


def layout(**_query) -> html.Div:
    header = [
        html.H1("Data sources", className="spartan-page-title"),
        html.P(
            "Every source in the catalog, how it did on its last run, and the latest downloads.",
            className="spartan-subtitle",
        ),
    ]
    try:
        health = read.source_health()
        log = read.recent_downloads(500)
    except read.StorageUnavailable as exc:
        return html.Div([*header, degraded_state(str(exc))])
    if health.empty:
        return html.Div(
            [
                *header,
                empty_state("No sources recorded yet", "The catalog is loaded into the database on the first preload."),
            ]
        )
    notice = failing_sources_notice(health)
    return html.Div(
        [
            *header,
            *([notice] if notice is not None else []),
            health_summary(health),
            panel("Sources", sources_grid(health)),
            panel("Download log (latest 500)", downloads_grid(log)),
        ]
    )
