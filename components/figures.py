"""Frames → plotly figures in the Spartan template."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from dash import dcc, html
from tsdownsample import MinMaxLTTBDownsampler

from components.axes import fit_margins
from components.lazy import lazy
from config import theme

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
    xs = _naive(x).to_numpy()
    xs = xs.astype("datetime64[ns]").astype(np.int64) if np.issubdtype(xs.dtype, np.datetime64) else xs
    index = MinMaxLTTBDownsampler().downsample(xs, y.to_numpy(dtype=float), n_out=max_points)
    return x.iloc[index], y.iloc[index]


# A bar narrower than this is drawn as part of a filled step area: a bar costs the browser an
# SVG path of its own (1,300 daily bars took ~170 ms to draw, a line of the same points ~50).
BAR_MIN_PX = 2


def too_dense_for_bars(count: int, width_columns: int = 12) -> bool:
    """Whether ``count`` bars across a panel ``width_columns`` of 12 wide are narrower than
    ``BAR_MIN_PX``."""
    return count * BAR_MIN_PX > plot_points(width_columns) // POINTS_PER_PIXEL


def bars(
    x,
    y: pd.Series,
    *,
    name: str,
    color: str,
    value_format: str,
    width_columns: int = 12,
    shown=None,
    **trace,
) -> go.Bar | go.Scatter:
    """A bar series, or, when its bars would be narrower than ``BAR_MIN_PX``, the same values
    as a filled step area (one path, and it reads the same at that density). The tooltip shows
    ``shown`` (default ``y``) in ``value_format`` (a d3 format such as ``",.0f"``)."""
    values = y if shown is None else shown
    hover = f"%{{customdata:{value_format}}}"
    if not too_dense_for_bars(len(y), width_columns):
        return go.Bar(
            x=x,
            y=y,
            customdata=values,
            name=name,
            marker={"color": color, "line": {"width": 0}},
            hovertemplate=hover,
            **trace,
        )
    return go.Scatter(
        x=x,
        y=y,
        customdata=values,
        name=name,
        mode="lines",
        line={"width": 0, "shape": "hv"},
        fill="tozeroy",
        fillcolor=color,
        hovertemplate=hover,
        **trace,
    )


def signed_bars(
    x, y: pd.Series, *, name: str, up: str, down: str, value_format: str, width_columns: int = 12
) -> list[go.Bar | go.Scatter]:
    """Bars coloured ``up`` at or above zero and ``down`` below it; when too dense for bars,
    two filled step areas (the part above zero and the part below), one tooltip for both."""
    if not too_dense_for_bars(len(y), width_columns):
        colors = np.where(y >= 0, up, down)
        return [bars(x, y, name=name, color=colors, value_format=value_format, width_columns=width_columns)]
    above = bars(x, y.clip(lower=0), name=name, color=up, value_format=value_format, shown=y, legendgroup=name)
    below = bars(
        x, y.clip(upper=0), name=name, color=down, value_format=value_format, legendgroup=name, showlegend=False
    )
    below.hoverinfo, below.hovertemplate = "skip", None
    return [above, below]


def _naive(x: pd.Series) -> pd.Series:
    """Timezone-aware stamps (PostgreSQL's timestamptz columns) as naive UTC, so they are
    datetime64 like the rest, not objects; anything else as it is."""
    if isinstance(x.dtype, pd.DatetimeTZDtype):
        return x.dt.tz_convert("UTC").dt.tz_localize(None)
    return x


def epoch_ms(x: pd.Series):
    """Dates as milliseconds since 1970 for a date axis: a third of the bytes of ISO strings and
    nothing for the browser to parse (plotly.js reads numbers on a date axis as epoch ms)."""
    values = _naive(x).to_numpy()
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
                hovertemplate=f"%{{y:,.{decimals}f}}{unit_suffix(unit)}",
                **shape_for(rows["date"]),
            )
        )
    fig.update_xaxes(type="date")
    if range_selector:
        fig.update_xaxes(rangeselector={"buttons": RANGE_BUTTONS, "bgcolor": theme.CARD, "activecolor": theme.RED})
    fig.update_yaxes(ticksuffix=unit_suffix(unit))
    return fig


def unit_suffix(unit: str) -> str:
    """A value's unit as written after it: "4.2%", but "80 $/bbl" (a word-like unit is spaced)."""
    return unit if not unit or unit in ("%", "x") else f" {unit}"


def flag_markers(
    frame: pd.DataFrame, flags: pd.DataFrame, labels: dict[str, str] | None = None, decimals: int = 2
) -> go.Scatter | None:
    """One marker trace of a chart's flagged points (sql.read.quality_flags), drawn on the
    chart's own values (``frame``: ``key, date, value`` as drawn, rebased or not), a hover
    naming each rule, its verdict and what fired; None when none of the drawn points is
    flagged (no trace at all: charts without flags cost nothing)."""
    if flags.empty or frame.empty:
        return None
    drawn = frame[["key", "date", "value"]].assign(
        key=frame["key"].astype(str), day=_naive(frame["date"]).dt.normalize()
    )
    marks = flags[["rule", "status", "detail"]].assign(
        key=flags["key"].astype(str), day=pd.to_datetime(flags["date"]).dt.normalize()
    )
    hit = marks.merge(drawn[["key", "day", "date", "value"]], on=["key", "day"]).dropna(subset=["value"])
    if hit.empty:
        return None
    hit = hit.sort_values(["day", "key", "rule"], kind="stable")
    names = labels or {}
    lines = (
        hit["key"].map(lambda k: names.get(k, k))
        + ": "
        + hit["rule"].str.replace("_", "-")
        + " ("
        + hit["status"]
        + ") — "
        + hit["detail"]
    )
    per_point = hit.groupby(["key", "day"], sort=False)
    points = per_point.agg(date=("date", "first"), value=("value", "first"), status=("status", "first"))
    points["text"] = lines.groupby([hit["key"], hit["day"]], sort=False).agg("<br>".join)
    worst = hit.assign(rank=hit["status"].map({"disputed": 0, "open": 1, "unchecked": 1}).fillna(2))
    points["status"] = worst.sort_values("rank").groupby(["key", "day"], sort=False)["status"].first()
    return go.Scatter(
        x=epoch_ms(points["date"]),
        y=drawn_values(points["value"], decimals),
        name="Quality flags",
        mode="markers",
        marker={
            "symbol": "diamond-open",
            "size": 11,
            "line": {"width": 2},
            "color": points["status"].map(theme.FLAG_COLORS).fillna(theme.WARNING).tolist(),
        },
        customdata=points["text"].tolist(),
        hovertemplate="%{customdata}<extra>quality</extra>",
        showlegend=False,
    )


DATED_TRACES = frozenset({"scatter", "scattergl", "bar", "candlestick", "ohlc"})


def compact_dates(fig: go.Figure) -> go.Figure:
    """Every dated x of the chart's lines and bars as epoch ms (``epoch_ms``), their x axes typed
    ``date``: a panel that handed plotly datetimes sent "2021-12-07T00:00:00.000000" a point
    (half of /crypto's 1.2 MB), and plotly.js parsed each string back into a date."""
    axes = set()
    for trace in fig.data:
        x = getattr(trace, "x", None) if trace.type in DATED_TRACES else None
        if isinstance(x, np.ndarray) and np.issubdtype(x.dtype, np.datetime64):
            axis = "xaxis" + (getattr(trace, "xaxis", None) or "x")[1:]
            if fig.layout[axis].type in (None, "date"):
                trace.x = x.astype("datetime64[ms]").astype(np.int64)
                axes.add(axis)
    for axis in axes:
        fig.layout[axis].type = "date"
    return fig


def lazy_graph(graph_id: str, figure: go.Figure, config: dict, height: int) -> html.Div:
    """A chart drawn when it scrolls into view (components/lazy.py): the first screen first,
    with margins that hold its labels (``fit_margins``), its dates as numbers (``compact_dates``)."""
    figure = compact_dates(fit_margins(figure))
    graph = dcc.Graph(id=graph_id, figure=figure, config=config, style={"height": f"{height}px"})
    return lazy(graph_id, graph, "chart", height, **{"data-graph": graph_id})
