"""The option-chain panel: the newest stored snapshot of one underlying's chain (``options_chain``,
written by the sidecar from CBOE's delayed quotes) — headline KPIs, the at-the-money IV term
structure against the snapshot about a week before, and a grid with one row per expiry.

The panel's ``keys`` name its one underlying (default: the dataset's first catalogued one);
option ``front_days`` (default 7) is how far out the "front month" expiry must be at least.
"""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import plotly.graph_objects as go
from dash import html
from sqlalchemy import Float

from components.cards import kpi, kpi_text
from components.grid import data_grid, number_column, text_column
from config import theme
from config.catalog_index import catalog
from pages.panels.base import NoData, PanelContext, chart, panel_type
from sql import read
from sql.plans import Read
from sql.schema import table

DATASET = "options_chain"
# Snapshot days read back from the newest: enough for the one about a week before it.
SNAPSHOT_DAYS = 10
WEEK = timedelta(days=7)
FRONT_DAYS = 7
# The table's measured figures (its float columns), converted as numbers before drawing.
NUMBERS = [c.name for c in table("options_chain").columns if isinstance(c.type, Float)]
DAY_TICKS = {1: "1D", 7: "1W", 30: "1M", 91: "3M", 182: "6M", 365: "1Y", 730: "2Y"}


def underlying(ctx: PanelContext) -> str:
    """The panel's one underlying: its only key, or the first catalogued one."""
    keys = list(ctx.spec.keys or ())
    if len(keys) > 1:
        raise ValueError(f"panel {ctx.dom_id}: option_chain draws one underlying, got {keys}")
    if keys:
        return keys[0]
    known = catalog(ctx.settings).for_dataset(DATASET)
    if not known:
        raise NoData("No option chain is catalogued.")
    return known[0].key


def chain_reads(ctx: PanelContext) -> list[Read]:
    """The underlying's snapshots of the last ``SNAPSHOT_DAYS``."""
    return [Read("rows", DATASET, (underlying(ctx),), days=SNAPSHOT_DAYS)]


def snapshots(ctx: PanelContext) -> pd.DataFrame:
    """The underlying's stored snapshots of the last ``SNAPSHOT_DAYS``: one row per snapshot date
    and expiry, ``date`` and ``expiry`` as timestamps, figures as floats (NaN where missing)."""
    return chain_rows(underlying(ctx), chain_reads(ctx)[0])


def chain_rows(name: str, declared: Read) -> pd.DataFrame:
    """The rows of a declared read of one underlying's chain (``name``), typed as ``snapshots``
    says, by date and expiry; NoData when there are none."""
    if read.latest_date(DATASET) is None:
        raise NoData()
    frame = read.fetch(declared)
    if frame.empty:
        raise NoData(f"No {name} option chain stored yet.")
    numbers = {c: pd.to_numeric(frame[c], errors="coerce").astype(float) for c in NUMBERS}
    frame = frame.assign(date=pd.to_datetime(frame["date"]), expiry=pd.to_datetime(frame["expiry"]), **numbers)
    return frame.sort_values(["date", "expiry"], ignore_index=True)


def _snapshot(frame: pd.DataFrame, when: pd.Timestamp | None) -> pd.DataFrame | None:
    return None if when is None else frame[frame["date"] == when].reset_index(drop=True)


def latest_and_before(frame: pd.DataFrame, back: timedelta) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The newest snapshot, and the newest one at least ``back`` before it (None if not stored)."""
    dates = frame["date"].drop_duplicates().sort_values()
    newest = dates.iloc[-1]
    earlier = dates[dates <= newest - back]
    return _snapshot(frame, newest), _snapshot(frame, earlier.iloc[-1] if len(earlier) else None)


def front_expiry(snapshot: pd.DataFrame, min_days: int) -> pd.Series | None:
    """The first expiry at least ``min_days`` out that has an ATM IV (else the first with one)."""
    priced = snapshot[snapshot["atm_iv"].notna()]
    if priced.empty:
        return None
    later = priced[priced["days_to_expiry"] >= min_days]
    return (later if not later.empty else priced).iloc[0]


def _ratio(snapshot: pd.DataFrame, puts: str, calls: str) -> float | None:
    put_total, call_total = snapshot[puts].sum(min_count=1), snapshot[calls].sum(min_count=1)
    if pd.isna(put_total) or pd.isna(call_total) or call_total <= 0:
        return None
    return float(put_total / call_total)


def headline(snapshot: pd.DataFrame, min_days: int) -> dict:
    """The KPIs of a snapshot: whole-chain put/call ratios and the front expiry's figures."""
    front = front_expiry(snapshot, min_days)
    spots = snapshot["underlying_price"].dropna()
    return {
        "put_call_volume": _ratio(snapshot, "put_volume", "call_volume"),
        "put_call_oi": _ratio(snapshot, "put_open_interest", "call_open_interest"),
        "front": front,
        "spot": float(spots.iloc[0]) if len(spots) else None,
    }


