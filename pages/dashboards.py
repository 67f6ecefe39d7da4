"""Every dashboard of config/dashboards/*.yaml as a Dash page, drawn by the panel types.

The page is built server-side on each visit from the cache (first paint has data); its view —
range, log scale, rebasing, compared instruments — comes from the query string, and the toolbar
is plain links that change it, so any view is a shareable URL.
"""

from __future__ import annotations

from functools import lru_cache, partial
from urllib.parse import quote

import dash
import flask
from dash import dcc, html

from components import lazy
from components.cards import failing_sources_notice
from components.view_state import RANGES, ViewState, parse_view
from config.analytics import Ref, load_analytics
from config.catalog_index import catalog
from config.dashboard_specs import Dashboard, check_panel_options, load_dashboards
from pages.panels.base import PANEL_TYPES, PanelContext, option_schemas, panel_reads, render_panel
from pages.panels.core import rebase_by_default
from sql import read
from sql.plans import Read

DASHBOARDS: dict[str, Dashboard] = load_dashboards()


def _check_types() -> None:
    """Every panel names a registered type, has a dataset where its type needs one, and passes
    only the options its type declares (the error names the file and the panel)."""
    schemas = option_schemas()
    for board in DASHBOARDS.values():
        check_panel_options(board, schemas)
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


def toolbar(board: Dashboard, view: ViewState, embed: bool = True) -> html.Div:
    """Range, scale and rebasing as links to the same page with the query changed; only the
    groups the dashboard's panels follow; and the Embed action (``embed``)."""

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
            *([embed_action(board, view)] if embed else []),
        ],
        className="view-toolbar",
        **{"aria-label": "View options"},
    )


def embed_action(board: Dashboard, view: ViewState):
    """The dashboard's Embed: the ``<iframe>`` of this view; with logins on, the Embed dialog,
    which makes a signed link that opens without a login (middleware/embed_dialog.py)."""
    if read.current_settings().auth != "none":
        query = view.query(embed=False).lstrip("?")
        href = f"/account/embed?dashboard={quote(board.id)}" + (f"&{query}" if query else "")
        return html.A("Embed", href=href, className="view-link", title="A signed link to this dashboard")
    return embed_snippet(board.path + view.query(embed=True))


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


@lru_cache(maxsize=1)
def _computed_from() -> dict[str, tuple[tuple[str, frozenset[str] | None], ...]]:
    """What each computed dataset (or computed series of a dataset) is made of, as
    ``(catalog dataset, its keys or None for all)`` (config/analytics.yaml)."""
    config = load_analytics()

    def grouped(refs) -> tuple[tuple[str, frozenset[str]], ...]:
        keys: dict[str, set[str]] = {}
        for ref in refs:
            if ref.dataset:
                keys.setdefault(ref.dataset, set()).add(ref.key)
        return tuple((dataset, frozenset(found)) for dataset, found in keys.items())

    sentiment = [*config.sentiment_scores, *config.sentiment_fear_high]
    if config.term_structure:
        dataset, front, back = config.term_structure
        sentiment += [Ref(dataset, front), Ref(dataset, back)]
    rotation = frozenset({*config.rotation_sectors, config.rotation_benchmark})
    return {
        "correlations": grouped(config.correlation_basket),
        "sector_rotation": ((config.rotation_dataset, rotation),),
        "market_breadth": tuple((dataset, None) for _universe, dataset in config.breadth_universes),
        "sentiment_indicators": grouped(sentiment),
    }


def feeding_sources(contexts: list[PanelContext], reads: list[list[Read]]) -> set[str]:
    """The sources that feed what the panels show: the instruments a panel names (its
    ``keys``), else those it reads (a detail page's symbol), else its whole dataset; computed
    series (correlations, rotation, breadth, the sentiment composite) count their inputs."""
    cat = catalog(read.current_settings())
    wanted: dict[str, set[str] | None] = {}  # dataset → keys (None: every instrument)

    def want(dataset: str, keys) -> None:
        catalogued = {i.key for i in cat.for_dataset(dataset)}
        if catalogued and (keys is None or wanted.get(dataset, set()) is None):
            wanted[dataset] = None
        elif catalogued:
            wanted.setdefault(dataset, set()).update(str(k) for k in keys)
        if not catalogued or keys is None or not {str(k) for k in keys} <= catalogued:
            for source_dataset, inputs in _computed_from().get(dataset, ()):
                want(source_dataset, inputs)

    for ctx, panel_reads_ in zip(contexts, reads, strict=True):
        spec = ctx.spec
        if spec.dataset and spec.keys:
            want(spec.dataset, spec.keys)
        own = [r for r in panel_reads_ if not (spec.keys and r.dataset == spec.dataset)]
        for r in own:
            want(r.dataset, r.keys)
        if spec.dataset and not spec.keys and not any(r.dataset == spec.dataset for r in own):
            want(spec.dataset, None)
    return {
        provider.source
        for inst in cat.instruments
        if inst.dataset in wanted and (wanted[inst.dataset] is None or inst.key in wanted[inst.dataset])
        for provider in inst.providers
    }


def sources_page_href() -> str | None:
    """Where every source's state and error is listed: the panel of source health."""
    for board in DASHBOARDS.values():
        for spec in board.panels:
            if spec.type == "sources_health":
                return f"{board.path}#panel-{board.id}-{spec.id}"
    return None


def failing_notice(contexts: list[PanelContext], reads: list[list[Read]]):
    """One line naming the failing sources among those that feed these panels, linking to
    the System page for their errors; None when they all work."""
    feeding = feeding_sources(contexts, reads)
    if not feeding:
        return None
    try:
        health = read.source_health()
    except read.StorageUnavailable:
        return None
    return failing_sources_notice(health[health["source_id"].isin(feeding)], details_href=sources_page_href())


def page_reads(board: Dashboard, view: ViewState, panels: list | None = None) -> list[Read]:
    """Everything the panels of ``board`` (or just ``panels``) read for ``view``."""
    settings = read.current_settings()
    chosen = [p for p in board.panels if panels is None or p.id in panels]
    return [r for spec in chosen for r in panel_reads(PanelContext(board, spec, view, settings))]


def render_cards(contexts: list[PanelContext]) -> tuple[list[html.Section], list[list[Read]]]:
    """Each panel's card, and the reads each declared: every panel's reads done at once,
    merged (one query per dataset the page shows). The panels may come from several
    dashboards (a personal board, pages/boards.py)."""
    reads = [panel_reads(ctx) for ctx in contexts]
    with read.batch(r for panel in reads for r in panel):
        cards = [render_panel(ctx) for ctx in contexts]
    return lazy.defer_below(cards, [ctx.spec.width for ctx in contexts]), reads


def render_dashboard(board: Dashboard, view: ViewState, panels: list | None = None, title: bool = True) -> html.Div:
    settings = read.current_settings()
    chosen = [p for p in board.panels if panels is None or p.id in panels]
    contexts = [PanelContext(board, spec, view, settings) for spec in chosen]
    cards, reads = render_cards(contexts)
    header = [] if view.embed else [failing_notice(contexts, reads), *([toolbar(board, view)] if board.toolbar else [])]
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
        # the System pages show the station's own state, which moves without a dataset version
        layout_cacheable=_board.group != "System",
    )
