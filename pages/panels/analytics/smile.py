"""The ``volatility_smile`` panel: an underlying's implied volatility against moneyness (strike
as a percent of spot, 80 … 120) for several expiries of its newest stored chain snapshot, one
line per expiry (``options_chain``'s smile columns, datasources/chains.SMILE_POINTS: the
out-of-the-money side's IV, interpolated between listed strikes; 100 % is the ATM IV), and a
grid with every expiry's smile.

The underlying is the panel's ``default``; with ``picker: true`` (a dropdown) the URL's first
``?compare=`` key of the dataset chooses it instead. Option ``tenors``: the days to expiry whose
nearest expiries are drawn (default 7, 30, 60, 91, 182 and 365 days).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from dash import html

from components.grid import data_grid, number_column, text_column
from components.picker import picker
from pages.panels.analytics.common import MUTED, _figure, picked_instrument
from pages.panels.base import NoData, PanelContext, chart, panel_type
from pages.panels.instrument import dataset_keys
from pages.panels.options import DATASET, chain_rows
from sql.plans import Read

# Moneyness (percent of spot) of each smile column; the ATM IV is the 100 % point.
POINTS = {
    "iv_80": 80.0,
    "iv_90": 90.0,
    "iv_95": 95.0,
    "iv_97_5": 97.5,
    "atm_iv": 100.0,
    "iv_102_5": 102.5,
    "iv_105": 105.0,
    "iv_110": 110.0,
    "iv_120": 120.0,
}
TENORS = (7, 30, 60, 91, 182, 365)
SNAPSHOT_DAYS = 7
# Near expiries light, far ones deep: the eye reads the term structure from the colours.
EXPIRY_COLOURS = ("#ffd166", "#f4a259", "#e04e4e", "#c77dff", "#4fc3f7", "#2a9d8f", "#8ecae6", "#b0b8c8")


def smile_reads(ctx: PanelContext) -> list[Read]:
    """The chosen underlying's snapshots of the last week (its newest is drawn)."""
    return [Read("rows", DATASET, (picked_instrument(ctx),), days=SNAPSHOT_DAYS)]


def newest_snapshot(ctx: PanelContext) -> tuple[str, pd.DataFrame]:
    """The chosen underlying and its newest snapshot, one row per expiry, figures as floats."""
    key = picked_instrument(ctx)
    frame = chain_rows(key, smile_reads(ctx)[0])
    return key, frame[frame["date"] == frame["date"].max()].reset_index(drop=True)


def chosen_expiries(snapshot: pd.DataFrame, tenors: tuple[int, ...]) -> pd.DataFrame:
    """The expiries nearest to each of ``tenors`` days that have at least three smile points,
    each once, by expiry."""
    points = snapshot[list(POINTS)].notna().sum(axis=1)
    usable = snapshot[(points >= 3) & (snapshot["days_to_expiry"] >= 1)]
    if usable.empty:
        return usable
    days = usable["days_to_expiry"].to_numpy(dtype=float)
    picked = sorted({int(np.argmin(np.abs(days - tenor))) for tenor in tenors})
    return usable.iloc[picked]


def smile_table(snapshot: pd.DataFrame) -> pd.DataFrame:
    """Every expiry's smile with the column names the grid shows."""
    out = pd.DataFrame(
        {
            "Expiry": snapshot["expiry"].dt.strftime("%Y-%m-%d"),
            "Days": snapshot["days_to_expiry"].astype(int),
        }
    )
    for column, moneyness in POINTS.items():
        out[f"{moneyness:g}%"] = snapshot[column].round(4)
    out["Spot"] = snapshot["underlying_price"]
    out["Snapshot"] = snapshot["date"].dt.strftime("%Y-%m-%d")
    out["Source"] = snapshot["source"]
    return out


def smile_data(ctx: PanelContext) -> pd.DataFrame:
    key, snapshot = newest_snapshot(ctx)
    return smile_table(snapshot).assign(Underlying=key)


def _tenors(ctx: PanelContext) -> tuple[int, ...]:
    tenors = tuple(int(t) for t in ctx.spec.option("tenors", TENORS) or TENORS)
    if not tenors or min(tenors) < 1:
        raise ValueError(f"panel {ctx.dom_id}: tenors must be days to expiry of at least 1")
    return tenors


