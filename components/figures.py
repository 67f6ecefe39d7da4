"""Frames → plotly figures in the Spartan template."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from dash import dcc, html
from tsdownsample import MinMaxLTTBDownsampler

from components.lazy import lazy
from config import theme

SPARTAN_TEMPLATE = go.layout.Template(
    layout=go.Layout(
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        font={"family": theme.FONT_BODY, "color": theme.TEXT, "size": 13},
        colorway=list(theme.SERIES_COLORS),
        xaxis={"gridcolor": theme.GRID_LINE, "zerolinecolor": theme.GRID_LINE, "linecolor": theme.GRID_LINE},
        # automargin: an axis title never collides with its tick labels nor is clipped.
        yaxis={
            "gridcolor": theme.GRID_LINE,
            "zerolinecolor": theme.GRID_LINE,
            "linecolor": theme.GRID_LINE,
            "automargin": True,
            "title": {"standoff": 6},
        },
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


# About two points per pixel of plot width (plotly-resampler's default ratio): more cannot be seen.
POINTS_PER_PIXEL = 2
PAGE_WIDTH_PX = 1340  # the content width of a 12-column panel at 1440 px


def plot_points(width_columns: int = 12) -> int:
    """How many points a trace of a panel ``width_columns`` of 12 wide can show."""
    return POINTS_PER_PIXEL * PAGE_WIDTH_PX * max(1, min(12, width_columns)) // 12


def thin(x: pd.Series, y: pd.Series, max_points: int | None) -> tuple[pd.Series, pd.Series]:
    """``x, y`` (x dates or numbers, ascending) with at most ``max_points`` points, chosen by
    MinMax-LTTB (tsdownsample) so the line keeps its shape, its peaks and troughs; the full series
    is in the panel's CSV and the API."""
    if max_points is None or len(x) <= max_points:
        return x, y
    keep = y.notna().to_numpy()
    x, y = x[keep], y[keep]
    if len(x) <= max_points:
        return x, y
    xs = x.to_numpy()
    xs = xs.astype("datetime64[ns]").astype(np.int64) if np.issubdtype(xs.dtype, np.datetime64) else xs
    index = MinMaxLTTBDownsampler().downsample(xs, y.to_numpy(dtype=float), n_out=max_points)
    return x.iloc[index], y.iloc[index]


def epoch_ms(x: pd.Series):
    """Dates as milliseconds since 1970 for a date axis: a third of the bytes of ISO strings and
    nothing for the browser to parse (plotly.js reads numbers on a date axis as epoch ms)."""
    values = x.to_numpy()
    if not np.issubdtype(values.dtype, np.datetime64):
        return x
    return values.astype("datetime64[ms]").astype(np.int64)


DRAWN_DIGITS = 7  # significant digits a chart keeps when it does not say its decimals


def drawn_values(y: pd.Series, decimals: int | None = None) -> np.ndarray:
    """``y`` as the chart sends it: rounded to the ``decimals`` its tooltip shows (else to
    ``DRAWN_DIGITS`` significant digits of its largest value). The browser gets "100.85", not
    "100.84771234567891" (random digits are the bulk of a chart's bytes); the tooltip reads the
    same; CSV and API keep the stored values."""
    values = pd.to_numeric(y, errors="coerce").to_numpy(dtype=float)
    if decimals is None:
        finite = np.abs(values[np.isfinite(values)])
        if not finite.size or finite.max() == 0:
            return values
        decimals = max(0, DRAWN_DIGITS - 1 - int(np.floor(np.log10(finite.max()))))
    return np.round(values, decimals)


def frequency_days(dates: pd.Series) -> float:
    """The median gap between observations, in days (1 daily, ~30 monthly, ~91 quarterly)."""
    if len(dates) < 3:
        return 1.0
    return float(pd.Series(pd.to_datetime(dates)).diff().dt.total_seconds().median() / 86400)


def shape_for(dates: pd.Series) -> dict:
    """How a series of this frequency is drawn: monthly as steps (a value holds for its month),
    quarterly and rarer as steps with a marker per observation, daily and weekly as lines."""
    days = frequency_days(dates)
    if days >= 80:
        return {"mode": "lines+markers", "line": {"shape": "hv"}, "marker": {"size": 5}}
    if days >= 25:
        return {"mode": "lines", "line": {"shape": "hv"}}
    return {"mode": "lines"}


def history_figure(
    frame: pd.DataFrame,
    labels: dict[str, str],
    unit: str,
    height: int = 320,
    range_selector: bool = True,
    decimals: int = 2,
    max_points: int | None = None,
) -> go.Figure:
    """Time series per ``key`` from ``key, date, value`` rows (in the order keys first appear),
    each drawn at its frequency and thinned to ``max_points``, with an in-chart range selector
    unless the page has its own (``range_selector=False``)."""
    fig = go.Figure(layout={"template": "spartan", "height": height})
    for key, rows in frame.groupby("key", sort=False):
        x, y = thin(rows["date"], rows["value"], max_points)
        fig.add_trace(
            go.Scatter(
                x=epoch_ms(x),
                y=drawn_values(y, decimals),
                name=labels.get(key, key),
                hovertemplate=f"%{{y:,.{decimals}f}}{unit}",
                **shape_for(rows["date"]),
            )
        )
    fig.update_xaxes(type="date")
    if range_selector:
        fig.update_xaxes(rangeselector={"buttons": RANGE_BUTTONS, "bgcolor": theme.CARD, "activecolor": theme.RED})
    fig.update_yaxes(ticksuffix=unit)
    return fig


def log_axis(fig: go.Figure, values, **where) -> go.Figure:
    """A log y axis with readable ticks: 1-2-5 steps across the data's range, written in full
    ("2,000", "5,000", "10,000") instead of plotly's "2, 5, 10k" digits."""
    data = pd.to_numeric(pd.Series(values), errors="coerce")
    data = data[data > 0]
    if data.empty:
        return fig
    low, high = float(data.min()), float(data.max())
    span = range(math.floor(math.log10(low)) - 1, math.ceil(math.log10(high)) + 1)
    ticks = []
    decades = math.log10(high / low)
    for mantissas in ((1,),) if decades > 3.5 else ((1, 2, 5), (1, 1.5, 2, 3, 4, 5, 6, 7, 8)):
        ticks = [m * 10.0**e for e in span for m in mantissas if low / 1.15 <= m * 10.0**e <= high * 1.15]
        if len(ticks) >= 3:
            break
    digits = 2
    while len(ticks) < 3 and digits <= 6:  # narrower still: five steps evenly spaced on the log scale
        ticks = sorted({float(f"{t:.{digits}g}") for t in np.geomspace(low, high, 5)})
        digits += 1
    text = [f"{t:,.0f}" if t >= 1000 or t == round(t) else f"{t:,.6g}" for t in ticks]
    fig.update_yaxes(type="log", tickvals=ticks, ticktext=text, **where)
    return fig


def lazy_graph(graph_id: str, figure: go.Figure, config: dict, height: int) -> html.Div:
    """A chart drawn when it scrolls into view (components/lazy.py): the first screen first."""
    graph = dcc.Graph(id=graph_id, figure=figure, config=config, style={"height": f"{height}px"})
    return lazy(graph_id, graph, "chart", height, **{"data-graph": graph_id})
