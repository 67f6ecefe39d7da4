"""The page frame: navbar with the logo, the notices above the page (DEMO ribbon, preload
running), the page container, the footer."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from components.preload import PRELOAD_BANNER_ID, PRELOAD_PATH, preload_banner

APP_NAME = "Spartan Research Station"


def navbar() -> html.Header:
    links = [
        dbc.NavItem(dbc.NavLink(page["name"], href=page["relative_path"], active="exact"))
        for page in sorted(dash.page_registry.values(), key=lambda p: p.get("order", 99))
        if page.get("nav", True)
    ]
    brand = html.A(
        [
            html.Img(src=dash.get_asset_url("spartan-logo.svg"), alt=f"{APP_NAME} logo", className="spartan-logo"),
            html.Span(APP_NAME, className="spartan-brand"),
        ],
        href="/",
        className="d-flex align-items-center gap-2 text-decoration-none",
    )
    return html.Header(
        dbc.Container(
            [brand, dbc.Nav(links, className="ms-auto", navbar=True)], fluid=True, className="d-flex align-items-center"
        ),
        className="spartan-navbar",
    )


def footer() -> html.Footer:
    return html.Footer(
        dbc.Container(
            [
                html.Img(src=dash.get_asset_url("spartan-logo.svg"), alt="", className="spartan-footer-logo"),
                html.Span(f"{APP_NAME} · data from public sources, stored locally, refreshed hourly"),
                dcc.Link("preload", href=PRELOAD_PATH, className="ms-auto"),
                html.A("status API", href="/api/system/status"),
            ],
            fluid=True,
            className="d-flex align-items-center gap-2",
        ),
        className="spartan-footer",
    )


def demo_ribbon() -> html.Div:
    return html.Div(
        "DEMO DATA — synthetic values from `python -m jobs demo`, not market data",
        className="demo-ribbon",
        role="note",
    )


def app_layout(demo: bool = False, preload_status: dict | None = None) -> html.Div:
    """``preload_status``: the sidecar's ``preload:status``; a banner links to /preload while it runs."""
    return html.Div(
        [
            *([demo_ribbon()] if demo else []),
            navbar(),
            html.Div(preload_banner(preload_status), id=PRELOAD_BANNER_ID),
            html.Main(dash.page_container, className="spartan-main container-fluid"),
            footer(),
        ]
    )
