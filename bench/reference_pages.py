"""The reference pages of ``python -m bench.dashboards``: what this stack draws at best.

    gunicorn bench.reference_pages:server

A plain Dash app (dash pages, ``compress=True`` as the station, no stylesheet, no navbar; the
station's own plotly.js bundle, served the station's way) with two pages measured in the same run
and the same way as the station's:

- ``/bare``: a heading and a paragraph — the floor of any Dash page;
- ``/chart-grid``: one five-year daily line chart (1,260 points, plotly's default template) and a
  50-row AG Grid of six columns — about what a simple analytics page holds.

The data is synthetic and fixed (numpy seed 7), so every run draws the same bytes.
"""

from __future__ import annotations

import dash
import dash_ag_grid as dag
import numpy as np
import pandas as pd
import plotly.graph_objects as go
from dash import dcc, html

from app import _serve_station_plotly

DAYS = 1260  # five years of business days
ROWS = 50


def _series() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    dates = pd.bdate_range(end="2025-12-01", periods=DAYS)
    return pd.DataFrame({"date": dates, "value": 4000 * np.exp(np.cumsum(rng.normal(0.0003, 0.011, DAYS)))})


def bare() -> html.Div:
    return html.Div([html.H1("Reference: a bare Dash page"), html.P("Nothing else.")])


def chart_grid() -> html.Div:
    frame = _series()
    figure = go.Figure(go.Scatter(x=frame["date"], y=frame["value"], mode="lines", name="Index"))
    figure.update_layout(height=360, margin={"l": 48, "r": 16, "t": 24, "b": 32})
    rows = frame.tail(ROWS).iloc[::-1]
    table = pd.DataFrame(
        {
            "Date": rows["date"].dt.strftime("%Y-%m-%d"),
            "Value": rows["value"].round(2),
            "Change": rows["value"].diff(-1).round(2),
            "Change %": (100 * rows["value"].pct_change(-1)).round(2),
            "High": (rows["value"] * 1.004).round(2),
            "Low": (rows["value"] * 0.996).round(2),
        }
    )
    return html.Div(
        [
            html.H1("Reference: one chart and a grid"),
            dcc.Graph(id="graph-reference", figure=figure, style={"height": "360px"}),
            dag.AgGrid(
                id={"type": "grid", "index": "reference"},
                rowData=table.to_dict("records"),
                columnDefs=[{"field": c} for c in table.columns],
                style={"height": "400px"},
            ),
        ]
    )


app = dash.Dash(__name__, use_pages=True, pages_folder="", compress=True, assets_folder="_no_assets")
_serve_station_plotly(app)  # the same plotly.js as the station's charts (assets/plotly-spartan.min.js)
dash.register_page("bare", path="/bare", layout=bare)
dash.register_page("chart_grid", path="/chart-grid", layout=chart_grid)
app.layout = dash.page_container
server = app.server
PATHS = ("/bare", "/chart-grid")
