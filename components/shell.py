"""The page frame: navbar with the logo, the notices above the page (DEMO ribbon, preload
running), the page container, the footer."""

from __future__ import annotations

import dash
from dash import dcc, html

from components.cards import stale_notice
from components.preload import PRELOAD_BANNER_ID, PRELOAD_PATH, preload_banner

APP_NAME = "Spartan Research Station"


def _nav_link(page: dict, active_path: str | None, class_name: str):
    if page["relative_path"] == active_path:
        class_name += " active"
    return dcc.Link(page["name"], href=page["relative_path"], className=class_name)


def _nav_group(label: str, pages: list[dict], active_path: str | None) -> html.Li:
    """A menu of pages as a native disclosure (details/summary): no dropdown component, no
    popper, nothing for React to run before the page draws; assets/navbar.js closes it when a
    page is picked, a click lands elsewhere or Escape is pressed."""
    has_active = any(p["relative_path"] == active_path for p in pages)
    return html.Li(
        html.Details(
            [
                html.Summary(label, className="nav-link dropdown-toggle" + (" active" if has_active else "")),
                html.Div([_nav_link(p, active_path, "dropdown-item") for p in pages], className="dropdown-menu"),
            ],
            className="spartan-nav-group",
        ),
        className="nav-item dropdown",
    )


def navbar(active_path: str | None = None) -> html.Header:
    """Pages without a ``group`` are links of their own; the others are menus per group. The link
    to ``active_path`` (and its group) is marked as the current page."""
    pages = sorted(
        (p for p in dash.page_registry.values() if p.get("nav", True) and not p.get("path_template")),
        key=lambda p: (p.get("order", 99), p["name"]),
    )
    links, groups = [], {}
    for page in pages:
        group = page.get("group")
        if group:
            if group not in groups:
                groups[group] = []
                links.append(group)
            groups[group].append(page)
        else:
            links.append(page)
    items = [
        _nav_group(item, groups[item], active_path)
        if isinstance(item, str)
        else html.Li(_nav_link(item, active_path, "nav-link"), className="nav-item")
        for item in links
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
        html.Div(
            [brand, html.Nav(html.Ul(items, className="navbar-nav ms-auto"), **{"aria-label": "Dashboards"})],
            className="container-fluid d-flex align-items-center",
        ),
        className="spartan-navbar",
    )


def footer() -> html.Footer:
    return html.Footer(
        html.Div(
            [
                html.Img(src=dash.get_asset_url("spartan-logo.svg"), alt="", className="spartan-footer-logo"),
                html.Span(f"{APP_NAME} · data from public sources, stored locally, refreshed hourly"),
                dcc.Link("preload", href=PRELOAD_PATH, className="ms-auto"),
                html.A("status API", href="/api/system/status"),
            ],
            className="container-fluid d-flex align-items-center gap-2",
        ),
        className="spartan-footer",
    )


def demo_ribbon() -> html.Div:
    return html.Div(
        "DEMO DATA — synthetic values from `python -m jobs demo`, not market data",
        className="demo-ribbon",
        role="note",
    )


def embed_credit() -> html.Div:
    return html.Div(
        html.A(f"{APP_NAME}", href="/", target="_blank", rel="noopener"),
        className="embed-credit",
    )


def page_frame(content, embed: bool = False, stale_seconds: float | None = None, path: str | None = None) -> html.Div:
    """A page with the navbar (``path``'s link marked current) and footer, or, embedded
    (``?embed=1``), with only a small credit; with ``stale_seconds``, a notice that it shows
    stored data the database has not confirmed for that long (the database is down)."""
    notice = [stale_notice(stale_seconds)] if stale_seconds is not None else []
    main = html.Main([*notice, content], className="spartan-main container-fluid")
    if embed:
        return html.Div([main, embed_credit()], className="embedded")
    return html.Div([navbar(path), main, footer()])


def app_layout(demo: bool = False, preload_status: dict | None = None, container=None) -> html.Div:
    """The notices above every page (DEMO ribbon; a banner linking to /preload while one runs)
    and the page container (Dash's, or ``container``: the same with a page drawn in); each
    page brings its own frame (``page_frame``), so an embedded page can leave out the navbar
    and footer."""
    return html.Div(
        [
            *([demo_ribbon()] if demo else []),
            html.Div(preload_banner(preload_status), id=PRELOAD_BANNER_ID),
            container or dash.page_container,
        ]
    )
