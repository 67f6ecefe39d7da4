"""Shaded periods on a history chart: the dates when one series is below or above a threshold
(an inverted curve: a term spread below 0; a recession: USREC above 0.5; the Sahm rule
triggered: above 0.5). A history panel's ``shade`` option lists them:

    shade: [{key: T10Y3M, below: 0, label: 3m10y inverted}, {key: USREC, above: 0.5, label: NBER recession}]

The series named need not be drawn: the panel reads it with its own (the same dataset, so the
same query) and its CSV gains a column per shading, true on the dates inside it."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from config import theme
from sql.transforms import flagged_periods

# The fill of each shading of a panel, in the order the panel lists them.
SHADE_COLORS = (theme.RED, theme.TEXT_SECONDARY, theme.WARNING)
SHADE_OPACITY = 0.18


@dataclass(frozen=True)
class Shade:
    key: str
    label: str
    below: float | None = None
    above: float | None = None

    def flags(self, values: pd.Series) -> pd.Series:
        if self.below is not None:
            return values < self.below
        return values > self.above


def shades(option) -> list[Shade]:
    """The panel's ``shade`` option as :class:`Shade` values; ``ValueError`` when one is malformed."""
    out = []
    for item in option or []:
        if not isinstance(item, dict) or not isinstance(item.get("key"), str):
            raise ValueError(f"a shading needs a series key: {item!r}")
        below, above = item.get("below"), item.get("above")
        if (below is None) == (above is None):
            raise ValueError(f"a shading needs one of below or above: {item!r}")
        bound = below if below is not None else above
        if isinstance(bound, bool) or not isinstance(bound, int | float):
            raise ValueError(f"a shading's threshold must be a number: {item!r}")
        side = "below" if below is not None else "above"
        label = str(item.get("label") or f"{item['key']} {side} {bound:g}")
        out.append(Shade(item["key"], label, float(below) if below is not None else None,
                         float(above) if above is not None else None))  # fmt: skip
    return out


def shaded_periods(raw: pd.DataFrame, shade: Shade, start=None) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """The periods of ``shade`` in ``raw`` (``key, date, value`` rows as stored), clipped to
    begin no earlier than ``start``."""
    rows = raw[raw["key"] == shade.key].sort_values("date")
    if rows.empty:
        return []
    found = flagged_periods(rows["date"], shade.flags(rows["value"]))
    if start is None:
        return found
    begin = pd.Timestamp(start)
    return [(max(a, begin), b) for a, b in found if b > begin]


def flags_as_of(raw: pd.DataFrame, shade: Shade, dates) -> list[bool]:
    """Whether each of ``dates`` is inside ``shade``: its series' newest reading on or before
    the date is below (above) the threshold (False before its first reading)."""
    rows = raw[raw["key"] == shade.key][["date", "value"]].dropna()
    when = pd.DataFrame({"date": pd.to_datetime(pd.Series(list(dates)))}).reset_index()
    if rows.empty or when.empty:
        return [False] * len(when)
    rows = rows.assign(date=pd.to_datetime(rows["date"])).sort_values("date")
    merged = pd.merge_asof(when.sort_values("date"), rows, on="date", direction="backward").set_index("index")
    flags = shade.flags(merged["value"]) & merged["value"].notna()
    return flags.sort_index().astype(bool).tolist()


def draw(fig: go.Figure, shade: Shade, periods, index: int) -> None:
    """``periods`` as translucent bands behind the chart (full height of the x axis's plot, as
    ``add_vrect`` draws them), one legend entry for the shading. The bands go into the layout in
    one assignment: ``add_vrect`` validates and copies every shape so far at each call, and a
    curve that flips in and out of inversion for decades made it seconds for one chart."""
    color = SHADE_COLORS[index % len(SHADE_COLORS)]
    bands = [
        {
            "type": "rect",
            "xref": "x",
            "yref": "y domain",
            "x0": start.strftime("%Y-%m-%d"),
            "x1": end.strftime("%Y-%m-%d"),
            "y0": 0,
            "y1": 1,
            "fillcolor": color,
            "opacity": SHADE_OPACITY,
            "line": {"width": 0},
            "layer": "below",
            "name": shade.label,
            "legendgroup": f"shade-{index}",
            "showlegend": n == 0,
        }
        for n, (start, end) in enumerate(periods)
    ]
    if bands:
        fig.update_layout(shapes=[*fig.layout.shapes, *bands])
