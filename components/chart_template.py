"""The Spartan plotly template, registered as ``"spartan"``: every figure names it."""

from __future__ import annotations

import plotly.graph_objects as go
import plotly.io as pio

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