def smile_figure(snapshot: pd.DataFrame, tenors: tuple[int, ...], height: int) -> go.Figure:
    fig = _figure(height, hovermode="closest")
    spot = snapshot["underlying_price"].dropna()
    spot = float(spot.iloc[0]) if len(spot) else None
    moneyness = np.array(list(POINTS.values()))
    for i, row in enumerate(chosen_expiries(snapshot, tenors).itertuples()):
        ivs = np.array([getattr(row, c) for c in POINTS], dtype=float)
        keep = np.isfinite(ivs)
        strikes = moneyness[keep] * spot / 100 if spot else moneyness[keep]
        fig.add_trace(
            go.Scatter(
                x=moneyness[keep],
                y=ivs[keep].round(2),
                name=f"{row.expiry:%Y-%m-%d} ({int(row.days_to_expiry)} d)",
                mode="lines+markers",
                line={"color": EXPIRY_COLOURS[i % len(EXPIRY_COLOURS)], "width": 2},
                customdata=strikes.round(2),
                hovertemplate="strike %{x:g}% of spot (≈ %{customdata:,.2f}): IV %{y:.2f}%"
                + f"<extra>{row.expiry:%Y-%m-%d}</extra>",
            )
        )
    fig.add_vline(x=100, line={"width": 1, "color": "#b0b8c8", "dash": "dot"})
    # No axis title: the legend of expiries sits below the axis (the heading names the axis).
    fig.update_xaxes(ticksuffix="%")
    fig.update_yaxes(title_text="implied volatility, %", ticksuffix="%")
    return fig


def _grid(ctx: PanelContext, table: pd.DataFrame) -> html.Div:
    # The grid's fields are the smile's column names: "97.5%" would read as a nested path there.
    fields = {f"{m:g}%": column for column, m in POINTS.items()}
    columns = [
        text_column("Expiry", "Expiry", pinned="left", minWidth=120),
        number_column("Days", "Days", decimals=0),
        *[number_column(column, f"IV {label}", decimals=2) for label, column in fields.items()],
    ]
    height = max(160, min(480, 56 + 42 * len(table)))
    # Spot, snapshot and source are the same on every row: in the heading (and the CSV), not as
    # columns of repeats (a grid draws slower with every column).
    shown = table.drop(columns=["Spot", "Snapshot", "Source"]).rename(columns=fields)
    return data_grid(ctx.dom_id, shown, columns, filename=f"spartan-{ctx.dom_id}", height=height)


SMILE_OPTIONS = {"default": str, "picker": bool, "tenors": list, "height": int, "grid": bool}


@panel_type("volatility_smile", smile_data, smile_reads, options=SMILE_OPTIONS)
def volatility_smile(ctx: PanelContext):
    keys = dataset_keys(ctx.settings, DATASET)
    parts = []
    if ctx.spec.option("picker") and not ctx.view.embed:
        options = [{"label": name if k in name else f"{name} ({k})", "value": k} for k, name in keys.items()]
        parts.append(picker(ctx.dom_id, options, picked_instrument(ctx)))
    key, snapshot = newest_snapshot(ctx)
    if chosen_expiries(snapshot, _tenors(ctx)).empty:
        raise NoData(f"The newest {key} snapshot has no smile yet (chains stored before smiles were kept).")
    spot = snapshot["underlying_price"].dropna()
    heading = f"{keys.get(key, key)} · snapshot {snapshot['date'].iloc[0]:%Y-%m-%d}"
    heading += " · implied volatility against strike as % of spot"
    if len(spot):
        heading += f" · spot {float(spot.iloc[0]):,.2f}"
    heading += "".join(f" · {source}" for source in sorted(set(snapshot["source"].dropna())))
    parts.append(html.Div(heading, className="text-secondary small mb-1"))
    parts.append(chart(ctx, smile_figure(snapshot, _tenors(ctx), int(ctx.spec.option("height", 360)))))
    if ctx.spec.option("grid", True):
        parts.append(_grid(ctx, smile_table(snapshot)))
    parts.append(
        html.Small(
            "Implied volatility of out-of-the-money options (puts below spot, calls above), interpolated "
            "between listed strikes; 100 % is the at-the-money IV. A smile tilted up to the left is "
            "demand for downside protection.",
            style={"color": MUTED},
        )
    )
    return html.Div(parts)
