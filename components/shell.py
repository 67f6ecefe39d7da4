"""The page frame: navbar with the logo and footer (plain HTML in the index page), the notices
above the page (DEMO ribbon, preload running), the page container."""

from __future__ import annotations

import functools
from collections.abc import Callable
from html import escape

import dash
from dash import html
from flask import has_request_context, request

from components.cards import stale_notice
from components.preload import PRELOAD_BANNER_ID, PRELOAD_PATH, preload_banner
from components.view_state import parse_view

APP_NAME = "Spartan Research Station"
# The search box (assets/search.js makes it search as you type; without script it submits to the
# /search page).
SEARCH_FORM = (
    '<form class="spartan-search" role="search" action="/search" method="get">'
    '<input id="spartan-search" name="q" type="search" placeholder="Search  /" autocomplete="off" '
    'maxlength="64" aria-label="Search instruments, series and dashboards"></form>'
)
WIDE_MENU = 9  # a menu of more pages lists them in two columns
# The signed-in user as the navbar shows them (logins on): name, and the menus their role cannot
# open (middleware/auth.navbar_account).
Account = tuple[str, frozenset[str]]


def _link(page: dict, active_path: str | None, class_name: str) -> str:
    if page["relative_path"] == active_path:
        class_name += " active"
    return f'<a class="{class_name}" href="{escape(page["relative_path"])}" data-nav="page">{escape(page["name"])}</a>'


def _nav_group(label: str, pages: list[dict], active_path: str | None) -> str:
    """A menu of pages as a native disclosure (details/summary): no dropdown component, no
    popper; assets/navbar.js closes it when a page is picked, a click lands elsewhere or Escape
    is pressed."""
    has_active = any(p["relative_path"] == active_path for p in pages)
    summary = "nav-link dropdown-toggle" + (" active" if has_active else "")
    items = "".join(_link(p, active_path, "dropdown-item") for p in pages)
    menu = "dropdown-menu" + (" dropdown-menu-wide" if len(pages) > WIDE_MENU else "")
    return (
        '<li class="nav-item dropdown"><details class="spartan-nav-group">'
        f'<summary class="{summary}">{escape(label)}</summary><div class="{menu}">{items}</div>'
        "</details></li>"
    )


def _menu(active_path: str | None, hidden_groups: frozenset[str] = frozenset()) -> str:
    """Pages without a ``group`` are links of their own; the others are menus per group (but
    ``hidden_groups``: menus the signed-in user may not open)."""
    pages = sorted(
        (
            p
            for p in dash.page_registry.values()
            if p.get("nav", True) and not p.get("path_template") and p.get("group") not in hidden_groups
        ),
        key=lambda p: (99 if p.get("order") is None else p["order"], p["name"]),
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
    return "".join(
        _nav_group(item, groups[item], active_path)
        if isinstance(item, str)
        else f'<li class="nav-item">{_link(item, active_path, "nav-link")}</li>'
        for item in links
    )


def navbar(active_path: str | None = None, account: Account | None = None) -> str:
    """The navbar as HTML, written into the index page above the app (not a React tree: the
    page draws without it; assets/navbar.js navigates its links inside the app and keeps the
    current page's link, and its group, marked). With ``account`` (logins on), the signed-in
    user's name links to their account page (tokens, sign out) beside a link to their boards,
    and the menus their role may not open are left out."""
    logo = escape(dash.get_asset_url("spartan-logo.svg"))
    username, hidden = account or ("", frozenset())
    user = (
        '<a class="nav-link spartan-account" href="/boards" title="Your boards of pinned panels">Boards</a>'
        f'<a class="nav-link spartan-account" href="/account" title="Account, API tokens, sign out">'
        f"{escape(username)}</a>"
        if account
        else ""
    )
    return (
        '<header class="spartan-navbar"><div class="container-fluid d-flex align-items-center">'
        '<a href="/" data-nav="page" class="d-flex align-items-center gap-2 text-decoration-none">'
        f'<img src="{logo}" alt="{APP_NAME} logo" class="spartan-logo">'
        f'<span class="spartan-brand">{APP_NAME}</span></a>'
        f'<nav aria-label="Dashboards"><ul class="navbar-nav ms-auto">{_menu(active_path, hidden)}</ul></nav>'
        f"{SEARCH_FORM}{user}"
        "</div></header>"
    )


def footer() -> str:
    logo = escape(dash.get_asset_url("spartan-logo.svg"))
    return (
        '<footer class="spartan-footer"><div class="container-fluid d-flex align-items-center gap-2">'
        f'<img src="{logo}" alt="" class="spartan-footer-logo">'
        f"<span>{APP_NAME} · data from public sources, stored locally, refreshed hourly</span>"
        f'<a href="{PRELOAD_PATH}" data-nav="page" class="ms-auto">preload</a>'
        '<a href="/api/system/status">status API</a>'
        "</div></footer>"
    )


def embedded_request(page: dict | None) -> bool:
    """Whether the request shows an embed: an embed-only page (``/embed/...``) or ``?embed=1``."""
    return bool(
        (page is not None and getattr(page.get("layout"), "embed_only", False))
        or request.path.startswith("/embed/")
        or parse_view(request.args.to_dict()).embed
    )


def install_chrome(app: dash.Dash, page_at, account: Callable[[], Account | None] = lambda: None) -> None:
    """The navbar above and the footer below the app in every index page ``app`` serves (the
    page at the request's path marked current; ``account()``: the signed-in user, if logins are
    on), but embeds: those get neither."""
    plain = app.interpolate_index

    @functools.wraps(plain)
    def interpolate_index(**parts):
        if has_request_context():
            page = page_at(request.path)
            if not embedded_request(page):
                active = page.get("relative_path") if page is not None else None
                parts["app_entry"] = navbar(active, account()) + parts["app_entry"] + footer()
        return plain(**parts)

    app.interpolate_index = interpolate_index


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


def page_frame(content, embed: bool = False, stale_seconds: float | None = None) -> html.Main | html.Div:
    """A page in its ``main`` (the index page brings the navbar and footer: ``install_chrome``),
    or, embedded (``?embed=1``), with only a small credit; with ``stale_seconds``, a notice that it shows
    stored data the database has not confirmed for that long (the database is down)."""
    notice = [stale_notice(stale_seconds)] if stale_seconds is not None else []
    main = html.Main([*notice, content], className="spartan-main container-fluid")
    if embed:
        return html.Div([main, embed_credit()], className="embedded")
    return main


def app_layout(
    demo: bool = False, preload_status: dict | None = None, container=None, path: str | None = None
) -> html.Div:
    """The notices above every page (DEMO ribbon; a banner linking to /preload while one runs,
    but on /preload itself: ``path`` is the page drawn in) and the page container (Dash's, or
    ``container``: the same with a page drawn in); each page brings its own frame
    (``page_frame``)."""
    banner = None if path == PRELOAD_PATH else preload_banner(preload_status)
    return html.Div(
        [
            *([demo_ribbon()] if demo else []),
            html.Div(banner, id=PRELOAD_BANNER_ID),
            container or dash.page_container,
        ]
    )
