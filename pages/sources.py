"""Data sources: every catalogued source with its state, last success, last error and latency,
and the most recent downloads."""

from __future__ import annotations

import dash
import pandas as pd
from dash import html

from components.cards import degraded_state, empty_state, failing_sources_notice, kpi_row, panel
from components.grid import data_grid, number_column, text_column
from sql import read

dash.register_page(
    __name__, path="/sources", name="Data sources", title="Data Sources · Spartan Research Station", order=90
)

STATE_CLASSES = {
    "status-ok": "params.value == 'ok'",
    "status-failing": "params.value == 'failing' || params.value == 'circuit_open' || params.value == 'degraded'",
    "status-unknown": "params.value == 'not_configured' || params.value == 'not_used_yet'",
}


def _when(series: pd.Series) -> pd.Series:
    return series.dt.strftime("%Y-%m-%d %H:%M UTC").where(series.notna(), None)


def _sources_grid(health: pd.DataFrame) -> html.Div:
    shown = health.assign(
        last_success_at=_when(health["last_success_at"]),
        last_failure_at=_when(health["last_failure_at"]),
        state=health["state"].str.replace("_", " "),
    )
    columns = [
        text_column("source_id", "Source", minWidth=170),
        text_column("provider", "Provider"),
        text_column("category", "Category"),
        text_column("state", "State", cellClassRules={k: v.replace("_", " ") for k, v in STATE_CLASSES.items()}),
        text_column("last_success_at", "Last success", minWidth=170),
        text_column("last_failure_at", "Last failure", minWidth=170),
        number_column("latency_ms", "Latency (ms)", decimals=0),
        number_column("consecutive_failures", "Failures in a row", decimals=0),
        text_column("last_error", "Last error", minWidth=320),
    ]
    return data_grid("sources-health", shown, columns, filename="spartan-data-sources", height=460)


def _downloads_grid(log: pd.DataFrame) -> html.Div:
    shown = log.assign(started_at=_when(log["started_at"]))
    columns = [
        text_column("started_at", "Started", minWidth=170),
        text_column("run_kind", "Run"),
        text_column("source_id", "Source"),
        text_column("dataset", "Dataset"),
        text_column("instrument", "Instrument"),
        text_column(
            "status",
            "Status",
            cellClassRules={"status-ok": "params.value == 'ok'", "status-failing": "params.value == 'failed'"},
        ),
        number_column("rows", "Rows", decimals=0),
        number_column("latency_ms", "Latency (ms)", decimals=0),
        text_column("error", "Error", minWidth=320),
    ]
    return data_grid("sources-downloads", shown, columns, filename="spartan-download-log", height=460)


def layout(**_query) -> html.Div:
    header = [
        html.H1("Data sources", className="spartan-page-title"),
        html.P(
            "Every source in the catalog, how it did on its last run, and the latest downloads.",
            className="spartan-subtitle",
        ),
    ]
    try:
        health = read.source_health()
        log = read.recent_downloads(500)
    except read.StorageUnavailable as exc:
        return html.Div([*header, degraded_state(str(exc))])
    if health.empty:
        return html.Div(
            [
                *header,
                empty_state("No sources recorded yet", "The catalog is loaded into the database on the first preload."),
            ]
        )
    counts = health["state"].value_counts()
    summary = pd.DataFrame(
        {
            "key": ["total", "ok", "failing", "not_configured"],
            "value": [
                len(health),
                counts.get("ok", 0),
                counts.get("failing", 0) + counts.get("circuit_open", 0) + counts.get("degraded", 0),
                counts.get("not_configured", 0),
            ],
            "change": None,
            "date": None,
        }
    )
    picks = [
        ("total", "Sources"),
        ("ok", "OK"),
        ("failing", "Failing / circuit open"),
        ("not_configured", "Not configured"),
    ]
    notice = failing_sources_notice(health)
    return html.Div(
        [
            *header,
            *([notice] if notice is not None else []),
            kpi_row(summary, picks, decimals=0),
            panel("Sources", _sources_grid(health)),
            panel("Download log (latest 500)", _downloads_grid(log)),
        ]
    )
