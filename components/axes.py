"""Axes worked out on the server: log axes with readable ticks, and margins that hold their
tick labels and titles before the browser draws (``fit_margins``)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from components.chart_template import SPARTAN_TEMPLATE


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


# --- margins worked out before the browser draws -------------------------------------------------
#
# With ``automargin`` plotly draws a chart, measures its tick labels and titles, and when they do
# not fit the margins it widens them and draws the chart a second time: about a third of the
# drawing time of a page's charts (bench/README.md). ``fit_margins`` gives every axis the margin
# its labels need from the data, so the first drawing is the last; automargin stays on as the net
# for a label this estimate gets wrong.

CHAR_EM = 0.62  # the advance of a digit, a letter or a minus in Inter, in ems (a comma is less)
LABEL_GAP_PX = 4  # between the tick labels and the plot
SI_SUFFIX = {3: "k", 6: "M", 9: "B", 12: "T"}  # plotly's default exponentformat "B"


def _nice_step(raw: float) -> float:
    """plotly's tick step: 1, 2 or 5 × 10^k at or above ``raw``."""
    if not math.isfinite(raw) or raw <= 0:
        return 1.0
    power = 10.0 ** math.floor(math.log10(raw))
    return next((m * power for m in (1, 2, 5) if m * power >= raw * (1 - 1e-9)), 10 * power)


