"""The Commitments of Traders panel (``cot_positions``, the CFTC's weekly legacy report): the
non-commercial (speculators') net position of each of the panel's markets as a share of its
open interest over the view's range, and a grid of the newest report per market — open
interest, the nets of the three trader classes and the speculators' weekly change.

The panel's ``keys`` name its markets (default: every catalogued one).
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from dash import html
from sqlalchemy import Float

from components.grid import data_grid, number_column, text_column
from config.catalog_index import catalog
from pages.panels.base import NoData, PanelContext, chart, panel_type
from sql import read
from sql.plans import Read
from sql.schema import table

DATASET = "cot_positions"
NUMBERS = [c.name for c in table(DATASET).columns if isinstance(c.type, Float)]


def markets(ctx: PanelContext) -> tuple[str, ...]:
    keys = tuple(ctx.spec.keys or ())
    return keys or tuple(i.key for i in catalog(ctx.settings).for_dataset(DATASET))


def cot_reads(ctx: PanelContext) -> list[Read]:
    """The markets' reports over the view's range (a week more: the change of the first one)."""
    return [Read("rows", DATASET, markets(ctx), range=ctx.view.range, lookback=8)]


def reports(ctx: PanelContext) -> pd.DataFrame:
    """The markets' stored reports, ``date`` as timestamps, positions as floats: market by market
    in the panel's order, each oldest first."""
    if read.latest_date(DATASET) is None:
        raise NoData()
    frame = read.fetch(cot_reads(ctx)[0])
    if frame.empty:
        raise NoData("No COT report stored yet.")
    numbers = {c: pd.to_numeric(frame[c], errors="coerce").astype(float) for c in NUMBERS}
    frame = frame.assign(date=pd.to_datetime(frame["date"]), **numbers)
    net_pct = 100.0 * frame["noncomm_net"] / frame["open_interest"].where(frame["open_interest"] > 0)
    order = frame["market"].map({key: i for i, key in enumerate(markets(ctx))})  # the panel's order
    frame = frame.assign(net_pct=net_pct, _order=order).sort_values(["_order", "date"], ignore_index=True)
    return frame.drop(columns=["_order"])


def latest_table(frame: pd.DataFrame, labels: dict[str, str]) -> pd.DataFrame:
    """The newest report per market, with the speculators' net change since the report before."""
    frame = frame.assign(net_change=frame.groupby("market")["noncomm_net"].diff())
    newest = frame.groupby("market", sort=False).tail(1)
    return pd.DataFrame(
        {
            "Market": newest["market"],
            "Name": newest["market"].map(labels).fillna(newest["market"]),
            "Report date": newest["date"].dt.strftime("%Y-%m-%d"),
            "Open interest": newest["open_interest"],
            "Spec net": newest["noncomm_net"],
            "Spec net % OI": newest["net_pct"],
            "Spec net 1W change": newest["net_change"],
            "Commercial net": newest["comm_net"],
            "Small traders net": newest["nonrept_net"],
            "Source": newest["source"],
        }
    ).reset_index(drop=True)


def _labels(ctx: PanelContext) -> dict[str, str]:
    return {i.key: i.label.removeprefix("COT: ") for i in catalog(ctx.settings).for_dataset(DATASET)}


def cot_data(ctx: PanelContext) -> pd.DataFrame:
    return latest_table(reports(ctx), _labels(ctx))


def _figure(ctx: PanelContext, frame: pd.DataFrame, labels: dict[str, str]) -> go.Figure:
    fig = go.Figure(layout={"template": "spartan", "height": int(ctx.spec.option("height", 380)), "hovermode": "x"})
    for market, rows in frame.groupby("market", sort=False):
        fig.add_trace(
            go.Scatter(
                x=rows["date"],
                y=rows["net_pct"],
                name=labels.get(market, market),
                mode="lines",
                hovertemplate="%{x|%Y-%m-%d}: %{y:.1f} % of open interest<extra>" + str(market) + "</extra>",
            )
        )
    fig.add_hline(y=0, line={"width": 1, "color": "#b0b8c8", "dash": "dot"})
    fig.update_yaxes(title_text="speculators' net, % of open interest")
    return fig


def _grid(ctx: PanelContext, latest: pd.DataFrame) -> html.Div:
    columns = [
        text_column("Market", "Market", pinned="left", minWidth=90),
        text_column("Name", "Name", minWidth=200),
        text_column("Report date", "Report date"),
        number_column("Open interest", "Open interest", decimals=0),
        number_column("Spec net", "Spec net", change=True, decimals=0),
        number_column("Spec net % OI", "Spec net % OI", change=True, decimals=1),
        number_column("Spec net 1W change", "Spec net 1W change", change=True, decimals=0),
        number_column("Commercial net", "Commercial net", change=True, decimals=0),
        number_column("Small traders net", "Small traders net", change=True, decimals=0),
        text_column("Source", "Source"),
    ]
    height = max(160, min(560, 56 + 42 * len(latest)))
    return data_grid(ctx.dom_id, latest, columns, filename=f"spartan-{ctx.dom_id}", height=height)


@panel_type("cot_positioning", cot_data, cot_reads, view=("range",), options={"height": int})
def cot_positioning(ctx: PanelContext):
    frame = reports(ctx)
    labels = _labels(ctx)
    return html.Div([chart(ctx, _figure(ctx, frame, labels)), _grid(ctx, latest_table(frame, labels))])
