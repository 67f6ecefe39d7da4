"""FRED explorer: search the catalog's FRED series, chart several together, see their latest values.

The selection lives in the URL (``?compare=DGS10,UNRATE``), so a link reproduces it: the page
draws the URL's selection server-side, and changing the dropdown rewrites ``?compare=`` (the
picker callback of components/picker.py), which re-renders the page. Range, log scale and
rebasing are toolbar links, as on the dashboards.
"""

from __future__ import annotations

from dataclasses import replace

import dash
import pandas as pd
from dash import html

from components.axes import log_axis
from components.cards import empty_state, panel
from components.figures import history_figure, lazy_graph, plot_points
from components.grid import data_grid, number_column, text_column
from components.picker import picker
from components.view_state import ViewState, parse_view
from config.catalog_index import catalog, units
from pages.detail import outage_state, page_header, view_toolbar
from pages.panels.base import graph_config
from pages.panels.core import axis_unit
from sql import read
from sql.transforms import latest_with_change

PATH = "/fred-explorer"
DATASET = "fred_series"
DEFAULT_SELECTION = ("DGS10", "DGS2")
MAX_SERIES = 8
DOM_ID = "fred-explorer"

dash.register_page(
    __name__,
    path=PATH,
    name="FRED explorer",
    title="FRED explorer · Spartan Research Station",
    description="Search the stored FRED series and chart several together.",
    group="Economy",
    order=90,
)


def series_labels() -> dict[str, str]:
    return {i.key: i.label for i in catalog(read.current_settings()).for_dataset(DATASET)}


def selection(query: dict, labels: dict[str, str]) -> tuple[list[str], bool]:
    """The series to draw (catalogued ones of ``?compare=``, at most MAX_SERIES; the defaults
    when the URL names none) and whether the URL asked for something the catalog lacks."""
    view = parse_view(query)
    asked = [k for k in view.compare if k in labels][:MAX_SERIES]
    raw = query.get("compare")
    raw = (raw[0] if raw else "") if isinstance(raw, list | tuple) else raw
    dropped = bool(raw) and len(asked) < len([p for p in str(raw).split(",") if p.strip()])
    if "compare" in query and not asked and not raw:
        return [], False  # cleared on purpose: an empty chart with a hint
    if not asked:
        asked = [k for k in DEFAULT_SELECTION if k in labels] or list(labels)[:2]
    return asked, dropped


def _name(key: str, labels: dict[str, str]) -> str:
    label = labels.get(key, key)
    return key if label == key else f"{key} — {label}"


def chart_card(keys: list[str], labels: dict[str, str], view: ViewState):
    newest = read.latest_date(DATASET)
    if newest is None:
        return panel("Chart", empty_state("No data yet", "No FRED series stored yet."))
    frame = read.observations(DATASET, keys, view.start(newest))
    if frame.empty:
        return panel("Chart", empty_state("No data yet", "Nothing stored for these series in this range."))
    if view.rebase:
        first = frame.groupby("key")["value"].transform("first")
        frame = frame.assign(value=100 * frame["value"] / first.where(first != 0))
    order = {k: i for i, k in enumerate(keys)}
    frame = frame.sort_values(["key", "date"], key=lambda c: c.map(order) if c.name == "key" else c)
    fig = history_figure(
        frame, {k: _name(k, labels) for k in keys}, "", height=440, range_selector=False, max_points=plot_points()
    )
    if view.rebase:
        fig.update_yaxes(title_text="rebased to 100")
    else:
        axis_unit(fig, units(read.current_settings(), DATASET), keys)
    if view.log and frame["value"].min() > 0:
        log_axis(fig, frame["value"])
    graph = lazy_graph(f"graph-{DOM_ID}", fig, graph_config(f"spartan-{DOM_ID}"), 440)
    return panel("Chart", graph)


def table_card(keys: list[str], labels: dict[str, str]):
    latest = latest_with_change(read.last_two(DATASET))
    latest = latest[latest["key"].isin(keys)].set_index("key").reindex(keys).reset_index()
    latest = latest[latest["value"].notna()]
    if latest.empty:
        return panel("Latest values", empty_state("No data yet", "Nothing stored for these series yet."))
    frame = pd.DataFrame(
        {
            "Series": [f"[{k}](/series/{k}?dataset={DATASET})" for k in latest["key"]],
            "Name": [labels.get(k, k) for k in latest["key"]],
            "Last": latest["value"],
            "Change": latest["change"],
            "Change %": (100 * latest["change"] / latest["previous"].where(latest["previous"] != 0)).round(4),
            "Date": pd.to_datetime(latest["date"]).dt.strftime("%Y-%m-%d"),
            "Source": latest["source"],
        }
    )
    columns = [
        text_column("Series", "Series", cellRenderer="markdown"),
        text_column("Name", "Name", minWidth=220),
        number_column("Last", "Last"),
        number_column("Change", "Change", change=True),
        number_column("Change %", "Change %", change=True),
        text_column("Date", "Date"),
        text_column("Source", "Source"),
    ]
    grid = data_grid(f"{DOM_ID}-latest", frame, columns, filename="spartan-fred-explorer", height=80 + 42 * len(frame))
    return panel("Latest values", grid)


def layout(**query) -> html.Div:
    view = parse_view(query)
    header = page_header(
        "FRED explorer",
        f"Search the stored FRED series by id or name and chart up to {MAX_SERIES} together; "
        "the link reproduces the selection.",
    )
    labels = series_labels()
    if not labels:
        return html.Div([*header, empty_state("No FRED series", "The catalog lists no FRED series.")])
    keys, dropped = selection(query, labels)
    options = [{"label": _name(k, labels), "value": k} for k in labels]
    parts = [*header]
    if not view.embed:
        parts.append(picker(DOM_ID, options, keys, multi=True, max_items=MAX_SERIES, placeholder="Search FRED series…"))
    if dropped:
        parts.append(
            html.P("Some requested series are not in the catalog and were left out.", className="text-warning")
        )
    view = replace(view, compare=tuple(keys))
    if not view.embed:
        parts.append(view_toolbar(PATH, view, rebase=True))
    if not keys:
        parts.append(empty_state("No series selected", "Pick one or more series above to chart them."))
        return html.Div(parts, className="explorer")
    try:
        parts += [chart_card(keys, labels, view), table_card(keys, labels)]
    except read.StorageUnavailable as exc:
        parts.append(outage_state(exc))
    return html.Div(parts, className="explorer")
