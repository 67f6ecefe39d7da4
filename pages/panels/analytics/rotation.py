"""Sector rotation panel types: the relative rotation graph (RS-Ratio × RS-Momentum with tails)
and its table of quadrants and returns."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from components.grid import data_grid, number_column, text_column
from config import theme
from config.catalog_index import labels
from pages.panels.analytics.common import (
    AMBER,
    BLUE,
    GREEN,
    MUTED,
    RED,
    _days,
    _figure,
    _label_overrides,
    _newest,
    _numeric,
    analytics_config,
)
from pages.panels.base import NoData, PanelContext, chart, panel_type
from sql import read
from sql.plans import Read

QUADRANTS = {  # name: (colour, x side, y side) around (100, 100)
    "Leading": (GREEN, 1, 1),
    "Weakening": (AMBER, 1, -1),
    "Lagging": (RED, -1, -1),
    "Improving": (BLUE, -1, 1),
}
SECTOR_COLORS = (*theme.SERIES_COLORS, "#f06292", "#aed581", "#4db6ac", "#fff176", "#9575cd", "#a1887f")


def quadrant(rs_ratio: float, rs_momentum: float) -> str:
    """The relative-rotation quadrant (the rule of jobs/analytics/compute.rotation_quadrant)."""
    if rs_ratio is None or rs_momentum is None or pd.isna(rs_ratio) or pd.isna(rs_momentum):
        return ""
    if rs_ratio >= 100:
        return "Leading" if rs_momentum >= 100 else "Weakening"
    return "Improving" if rs_momentum >= 100 else "Lagging"


def _sectors(ctx: PanelContext) -> list[str]:
    return list(ctx.spec.keys) if ctx.spec.keys else list(analytics_config().rotation_sectors)


def _sector_names(ctx: PanelContext) -> dict[str, str]:
    """Sector names ("Health Care" for "Health Care Select Sector SPDR")."""
    found = labels(ctx.settings, analytics_config().rotation_dataset)
    short = {k: re.sub(r"\s+Select Sector SPDR( Fund)?$", "", v) for k, v in found.items()}
    return {**short, **_label_overrides(ctx)}


RETURN_COLUMNS = {
    "return_1w": "1W %",
    "return_1m": "1M %",
    "return_3m": "3M %",
    "return_6m": "6M %",
    "return_1y": "1Y %",
}


def _tail_weeks(ctx: PanelContext) -> int:
    return max(1, int(ctx.spec.option("tail_weeks", 8)))


def rotation_read(ctx: PanelContext, days: int) -> Read:
    return Read("rows", "sector_rotation", tuple(_sectors(ctx)), days=days)


def rotation_graph_reads(ctx: PanelContext) -> list[Read]:
    """The sectors' weekly tails: ``tail_weeks`` weeks and a month of slack."""
    return [rotation_read(ctx, 7 * _tail_weeks(ctx) + 30)]


def rotation_table_reads(ctx: PanelContext) -> list[Read]:
    """The sectors' last three weeks (their newest rows)."""
    return [rotation_read(ctx, 21)]


def rotation_rows(ctx: PanelContext, days: int) -> pd.DataFrame:
    """The sectors' rows against the benchmark over the ``days`` up to the newest date."""
    _newest("sector_rotation")
    benchmark = str(ctx.spec.option("benchmark", analytics_config().rotation_benchmark))
    frame = read.fetch(rotation_read(ctx, days))
    if not frame.empty:
        frame = frame[frame["benchmark"] == benchmark]
    if frame.empty:
        raise NoData("No sector rotation stored yet.")
    frame = _numeric(frame, ["rs_ratio", "rs_momentum", *RETURN_COLUMNS])
    return frame.assign(date=_days(frame["date"]))


def rotation_tails(ctx: PanelContext) -> pd.DataFrame:
    """Per sector its last ``tail_weeks`` weekly points (every 5th trading day back from its newest)."""
    tail = _tail_weeks(ctx)
    frame = rotation_rows(ctx, days=7 * tail + 30).dropna(subset=["rs_ratio", "rs_momentum"])
    order = {s: i for i, s in enumerate(_sectors(ctx))}
    parts = []
    for _symbol, rows in frame.groupby("symbol", sort=False):
        rows = rows.sort_values("date")
        parts.append(rows.iloc[::-1].iloc[::5].iloc[:tail].iloc[::-1])
    if not parts:
        raise NoData("No sector has a relative-strength reading yet.")
    out = pd.concat(parts, ignore_index=True)
    return out.sort_values(["symbol", "date"], key=lambda c: c.map(order) if c.name == "symbol" else c, kind="stable")


