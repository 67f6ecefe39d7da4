"""The common panel types: KPI cards, history charts, latest-value tables, the yield curve."""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import quote

import pandas as pd
import plotly.graph_objects as go
from dash import html

from components.axes import log_axis
from components.cards import kpi
from components.figures import (
    drawn_values,
    epoch_ms,
    flag_markers,
    history_figure,
    plot_points,
    thin,
    yield_curve_figure,
)
from components.grid import ROW_DECIMALS, data_grid, number_column, text_column
from components.numbers import NumberStyle, style_for
from config.catalog_index import catalog, labels, units
from config.csv_format import with_quality
from config.dashboard_specs import YOY_LOOKBACK_DAYS
from pages.panels import combine, shading
from pages.panels.base import NoData, PanelContext, chart, panel_type
from sql import read
from sql.plans import Read
from sql.search import SERIES_DATASETS, detail_href  # noqa: F401 - re-exported: the detail pages' links
from sql.transforms import curve_snapshots, latest_with_change, tenor_months


def names(ctx: PanelContext, dataset: str | None = None) -> dict[str, str]:
    found = labels(ctx.settings, dataset or ctx.spec.dataset)
    return {**found, **{str(k): str(v) for k, v in (ctx.spec.option("labels") or {}).items()}}


def panel_keys(ctx: PanelContext) -> list[str] | None:
    """The panel's instruments, plus those the URL compares when the panel allows it."""
    keys = list(ctx.spec.keys) if ctx.spec.keys else None
    if ctx.spec.option("comparable") and ctx.view.compare:
        known = {i.key for i in catalog(ctx.settings).for_dataset(ctx.spec.dataset)}
        extra = [k for k in ctx.view.compare if k in known and k not in (keys or [])]
        keys = (keys or []) + extra
    return keys


# The options ``number_style`` reads: a panel's unit, decimals and how its changes are shown.
NUMBER_OPTIONS = {"unit": str, "decimals": int, "change": str}
# The options of the latest-values panels (kpis, latest_table): the instruments' labels, whether
# the URL's compared instruments join them, and their number style.
LATEST_OPTIONS = {"labels": dict, "comparable": bool, **NUMBER_OPTIONS}


def number_style(ctx: PanelContext, key: str | None = None, value: float | None = None) -> NumberStyle:
    """How the panel writes one instrument's numbers: the dataset's kind (components/numbers.py),
    with the panel's ``unit``, ``decimals`` and ``change`` ("bp" or "level") options on top."""
    unit = units(ctx.settings, ctx.spec.dataset).get(key) if key and ctx.spec.dataset else None
    style = style_for(ctx.spec.dataset, key, value, unit)
    changes = {}
    if ctx.spec.option("unit") is not None:
        changes["unit"] = str(ctx.spec.option("unit"))
    if ctx.spec.option("decimals") is not None:
        changes["decimals"] = int(ctx.spec.option("decimals"))
    if ctx.spec.option("change") in ("bp", "level"):
        changes["change"] = ctx.spec.option("change")
    return replace(style, **changes) if changes else style


# --- latest values ----------------------------------------------------------------------------


def latest_reads(ctx: PanelContext) -> list[Read]:
    """The two newest rows of every series of the panel's dataset."""
    return [Read("last_two", ctx.spec.dataset)]


def latest_rows(ctx: PanelContext) -> pd.DataFrame:
    latest = latest_with_change(read.fetch(latest_reads(ctx)[0]))
    keys = panel_keys(ctx)
    if keys:
        latest = latest[latest["key"].isin(keys)]
        latest = latest.set_index("key").reindex([k for k in keys if k in set(latest["key"])]).reset_index()
    if latest.empty:
        raise NoData("Nothing stored for these instruments yet.")
    label = names(ctx)
    return latest.assign(
        name=latest["key"].map(label).fillna(latest["key"]),
        change_pct=(100 * latest["change"] / latest["previous"].where(latest["previous"] != 0)).round(4),
    )


def kpis_data(ctx: PanelContext) -> pd.DataFrame:
    rows = latest_rows(ctx)
    return rows[["name", "key", "date", "value", "change", "change_pct", "source"]].rename(
        columns={
            "name": "Name",
            "key": "Key",
            "date": "Date",
            "value": "Value",
            "change": "Change",
            "change_pct": "Change %",
            "source": "Source",
        }
    )


@panel_type("kpis", kpis_data, latest_reads, options=LATEST_OPTIONS)
def kpis(ctx: PanelContext):
    rows = latest_rows(ctx)
    cards = [
        kpi(
            r.name,
            r.value,
            change=r.change,
            as_of=r.date,
            style=number_style(ctx, r.key, r.value),
            previous_date=r.previous_date,
        )
        for r in rows.itertuples()
    ]
    return html.Div(cards, className="kpi-row")