def tick_labels(low: float, high: float, length_px: float, tickformat: str | None = None) -> list[str]:
    """The tick labels plotly writes on a linear axis from ``low`` to ``high`` that is
    ``length_px`` long (about one tick per 40 px, as plotly's auto ticks): with ``tickformat``
    (a d3 format that Python's ``format`` reads the same way, e.g. ``",.0f"``) or plotly's default
    (``12.5k``, ``1.2M``, decimals as the step needs)."""
    if not (math.isfinite(low) and math.isfinite(high)):
        return []
    if high < low:
        low, high = high, low
    count = min(9, max(4, length_px / 40)) + 1
    step = _nice_step((high - low) / count if high > low else abs(high) / 4 or 1.0)
    first = math.ceil(low / step - 1e-9)
    ticks = [(first + i) * step for i in range(int((high - low) / step + 1e-9) + 1)] or [low]
    if tickformat:
        try:
            return [format(t + 0.0, tickformat.replace("~", "")).replace("-", "−") for t in ticks]
        except ValueError:
            return [f"{t:,.6g}".replace("-", "−") for t in ticks]
    largest = max(abs(t) for t in ticks)
    exponent = 3 * int(math.log10(largest) // 3) if largest >= 1000 else 0
    exponent = min(exponent, 12)
    scale = 10.0**exponent
    decimals = max(0, -math.floor(math.log10(step / scale) + 1e-9))
    suffix = SI_SUFFIX.get(exponent, "")
    return [f"{(t + 0.0) / scale:.{decimals}f}{suffix}".replace("-", "−") for t in ticks]


def _axis_values(fig: go.Figure, axis_id: str, letter: str) -> tuple[list[str], list[float]]:
    """The category labels and the numbers the traces on axis ``axis_id`` ("y", "y2", "x")
    put on it."""
    labels: list[str] = []
    numbers: list[float] = []
    for trace in fig.data:
        if getattr(trace, f"{letter}axis", None) not in (None, axis_id) or trace.type in ("indicator", "pie"):
            continue
        columns = ("high", "low") if trace.type in ("candlestick", "ohlc") and letter == "y" else (letter,)
        if trace.type == "bar" and (trace.orientation == "h") == (letter == "x"):
            columns = (letter,)
        for column in columns:
            values = getattr(trace, column, None)
            if values is None:
                continue
            values = np.asarray(values, dtype=object).ravel()
            numeric = pd.to_numeric(pd.Series(values), errors="coerce")
            if trace.type == "heatmap" or numeric.isna().sum() > len(values) // 2:
                labels.extend(str(v) for v in values if v is not None)
            else:
                numbers.extend(numeric.dropna().tolist())
    return labels, numbers


NARROW = frozenset(".,:;'|!iljtf ()[]/-")  # "-" in names; plotly writes a minus as "−", as wide as a digit


def _text_em(text: str) -> float:
    """Roughly how many ems ``text`` takes in Inter: digits and capitals are wider than most
    lower-case letters, punctuation narrower still."""
    return sum(_char_em(c) for c in text)


def _char_em(c: str) -> float:
    if c in NARROW:
        return 0.32
    if c.isdigit() or c == "−":
        return CHAR_EM
    if c == "%":
        return 1.0
    if c in "MWmw":  # Inter's widest letters ("$/MMBtu", "$/mt" units after tick values)
        return 0.9
    return 0.72 if c.isupper() else 0.56


def _label_width(labels: list[str], size: float) -> float:
    return max((_text_em(text) for text in labels), default=0) * size


def fit_margins(fig: go.Figure) -> go.Figure:
    """Margins that hold each y axis's tick labels and title (and rotated category labels under
    the x axis), worked out from the figure's own data, so plotly draws the chart once."""
    layout = fig.layout
    template = SPARTAN_TEMPLATE.layout
    font = (layout.font.size if layout.font and layout.font.size else None) or template.font.size or 12
    margin = {side: getattr(layout.margin, side, None) for side in "lrtb"}
    margin = {side: value if value is not None else getattr(template.margin, side) for side, value in margin.items()}
    length = (layout.height or 360) - margin["t"] - margin["b"]
    names = {"yaxis"} | {key for key in layout.to_plotly_json() if key.startswith("yaxis")}
    for name in sorted(names):
        axis = layout[name]
        if axis.visible is False or axis.showticklabels is False or axis.matches:
            continue
        labels, numbers = _axis_values(fig, "y" + name[5:], "y")
        if axis.ticktext:
            labels = [str(t) for t in axis.ticktext]
        elif axis.type == "category" or (labels and not numbers):
            pass
        elif numbers or axis.range:
            low, high = (float(v) for v in axis.range) if axis.range else (min(numbers), max(numbers))
            if axis.type == "log":
                labels = [f"{10**e:,.0f}" if e >= 0 else f"{10**e:g}" for e in (math.floor(low), math.ceil(high))]
            else:
                domain = axis.domain or (0, 1)
                labels = tick_labels(low, high, length * (domain[1] - domain[0]), axis.tickformat)
        if not labels:
            continue
        affixes = (axis.tickprefix or "") + (axis.ticksuffix or "")
        width = _label_width(labels, font) + _text_em(affixes) * font + LABEL_GAP_PX
        if any(t.type == "heatmap" for t in fig.data):
            width += 10  # plotly draws a heatmap's ticks outside the axis, 5 px long
        title = axis.title.text if axis.title else None
        if title:
            standoff = axis.title.standoff if axis.title.standoff is not None else template.yaxis.title.standoff
            width += 1.5 * ((axis.title.font.size if axis.title.font else None) or font) + (standoff or 0)
        side = "r" if axis.side == "right" else "l"
        # plotly wants the labels plus ~13 px; the width is an estimate: 12 px keep it from
        # falling short by a pixel or two (a second drawing).
        margin[side] = max(margin[side], math.ceil(width) + 12)
    xaxis = layout.xaxis
    if xaxis.tickangle not in (None, 0) and xaxis.showticklabels is not False:
        labels, numbers = _axis_values(fig, "x", "x")
        if labels and not numbers:
            drop = _label_width(labels, font) * abs(math.sin(math.radians(float(xaxis.tickangle)))) + 1.5 * font
            side = "t" if xaxis.side == "top" else "b"
            margin[side] = max(margin[side], math.ceil(drop) + LABEL_GAP_PX)
    fig.update_layout(margin=margin)
    return fig