def rotation_graph_data(ctx: PanelContext) -> pd.DataFrame:
    tails = rotation_tails(ctx)
    names = _sector_names(ctx)
    return pd.DataFrame(
        {
            "Sector": tails["symbol"].map(names).fillna(tails["symbol"]).to_numpy(),
            "Symbol": tails["symbol"].to_numpy(),
            "Date": tails["date"].dt.strftime("%Y-%m-%d").to_numpy(),
            "RS-Ratio": tails["rs_ratio"].round(4).to_numpy(),
            "RS-Momentum": tails["rs_momentum"].round(4).to_numpy(),
            "Quadrant": [quadrant(r, m) for r, m in zip(tails["rs_ratio"], tails["rs_momentum"], strict=True)],
        }
    )


@panel_type(
    "rotation_graph",
    rotation_graph_data,
    rotation_graph_reads,
    needs_dataset=False,
    options={"benchmark": str, "tail_weeks": int, "labels": dict, "height": int},
)
def rotation_graph(ctx: PanelContext):
    tails = rotation_tails(ctx)
    names = _sector_names(ctx)
    span_x = max(2.0, float((tails["rs_ratio"] - 100).abs().max()) * 1.15)
    span_y = max(2.0, float((tails["rs_momentum"] - 100).abs().max()) * 1.15)
    fig = _figure(int(ctx.spec.option("height", 520)), hovermode="closest", showlegend=True)
    for name, (colour, sx, sy) in QUADRANTS.items():
        fig.add_shape(
            type="rect",
            x0=100,
            x1=100 + sx * span_x,
            y0=100,
            y1=100 + sy * span_y,
            fillcolor=colour,
            opacity=0.07,
            line_width=0,
            layer="below",
        )
        fig.add_annotation(
            x=100 + sx * span_x * 0.97,
            y=100 + sy * span_y * 0.97,
            text=name,
            showarrow=False,
            xanchor="right" if sx > 0 else "left",
            yanchor="top" if sy > 0 else "bottom",
            font={"size": 13, "color": colour},
        )
    fig.add_hline(y=100, line_width=1, line_color=MUTED)
    fig.add_vline(x=100, line_width=1, line_color=MUTED)
    ends = tails.sort_values("date").groupby("symbol", sort=False).tail(1)
    placed = label_positions(
        {r.symbol: (r.rs_ratio, r.rs_momentum) for r in ends.itertuples()},
        (100 - span_x, 100 + span_x),
        (100 - span_y, 100 + span_y),
    )
    for i, (symbol, rows) in enumerate(tails.groupby("symbol", sort=False)):
        colour = SECTOR_COLORS[i % len(SECTOR_COLORS)]
        title = names.get(symbol, symbol)
        dates = rows["date"].dt.strftime("%Y-%m-%d")
        size = [5] * (len(rows) - 1) + [12]
        fig.add_trace(
            go.Scatter(
                x=rows["rs_ratio"],
                y=rows["rs_momentum"],
                mode="lines+markers+text",
                name=symbol,
                legendgroup=symbol,
                line={"color": colour, "width": 1.5},
                marker={"color": colour, "size": size, "line": {"width": 0}},
                text=[""] * (len(rows) - 1) + [symbol],
                textposition=placed.get(symbol, "top center"),
                textfont={"color": colour, "size": 11},
                customdata=np.stack([dates, [title] * len(rows)], axis=-1),
                hovertemplate="%{customdata[1]}<br>%{customdata[0]}<br>RS-Ratio %{x:.2f}"
                "<br>RS-Momentum %{y:.2f}<extra></extra>",
            )
        )
    fig.update_xaxes(range=[100 - span_x, 100 + span_x], title_text="RS-Ratio", zeroline=False)
    fig.update_yaxes(range=[100 - span_y, 100 + span_y], title_text="RS-Momentum", zeroline=False)
    fig.update_layout(legend={"y": -0.16}, margin={"b": 80})
    return chart(ctx, fig)


