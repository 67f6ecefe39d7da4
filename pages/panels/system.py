"""System panel types: data-source health, the download log, per-dataset status.

They read the system tables (no dataset of their own), so they register with
``needs_dataset=False``.
"""

from __future__ import annotations

import pandas as pd
from dash import html

from components.cards import failing_sources_notice, kpi_row
from components.grid import data_grid, number_column, text_column
from pages.panels.base import NoData, PanelContext, no_reads, panel_type
from pages.panels.core import detail_href
from sql import read
from sql.datasets import DATASETS

STATE_CLASSES = {
    "status-ok": "params.value == 'ok'",
    "status-failing": "params.value == 'failing' || params.value == 'circuit open' || params.value == 'degraded'",
    "status-unknown": "params.value == 'not configured' || params.value == 'not used yet'",
}
FAILING_STATES = ("failing", "circuit_open", "degraded")


def _when(series: pd.Series) -> pd.Series:
    return series.dt.strftime("%Y-%m-%d %H:%M UTC").where(series.notna(), None)


# --- source health ----------------------------------------------------------------------------


def health_rows(health: pd.DataFrame) -> pd.DataFrame:
    """The health frame as the grid shows it (times as text, states without underscores, the
    key variable of a keyed source, a dash for a keyless one)."""
    return health.assign(
        last_success_at=_when(health["last_success_at"]),
        last_failure_at=_when(health["last_failure_at"]),
        state=health["state"].str.replace("_", " "),
        auth_env=health["auth_env"].where(health["access"] == "key", "—"),
    )


def sources_grid(health: pd.DataFrame, grid_id: str = "sources-health", height: int = 460) -> html.Div:
    columns = [
        text_column("source_id", "Source", minWidth=200),
        text_column("provider", "Provider", minWidth=170),
        text_column("category", "Category", minWidth=110),
        text_column("access", "Access", minWidth=90),
        text_column("auth_env", "Key variable", minWidth=290),
        text_column("state", "State", cellClassRules=STATE_CLASSES, minWidth=140),
        text_column("last_success_at", "Last success", minWidth=170),
        text_column("last_failure_at", "Last failure", minWidth=170),
        number_column("latency_ms", "Latency (ms)", decimals=0),
        number_column("consecutive_failures", "Failures in a row", decimals=0),
        text_column("last_error", "Last error", minWidth=320),
    ]
    return data_grid(grid_id, health_rows(health), columns, filename="spartan-data-sources", height=height)


