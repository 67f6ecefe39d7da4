"""The crypto derivatives panel type: perpetual-swap funding (annualised, per coin) or open
interest (US dollars, per coin) over the URL's range, or (``view: latest``) a grid of each
coin's newest day, from ``crypto_derivatives``.

Funding: the day's settled funding rates summed, times 365 (percent a year; positive when longs
pay shorts). Open interest: the venue's daily snapshot valued in dollars (coins x price where
the venue gives only coins is not computed here: those days are left out of the dollar chart).
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from components.grid import data_grid, number_column, text_column
from config import theme
from pages.panels.analytics.common import MUTED, _days, _figure, _numeric, view_choice
from pages.panels.base import NoData, PanelContext, chart, panel_type
from sql import read
from sql.plans import Read

DATASET = "crypto_derivatives"
VIEWS = ("funding", "open_interest", "latest")
LATEST_DAYS = 10  # the latest view reads this many days: the newest and a week of full days before it
# Per view: the column drawn, its header in the CSV, the hover format and the axis suffix.
DRAWN = {
    "funding": ("funding_annualized", "Funding, annualised (%)", "%{y:.2f}%", "%"),
    "open_interest": ("open_interest_usd", "Open interest (USD bn)", "$%{y:,.2f}bn", ""),
}


def _view(ctx: PanelContext) -> str:
    return view_choice(ctx, "crypto derivatives", VIEWS)


def derivatives_reads(ctx: PanelContext) -> list[Read]:
    """The panel's coins (all when none are named) over the URL's range."""
    keys = tuple(ctx.spec.keys) if ctx.spec.keys else None
    if _view(ctx) == "latest":
        return [Read("rows", DATASET, keys, days=LATEST_DAYS)]
    return [Read("rows", DATASET, keys, range=ctx.view.range)]


def latest_table(ctx: PanelContext) -> pd.DataFrame:
    """Per coin its newest day: the day's funding so far and its settlements, the last seven full
    days' funding annualised, open interest in coins and in USD billions, the source."""
    frame = read.fetch(derivatives_reads(ctx)[0])
    if frame.empty:
        raise NoData("No funding or open interest stored yet.")
    numbers = ["funding_rate", "funding_annualized", "funding_periods", "open_interest", "open_interest_usd"]
    frame = _numeric(frame, numbers).assign(date=_days(frame["date"])).sort_values(["symbol", "date"])
    rows = []
    order = [k for k in (ctx.spec.keys or sorted(frame["symbol"].unique())) if k in set(frame["symbol"])]
    for coin in order:
        days = frame[frame["symbol"] == coin]
        newest = days.iloc[-1]
        # Full days only: the newest is partial while it has fewer settlements than the days before.
        full = days if newest["funding_periods"] >= days["funding_periods"].max() else days.iloc[:-1]
        rows.append(
            {
                "Coin": coin,
                "Date": newest["date"].strftime("%Y-%m-%d"),
                "Funding %": newest["funding_rate"],
                "Settlements": newest["funding_periods"],
                "Annualised %": newest["funding_annualized"],
                "7-day annualised %": full["funding_annualized"].tail(7).mean(),
                "Open interest (coins)": newest["open_interest"],
                "Open interest (USD bn)": newest["open_interest_usd"] / 1e9,
                "Source": newest["source"],
            }
        )
    return pd.DataFrame(rows)


def _latest_grid(ctx: PanelContext, table: pd.DataFrame):
    columns = [
        text_column("Coin", "Coin", pinned="left", minWidth=90),
        text_column("Date", "Date"),
        number_column("Funding %", "Funding %", change=True, decimals=4),
        number_column("Settlements", "Settlements", decimals=0),
        number_column("Annualised %", "Annualised %", change=True, decimals=2),
        number_column("7-day annualised %", "7-day annualised %", change=True, decimals=2),
        number_column("Open interest (coins)", "Open interest (coins)", decimals=0),
        number_column("Open interest (USD bn)", "Open interest (USD bn)", decimals=2),
        text_column("Source", "Source"),
    ]
    height = int(ctx.spec.option("height", max(160, min(420, 56 + 42 * len(table)))))
    return data_grid(ctx.dom_id, table, columns, filename=f"spartan-{ctx.dom_id}", height=height)


def derivatives_rows(ctx: PanelContext) -> pd.DataFrame:
    """The drawn column per coin and day (open interest in billions), oldest first."""
    column, *_ = DRAWN[_view(ctx)]
    frame = read.fetch(derivatives_reads(ctx)[0])
    if frame.empty:
        raise NoData("No funding or open interest stored yet.")
    frame = _numeric(frame, [column]).dropna(subset=[column])
    if frame.empty:
        raise NoData("No funding or open interest stored yet.")
    if column == "open_interest_usd":
        frame = frame.assign(open_interest_usd=frame[column] / 1e9)
    return frame.assign(date=_days(frame["date"])).sort_values(["symbol", "date"])


def derivatives_data(ctx: PanelContext) -> pd.DataFrame:
    """One column per coin, one row per day (the CSV of the panel); the grid's rows for ``latest``."""
    if _view(ctx) == "latest":
        return latest_table(ctx)
    column, header, *_ = DRAWN[_view(ctx)]
    wide = derivatives_rows(ctx).pivot_table(index="date", columns="symbol", values=column, aggfunc="last")
    order = [k for k in (ctx.spec.keys or wide.columns) if k in wide.columns]
    out = wide[order].rename(columns={k: f"{k} {header}" for k in order}).reset_index()
    out.insert(0, "Date", out.pop("date").dt.strftime("%Y-%m-%d"))
    return out


@panel_type(
    "crypto_derivatives",
    derivatives_data,
    derivatives_reads,
    view=("range",),
    options={"view": str, "height": int},
)
def crypto_derivatives(ctx: PanelContext):
    view = _view(ctx)
    if view == "latest":
        return _latest_grid(ctx, latest_table(ctx))
    column, header, hover, suffix = DRAWN[view]
    frame = derivatives_rows(ctx)
    fig = _figure(int(ctx.spec.option("height", 340)))
    order = [k for k in (ctx.spec.keys or sorted(frame["symbol"].unique())) if k in set(frame["symbol"])]
    for n, coin in enumerate(order):
        rows = frame[frame["symbol"] == coin]
        fig.add_trace(
            go.Scatter(
                x=rows["date"],
                y=rows[column],
                name=coin,
                mode="lines",
                line={"color": theme.SERIES_COLORS[n % len(theme.SERIES_COLORS)], "width": 1.5},
                hovertemplate=hover,
            )
        )
    if view == "funding":
        fig.add_hline(y=0, line_width=1, line_color=MUTED, line_dash="dot")
    fig.update_yaxes(title_text=header, ticksuffix=suffix)
    return chart(ctx, fig)
