"""The VIX term structure panel type: the curve of VIX indices and the VIX / VIX3M ratio."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from config import theme
from pages.panels.analytics.common import (
    AMBER,
    BLUE,
    GREEN,
    MUTED,
    RED,
    _days,
    _figure,
    _graph,
    _newest,
    _side_by_side,
    view_choice,
)
from pages.panels.base import NoData, PanelContext, chart, panel_type
from sql import read
from sql.plans import Read

VIX_CURVE = {"VIX9D": 9, "VIX": 30, "VIX3M": 91, "VIX6M": 182}  # index: maturity in days
TERM_SNAPSHOTS = {"Today": 0, "1W ago": 7, "1M ago": 30}
TERM_STRUCTURE_ID = "VIX_TERM_STRUCTURE"
TERM_VIEWS = ("both", "curve", "ratio")


def _term_view(ctx: PanelContext) -> str:
    return view_choice(ctx, "term_structure", TERM_VIEWS)


CURVE_READ = Read("observations", "volatility_indicators", tuple(VIX_CURVE), days=50)


def ratio_read(ctx: PanelContext) -> Read:
    return Read("observations", "sentiment_indicators", (TERM_STRUCTURE_ID,), range=ctx.view.range)


def term_reads(ctx: PanelContext) -> list[Read]:
    """The VIX indices' last weeks (the curve) and/or the VIX/VIX3M ratio over the URL's range."""
    view = _term_view(ctx)
    return [*([CURVE_READ] if view in ("both", "curve") else []), *([ratio_read(ctx)] if view != "curve" else [])]


def vix_curve(ctx: PanelContext) -> tuple[pd.DataFrame, dict[str, date]]:
    """Per index (by maturity) its level today, a week and a month before; and the dates used."""
    _newest("volatility_indicators")
    frame = read.fetch(CURVE_READ)
    if frame.empty:
        raise NoData("No VIX term-structure indices stored yet.")
    wide = frame.assign(date=_days(frame["date"])).pivot_table(
        index="date", columns="key", values="value", aggfunc="last"
    )
    wide = wide.sort_index().ffill(limit=5)
    indices = [k for k in VIX_CURVE if k in wide.columns]
    out = pd.DataFrame({"Index": indices, "Maturity (days)": [VIX_CURVE[k] for k in indices]})
    used: dict[str, date] = {}
    latest = wide.index[-1]
    for label, days in TERM_SNAPSHOTS.items():
        window = wide.loc[: latest - pd.Timedelta(days=days)]
        if window.empty:
            continue
        row = window.iloc[-1]
        out[label] = [row.get(k) for k in indices]
        used[label] = window.index[-1].date()
    return out, used


def term_ratio(ctx: PanelContext) -> pd.DataFrame:
    _newest("sentiment_indicators")
    frame = read.fetch(ratio_read(ctx))
    if frame.empty:
        raise NoData("The VIX/VIX3M ratio has not been computed yet.")
    return frame.assign(date=_days(frame["date"])).sort_values("date")


def _term_parts(ctx: PanelContext) -> tuple[tuple[pd.DataFrame, dict[str, date]] | None, pd.DataFrame | None]:
    """The curve and the ratio history the view asks for; either may be missing in ``both``
    (NoData only when nothing at all is there)."""
    view = _term_view(ctx)
    curve = ratio = None
    missing: NoData | None = None
    if view in ("both", "curve"):
        try:
            curve = vix_curve(ctx)
        except NoData as exc:
            missing = exc
    if view in ("both", "ratio"):
        try:
            ratio = term_ratio(ctx)
        except NoData as exc:
            missing = missing or exc
    if curve is None and ratio is None:
        raise missing or NoData()
    return curve, ratio


def term_structure_data(ctx: PanelContext) -> pd.DataFrame:
    view = _term_view(ctx)
    curve, ratio = _term_parts(ctx)
    if view == "curve":
        frame, used = curve
        return frame.round(4).rename(columns={k: f"{k} ({v:%Y-%m-%d})" for k, v in used.items()})
    if view == "ratio":
        return pd.DataFrame(
            {
                "Date": ratio["date"].dt.strftime("%Y-%m-%d").to_numpy(),
                "VIX/VIX3M": ratio["value"].round(6).to_numpy(),
                "State": np.where(ratio["value"] > 1, "backwardation", "contango"),
            }
        )
    parts = []
    if curve is not None:
        frame, used = curve
        for label, when in used.items():
            parts.append(
                pd.DataFrame(
                    {
                        "Series": f"Curve {label}",
                        "Date": when.isoformat(),
                        "Index": frame["Index"],
                        "Maturity (days)": frame["Maturity (days)"],
                        "Value": frame[label].round(4),
                    }
                )
            )
    if ratio is not None:
        parts.append(
            pd.DataFrame(
                {"Series": "VIX/VIX3M", "Date": ratio["date"].dt.strftime("%Y-%m-%d"), "Value": ratio["value"].round(6)}
            )
        )
    columns = ["Series", "Date", "Index", "Maturity (days)", "Value"]
    out = pd.concat(parts, ignore_index=True).reindex(columns=columns)
    return out.astype({"Maturity (days)": "Int64"})


def _curve_figure(curve: pd.DataFrame, used: dict[str, date], height: int) -> go.Figure:
    fig = _figure(height, hovermode="x")
    styles = (
        {"width": 3, "color": theme.RED_LIGHT},
        {"width": 2, "dash": "dot", "color": BLUE},
        {"width": 2, "dash": "dash", "color": AMBER},
    )
    for i, (label, when) in enumerate(used.items()):
        fig.add_trace(
            go.Scatter(
                x=curve["Maturity (days)"],
                y=curve[label],
                name=f"{label} ({when:%Y-%m-%d})",
                mode="lines+markers",
                line=styles[i % len(styles)],
                customdata=curve["Index"],
                hovertemplate="%{customdata}: %{y:.2f}<extra>" + label + "</extra>",
            )
        )
    fig.update_xaxes(
        tickvals=list(curve["Maturity (days)"]),
        ticktext=[f"{k}<br>{d}d" for k, d in zip(curve["Index"], curve["Maturity (days)"], strict=True)],
    )
    fig.update_yaxes(title_text="implied volatility")
    fig.update_layout(title={"text": "VIX curve by maturity", "font": {"size": 13}, "x": 0, "xanchor": "left"})
    return fig


def _ratio_figure(ratio: pd.DataFrame, height: int) -> go.Figure:
    fig = _figure(height, showlegend=False)
    top = max(1.25, float(ratio["value"].max()) * 1.03)
    bottom = min(0.75, float(ratio["value"].min()) * 0.97)
    fig.add_hrect(y0=1, y1=top, fillcolor=RED, opacity=0.08, line_width=0, layer="below")
    fig.add_hrect(y0=bottom, y1=1, fillcolor=GREEN, opacity=0.05, line_width=0, layer="below")
    fig.add_trace(
        go.Scatter(
            x=ratio["date"],
            y=ratio["value"],
            name="VIX/VIX3M",
            mode="lines",
            line={"color": theme.RED_LIGHT, "width": 1.6},
            hovertemplate="%{y:.3f}<extra>VIX/VIX3M</extra>",
        )
    )
    fig.add_hline(y=1, line_width=1, line_color=theme.TEXT, line_dash="dot")
    for y, text, anchor in ((top, "backwardation (stress)", "top"), (bottom, "contango (calm)", "bottom")):
        fig.add_annotation(
            xref="paper",
            x=0.01,
            y=y,
            yanchor=anchor,
            xanchor="left",
            text=text,
            showarrow=False,
            font={"size": 11, "color": MUTED},
        )
    last = ratio.iloc[-1]
    state = "backwardation" if last["value"] > 1 else "contango"
    fig.update_yaxes(range=[bottom, top])
    fig.update_layout(
        title={"text": f"VIX / VIX3M: {last['value']:.2f} ({state})", "font": {"size": 13}, "x": 0, "xanchor": "left"}
    )
    return fig


@panel_type(
    "term_structure",
    term_structure_data,
    term_reads,
    needs_dataset=False,
    view=("range",),
    options={"view": str, "height": int},
)
def term_structure(ctx: PanelContext):
    curve, ratio = _term_parts(ctx)
    height = int(ctx.spec.option("height", 340))
    figures = []
    if curve is not None:
        figures.append(("curve", _curve_figure(*curve, height)))
    if ratio is not None:
        figures.append(("ratio", _ratio_figure(ratio, height)))
    if len(figures) == 1:
        return chart(ctx, figures[0][1])
    return _side_by_side(*[_graph(ctx, fig, part) for part, fig in figures])