# Where a label can sit around its point, in order of preference, as a box offset in pixels
# (left, top) from the point for a label ``w`` wide and 12 px high.
LABEL_SPOTS = {
    "top center": lambda w: (-w / 2, -20),
    "bottom center": lambda w: (-w / 2, 8),
    "middle right": lambda w: (8, -6),
    "middle left": lambda w: (-w - 8, -6),
    "top right": lambda w: (4, -18),
    "bottom left": lambda w: (-w - 4, 6),
}


def label_positions(
    points: dict[str, tuple[float, float]], x_range: tuple[float, float], y_range: tuple[float, float]
) -> dict[str, str]:
    """A text position for each point's label such that labels do not overlap (XLB beside XLP):
    greedy, in order of preference, on a plot of about 600 × 420 px (7 px a character)."""
    width_px, height_px = 600, 420

    def pixel(x: float, y: float) -> tuple[float, float]:
        px = (x - x_range[0]) / (x_range[1] - x_range[0]) * width_px
        py = (y_range[1] - y) / (y_range[1] - y_range[0]) * height_px
        return px, py

    boxes: list[tuple[float, float, float, float]] = []
    out = {}
    for name, (x, y) in sorted(points.items(), key=lambda item: -item[1][1]):
        px, py = pixel(x, y)
        w = 7 * len(name)
        chosen, chosen_box = "top center", None
        for spot, offset in LABEL_SPOTS.items():
            dx, dy = offset(w)
            box = (px + dx, py + dy, px + dx + w, py + dy + 12)
            if not any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3] for b in boxes):
                chosen, chosen_box = spot, box
                break
        if chosen_box is None:
            dx, dy = LABEL_SPOTS[chosen](w)
            chosen_box = (px + dx, py + dy, px + dx + w, py + dy + 12)
        boxes.append(chosen_box)
        out[name] = chosen
    return out


def rotation_table_data(ctx: PanelContext) -> pd.DataFrame:
    frame = rotation_rows(ctx, days=21)
    latest = frame.sort_values("date").groupby("symbol", sort=False).tail(1)
    names = _sector_names(ctx)
    out = pd.DataFrame(
        {
            "Sector": latest["symbol"].map(names).fillna(latest["symbol"]).to_numpy(),
            "Symbol": latest["symbol"].to_numpy(),
            "Quadrant": [quadrant(r, m) for r, m in zip(latest["rs_ratio"], latest["rs_momentum"], strict=True)],
            "RS-Ratio": latest["rs_ratio"].round(4).to_numpy(),
            "RS-Momentum": latest["rs_momentum"].round(4).to_numpy(),
            **{title: latest[col].round(4).to_numpy() for col, title in RETURN_COLUMNS.items()},
            "Date": latest["date"].dt.strftime("%Y-%m-%d").to_numpy(),
        }
    )
    return out.sort_values("RS-Ratio", ascending=False, na_position="last").reset_index(drop=True)


@panel_type(
    "rotation_table",
    rotation_table_data,
    rotation_table_reads,
    needs_dataset=False,
    options={"benchmark": str, "labels": dict},
)
def rotation_table(ctx: PanelContext):
    frame = rotation_table_data(ctx)
    columns = [
        text_column("Sector", "Sector", minWidth=180, flex=2),
        text_column("Symbol", "Symbol", minWidth=90),
        text_column(
            "Quadrant",
            "Quadrant",
            minWidth=120,
            cellClassRules={"up": "params.value == 'Leading'", "down": "params.value == 'Lagging'"},
        ),
        {**number_column("RS-Ratio", "RS-Ratio"), "minWidth": 105},
        {**number_column("RS-Momentum", "RS-Momentum"), "minWidth": 150},
        *[{**number_column(title, title, change=True), "minWidth": 90} for title in RETURN_COLUMNS.values()],
        text_column("Date", "Date", minWidth=115),
    ]
    height = max(160, min(600, 64 + 43 * len(frame)))
    return data_grid(ctx.dom_id, frame, columns, filename=f"spartan-{ctx.dom_id}", height=height)
