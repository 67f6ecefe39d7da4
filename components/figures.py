"""Frames → plotly figures in the Spartan template."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from dash import MATCH, Input, Output, State, dcc, html

from config import theme

SPARTAN_TEMPLATE = go.layout.Template(
    layout=go.Layout(
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        font={"family": theme.FONT_BODY, "color": theme.TEXT, "size": 13},
        colorway=list(theme.SERIES_COLORS),
        xaxis={"gridcolor": theme.GRID_LINE, "zerolinecolor": theme.GRID_LINE, "linecolor": theme.GRID_LINE},
        yaxis={"gridcolor": theme.GRID_LINE, "zerolinecolor": theme.GRID_LINE, "linecolor": theme.GRID_LINE},
        hoverlabel={"font": {"family": theme.FONT_MONO}, "bgcolor": theme.NAVY_DARK},
        # Below the plot: the range selector and the mode bar share the top edge.
        legend={"orientation": "h", "y": -0.14, "yanchor": "top", "x": 0, "bgcolor": "rgba(0,0,0,0)"},
        margin={"l": 48, "r": 16, "t": 36, "b": 56},
        hovermode="x unified",
    )
)
pio.templates["spartan"] = SPARTAN_TEMPLATE

RANGE_BUTTONS = [
    {"count": 1, "label": "1M", "step": "month", "stepmode": "backward"},
    {"count": 3, "label": "3M", "step": "month", "stepmode": "backward"},
    {"count": 6, "label": "6M", "step": "month", "stepmode": "backward"},
    {"count": 1, "label": "YTD", "step": "year", "stepmode": "todate"},
    {"count": 1, "label": "1Y", "step": "year", "stepmode": "backward"},
    {"count": 5, "label": "5Y", "step": "year", "stepmode": "backward"},
    {"step": "all", "label": "Max"},
]


def yield_curve_figure(snapshots: pd.DataFrame, labels: list[str]) -> go.Figure:
    """Treasury curve by maturity, one line per snapshot (e.g. today, 1M ago, 1Y ago)."""
    fig = go.Figure(layout={"template": "spartan", "height": 360})
    dates = snapshots.attrs.get("dates", {})
    styles = ({"width": 3}, {"width": 2, "dash": "dot"}, {"width": 2, "dash": "dash"})
    for i, label in enumerate(labels):
        when = dates.get(label)
        name = f"{label} ({when:%Y-%m-%d})" if when else label
        fig.add_trace(
            go.Scatter(
                x=snapshots["tenor"],
                y=snapshots[label],
                name=name,
                mode="lines+markers",
                line=styles[i % len(styles)],
                hovertemplate="%{x}: %{y:.2f}%<extra>" + label + "</extra>",
            )
        )
    fig.update_layout(hovermode="x", yaxis_title="Yield (%)")
    fig.update_xaxes(type="category")
    return fig


def history_figure(
    frame: pd.DataFrame, labels: dict[str, str], unit: str, height: int = 320, range_selector: bool = True
) -> go.Figure:
    """Time series per ``key`` from ``key, date, value`` rows (in the order keys first appear),
    with an in-chart range selector unless the page has its own (``range_selector=False``)."""
    fig = go.Figure(layout={"template": "spartan", "height": height})
    for key, rows in frame.groupby("key", sort=False):
        fig.add_trace(
            go.Scatter(
                x=rows["date"],
                y=rows["value"],
                name=labels.get(key, key),
                mode="lines",
                hovertemplate="%{y:.2f}" + unit,
            )
        )
    if range_selector:
        fig.update_xaxes(rangeselector={"buttons": RANGE_BUTTONS, "bgcolor": theme.CARD, "activecolor": theme.RED})
    fig.update_yaxes(ticksuffix=unit)
    return fig


LAZY_TYPES = ("lazy-chart", "lazy-seen", "lazy-figure")


def lazy_graph(graph_id: str, figure: go.Figure, config: dict, height: int) -> html.Div:
    """A chart drawn when it scrolls into view (``assets/lazy-charts.js``), so a page's first
    screen is drawn first: each plotly chart costs the browser ~0.1 s however few its points.

    The page carries the figure in a store beside a placeholder of the chart's height; once the
    placeholder nears the viewport the script marks it seen and a clientside callback
    (``register_callbacks``) puts the ``dcc.Graph`` ``graph_id`` in its place, with no server
    round trip. Charts on the first screen are drawn at once."""
    style = {"height": f"{height}px"}
    return html.Div(
        [
            html.Div(
                id={"type": "lazy-chart", "index": graph_id},
                className="lazy-chart",
                style=style,
                **{"data-graph": graph_id},
            ),
            dcc.Store(id={"type": "lazy-seen", "index": graph_id}, data=False),
            dcc.Store(
                id={"type": "lazy-figure", "index": graph_id},
                data={"id": graph_id, "figure": figure, "config": config, "style": style},
            ),
        ],
        className="lazy-chart-frame",
    )


# The seen flag flips once: the placeholder's children become the graph.
DRAW_JS = """
function (seen, spec) {
    if (!seen || !spec) { return window.dash_clientside.no_update; }
    return {
        type: "Graph",
        namespace: "dash_core_components",
        props: {id: spec.id, figure: spec.figure, config: spec.config, style: spec.style},
    };
}
"""


def register_callbacks(app) -> None:
    """The clientside callback that draws a lazy chart once it is seen (on ``app``: see
    components/grid.register_callbacks)."""
    app.clientside_callback(
        DRAW_JS,
        Output({"type": "lazy-chart", "index": MATCH}, "children"),
        Input({"type": "lazy-seen", "index": MATCH}, "data"),
        State({"type": "lazy-figure", "index": MATCH}, "data"),
    )