def _change(now: float | None, before: float | None) -> float | None:
    return None if now is None or before is None or pd.isna(now) or pd.isna(before) else float(now - before)


def _front_value(figures: dict, column: str) -> float | None:
    front = figures.get("front")
    return None if front is None or pd.isna(front[column]) else float(front[column])


def _kpis(ctx: PanelContext, frame: pd.DataFrame) -> html.Div:
    """Whole-chain put/call ratios and the front expiry's ATM IV, skew and max pain; changes are
    against the snapshot before the newest."""
    min_days = int(ctx.spec.option("front_days", FRONT_DAYS))
    dates = list(frame["date"].drop_duplicates().sort_values())
    now = headline(_snapshot(frame, dates[-1]), min_days)
    before = headline(_snapshot(frame, dates[-2]), min_days) if len(dates) > 1 else {}
    cards = [
        kpi(label, now[key], change=_change(now[key], before.get(key)), as_of=dates[-1])
        for label, key in (("Put/call (volume)", "put_call_volume"), ("Put/call (open interest)", "put_call_oi"))
    ]
    front = now["front"]
    if front is None:
        cards += [kpi("Front-month ATM IV", None), kpi("Max pain (front month)", None)]
        return html.Div(cards, className="kpi-row mb-2")
    iv = _front_value(now, "atm_iv")
    iv_card = kpi("Front-month ATM IV", iv, "%", _change(iv, _front_value(before, "atm_iv")))
    iv_card.children.append(
        html.Div(f"expiry {front['expiry']:%Y-%m-%d} · {int(front['days_to_expiry'])} days", className="kpi-asof")
    )
    cards.append(iv_card)
    skew = _front_value(now, "skew_25d")
    if skew is not None:
        cards.append(kpi_text("25Δ skew (front month)", f"{skew:+.2f} pts", "put IV minus call IV"))
    pain, spot = _front_value(now, "max_pain"), now["spot"]
    if pain is None:
        cards.append(kpi("Max pain (front month)", None))
    else:
        versus = f"spot {spot:,.2f} ({100 * (pain / spot - 1):+.2f} %) · " if spot else ""
        strike = f"{pain:,.0f}" if pain == round(pain) else f"{pain:,.2f}"
        cards.append(kpi_text("Max pain (front month)", strike, f"{versus}{front['expiry']:%Y-%m-%d}"))
    return html.Div(cards, className="kpi-row mb-2")


def chain_table(snapshot: pd.DataFrame) -> pd.DataFrame:
    """One row per expiry of a snapshot, with the column names the panel shows."""
    spot = snapshot["underlying_price"]

    def count(column: str) -> pd.Series:
        return snapshot[column].round().astype("Int64")

    return pd.DataFrame(
        {
            "Expiry": snapshot["expiry"].dt.strftime("%Y-%m-%d"),
            "Days": snapshot["days_to_expiry"].astype(int),
            "Call volume": count("call_volume"),
            "Put volume": count("put_volume"),
            "P/C volume": snapshot["put_call_volume"].round(4),
            "Call OI": count("call_open_interest"),
            "Put OI": count("put_open_interest"),
            "P/C OI": snapshot["put_call_oi"].round(4),
            "ATM IV %": snapshot["atm_iv"].round(4),
            "25Δ skew (pts)": snapshot["skew_25d"].round(4),
            "Max pain": snapshot["max_pain"],
            "Max pain vs spot %": (100 * (snapshot["max_pain"] / spot.where(spot > 0) - 1)).round(4),
            "Contracts": snapshot["contracts"].astype(int),
            "Spot": spot,
            "Snapshot": snapshot["date"].dt.strftime("%Y-%m-%d"),
            "Source": snapshot["source"],
        }
    )


def option_chain_data(ctx: PanelContext) -> pd.DataFrame:
    latest, _ = latest_and_before(snapshots(ctx), WEEK)
    return chain_table(latest)


