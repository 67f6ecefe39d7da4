"""Every dashboard of config/dashboards/*.yaml as a Dash page, drawn by the panel types.

The page is built server-side on each visit from the cache (first paint has data); its view —
range, log scale, rebasing, compared instruments — comes from the query string, and the toolbar
is plain links that change it, so any view is a shareable URL.
"""

from __future__ import annotations

from functools import partial

import dash
import flask
from dash import dcc, html

from components.cards import failing_sources_notice
from components.catalog import catalog
from components.view_state import RANGES, ViewState, parse_view
from config.dashboard_specs import Dashboard, load_dashboards
from pages.panels import PANEL_TYPES, PanelContext, panel_reads, render_panel
from pages.panels.core import rebase_by_default
from sql import read
from sql.plans import Read

DASHBOARDS: dict[str, Dashboard] = load_dashboards()


def _check_types() -> None:
    for board in DASHBOARDS.values():
        for spec in board.panels:
            kind = PANEL_TYPES.get(spec.type)
            if kind is None:
                raise ValueError(f"{board.source_file}: panel {spec.id!r} has unknown type {spec.type!r}")
            if kind.needs_dataset and not spec.dataset:
                raise ValueError(f"{board.source_file}: panel {spec.id!r} ({spec.type}) needs a dataset")


_check_types()


def view_options(board: Dashboard) -> set[str]:
    """The toolbar options some panel of ``board`` follows (a heatmap has no log scale)."""
    return {option for spec in board.panels for option in PANEL_TYPES[spec.type].view_options}


def toolbar(board: Dashboard, view: ViewState) -> html.Div:
    """Range, scale and rebasing as links to the same page with the query changed; only the
    groups the dashboard's panels follow."""

    def link(label: str, active: bool, **change) -> dcc.Link:
        return dcc.Link(
            label,
            href=board.path + view.query(**change),
            className="view-link active" if active else "view-link",
            title=f"{label} (current)" if active else label,
        )

    ranges = [link(r if r != "MAX" else "Max", view.range == r, range=r) for r in RANGES]
    scale = [link("Linear", not view.log, log=False), link("Log", view.log, log=True)]
    followers = [s for s in board.panels if "rebase" in PANEL_TYPES[s.type].view_options]
    on = view.rebase if view.rebase is not None else any(rebase_by_default(s, view) for s in followers)
    rebase = [link("Levels", not on, rebase=False), link("Rebased to 100", on, rebase=True)]
    groups = {"range": ("Range", ranges), "log": ("Scale", scale), "rebase": ("Comparison", rebase)}
    shown = view_options(board)
    return html.Nav(
        [
            *(
                html.Div(links, className="view-group", role="group", **{"aria-label": label})
                for option, (label, links) in groups.items()
                if option in shown
            ),
            embed_snippet(board.path + view.query(embed=True)),
        ],
        className="view-toolbar",
        **{"aria-label": "View options"},
    )


def embed_snippet(src: str) -> html.Details:
    """A ready ``<iframe>`` for this view (the page sizes itself through assets/embed.js)."""
    base = flask.request.host_url.rstrip("/") if flask.has_request_context() else ""
    code = (
        f'<iframe src="{base}{src}" title="Spartan Research Station" width="100%" height="600" '
        'style="border:0" loading="lazy"></iframe>'
    )
    return html.Details(
        [html.Summary("Embed", className="view-link"), html.Pre(html.Code(code), className="embed-code")],
        className="embed-snippet",
    )


def failing_notice(board: Dashboard):
    """The failing sources among those that feed this dashboard's datasets, named with their errors."""
    settings = read.current_settings()
    datasets = {p.dataset for p in board.panels if p.dataset}
    feeding = {
        prov.source for inst in catalog(settings).instruments if inst.dataset in datasets for prov in inst.providers
    }
    try:
        health = read.source_health()
    except read.StorageUnavailable:
        return None
    return failing_sources_notice(health[health["source_id"].isin(feeding)])


def page_reads(board: Dashboard, view: ViewState, panels: list | None = None) -> list[Read]:
    """Everything the panels of ``board`` (or just ``panels``) read for ``view``."""
    settings = read.current_settings()
    chosen = [p for p in board.panels if panels is None or p.id in panels]
    return [r for spec in chosen for r in panel_reads(PanelContext(board, spec, view, settings))]


def render_dashboard(board: Dashboard, view: ViewState, panels: list | None = None, title: bool = True) -> html.Div:
    settings = read.current_settings()
    chosen = [p for p in board.panels if panels is None or p.id in panels]
    contexts = [PanelContext(board, spec, view, settings) for spec in chosen]
    # Every panel's reads at once, merged: one query per dataset the page shows.
    with read.batch(r for ctx in contexts for r in panel_reads(ctx)):
        cards = [render_panel(ctx) for ctx in contexts]
    header = [] if view.embed else [failing_notice(board), *([toolbar(board, view)] if board.toolbar else [])]
    return html.Div(
        [
            *([html.H1(board.title, className="spartan-page-title")] if title else []),
            *([html.P(board.description, className="spartan-subtitle")] if board.description and title else []),
            *header,
            html.Div(cards, className="panel-grid-12"),
        ],
        className=f"dashboard dashboard-{board.id}",
    )


def layout_for(board_id: str, /, **query) -> html.Div:
    # Positional-only: a ``?board_id=`` in the URL is one more (ignored) query parameter.
    return render_dashboard(DASHBOARDS[board_id], parse_view(query))


for _board in DASHBOARDS.values():
    dash.register_page(
        f"pages.dashboards.{_board.id}",
        path=_board.path,
        name=_board.title,
        title=f"{_board.title} · Spartan Research Station",
        description=_board.description,
        order=_board.order,
        group=_board.group,
        layout=partial(layout_for, _board.id),
    )
