"""Performance panels over 1D/1W/1M/3M/YTD/1Y (pages/panels/returns.py):

- ``performance_matrix``: one colour-scaled table of assets grouped by class, each group its own
  dataset and keys (option ``groups``: ``[{label, dataset, keys, labels?}]``): price changes in
  %, rates and spreads in basis points of their level; sortable, its CSV the same rows. A page
  asks once per dataset however many groups read it.
- ``performance_bars``: the panel's instruments as bars per period, best first (sector funds
  named by their GICS sector).
- ``relative_history``: each instrument's price relative to a ``benchmark`` of its dataset over
  the URL's range, 100 at the start: above 100, it did better than the benchmark.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from components.figures import history_figure, plot_points
from components.grid import ROW_DECIMALS, data_grid, number_column, text_column
from components.numbers import RATE_DATASETS, style_for
from config import theme
from config.catalog_index import sectors
from pages.panels.base import NoData, PanelContext, chart, panel_type
from pages.panels.core import detail_href, names
from pages.panels.returns import HISTORY_DAYS, PERIODS, change_table
from sql import read
from sql.datasets import DATASETS
from sql.plans import Read

# The smallest full-colour change of a matrix column: a quiet day does not look like a crash.
HEAT_FLOOR = {"%": 1.0, "bp": 5.0}


def periods(ctx: PanelContext) -> tuple[str, ...]:
    chosen = tuple(str(p) for p in (ctx.spec.option("periods") or PERIODS))
    unknown = [p for p in chosen if p not in PERIODS]
    if unknown:
        raise ValueError(f"panel {ctx.dom_id}: periods must be among {PERIODS}, got {unknown}")
    return chosen


def groups(ctx: PanelContext) -> list[dict]:
    """The matrix's groups (option ``groups``), else the panel's own dataset and keys as one."""
    found = ctx.spec.option("groups") or [{"label": "", "dataset": ctx.spec.dataset, "keys": list(ctx.spec.keys or [])}]
    for group in found:
        if not isinstance(group, dict) or group.get("dataset") not in DATASETS:
            raise ValueError(f"panel {ctx.dom_id}: each group needs a known dataset, got {group!r}")
    return found


def matrix_reads(ctx: PanelContext) -> list[Read]:
    return [
        Read("observations", g["dataset"], tuple(g.get("keys") or ()) or None, days=HISTORY_DAYS) for g in groups(ctx)
    ]


def matrix_rows(ctx: PanelContext) -> pd.DataFrame:
    """One row an asset, in the groups' order: class, name, key, dataset, unit ("%" or "bp"),
    last level, its date and the change over each period."""
    shown = periods(ctx)
    parts = []
    for group, declared in zip(groups(ctx), matrix_reads(ctx), strict=True):
        dataset = group["dataset"]
        if read.latest_date(dataset) is None:
            continue
        rates = dataset in RATE_DATASETS
        table = change_table(read.fetch(declared), shown, how="diff" if rates else "pct")
        if table.empty:
            continue
        if rates:  # percentage points → basis points
            table[list(shown)] = 100 * table[list(shown)]
        keys = [str(k) for k in group.get("keys") or table["key"]]
        table = table.set_index("key").reindex([k for k in keys if k in set(table["key"])]).reset_index()
        own = {str(k): str(v) for k, v in (group.get("labels") or {}).items()}
        label = {**names(ctx, dataset), **sectors(ctx.settings, dataset), **own}  # sector funds by sector
        parts.append(
            table.assign(
                group=str(group.get("label") or ""),
                name=table["key"].map(label).fillna(table["key"]),
                dataset=dataset,
                unit="bp" if rates else "%",
            )
        )
    if not parts:
        raise NoData()
    return pd.concat(parts, ignore_index=True)


def matrix_data(ctx: PanelContext, rows: pd.DataFrame | None = None) -> pd.DataFrame:
    """The matrix as its CSV has it (``rows``: ``matrix_rows``, when the caller has them)."""
    rows = matrix_rows(ctx) if rows is None else rows
    out = pd.DataFrame({"Class": rows["group"], "Asset": rows["name"], "Symbol": rows["key"], "Last": rows["last"]})
    for period in periods(ctx):
        out[period] = rows[period].round(2)
    out["Unit"] = rows["unit"]
    out["Date"] = rows["date"].dt.strftime("%Y-%m-%d")
    return out


def heat_scale(values: pd.Series, unit: str) -> float:
    """The change at which a column's colour is full: its 90th percentile of sizes, at least
    ``HEAT_FLOOR``."""
    sizes = values.abs().dropna()
    top = float(np.percentile(sizes, 90)) if len(sizes) else 0.0
    return round(max(top, HEAT_FLOOR[unit]), 2)


def _period_column(period: str, scales: dict[str, float]) -> dict:
    bp = "params.data.Unit === 'bp'"
    return {
        "field": period,
        "headerName": period,
        "type": "rightAligned",
        "filter": "agNumberColumnFilter",
        "minWidth": 92,
        # Rates' changes are stored in bp: the formatter takes percentage points for " bp".
        "valueFormatter": {
            "function": f"spartanNumber({bp} ? params.value / 100 : params.value, 2, true, {bp} ? ' bp' : '%')"
        },
        "cellStyle": {"function": f"spartanHeat(params.value, {bp} ? {scales['bp']} : {scales['%']}, {bp} ? 0 : 2)"},
    }


@panel_type(
    "performance_matrix",
    matrix_data,
    matrix_reads,
    options={"groups": list, "periods": list, "height": int, "labels": dict},
)
def performance_matrix(ctx: PanelContext):
    rows = matrix_rows(ctx)
    frame = matrix_data(ctx, rows).assign(
        Asset=[
            f"[{n}]({detail_href(d, k)})" for n, d, k in zip(rows["name"], rows["dataset"], rows["key"], strict=True)
        ],
        _decimals=[
            style_for(d, k, v).decimals for d, k, v in zip(rows["dataset"], rows["key"], rows["last"], strict=True)
        ],
    )
    columns = [
        text_column("Class", "Class", minWidth=140),
        text_column("Asset", "Asset", cellRenderer="markdown", minWidth=200, flex=2),
        {  # a rate's level with its "%"
            **number_column("Last", "Last", decimals=ROW_DECIMALS),
            "valueFormatter": {
                "function": "spartanNumber(params.value, params.data._decimals, false, "
                "params.data.Unit === 'bp' ? '%' : '')"
            },
        },
    ]
    for period in periods(ctx):
        scales = {unit: heat_scale(frame.loc[frame["Unit"] == unit, period], unit) for unit in HEAT_FLOOR}
        columns.append(_period_column(period, scales))
    columns.append(text_column("Date", "Date", minWidth=110))
    height = int(ctx.spec.option("height", min(1400, 60 + 42 * len(frame))))
    return data_grid(ctx.dom_id, frame, columns, filename=f"spartan-{ctx.dom_id}", height=max(height, 160))


# --- bars per period --------------------------------------------------------------------------


def bar_labels(ctx: PanelContext) -> dict[str, str]:
    """Sector funds by their sector, the rest by their catalog name (the panel's labels first)."""
    own = {str(k): str(v) for k, v in (ctx.spec.option("labels") or {}).items()}
    return {**names(ctx), **sectors(ctx.settings, ctx.spec.dataset), **own}


def bars_data(ctx: PanelContext) -> pd.DataFrame:
    return matrix_data(ctx).drop(columns=["Class", "Unit"]).assign(Asset=lambda f: f["Symbol"].map(bar_labels(ctx)))


@panel_type("performance_bars", bars_data, matrix_reads, options={"periods": list, "height": int, "labels": dict})
def performance_bars(ctx: PanelContext):
    rows = matrix_rows(ctx)
    shown = periods(ctx)
    label = bar_labels(ctx)
    columns = 3 if len(shown) > 2 else len(shown)
    grid_rows = math.ceil(len(shown) / columns)
    fig = make_subplots(rows=grid_rows, cols=columns, subplot_titles=shown, horizontal_spacing=0.16)
    bp = set(rows["unit"]) == {"bp"}
    for i, period in enumerate(shown):
        ranked = rows.dropna(subset=[period]).sort_values(period)
        values = ranked[period].round(0 if bp else 2)
        fig.add_trace(
            go.Bar(
                x=values,
                y=ranked["key"].map(label).fillna(ranked["key"]),
                orientation="h",
                marker={"color": np.where(values >= 0, theme.SUCCESS, theme.DANGER).tolist()},
                hovertemplate=f"%{{y}}: %{{x:+,.{0 if bp else 2}f}}{' bp' if bp else '%'}<extra>{period}</extra>",
                showlegend=False,
            ),
            row=i // columns + 1,
            col=i % columns + 1,
        )
    fig.update_xaxes(ticksuffix=" bp" if bp else "%", zeroline=True, zerolinecolor=theme.TEXT_SECONDARY)
    fig.update_yaxes(automargin=True, tickfont={"size": 11})
    height = int(ctx.spec.option("height", grid_rows * max(220, 26 * len(rows) + 60)))
    fig.update_layout(
        template="spartan", height=height, margin={"l": 8, "r": 16, "t": 40, "b": 24}, bargap=0.25, hovermode="closest"
    )
    return chart(ctx, fig)


# --- relative to a benchmark ------------------------------------------------------------------


def relative_reads(ctx: PanelContext) -> list[Read]:
    keys = (*(ctx.spec.keys or ()), str(ctx.spec.option("benchmark", "SPX")))
    return [Read("observations", ctx.spec.dataset, keys, range=ctx.view.range)]


def relative_rows(ctx: PanelContext) -> pd.DataFrame:
    """``key, date, value``: each key's price over the benchmark's on their common dates,
    rebased to 100 on the first of them."""
    if read.latest_date(ctx.spec.dataset) is None:
        raise NoData()
    benchmark = str(ctx.spec.option("benchmark", "SPX"))
    frame = read.fetch(relative_reads(ctx)[0])
    if frame.empty or benchmark not in set(frame["key"]):
        raise NoData(f"Nothing stored for the benchmark {benchmark} yet.")
    wide = frame.pivot_table(index="date", columns="key", values="value", aggfunc="last").sort_index()
    base = wide.pop(benchmark)
    parts = []
    for key in [k for k in (ctx.spec.keys or wide.columns) if k in wide.columns]:
        both = pd.concat([wide[key], base], axis=1, keys=["price", "base"]).dropna()
        both = both[(both["price"] > 0) & (both["base"] > 0)]
        if both.empty:
            continue
        ratio = both["price"] / both["base"]
        parts.append(pd.DataFrame({"key": key, "date": ratio.index, "value": (100 * ratio / ratio.iloc[0]).round(6)}))
    if not parts:
        raise NoData("No dates shared with the benchmark yet.")
    return pd.concat(parts, ignore_index=True)


def relative_data(ctx: PanelContext) -> pd.DataFrame:
    rows = relative_rows(ctx)
    wide = rows.pivot_table(index="date", columns="key", values="value", aggfunc="last").sort_index()
    label = bar_labels(ctx)
    wide = wide[[k for k in (ctx.spec.keys or wide.columns) if k in wide.columns]]
    wide.columns = [label.get(k, k) for k in wide.columns]
    wide.index = wide.index.strftime("%Y-%m-%d")
    return wide.reset_index(names="Date")


@panel_type(
    "relative_history",
    relative_data,
    relative_reads,
    view=("range",),
    options={"benchmark": str, "height": int, "labels": dict},
)
def relative_history(ctx: PanelContext):
    rows = relative_rows(ctx)
    benchmark = str(ctx.spec.option("benchmark", "SPX"))
    fig = history_figure(
        rows,
        bar_labels(ctx),
        "",
        height=int(ctx.spec.option("height", 380)),
        range_selector=ctx.view.embed,
        max_points=plot_points(ctx.spec.width),
    )
    fig.add_hline(y=100, line_width=1, line_color=theme.TEXT_SECONDARY, line_dash="dot")
    fig.update_yaxes(title_text=f"relative to {names(ctx).get(benchmark, benchmark)}, start = 100")
    return chart(ctx, fig)
