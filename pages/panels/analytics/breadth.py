"""The market breadth panel type: advance/decline, share above moving averages, new highs and lows."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from components.figures import bars, signed_bars
from config import theme
from pages.panels.analytics.common import (
    BLUE,
    GREEN,
    MUTED,
    RED,
    _days,
    _figure,
    _newest,
    _numeric,
    analytics_config,
    view_choice,
)
from pages.panels.base import NoData, PanelContext, chart, panel_type
from sql import read
from sql.plans import Read

BREADTH_VIEWS = ("ad", "ma", "highs_lows")


def _breadth_view(ctx: PanelContext) -> str:
    return view_choice(ctx, "breadth", BREADTH_VIEWS)


def _universe(ctx: PanelContext) -> str:
    universes = analytics_config().breadth_universes
    return str(ctx.spec.option("universe", universes[0][0] if universes else ""))


def breadth_reads(ctx: PanelContext) -> list[Read]:
    """The universe's breadth over the URL's range."""
    return [Read("rows", "market_breadth", (_universe(ctx),), range=ctx.view.range)]


def breadth_rows(ctx: PanelContext) -> pd.DataFrame:
    universe = _universe(ctx)
    _newest("market_breadth")
    frame = read.fetch(breadth_reads(ctx)[0])
    if frame.empty:
        raise NoData(f"No breadth stored for {universe} yet.")
    numbers = [c for columns in BREADTH_COLUMNS.values() for c in columns if c != "net"]
    frame = _numeric(frame, numbers).assign(date=_days(frame["date"])).sort_values("date")
    return frame.assign(net=frame["advancers"] - frame["decliners"])


BREADTH_COLUMNS = {
    "ad": {
        "advancers": "Advancers",
        "decliners": "Decliners",
        "unchanged": "Unchanged",
        "net": "Advancers - decliners",
        "ad_line": "A/D line",
    },
    "ma": {"pct_above_50d": "% above 50-day MA", "pct_above_200d": "% above 200-day MA"},
    "highs_lows": {"new_highs": "New 52-week highs", "new_lows": "New 52-week lows"},
}


def breadth_data(ctx: PanelContext) -> pd.DataFrame:
    frame = breadth_rows(ctx)
    columns = BREADTH_COLUMNS[_breadth_view(ctx)]
    out = frame[list(columns)].rename(columns=columns)
    out.insert(0, "Date", frame["date"].dt.strftime("%Y-%m-%d"))
    return out.reset_index(drop=True)


@panel_type(
    "breadth",
    breadth_data,
    breadth_reads,
    needs_dataset=False,
    view=("range",),
    options={"view": str, "universe": str, "height": int},
)
def breadth(ctx: PanelContext):
    frame = breadth_rows(ctx)
    view = _breadth_view(ctx)
    height = int(ctx.spec.option("height", 420 if view == "ad" else 320))
    if view == "ad":
        fig = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.62, 0.38], vertical_spacing=0.06)
        fig.add_trace(
            go.Scatter(
                x=frame["date"],
                y=frame["ad_line"],
                name="A/D line",
                mode="lines",
                line={"color": theme.RED_LIGHT},
                hovertemplate="%{y:,.0f}",
            ),
            row=1,
            col=1,
        )
        net = signed_bars(
            frame["date"],
            frame["net"],
            name="Advancers - decliners",
            up=GREEN,
            down=RED,
            value_format="+,.0f",
            width_columns=ctx.spec.width,
        )
        for trace in net:
            fig.add_trace(trace, row=2, col=1)
        fig.update_yaxes(title_text="A/D line", row=1, col=1)
        fig.update_yaxes(title_text="Net advancers", row=2, col=1)
        fig.update_layout(template="spartan", height=height, bargap=0)
    elif view == "ma":
        fig = _figure(height)
        for col, colour in (("pct_above_50d", BLUE), ("pct_above_200d", theme.RED_LIGHT)):
            fig.add_trace(
                go.Scatter(
                    x=frame["date"],
                    y=frame[col],
                    name=BREADTH_COLUMNS["ma"][col],
                    mode="lines",
                    line={"color": colour},
                    hovertemplate="%{y:.1f}%",
                )
            )
        fig.add_hline(y=50, line_width=1, line_color=MUTED, line_dash="dot")
        fig.update_yaxes(range=[0, 100], ticksuffix="%")
    else:
        fig = _figure(height, barmode="relative", bargap=0)
        width = ctx.spec.width
        fig.add_trace(
            bars(
                frame["date"],
                frame["new_highs"],
                name="New 52-week highs",
                color=GREEN,
                value_format=",.0f",
                width_columns=width,
            )
        )
        fig.add_trace(
            bars(
                frame["date"],
                -frame["new_lows"],
                name="New 52-week lows",
                color=RED,
                value_format=",.0f",
                shown=frame["new_lows"],
                width_columns=width,
            )
        )
        fig.update_yaxes(title_text="highs (up) / lows (down)")
    return chart(ctx, fig)