def table_data(ctx: PanelContext) -> pd.DataFrame:
    rows = latest_rows(ctx)
    if ctx.spec.dataset == "treasury_yields":
        rows = rows.assign(order=rows["key"].map(tenor_months)).sort_values("order")
    return pd.DataFrame(
        {
            "Name": rows["name"],
            "Symbol": rows["key"],
            "Last": rows["value"],
            "Change": rows["change"],
            "Change %": rows["change_pct"],
            "Date": pd.to_datetime(rows["date"]).dt.strftime("%Y-%m-%d"),
            "Source": rows["source"],
        }
    )


@panel_type("latest_table", table_data, latest_reads, options=LATEST_OPTIONS)
def latest_table(ctx: PanelContext):
    frame = table_data(ctx)
    dataset = ctx.spec.dataset
    styles = [number_style(ctx, k, v) for k, v in zip(frame["Symbol"], frame["Last"], strict=True)]
    frame = frame.assign(
        Symbol=[f"[{k}]({detail_href(dataset, k)})" for k in frame["Symbol"]],
        _decimals=[s.decimals for s in styles],
    )
    bp = bool(styles) and all(s.change == "bp" for s in styles)
    columns = [
        text_column("Name", "Name", minWidth=180, flex=2),
        text_column("Symbol", "Symbol", cellRenderer="markdown", minWidth=90),
        number_column("Last", "Last" + (" (%)" if bp else ""), decimals=ROW_DECIMALS),
        number_column("Change", "Change", change=True, decimals=0 if bp else ROW_DECIMALS, unit=" bp" if bp else ""),
        *([] if bp else [number_column("Change %", "Change %", change=True, decimals=2)]),
        text_column("Date", "Date", minWidth=110),
        text_column("Source", "Source", minWidth=100),
    ]
    height = min(560, 56 + 42 * len(frame))
    return data_grid(ctx.dom_id, frame, columns, filename=f"spartan-{ctx.dom_id}", height=max(height, 160))


# --- history ----------------------------------------------------------------------------------


def _yoy(frame: pd.DataFrame) -> pd.DataFrame:
    """Year-on-year change in percent, each observation against the last one a year before it."""
    out = []
    for _key, rows in frame.groupby("key", sort=False):
        rows = rows.sort_values("date")
        past = rows[["date", "value"]].rename(columns={"value": "past"})
        past["date"] = past["date"] + pd.DateOffset(years=1)
        merged = pd.merge_asof(rows, past, on="date", direction="backward", tolerance=pd.Timedelta(days=20))
        merged["value"] = 100 * (merged["value"] / merged["past"] - 1)
        out.append(merged.drop(columns="past").dropna(subset=["value"]))
    return pd.concat(out, ignore_index=True) if out else frame


# Datasets of prices in different currencies and scales: several of them on one chart are
# compared rebased to 100 unless the URL or the panel says otherwise.
REBASE_DATASETS = frozenset({"market_indices", "equities", "commodities", "crypto_prices", "forex_rates"})


def rebase_by_default(spec, view) -> bool:
    """A panel's rebasing when the URL does not choose: its ``rebase`` option, else rebased when
    it draws several prices (Nikkei at ~48,000 beside the S&P at ~6,700 squashes one of them)."""
    if spec.option("rebase") is not None:
        return bool(spec.option("rebase"))
    if spec.dataset not in REBASE_DATASETS:
        return False
    keys = list(spec.keys or [])
    shown = len(keys) + (len(view.compare) if spec.option("comparable") else 0)
    return not keys or shown > 1


def rebased(ctx: PanelContext) -> bool:
    """Whether the panel draws its instruments rebased to 100 (the URL's choice, else its default)."""
    if not ctx.spec.option("rebase_allowed", True) or ctx.spec.option("transform") == "yoy":
        return False
    return ctx.view.rebase if ctx.view.rebase is not None else rebase_by_default(ctx.spec, ctx.view)


def history_reads(ctx: PanelContext) -> list[Read]:
    """The panel's instruments over the URL's range (a year more for a year-on-year view)."""
    keys = panel_keys(ctx)
    if keys:  # and the series its shadings follow (shading.py)
        keys = keys + [k for k in hidden_keys(ctx) if k not in keys]
    lookback = YOY_LOOKBACK_DAYS if ctx.spec.option("transform") == "yoy" else 0
    return [
        Read("observations", ctx.spec.dataset, tuple(keys) if keys else None, range=ctx.view.range, lookback=lookback)
    ]


