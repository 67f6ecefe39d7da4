"""The detail pages (/instrument/<symbol>, /series/<id>) and what they share with the FRED
explorer: the view toolbar of range/scale links, the page header and the storage-outage state.

A detail page draws the instrument_detail panel (pages/panels/instrument.py) for one catalog key,
from ``?dataset=`` when it holds the key, else the first catalog dataset that does; keys the
catalog does not know get an "unknown symbol" page, never an error. ``detail_page_args`` gives a
page module everything it registers with Dash, so the page modules only name their kind.

(No page of its own: Dash's page discovery passes over modules that never register one.)"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from functools import partial
from types import MappingProxyType
from urllib.parse import quote as url_quote
from urllib.parse import unquote, urlencode

from dash import dcc, html

from components.cards import degraded_state, empty_state
from components.view_state import RANGES, ViewState, parse_view
from config.catalog_index import catalog
from config.dashboard_specs import Dashboard, PanelSpec
from pages.cross_links import related_series, shown_on_line
from pages.panels.base import NoData, PanelContext
from pages.panels.core import SERIES_DATASETS
from pages.panels.instrument import YOY_FREQUENCIES, dataset_keys, frequency, instrument_detail, instrument_rows
from sql import read
from sql.datasets import DATASETS

APP_NAME = "Spartan Research Station"
# The path variable of each kind of detail page: /instrument/<symbol>, /series/<series_id>.
PATH_VARIABLES = {"instrument": "symbol", "series": "series_id"}
# Detail dashboards per dataset (config/dashboards/*-detail.yaml): the picker's home, and where
# a detail page's CSV comes from.
DETAIL_BOARDS = {
    "market_indices": ("index-detail", "/indices/detail"),
    "commodities": ("commodity-detail", "/commodities/detail"),
    "forex_rates": ("fx-detail", "/forex/detail"),
    "crypto_prices": ("crypto-detail", "/crypto/detail"),
}


_SAFE_KEY = re.compile(r"^[A-Za-z0-9^=._:-]{1,64}$")


def _text(query: Mapping, name: str) -> str:
    value = query.get(name)
    if isinstance(value, list | tuple):
        value = value[0] if value else ""
    return str(value or "").strip()


def find_instrument(settings, key: str, wanted: str = "", series: bool = False) -> str | None:
    """The dataset to show ``key`` from: ``wanted`` when it holds the key, else the first
    catalog dataset that does (those of the page's kind first); None for unknown keys."""
    holders = [
        name
        for name in catalog(settings).datasets()
        if name in DATASETS and DATASETS[name].value_column and key in dataset_keys(settings, name)
    ]
    if wanted in holders:
        return wanted
    preferred = [n for n in holders if (n in SERIES_DATASETS) == series]
    return (preferred or holders or [None])[0]


def detail_title(kind: str, key: str | None = None, **variables) -> str:
    """The browser title: "<Label> (<KEY>) · Spartan Research Station" (catalog text only);
    Dash passes the path variable by name (``symbol``, ``series_id``)."""
    key = key or variables.get("symbol") or variables.get("series_id")
    try:
        settings = read.current_settings()
        key = unquote(key or "").strip()
        dataset = find_instrument(settings, key, series=kind == "series") if _SAFE_KEY.match(key) else None
    except Exception:  # noqa: BLE001 - a title must never fail the page
        dataset = None
    if dataset is None:
        return f"Unknown {'series' if kind == 'series' else 'symbol'} · {APP_NAME}"
    label = dataset_keys(settings, dataset).get(key, key)
    return f"{label} ({key}) · {APP_NAME}"


def unknown_page(kind: str, key: str) -> html.Div:
    noun = "series" if kind == "series" else "symbol"
    shown = f"“{key}” is" if _SAFE_KEY.match(key) else f"This {noun} is"
    links = [dcc.Link("← Back to the overview", href="/")]
    if kind == "series":
        links += [" · ", dcc.Link("Search the FRED series", href="/fred-explorer")]
    return html.Div(
        [
            html.H1(f"Unknown {noun}", className="spartan-page-title"),
            empty_state(f"Unknown {noun}", f"{shown} not in the station's catalog."),
            html.P(links, className="mt-3"),
        ],
        className="detail-page detail-unknown",
    )


def view_toolbar(path: str, view: ViewState, extra: Mapping[str, str] | None = None, rebase: bool = False):
    """Range, scale (and rebasing) as links to ``path`` with the query changed; ``extra``
    parameters (``dataset``, ``transform``) are kept on every link."""
    tail = urlencode({k: v for k, v in (extra or {}).items() if v})

    def href(**change) -> str:
        query = view.query(**change)
        return path + (query + ("&" if query else "?") + tail if tail else query)

    def link(label: str, active: bool, **change) -> dcc.Link:
        return dcc.Link(label, href=href(**change), className="view-link active" if active else "view-link")

    groups = [
        ("Range", [link(r if r != "MAX" else "Max", view.range == r, range=r) for r in RANGES]),
        ("Scale", [link("Linear", not view.log, log=False), link("Log", view.log, log=True)]),
    ]
    if rebase:
        groups.append(
            (
                "Comparison",
                [link("Levels", not view.rebase, rebase=False), link("Rebased to 100", view.rebase, rebase=True)],
            )
        )
    return html.Nav(
        [html.Div(items, className="view-group", role="group", **{"aria-label": name}) for name, items in groups],
        className="view-toolbar",
        **{"aria-label": "View options"},
    )


def detail_context(kind: str, key: str, dataset: str, view: ViewState, transform: str) -> PanelContext:
    """A panel context for the detail pages: a one-panel dashboard drawing ``key``."""
    board_id, _path = DETAIL_BOARDS.get(dataset, (f"{kind}-detail", f"/{kind}/{key}"))
    spec = PanelSpec(
        id="detail",
        type="instrument_detail",
        title=key,
        dataset=dataset,
        options=MappingProxyType({"default": key, "transform": transform, "heading": False}),
    )
    board = Dashboard(id=board_id, title=key, path=f"/{kind}/{key}", group="", order=0, description="", panels=(spec,))
    return PanelContext(board, spec, replace(view, compare=(key,)), read.current_settings())


def detail_page(kind: str, raw_key: str | None, query: Mapping) -> html.Div:
    """/instrument/<symbol> and /series/<id>: the instrument_detail panel for one catalog key,
    from ``?dataset=`` when it holds the key, else the first dataset that does."""
    key = unquote(str(raw_key or "")).strip()
    view = replace(parse_view(query), compare=())
    try:
        settings = read.current_settings()
        dataset = find_instrument(settings, key, _text(query, "dataset"), series=kind == "series") if key else None
    except read.StorageUnavailable as exc:
        return html.Div([degraded_state(str(exc))])
    if dataset is None:
        return unknown_page(kind, key)
    label = dataset_keys(settings, dataset).get(key, key)
    transform = "yoy" if kind == "series" and _text(query, "transform").lower() == "yoy" else ""
    ctx = detail_context(kind, key, dataset, view, transform)
    try:
        body = instrument_detail(ctx)
        freq = frequency(instrument_rows(ctx, key)[0]["date"])
    except NoData as exc:
        body, freq = empty_state("No data yet", str(exc) or "The sidecar has not stored this data yet."), None
    except read.StorageUnavailable as exc:
        body, freq = outage_state(exc), None
    path = f"/{kind}/{key}"
    asked = _text(query, "dataset")
    notes = []
    if asked and asked != dataset:
        notes.append(
            html.P(f"That dataset has no {key}; showing it from {DATASETS[dataset].title}.", className="text-warning")
        )
    header = [
        *page_header(
            f"{label} ({key})" if label != key else key,
            [f"{DATASETS[dataset].title} · {key}", *_board_link(dataset, key)],
        ),
        *notes,
    ]
    if not view.embed:
        header.append(view_toolbar(path, view, {"dataset": dataset, "transform": transform}))
        if kind == "series" and freq in YOY_FREQUENCIES:
            header.append(_transform_toggle(path, view, dataset, transform))
    query = replace(view, embed=False).query()
    extra = urlencode({"dataset": dataset, **({"transform": transform} if transform else {})})
    csv = f"/csv/{kind}/{url_quote(key)}.csv" + (f"{query}&{extra}" if query else f"?{extra}")
    actions = [html.A("CSV", href=csv, className="panel-action", title="Download these rows as CSV")]
    if settings.auth != "none" and not view.embed:  # the same link for every user: the layout stays cacheable
        watch = "/watchlists/add?" + urlencode({"kind": kind, "key": key})
        actions.append(html.A("Add to watchlist", href=watch, className="panel-action", title="Add to a watchlist"))
    card = html.Section(
        [html.Div(actions, className="panel-actions d-flex justify-content-end mb-2"), body] if actions else [body],
        className="spartan-card panel panel-instrument_detail",
        id=f"panel-{ctx.dom_id}",
    )
    links = [] if view.embed else [shown_on_line(dataset, key)]
    related = related_series(dataset, key) if kind == "series" and not view.embed else None
    parts = [part for part in (*links, card, related) if part is not None]
    return html.Div([*header, *parts], className=f"detail-page detail-{kind}")


def _board_link(dataset: str, key: str) -> list:
    if dataset not in DETAIL_BOARDS:
        return []
    return [" · ", dcc.Link("compare in the detail dashboard", href=f"{DETAIL_BOARDS[dataset][1]}?compare={key}")]


def _transform_toggle(path: str, view: ViewState, dataset: str, transform: str) -> html.Nav:
    def href(value: str) -> str:
        query = view.query()
        tail = urlencode({"dataset": dataset, **({"transform": value} if value else {})})
        return path + (query + "&" if query else "?") + tail

    return html.Nav(
        html.Div(
            [
                dcc.Link("Levels", href=href(""), className="view-link" + ("" if transform else " active")),
                dcc.Link("YoY %", href=href("yoy"), className="view-link" + (" active" if transform else "")),
            ],
            className="view-group",
            role="group",
            **{"aria-label": "Transform"},
        ),
        className="view-toolbar",
        **{"aria-label": "Transform"},
    )


def page_header(title: str, subtitle) -> list:
    """A page's title and the line under it (the detail pages and the FRED explorer)."""
    return [html.H1(title, className="spartan-page-title"), html.P(subtitle, className="spartan-subtitle")]


def outage_state(exc: Exception) -> html.Div:
    """The body of a page part whose data the database could not give (an outage, not an error)."""
    return degraded_state(f"{exc}. The page will show data again once the database answers.")


def detail_layout(kind: str, /, **variables) -> html.Div:
    """A detail page's layout: Dash passes the path variable by name, the query parameters too."""
    key = variables.pop(PATH_VARIABLES[kind], None)
    return detail_page(kind, key, variables)


def detail_page_args(kind: str, name: str, description: str) -> dict:
    """What a detail page module registers with Dash: its path, browser title and layout."""
    return {
        "path_template": f"/{kind}/<{PATH_VARIABLES[kind]}>",
        "name": name,
        "title": partial(detail_title, kind),
        "description": description,
        "nav": False,
        "layout": partial(detail_layout, kind),
        "layout_cacheable": True,  # built from the data alone (pages/layout_cache.py)
    }
