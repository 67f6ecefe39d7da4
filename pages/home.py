"""Market overview: headline rates, what the station holds and how fresh it is."""

from __future__ import annotations

import dash
import pandas as pd
from dash import dcc, html

from components.cards import degraded_state, empty_state, failing_sources_notice, freshness_badge, kpi_row, panel
from components.grid import data_grid, number_column, text_column
from sql import read
from sql.transforms import latest_with_change

dash.register_page(__name__, path="/", name="Overview", title="Spartan Research Station", order=0)

HEADLINES = [
    ("treasury_yields", "10Y", "US 10Y yield"),
    ("treasury_yields", "2Y", "US 2Y yield"),
    ("credit_spreads", "T10Y2Y", "2s10s spread"),
    ("credit_spreads", "HY_OAS", "High-yield OAS"),
]


def _headlines() -> html.Div:
    datasets = sorted({d for d, _, _ in HEADLINES})
    latest = pd.concat([latest_with_change(read.last_two(name)) for name in datasets], ignore_index=True)
    return kpi_row(latest, [(key, label) for _, key, label in HEADLINES], "%")


def _status_table(status: pd.DataFrame, target_minutes: int) -> html.Div:
    now = pd.Timestamp.now(tz="UTC")
    shown = status.assign(
        age_hours=((now - status["last_update"]).dt.total_seconds() / 3600).round(2),
        latest_observation=pd.to_datetime(status["latest_observation"], errors="coerce", utc=True).dt.strftime(
            "%Y-%m-%d"
        ),
        last_update=status["last_update"].dt.strftime("%Y-%m-%d %H:%M UTC"),
    )
    columns = [
        text_column("title", "Dataset", minWidth=180),
        number_column("rows", "Rows", decimals=0),
        number_column("instruments", "Instruments", decimals=0),
        text_column("latest_observation", "Newest observation"),
        text_column("last_update", "Last update"),
        number_column("age_hours", "Age (h)"),
        text_column("sources", "Sources"),
    ]
    return data_grid("home-datasets", shown, columns, filename="spartan-datasets", height=440)


def layout(**_query) -> html.Div:
    settings = read.current_settings()
    header = [
        html.H1("Market overview", className="spartan-page-title"),
        html.P(
            "Everything here is read from the station's own database, refreshed hourly in the background.",
            className="spartan-subtitle",
        ),
    ]
    try:
        status = read.dataset_status()
        health = read.source_health()
    except read.StorageUnavailable as exc:
        return html.Div([*header, degraded_state(str(exc))])
    notices = [n for n in (failing_sources_notice(health),) if n is not None]
    if status["rows"].sum() == 0:
        body = empty_state(
            "No data yet",
            "The sidecar has not stored any data. Run `python -m jobs preload` (or `make run`), then reload this page.",
        )
        return html.Div([*header, *notices, body])
    newest = status["last_update"].max()
    return html.Div(
        [
            *header,
            *notices,
            _headlines(),
            panel(
                "Dashboards",
                html.Ul(
                    [
                        html.Li(dcc.Link("Rates & credit — yield curve, 2s10s, credit spreads", href="/rates")),
                        html.Li(
                            dcc.Link(
                                "Data sources — state, last success and error, latency, download log", href="/sources"
                            )
                        ),
                    ]
                ),
            ),
            panel(
                "Datasets",
                _status_table(status, settings.freshness_target_minutes),
                badge=freshness_badge(newest, None, settings.freshness_target_minutes),
            ),
        ]
    )