def hidden_keys(ctx: PanelContext) -> list[str]:
    """The series a panel reads for its shadings only (not drawn)."""
    shown = set(panel_keys(ctx) or [])
    return [s.key for s in shading.shades(ctx.spec.option("shade")) if s.key not in shown]


def history_rows(ctx: PanelContext) -> pd.DataFrame:
    """``key, date, value, source`` of the panel's instruments over the URL's range."""
    newest = read.latest_date(ctx.spec.dataset)
    if newest is None:
        raise NoData()
    transform = ctx.spec.option("transform")
    frame = read.fetch(history_reads(ctx)[0])
    if not frame.empty and panel_keys(ctx):
        frame = frame[~frame["key"].isin(hidden_keys(ctx))]
    if not frame.empty and ctx.spec.option("combine"):  # a series computed from the panel's
        frame = combine.combined_rows(ctx, frame)
    if frame.empty:
        raise NoData("Nothing stored for these instruments yet.")
    if transform == "yoy":
        frame = _yoy(frame)
        if ctx.view.start(newest) is not None:
            frame = frame[frame["date"] >= pd.Timestamp(ctx.view.start(newest))]
    if rebased(ctx):
        first = frame.groupby("key")["value"].transform("first")
        frame = frame.assign(value=(100 * frame["value"] / first.where(first != 0)).round(6))
    return frame


def history_data(ctx: PanelContext) -> pd.DataFrame:
    frame = history_rows(ctx)
    label = names(ctx)
    wide = frame.pivot_table(index="date", columns="key", values="value", aggfunc="last").sort_index()
    order = panel_keys(ctx) or []  # a series computed from the panel's (combine) first
    wanted = [k for k in dict.fromkeys(frame["key"]) if k not in order] + order
    wide = wide[[k for k in wanted if k in wide.columns]]
    flags = read.quality_flags(ctx.spec.dataset, list(wide.columns))
    wide.columns = [label.get(k, k) for k in wide.columns]
    if not flags.empty:  # which instruments' values of the day are flagged, and why
        marked = with_quality(frame, flags, key_column="key").dropna(subset=["quality"])
        text = marked["key"].map(lambda k: label.get(k, k)) + ": " + marked["quality"]
        per_day = text.groupby(marked["date"]).agg("; ".join).reindex(wide.index)
        wide["Quality"] = per_day.astype(object).where(per_day.notna(), None)
    for shade in shading.shades(ctx.spec.option("shade")):  # true on the dates inside each shading
        wide[shade.label] = shading.flags_as_of(read.fetch(history_reads(ctx)[0]), shade, wide.index)
    wide.index = wide.index.strftime("%Y-%m-%d")
    return wide.reset_index(names="Date")


def history_frame(ctx: PanelContext) -> tuple[pd.DataFrame, bool, str, int]:
    """The rows a history chart draws, in trace order (a series computed from the panel's, then
    its keys), whether they are rebased, the unit after its numbers and the decimals of its
    tooltip."""
    frame = history_rows(ctx)
    is_rebased = rebased(ctx)
    unit = "" if is_rebased else ("%" if ctx.spec.option("transform") == "yoy" else ctx.spec.option("unit", ""))
    order = {k: i for i, k in enumerate(panel_keys(ctx) or [])}
    frame = frame.sort_values(["key", "date"], key=lambda c: c.map(order).fillna(-1) if c.name == "key" else c)
    style = number_style(ctx, None, float(frame["value"].abs().median()) if not frame.empty else None)
    return frame, is_rebased, unit, 2 if is_rebased else style.decimals


def zoom_href(ctx: PanelContext) -> str:
    """Where the browser asks for a zoomed window of a thinned chart at full resolution."""
    return f"/zoom/{quote(ctx.dashboard.id)}/{quote(ctx.spec.id)}.json{ctx.view.query(embed=False)}"


HISTORY_OPTIONS = {
    **LATEST_OPTIONS,
    "height": int,
    "hlines": list,  # horizontal reference lines
    "transform": str,  # "yoy"
    "rebase": bool,  # rebased to 100 by default (else: when several series are shown)
    "rebase_allowed": bool,
    "shade": list,  # periods shaded behind the lines (pages/panels/shading.py)
    "combine": dict,  # one series computed from the panel's (pages/panels/combine.py)
}


