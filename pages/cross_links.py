"""What a detail page links to besides its own data: the dashboards that show the instrument
("Shown on", from the dashboard specs in memory) and, on a series page, the related series
(sql/search.py: those sharing the rarest words of its label, one query)."""

from __future__ import annotations

from dash import dcc, html

from config.dashboard_index import shown_on
from sql import read
from sql import search as catalog_search


def joined(links: list, separator: str = " · ") -> list:
    """``links`` with ``separator`` between them."""
    return [part for link in links for part in (link, separator)][:-1]


def shown_on_line(dataset: str, key: str) -> html.P | None:
    """ "Shown on: <dashboard links>"; None when no dashboard shows it."""
    # A FRED id is one series whichever of the series datasets holds it.
    same = catalog_search.SERIES_DATASETS if dataset in catalog_search.SERIES_DATASETS else frozenset()
    found = shown_on(dataset, key, same)
    if not found:
        return None
    links = [dcc.Link(board.title, href=board.path, title=f"{spec.title} on {board.title}") for board, spec in found]
    return html.P(
        ["Shown on: ", *joined(links)],
        className="shown-on",
    )


def related_series(dataset: str, key: str) -> html.Section | None:
    """The series most like this one, as links; None when there are none or the database is away."""
    try:
        hits = catalog_search.related(dataset, key)
    except read.StorageUnavailable:
        return None
    if not hits:
        return None
    items = [
        html.Li([dcc.Link(f"{hit.label} ({hit.key})", href=hit.href), html.Span(hit.detail, className="search-detail")])
        for hit in hits
    ]
    return html.Section(
        [html.H2("Related series", className="related-title"), html.Ul(items, className="related-list")],
        className="spartan-card related-series",
    )
