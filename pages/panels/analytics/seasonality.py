"""The ``seasonality`` panel: one instrument's monthly returns as a heatmap, a row per year and a
column per month (red below zero, green above, white at zero), with the year's return beside
them, an average row below, and a bar chart of each month's average and how often it was up.

The instrument is the panel's ``default``; with ``picker: true`` (the dropdown of the detail
pages) the URL's first ``?compare=`` key of the panel's dataset chooses it instead.
Option ``years`` (default 25) is how many years back it reads: the chart does not follow the
view's range, which would leave one or two rows. Computed on the page from one read of the
instrument's closes (a few thousand rows: no sidecar table needed).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from dash import dcc, html

from components.numbers import format_pct
from components.picker import picker
from config import theme
from pages.panels.analytics.common import GREEN, MUTED, RED, _days, _figure, picked_instrument
from pages.panels.analytics.measures import MONTHS, month_summary, monthly_returns
from pages.panels.base import NoData, PanelContext, chart, panel_type
from pages.panels.core import detail_href
from pages.panels.instrument import dataset_keys
from sql import read
from sql.plans import Read

YEARS = 25
# Diverging at zero: losses red, gains green, a flat month white-grey.
RETURN_SCALE = [[0.0, "#b2182b"], [0.25, "#ef8a62"], [0.5, "#f2f2f2"], [0.75, "#7fbf7b"], [1.0, "#1b7837"]]
COLUMNS = [*MONTHS, "Year"]


def _years(ctx: PanelContext) -> int:
    years = int(ctx.spec.option("years", YEARS))
    if years < 2:
        raise ValueError(f"panel {ctx.dom_id}: years must be at least 2")
    return years


def seasonality_reads(ctx: PanelContext) -> list[Read]:
    """The chosen instrument's closes over ``years`` years and the month before them."""
    days = _years(ctx) * 366 + 31
    return [Read("observations", ctx.spec.dataset, (picked_instrument(ctx),), days=days)]


def returns_table(ctx: PanelContext) -> tuple[str, pd.DataFrame]:
    """The chosen key and its ``monthly_returns`` (the newest ``years`` years)."""
    if read.latest_date(ctx.spec.dataset) is None:
        raise NoData()
    key = picked_instrument(ctx)
    frame = read.fetch(seasonality_reads(ctx)[0])
    if frame.empty:
        raise NoData(f"Nothing stored for {key} yet.")
    closes = pd.Series(pd.to_numeric(frame["value"], errors="coerce").to_numpy(), index=_days(frame["date"]))
    table = monthly_returns(closes).tail(_years(ctx))
    table = table[table.notna().any(axis=1)]
    if table.empty:
        raise NoData(f"Not a whole month of {key} stored yet.")
    return key, table


def seasonality_data(ctx: PanelContext) -> pd.DataFrame:
    key, table = returns_table(ctx)
    summary = month_summary(table[list(MONTHS)])
    rows = pd.concat([table.set_axis(table.index.astype(str)), summary.assign(Year=np.nan)])
    out = rows.round(4).reset_index(names="Year ")
    out = out.rename(columns={"Year": "Year %", "Year ": "Year"})
    out.insert(1, "Symbol", key)
    return out


def heatmap(table: pd.DataFrame, height: int | None = None, font_size: int = 10) -> go.Figure:
    """Years × months (and the year's own return), the average row under a gap."""
    average = month_summary(table).loc["Average"]
    years = [str(y) for y in table.index][::-1]  # newest on top
    z = np.vstack([table[COLUMNS].to_numpy()[::-1], average[COLUMNS].to_numpy()[None, :]])
    rows = [*years, "Average"]
    limit = float(np.nanpercentile(np.abs(z), 95)) if np.isfinite(z).any() else 1.0
    text = [[format_pct(v, 1) if np.isfinite(v) else "" for v in row] for row in z]
    fig = _figure(height or max(260, 70 + 24 * len(rows)), hovermode="closest", margin={"l": 8, "r": 8, "t": 30})
    fig.add_trace(
        go.Heatmap(
            z=np.round(z, 2),
            x=COLUMNS,
            y=rows,
            zmid=0,
            zmin=-max(limit, 0.5),
            zmax=max(limit, 0.5),
            colorscale=RETURN_SCALE,
            text=text,
            texttemplate="%{text}",
            textfont={"size": font_size, "family": theme.FONT_MONO},
            hovertemplate="%{y} %{x}: %{text}<extra></extra>",
            colorbar={"thickness": 12, "ticksuffix": "%", "outlinewidth": 0},
            xgap=1,
            ygap=1,
        )
    )
    # Months below the cells: the mode bar (top right, on hover) covers nothing there.
    fig.update_xaxes(side="bottom", showgrid=False, type="category")
    fig.update_yaxes(autorange="reversed", showgrid=False, type="category")
    return fig


def month_bars(table: pd.DataFrame) -> go.Figure:
    """Each month's average return, coloured by sign, with how often it was up in the hover."""
    summary = month_summary(table[list(MONTHS)])
    average, positive = summary.loc["Average"], summary.loc["Positive %"]
    counts = table[list(MONTHS)].notna().sum()
    fig = _figure(300, hovermode="closest")
    fig.add_trace(
        go.Bar(
            x=list(MONTHS),
            y=average.round(2).to_numpy(),
            marker={"color": [GREEN if v > 0 else RED for v in average.fillna(0)]},
            customdata=np.column_stack([positive.round(0).to_numpy(), counts.to_numpy()]),
            hovertemplate="%{x}: average %{y:+.2f} %, up in %{customdata[0]:.0f} % of %{customdata[1]} years"
            "<extra></extra>",
            name="Average",
        )
    )
    fig.update_yaxes(ticksuffix="%", title_text="average monthly return")
    fig.update_xaxes(type="category")
    fig.update_layout(title={"text": "Average by month", "font": {"size": 13}, "x": 0, "xanchor": "left"})
    return fig


SEASONALITY_OPTIONS = {"default": str, "picker": bool, "years": int, "height": int}


@panel_type("seasonality", seasonality_data, seasonality_reads, options=SEASONALITY_OPTIONS)
def seasonality(ctx: PanelContext):
    keys = dataset_keys(ctx.settings, ctx.spec.dataset)
    key = picked_instrument(ctx)
    parts = []
    if ctx.spec.option("picker") and not ctx.view.embed:
        options = [{"label": f"{name} ({k})" if name != k else k, "value": k} for k, name in keys.items()]
        parts.append(picker(ctx.dom_id, options, key))
    key, table = returns_table(ctx)
    label = keys.get(key, key)
    years = f"{table.index.min()}–{table.index.max()}" if len(table) > 1 else str(table.index.min())
    parts.append(
        html.Div(
            [
                html.H3(f"{label} ({key})" if label != key else key, className="h5 mb-0"),
                html.Span(f"{years} · monthly returns, %", className="text-secondary small"),
                dcc.Link("Full page →", href=detail_href(ctx.spec.dataset, key), className="ms-2 small"),
            ],
            className="d-flex align-items-baseline gap-2 mb-2",
        )
    )
    height = ctx.spec.option("height")
    font = 10 if ctx.spec.width >= 8 else 8  # a half-width card: smaller figures fit their cells
    parts.append(chart(ctx, heatmap(table, int(height) if height else None, font), "heatmap"))
    parts.append(chart(ctx, month_bars(table), "months"))
    parts.append(
        html.Small(
            "Each month's last close against the month before's; the newest month and year to date. "
            "Year: the year's last close against the year before's.",
            style={"color": MUTED},
        )
    )
    return html.Div(parts)
