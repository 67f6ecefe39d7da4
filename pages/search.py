"""/search?q=: every instrument, series, dashboard and panel a query finds (sql/search.py), by
kind, as links — the page the navbar's search form submits to, so it works without the search
box's script (assets/search.js), which offers the best few as you type."""

from __future__ import annotations

import re

import dash
from dash import dcc, html

from components.cards import degraded_state, empty_state
from config.dashboard_index import match_boards
from config.search_terms import KINDS, MAX_QUERY, QUERY_PATTERN, Hit, query_words
from pages.cross_links import joined
from pages.detail import page_header
from sql import read
from sql import search as catalog_search

PATH = "/search"
HEADINGS = {"dashboard": "Dashboards", "instrument": "Instruments", "series": "Economic series", "panel": "Panels"}
EXAMPLES = ("SPX", "DGS10", "gold", "us dollar", "treasury curve")
_ALLOWED = re.compile(QUERY_PATTERN)

dash.register_page(
    __name__,
    path=PATH,
    name="Search",
    title="Search · Spartan Research Station",
    description="Find instruments, economic series, dashboards and panels by symbol, name or title.",
    nav=False,
    layout_cacheable=True,  # built from the catalog entries and the specs alone (pages/layout_cache.py)
)


def search_form(query: str) -> html.Form:
    """A plain GET form: it works with no script at all."""
    return html.Form(
        [
            html.Label(
                "Search instruments, series and dashboards", htmlFor="search-page-q", className="visually-hidden"
            ),
            dcc.Input(
                id="search-page-q",
                name="q",
                type="search",
                value=query,
                placeholder="Symbol, series id, name or dashboard",
                maxLength=MAX_QUERY,
                autoComplete="off",
                className="form-control search-page-input",
            ),
            html.Button("Search", type="submit", className="btn btn-spartan"),
        ],
        action=PATH,
        method="get",
        role="search",
        className="search-page-form",
    )


def _examples() -> html.P:
    links = [dcc.Link(example, href=f"{PATH}?q={example.replace(' ', '+')}") for example in EXAMPLES]
    return html.P(["Try ", *joined(links), ". Press / on any page to search."], className="search-hint")


def result_groups(hits: list[Hit]) -> list:
    """The results by kind (dashboards, instruments, series, panels), best first in each."""
    sections = []
    for kind in KINDS:
        mine = [hit for hit in hits if hit.kind == kind]
        if not mine:
            continue
        items = [
            html.Li([dcc.Link(hit.label, href=hit.href), html.Span(hit.detail, className="search-detail")])
            for hit in mine
        ]
        sections.append(
            html.Section(
                [html.H2(f"{HEADINGS[kind]} ({len(mine)})", className="search-group-title"), html.Ul(items)],
                className=f"search-group search-group-{kind}",
            )
        )
    return sections


def _results(query: str) -> list:
    if not _ALLOWED.match(query):
        return [empty_state("Nothing to search for", "Search with letters, digits, spaces and . , : ; ' & / ( ) + -.")]
    notes = []
    try:
        hits = catalog_search.search(query)
    except read.StorageUnavailable as exc:
        # The dashboards come from the specs in memory: still offered while the database is away.
        hits = sorted(match_boards(query_words(query)), key=Hit.order)
        notes.append(degraded_state(f"{exc}: instruments and series cannot be searched right now."))
    if not hits:
        nothing = empty_state("Nothing found", "No instrument, series or dashboard matches every word.")
        return [*notes, nothing, _examples()]
    return [*notes, html.P(f"{len(hits)} results", className="search-count"), *result_groups(hits)]


def _not_synced() -> list:
    """A "no data yet" state before the sidecar first synced the catalog: only the dashboards
    and panels can be found then."""
    try:
        synced = read.system_version() > 0  # moved by the first catalog sync
    except read.StorageUnavailable:
        return []
    if synced:
        return []
    return [empty_state(message="Instruments and series are found once the sidecar has stored the catalog.")]


def layout(q: str | list | None = None, **_query) -> html.Div:
    query = (q[0] if isinstance(q, list) and q else q if isinstance(q, str) else "").strip()[:MAX_QUERY]
    body = [*_not_synced(), *(_results(query) if query else [_examples()])]
    subtitle = "Instruments, economic series, dashboards and panels by symbol, name or title."
    return html.Div([*page_header("Search", subtitle), search_form(query), *body], className="search-page")