@panel_type("history", history_data, history_reads, view=("range", "log", "rebase"), options=HISTORY_OPTIONS)
def history(ctx: PanelContext):
    frame, is_rebased, unit, decimals = history_frame(ctx)
    budget = plot_points(ctx.spec.width)
    fig = history_figure(
        frame,
        names(ctx),
        unit,
        height=int(ctx.spec.option("height", 340)),
        range_selector=ctx.view.embed,
        decimals=decimals,
        max_points=budget,
    )
    if frame.groupby("key", sort=False).size().max() > budget:
        # Thinned: a zoom asks for its window at full resolution (assets/zoom.js, /zoom/…).
        fig.update_layout(meta={"zoom": zoom_href(ctx)})
    if is_rebased:
        fig.update_yaxes(title_text="rebased to 100")
    elif ctx.spec.option("combine"):
        fig.update_yaxes(title_text=str(ctx.spec.option("combine").get("unit") or ""), tickformat=",.0f")
    elif not unit and not ctx.spec.option("transform"):
        axis_unit(fig, units(ctx.settings, ctx.spec.dataset), frame["key"].unique())
    if ctx.view.log and not ctx.spec.option("transform"):
        log_axis(fig, frame["value"])
    for line in ctx.spec.option("hlines", []) or []:
        fig.add_hline(y=float(line), line_width=1, line_color="#b0b8c8", line_dash="dot")
    shades = shading.shades(ctx.spec.option("shade"))
    if shades:
        raw = read.fetch(history_reads(ctx)[0])
        for i, shade in enumerate(shades):
            shading.draw(fig, shade, shading.shaded_periods(raw, shade, frame["date"].min()), i)
    marks = flag_markers(frame, read.quality_flags(ctx.spec.dataset, frame["key"].unique()), names(ctx), decimals)
    if marks is not None:
        fig.add_trace(marks)
    return chart(ctx, fig)


def zoom_traces(ctx: PanelContext, start: pd.Timestamp, end: pd.Timestamp) -> list[dict]:
    """Each trace of the panel's history chart between ``start`` and ``end``: the stored rows,
    thinned only to what the chart's width can show of that window."""
    frame, _rebased, _unit, decimals = history_frame(ctx)
    budget = plot_points(ctx.spec.width)
    traces = []
    for _key, rows in frame.groupby("key", sort=False):
        window = rows[(rows["date"] >= start) & (rows["date"] <= end)]
        x, y = thin(window["date"], window["value"], budget)
        traces.append({"x": epoch_ms(x).tolist(), "y": [None if v != v else v for v in drawn_values(y, decimals)]})
    return traces


def axis_unit(fig, known: dict[str, str], keys) -> None:
    """The y axis says the unit its series share (catalog units): "%" as a tick suffix, other
    units ("thousands", "index, 2017=100") as the axis title."""
    shared = {known.get(k) for k in keys}
    if len(shared) != 1 or None in shared:
        return
    (unit,) = shared
    if unit == "%":
        fig.update_yaxes(ticksuffix="%")
    elif unit.split()[0] in ("thousands", "millions", "billions", "trillions"):
        fig.update_yaxes(title_text=unit, tickformat=",.0f")  # "12,000" thousands, not "12k" thousands
    else:
        fig.update_yaxes(title_text=unit)


# --- the yield curve --------------------------------------------------------------------------

CURVE_DAYS = read.CURVE_DAYS
CURVE_SNAPSHOTS = {"Today": pd.DateOffset(days=0), "1M ago": pd.DateOffset(months=1), "1Y ago": pd.DateOffset(years=1)}


def curve_reads(ctx: PanelContext) -> list[Read]:
    """Every tenor over the days the curve's snapshots need (today, a month and a year ago)."""
    return [Read("observations", ctx.spec.dataset, days=CURVE_DAYS)]


def curve_rows(ctx: PanelContext) -> pd.DataFrame:
    frame = read.fetch(curve_reads(ctx)[0])
    if frame.empty:
        raise NoData()
    return frame


def curve_data(ctx: PanelContext) -> pd.DataFrame:
    snapshots = curve_snapshots(curve_rows(ctx), CURVE_SNAPSHOTS)
    return snapshots.drop(columns="months").rename(columns={"tenor": "Tenor"})


@panel_type("yield_curve", curve_data, curve_reads)
def yield_curve(ctx: PanelContext):
    frame = curve_rows(ctx)
    snapshots = curve_snapshots(frame, CURVE_SNAPSHOTS)
    return chart(ctx, yield_curve_figure(snapshots, list(CURVE_SNAPSHOTS)))


def empty_figure(message: str) -> go.Figure:
    fig = go.Figure(layout={"template": "spartan", "height": 200})
    fig.add_annotation(text=message, showarrow=False, font={"size": 14})
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return fig