def _term_structure(ctx: PanelContext, latest: pd.DataFrame, before: pd.DataFrame | None) -> go.Figure:
    fig = go.Figure(layout={"template": "spartan", "height": int(ctx.spec.option("height", 340)), "hovermode": "x"})
    styles = ({"width": 3, "color": theme.RED_LIGHT}, {"width": 2, "dash": "dot", "color": "#4fc3f7"})
    for snapshot, label, style in ((latest, "Latest", styles[0]), (before, "1W before", styles[1])):
        if snapshot is None:
            continue
        # Expiring today has no term left to draw on a log axis (its row stays in the grid).
        points = snapshot[(snapshot["days_to_expiry"] >= 1) & snapshot["atm_iv"].notna()]
        if points.empty:
            continue
        fig.add_trace(
            go.Scatter(
                x=points["days_to_expiry"],
                y=points["atm_iv"],
                name=f"{label} ({snapshot['date'].iloc[0]:%Y-%m-%d})",
                mode="lines+markers",
                line=style,
                customdata=list(zip(points["expiry"].dt.strftime("%Y-%m-%d"), points["skew_25d"], strict=True)),
                hovertemplate="%{customdata[0]} (%{x} days): ATM IV %{y:.2f} %, 25Δ skew %{customdata[1]:.2f}"
                + f"<extra>{label}</extra>",
            )
        )
    # No axis title: the legend sits below the plot, where a title collided with it; the chart's
    # title says what the axis is (the plotly toolbar covers a legend above the plot).
    fig.update_xaxes(type="log", tickvals=list(DAY_TICKS), ticktext=list(DAY_TICKS.values()))
    fig.update_yaxes(title_text="ATM implied volatility, %")
    title = {"text": "ATM IV term structure, by time to expiry", "font": {"size": 13}, "x": 0, "xanchor": "left"}
    fig.update_layout(title=title)
    return fig


# Columns the same on every row of a snapshot: in the grid's caption (and in the CSV), not as
# three columns of repeats (a grid's drawing time grows with its columns: 16 -> 13).
SNAPSHOT_COLUMNS = ("Spot", "Snapshot", "Source")


def _caption(table: pd.DataFrame) -> str:
    spots = table["Spot"].dropna()
    parts = [
        f"Snapshot {table['Snapshot'].iloc[0]}",
        *([f"spot {spots.iloc[0]:,.2f}"] if len(spots) else []),
        ", ".join(sorted(set(table["Source"].dropna()))),
        f"{len(table)} expiries",
    ]
    return " · ".join(p for p in parts if p)


def _grid(ctx: PanelContext, table: pd.DataFrame) -> html.Div:
    strikes = table["Max pain"].dropna()
    strike_decimals = 0 if (strikes == strikes.round()).all() else 2
    columns = [
        text_column("Expiry", "Expiry", pinned="left", minWidth=120),
        number_column("Days", "Days", decimals=0),
        number_column("Call volume", "Call volume", decimals=0),
        number_column("Put volume", "Put volume", decimals=0),
        number_column("P/C volume", "P/C volume", decimals=2),
        number_column("Call OI", "Call OI", decimals=0),
        number_column("Put OI", "Put OI", decimals=0),
        number_column("P/C OI", "P/C OI", decimals=2),
        number_column("ATM IV %", "ATM IV %", decimals=2),
        number_column("25Δ skew (pts)", "25Δ skew (pts)", decimals=2),
        number_column("Max pain", "Max pain", decimals=strike_decimals),
        number_column("Max pain vs spot %", "Max pain vs spot %", change=True, decimals=2),
        number_column("Contracts", "Contracts", decimals=0),
    ]
    height = max(160, min(560, 56 + 42 * len(table)))
    grid = data_grid(
        ctx.dom_id, table.drop(columns=list(SNAPSHOT_COLUMNS)), columns, filename=f"spartan-{ctx.dom_id}", height=height
    )
    return html.Div([html.Div(_caption(table), className="panel-caption"), grid])


@panel_type(
    "option_chain", option_chain_data, chain_reads, needs_dataset=False, options={"front_days": int, "height": int}
)
def option_chain(ctx: PanelContext):
    frame = snapshots(ctx)
    latest, before = latest_and_before(frame, WEEK)
    figure = _term_structure(ctx, latest, before)
    return html.Div([_kpis(ctx, frame), chart(ctx, figure), _grid(ctx, chain_table(latest))])