def health_summary(health: pd.DataFrame) -> html.Div:
    """KPI cards: how many sources, OK, failing, not configured."""
    counts = health["state"].value_counts()
    summary = pd.DataFrame(
        {
            "key": ["total", "ok", "failing", "not_configured"],
            "value": [
                len(health),
                counts.get("ok", 0),
                sum(counts.get(s, 0) for s in FAILING_STATES),
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
    return kpi_row(summary, picks, decimals=0)


def _health(ctx: PanelContext | None = None) -> pd.DataFrame:
    health = read.source_health()
    if health.empty:
        raise NoData("No sources recorded yet: the catalog is loaded into the database on the first preload.")
    return health


def sources_health_data(ctx: PanelContext) -> pd.DataFrame:
    shown = health_rows(_health(ctx))
    return shown[
        [
            "source_id",
            "provider",
            "category",
            "access",
            "auth_env",
            "state",
            "last_success_at",
            "last_failure_at",
            "latency_ms",
            "consecutive_failures",
            "last_error",
        ]
    ].rename(
        columns={
            "source_id": "Source",
            "provider": "Provider",
            "category": "Category",
            "access": "Access",
            "auth_env": "Key variable",
            "state": "State",
            "last_success_at": "Last success",
            "last_failure_at": "Last failure",
            "latency_ms": "Latency (ms)",
            "consecutive_failures": "Failures in a row",
            "last_error": "Last error",
        }
    )


@panel_type(
    "sources_health", sources_health_data, no_reads, needs_dataset=False, options={"summary": bool, "height": int}
)
def sources_health(ctx: PanelContext):
    health = _health(ctx)
    notice = failing_sources_notice(health)
    parts = [notice] if notice is not None else []
    if ctx.spec.option("summary", True):
        parts.append(health_summary(health))
    parts.append(sources_grid(health, ctx.dom_id, height=int(ctx.spec.option("height", 460))))
    return html.Div(parts)


# --- the download log -------------------------------------------------------------------------

DOWNLOAD_FIELDS = {
    "started_at": "Started",
    "run_kind": "Run",
    "source_id": "Source",
    "dataset": "Dataset",
    "instrument": "Instrument",
    "status": "Status",
    "rows": "Rows",
    "revised_rows": "Revised older rows",
    "latency_ms": "Latency (ms)",
    "error": "Error",
}


def downloads_grid(log: pd.DataFrame, grid_id: str = "sources-downloads", height: int = 460) -> html.Div:
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
        number_column("revised_rows", "Revised older rows", decimals=0),
        number_column("latency_ms", "Latency (ms)", decimals=0),
        text_column("error", "Error", minWidth=320),
    ]
    return data_grid(grid_id, shown, columns, filename="spartan-download-log", height=height)


def _limit(ctx: PanelContext) -> int:
    try:
        return max(1, min(int(ctx.spec.option("limit", 500)), 5000))
    except (TypeError, ValueError):
        return 500


def _downloads(ctx: PanelContext) -> pd.DataFrame:
    log = read.recent_downloads(_limit(ctx))
    if log.empty:
        raise NoData("Nothing downloaded yet: the log fills as the sidecar runs.")
    return log


def download_log_data(ctx: PanelContext) -> pd.DataFrame:
    log = _downloads(ctx)
    return log.assign(started_at=_when(log["started_at"]))[list(DOWNLOAD_FIELDS)].rename(columns=DOWNLOAD_FIELDS)


@panel_type("download_log", download_log_data, no_reads, needs_dataset=False, options={"limit": int, "height": int})
def download_log(ctx: PanelContext):
    return downloads_grid(_downloads(ctx), ctx.dom_id, height=int(ctx.spec.option("height", 460)))


# --- per-dataset status -----------------------------------------------------------------------


def status_rows(status: pd.DataFrame) -> pd.DataFrame:
    """Per dataset: rows, instruments, newest observation, last update and its age in hours."""
    now = pd.Timestamp.now(tz="UTC")
    return status.assign(
        age_hours=((now - status["last_update"]).dt.total_seconds() / 3600).round(2),
        latest_observation=pd.to_datetime(status["latest_observation"], errors="coerce", utc=True).dt.strftime(
            "%Y-%m-%d"
        ),
        last_update=status["last_update"].dt.strftime("%Y-%m-%d %H:%M UTC"),
    )


def datasets_grid(status: pd.DataFrame, grid_id: str = "datasets-status", height: int = 440) -> html.Div:
    columns = [
        text_column("title", "Dataset", minWidth=180),
        number_column("rows", "Rows", decimals=0),
        number_column("instruments", "Instruments", decimals=0),
        text_column("latest_observation", "Newest observation"),
        text_column("last_update", "Last update"),
        number_column("age_hours", "Age (h)"),
        text_column("sources", "Sources"),
    ]
    return data_grid(grid_id, status_rows(status), columns, filename="spartan-datasets", height=height)


def _status() -> pd.DataFrame:
    status = read.dataset_status()
    if status.empty or status["rows"].sum() == 0:
        raise NoData("The sidecar has not stored any data yet.")
    return status


def datasets_status_data(ctx: PanelContext) -> pd.DataFrame:
    shown = status_rows(_status())
    return shown[
        ["title", "dataset", "rows", "instruments", "latest_observation", "last_update", "age_hours", "sources"]
    ].rename(
        columns={
            "title": "Dataset",
            "dataset": "Name",
            "rows": "Rows",
            "instruments": "Instruments",
            "latest_observation": "Newest observation",
            "last_update": "Last update",
            "age_hours": "Age (h)",
            "sources": "Sources",
        }
    )


@panel_type("datasets_status", datasets_status_data, no_reads, needs_dataset=False, options={"height": int})
def datasets_status(ctx: PanelContext):
    return datasets_grid(_status(), ctx.dom_id, height=int(ctx.spec.option("height", 440)))


# --- history depth per series -----------------------------------------------------------------

HISTORY_FIELDS = {
    "dataset": "Dataset",
    "key": "Series",
    "first_date": "First date held",
    "last_date": "Last date",
    "rows": "Rows",
    "source": "Full-depth source",
    "provider_first": "First date served",
    "depth_note": "Why not earlier",
}


def _history() -> pd.DataFrame:
    depth = read.history_depth()
    if depth.empty:
        raise NoData("The sidecar has not stored any series yet.")
    return depth


def history_depth_data(ctx: PanelContext) -> pd.DataFrame:
    return _history()[list(HISTORY_FIELDS)].rename(columns=HISTORY_FIELDS)


def history_grid(depth: pd.DataFrame, grid_id: str = "history-depth", height: int = 460) -> html.Div:
    columns = [
        text_column("dataset", "Dataset", minWidth=150),
        text_column("key", "Series"),
        text_column("first_date", "First date held"),
        text_column("last_date", "Last date"),
        number_column("rows", "Rows", decimals=0),
        text_column("source", "Full-depth source"),
        text_column("provider_first", "First date served"),
        text_column("depth_note", "Why not earlier", minWidth=340),
    ]
    shown = depth.assign(
        **{c: depth[c].astype(str).where(depth[c].notna(), None) for c in ("first_date", "last_date", "provider_first")}
    )
    return data_grid(grid_id, shown, columns, filename="spartan-history-depth", height=height)


@panel_type("history_depth", history_depth_data, no_reads, needs_dataset=False, options={"height": int})
def history_depth(ctx: PanelContext):
    return history_grid(_history(), ctx.dom_id, height=int(ctx.spec.option("height", 460)))


# --- data quality: the open flags ---------------------------------------------------------------

QUALITY_FIELDS = {
    "dataset_title": "Dataset",
    "key": "Instrument",
    "date": "Date",
    "rule": "Rule",
    "status": "Status",
    "value": "Value",
    "source": "Source",
    "second_source": "Checked against",
    "second_value": "Its value",
    "detail": "Detail",
    "first_seen": "First seen",
    "last_seen": "Last seen",
}
QUALITY_CLASSES = {
    "status-ok": "params.value == 'confirmed'",
    "status-failing": "params.value == 'disputed'",
    "status-unknown": "params.value == 'unchecked' || params.value == 'open'",
}
STATUS_LABELS = (
    ("open", "Open"),
    ("disputed", "Disputed"),
    ("unchecked", "Unchecked"),
    ("confirmed", "Confirmed"),
)


def _quality_rows(ctx: PanelContext) -> pd.DataFrame:
    """Every stored flag (of the panel's ``statuses``, ``datasets``), newest date first, at
    most ``limit``. One memoized read of data_quality: none while no dataset has flags."""
    flags = read.quality_flags()
    wanted = ctx.spec.option("statuses")
    if wanted:
        flags = flags[flags["status"].isin([str(s) for s in wanted])]
    if ctx.spec.option("datasets"):
        flags = flags[flags["dataset"].isin([str(d) for d in ctx.spec.option("datasets")])]
    flags = flags.sort_values(["date", "dataset", "key"], ascending=[False, True, True], kind="stable")
    flags = flags.head(_limit(ctx)).reset_index(drop=True)
    if flags.empty:
        return pd.DataFrame(columns=[*QUALITY_FIELDS, "dataset"])
    titles = {name: spec.title for name, spec in DATASETS.items()}
    return flags.assign(
        dataset_title=flags["dataset"].map(titles).fillna(flags["dataset"]),
        date=pd.to_datetime(flags["date"]).dt.strftime("%Y-%m-%d"),
        first_seen=_when(flags["first_seen"]),
        last_seen=_when(flags["last_seen"]),
        rule=flags["rule"].str.replace("_", "-"),
    )


def data_quality_data(ctx: PanelContext) -> pd.DataFrame:
    rows = _quality_rows(ctx)
    return rows[list(QUALITY_FIELDS)].rename(columns=QUALITY_FIELDS)


def quality_summary(rows: pd.DataFrame) -> html.Div:
    counts = rows["status"].value_counts()
    summary = pd.DataFrame(
        {
            "key": ["total", *(s for s, _ in STATUS_LABELS)],
            "value": [len(rows), *(int(counts.get(s, 0)) for s, _ in STATUS_LABELS)],
            "change": None,
            "date": None,
        }
    )
    return kpi_row(summary, [("total", "Flags"), *STATUS_LABELS], decimals=0)


@panel_type(
    "data_quality",
    data_quality_data,
    no_reads,
    needs_dataset=False,
    options={"limit": int, "height": int, "summary": bool, "statuses": list, "datasets": list},
)
def data_quality(ctx: PanelContext):
    rows = _quality_rows(ctx)
    if rows.empty:
        return html.P(
            "No flags: every stored point passes its dataset's quality rules (config/sources.yaml, quality:).",
            className="text-secondary mb-0",
        )
    shown = rows.assign(key=[f"[{k}]({detail_href(d, k)})" for d, k in zip(rows["dataset"], rows["key"], strict=True)])
    columns = [
        text_column("dataset_title", "Dataset", minWidth=150),
        text_column("key", "Instrument", cellRenderer="markdown", minWidth=110),
        text_column("date", "Date", minWidth=110),
        text_column("rule", "Rule", minWidth=100),
        text_column("status", "Status", cellClassRules=QUALITY_CLASSES, minWidth=110),
        number_column("value", "Value", decimals=4),
        text_column("source", "Source", minWidth=120),
        text_column("second_source", "Checked against", minWidth=140),
        number_column("second_value", "Its value", decimals=4),
        text_column("detail", "Detail", minWidth=360),
        text_column("first_seen", "First seen", minWidth=170),
        text_column("last_seen", "Last seen", minWidth=170),
    ]
    parts = [quality_summary(rows)] if ctx.spec.option("summary", True) else []
    height = int(ctx.spec.option("height", 560))
    parts.append(data_grid(ctx.dom_id, shown, columns, filename="spartan-data-quality", height=height))
    return html.Div(parts)
