"""Rates & credit: the Treasury curve now vs one month and one year ago, the 2s10s spread,
high-yield and BBB spreads, and a table of the latest values."""

from __future__ import annotations

import dash
import pandas as pd
from dash import html

from components.cards import degraded_state, empty_state, failing_sources_notice, freshness_badge, kpi_row, panel
from components.catalog import labels
from components.figures import graph, history_figure, yield_curve_figure
from components.grid import data_grid, number_column, text_column
from config.default_charts import DEFAULT_CHARTS
from sql import read
from sql.transforms import curve_snapshots, latest_with_change, tenor_months

dash.register_page(__name__, path="/rates", name="Rates", title="Rates & Credit · Spartan Research Station", order=1)

CURVE_SNAPSHOTS = {"Today": pd.DateOffset(days=0), "1M ago": pd.DateOffset(months=1), "1Y ago": pd.DateOffset(years=1)}


def _latest_table(yields: pd.DataFrame, spreads: pd.DataFrame, settings) -> pd.DataFrame:
    yields = yields.assign(group="Treasury yield", order=yields["key"].map(tenor_months))
    spreads = spreads.assign(group="Spread", order=1000)
    names = {**labels(settings, "treasury_yields"), **labels(settings, "credit_spreads")}
    table = pd.concat([yields, spreads], ignore_index=True).sort_values(["order", "key"])
    table["name"] = table["key"].map(names).fillna(table["key"])
    return table[["group", "key", "name", "date", "value", "previous", "change", "source"]]


KPIS = [
    ("10Y", "10Y yield"),
    ("2Y", "2Y yield"),
    ("3M", "3M yield"),
    ("T10Y2Y", "2s10s"),
    ("HY_OAS", "HY OAS"),
    ("BBB_OAS", "BBB OAS"),
]


def layout(**_query) -> html.Div:
    settings = read.current_settings()
    header = [
        html.H1("Rates & Credit", className="spartan-page-title"),
        html.P("US Treasury curve, term spread and corporate credit spreads (FRED).", className="spartan-subtitle"),
    ]
    try:
        status = read.dataset_status().set_index("dataset")
        yields_latest = latest_with_change(read.last_two("treasury_yields"))
        spreads_latest = latest_with_change(read.last_two("credit_spreads"))
        notice = failing_sources_notice(read.source_health())
    except read.StorageUnavailable as exc:
        return html.Div(
            [*header, degraded_state(f"{exc}. Showing nothing rather than something wrong; retry shortly.")]
        )
    if notice is not None:
        header.append(notice)
    if yields_latest.empty and spreads_latest.empty:
        return html.Div(
            [
                *header,
                empty_state(
                    "No rates data yet",
                    "The sidecar has not downloaded Treasury yields or spreads yet. Run `python -m jobs preload`,"
                    " or see /api/system/status for the sources that failed.",
                ),
            ]
        )

    def badge(dataset: str):
        row = status.loc[dataset]
        return freshness_badge(row["last_update"], row["sources"], settings.freshness_target_minutes)

    curve = curve_snapshots(read.chart_data(DEFAULT_CHARTS["rates.curve"]), CURVE_SNAPSHOTS)
    term = read.chart_data(DEFAULT_CHARTS["rates.term_spread"])
    credit = read.chart_data(DEFAULT_CHARTS["rates.credit"])
    spread_labels = labels(settings, "credit_spreads")
    term_fig = history_figure(term, spread_labels, "%")
    term_fig.add_hline(y=0, line_width=1, line_color="#b0b8c8", line_dash="dot")
    table = _latest_table(yields_latest, spreads_latest, settings)
    columns = [
        text_column("group", "Group"),
        text_column("name", "Instrument", minWidth=220),
        text_column("date", "As of"),
        number_column("value", "Latest (%)"),
        number_column("previous", "Previous (%)"),
        number_column("change", "Change (pp)", change=True),
        text_column("source", "Source"),
    ]
    return html.Div(
        [
            *header,
            kpi_row(pd.concat([yields_latest, spreads_latest]), KPIS, "%"),
            html.Div(
                [
                    panel(
                        "Treasury yield curve",
                        graph("rates-curve", yield_curve_figure(curve, list(CURVE_SNAPSHOTS))),
                        badge=badge("treasury_yields"),
                    ),
                    panel("2s10s spread (10Y − 2Y)", graph("rates-2s10s", term_fig), badge=badge("credit_spreads")),
                ],
                className="panel-grid",
            ),
            panel(
                "Credit spreads: high yield and BBB (option-adjusted)",
                graph("rates-credit", history_figure(credit, spread_labels, "%")),
                badge=badge("credit_spreads"),
            ),
            panel(
                "Latest values", data_grid("rates-latest", table, columns, filename="spartan-rates-latest", height=380)
            ),
        ]
    )
