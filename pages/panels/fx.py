"""The ``fx_matrix`` panel type: how many units of each column currency one unit of each row
currency buys, derived from the stored pair quotes (crosses through USD, then EUR), as a grid,
with a heatmap of the day's % changes. Options: ``currencies`` (list), ``height``."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import date

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from dash import html

from components.grid import data_grid, number_column, text_column
from components.numbers import currency_decimals
from config import theme
from pages.panels.base import NoData, PanelContext, chart, panel_type
from sql import read
from sql.plans import Read
from sql.transforms import latest_with_change

MAJORS = ("USD", "EUR", "JPY", "GBP", "CHF", "CAD", "AUD", "NZD", "CNY")
_PAIR = re.compile(r"^[A-Z]{3}[A-Z]{3}$")


def usd_values(quotes: Mapping[str, float]) -> dict[str, float]:
    """USD per one unit of every currency the pair quotes reach (``EURUSD`` = 1.10 means one
    euro is 1.10 dollars). Quotes against USD win, then crosses through EUR, then any chain."""
    pairs = []
    for key, value in quotes.items():
        try:
            rate = float(value)
        except (TypeError, ValueError):
            continue
        if _PAIR.match(str(key)) and math.isfinite(rate) and rate > 0:
            pairs.append((key[:3], key[3:], rate))
    pairs.sort(key=lambda p: 0 if "USD" in p[:2] else 1 if "EUR" in p[:2] else 2)
    known = {"USD": 1.0}
    changed = True
    while changed:
        changed = False
        for base, quote, rate in pairs:
            if base in known and quote not in known:
                known[quote] = known[base] / rate
                changed = True
            elif quote in known and base not in known:
                known[base] = rate * known[quote]
                changed = True
    return known


def cross_matrix(usd: Mapping[str, float], currencies: list[str]) -> pd.DataFrame:
    """Row currency → column currency: units of the column currency one unit of the row buys."""
    values = np.array([usd[c] for c in currencies], dtype=float)
    return pd.DataFrame(values[:, None] / values[None, :], index=currencies, columns=currencies)


def fx_reads(ctx: PanelContext) -> list[Read]:
    """The two newest quotes of every pair."""
    return [Read("last_two", ctx.spec.dataset or "forex_rates")]


def fx_frames(ctx: PanelContext) -> tuple[pd.DataFrame, pd.DataFrame, date | None]:
    """The cross-rate matrix, the % change of each cross since the previous observation, and
    the newest quote date."""
    latest = latest_with_change(read.fetch(fx_reads(ctx)[0]))
    if latest.empty:
        raise NoData("No exchange rates stored yet.")
    now = dict(zip(latest["key"], latest["value"], strict=True))
    before = dict(zip(latest["key"], latest["previous"].fillna(latest["value"]), strict=True))
    usd_now, usd_before = usd_values(now), usd_values(before)
    wanted = [str(c).upper() for c in (ctx.spec.option("currencies") or MAJORS)]
    currencies = [c for c in dict.fromkeys(wanted) if c in usd_now and c in usd_before]
    if len(currencies) < 2:
        raise NoData("Not enough exchange rates stored to derive cross rates yet.")
    matrix = cross_matrix(usd_now, currencies)
    change = 100 * (matrix / cross_matrix(usd_before, currencies) - 1)
    newest = pd.Timestamp(latest["date"].max()).date() if latest["date"].notna().any() else None
    return matrix, change, newest


def fx_matrix_data(ctx: PanelContext) -> pd.DataFrame:
    matrix, _change, _newest = fx_frames(ctx)
    return matrix.round(6).reset_index(names="Currency")


def fx_heatmap(change: pd.DataFrame, height: int) -> go.Figure:
    z = change.to_numpy(copy=True)
    np.fill_diagonal(z, np.nan)
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=list(change.columns),
            y=list(change.index),
            zmid=0,
            colorscale=[[0, theme.DANGER], [0.5, theme.CARD], [1, theme.SUCCESS]],
            texttemplate="%{z:+.2f}",
            hovertemplate="1 %{y} in %{x}: %{z:+.2f}%<extra></extra>",
            colorbar={"ticksuffix": "%", "thickness": 12},
        ),
        layout={"template": "spartan", "height": height},
    )
    fig.update_yaxes(autorange="reversed", showgrid=False)
    fig.update_xaxes(showgrid=False)
    fig.update_layout(margin={"l": 48, "r": 16, "t": 36, "b": 32}, hovermode="closest")
    return fig


@panel_type("fx_matrix", fx_matrix_data, fx_reads, options={"currencies": list, "height": int})
def fx_matrix(ctx: PanelContext):
    matrix, change, newest = fx_frames(ctx)
    frame = matrix.reset_index(names="Currency")
    columns = [text_column("Currency", "1 unit of", minWidth=100, maxWidth=120)] + [
        {**number_column(c, c, decimals=currency_decimals(c)), "minWidth": 90} for c in matrix.columns
    ]
    height = int(ctx.spec.option("height", 72 + 42 * len(frame)))
    grid = data_grid(ctx.dom_id, frame, columns, filename=f"spartan-{ctx.dom_id}", height=height)
    note = html.P(
        f"Units of the column currency that one unit of the row currency buys; quotes as of {newest:%Y-%m-%d},"
        " crosses derived through USD and EUR.",
        className="spartan-subtitle mb-2",
    )
    heat = chart(ctx, fx_heatmap(change, max(320, 60 + 40 * len(frame))))
    heading = html.H3("Change since the previous quote (%)", className="h6 mt-3 mb-0 text-secondary")
    return html.Div([*([note] if newest else []), grid, heading, heat])
