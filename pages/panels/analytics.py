"""Panel types of the computed analytics: correlations, sector rotation, breadth, sentiment and
the VIX term structure.

They read the analytics tables the sidecar writes (jobs/analytics) through ``sql.read`` only;
the tiny rules they need (the rotation quadrant, the sentiment bands) are restated here, since
pages never import the jobs. Each panel's ``dataset`` is only for its freshness badge: the
tables these types read are fixed.
"""

from __future__ import annotations

import logging
import re
from datetime import date
from functools import lru_cache

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from dash import dcc, html
from plotly.subplots import make_subplots

from components.cards import kpi, kpi_text
from components.grid import data_grid, number_column, text_column
from config import theme
from config.analytics import AnalyticsConfig, load_analytics
from config.catalog_index import labels
from pages.panels import NoData, PanelContext, chart, panel_type
from sql import read
from sql.plans import Read

log = logging.getLogger(__name__)

GREEN, RED, AMBER, BLUE = theme.SUCCESS, theme.DANGER, "#ffd166", "#4fc3f7"
MUTED = theme.TEXT_SECONDARY


@lru_cache(maxsize=1)
def analytics_config() -> AnalyticsConfig:
    return load_analytics()


def _days(values: pd.Series) -> pd.Series:
    """Dates or timestamps (naive or tz-aware) as naive midnight timestamps."""
    stamps = pd.to_datetime(values)
    if stamps.dt.tz is not None:
        stamps = stamps.dt.tz_convert(None)
    return stamps.dt.normalize()


def _iso(values: pd.Series) -> pd.Series:
    return _days(values).dt.strftime("%Y-%m-%d")


def _newest(dataset: str) -> date:
    newest = read.latest_date(dataset)
    if newest is None:
        raise NoData()
    return newest


def _numeric(frame: pd.DataFrame, columns) -> pd.DataFrame:
    """``columns`` as floats (a column with NULLs can come back as objects holding None)."""
    return frame.assign(**{c: pd.to_numeric(frame[c], errors="coerce").astype(float) for c in columns})


def _label_overrides(ctx: PanelContext) -> dict[str, str]:
    return {str(k): str(v) for k, v in (ctx.spec.option("labels") or {}).items()}


def _graph(ctx: PanelContext, figure: go.Figure, part: str) -> dcc.Graph:
    """One of several charts of a panel."""
    return chart(ctx, figure, part)


def _side_by_side(*children, min_width: int = 320) -> html.Div:
    return html.Div(
        list(children),
        style={
            "display": "grid",
            "gridTemplateColumns": f"repeat(auto-fit, minmax({min_width}px, 1fr))",
            "gap": "0.75rem",
            "alignItems": "start",
        },
    )


def _figure(height: int, **layout) -> go.Figure:
    return go.Figure(layout={"template": "spartan", "height": height, **layout})


# --- correlations -----------------------------------------------------------------------------

# Red for negative, blue for positive correlation, pale in between.
CORRELATION_SCALE = [
    [0.0, "#b2182b"],
    [0.25, "#ef8a62"],
    [0.5, "#f2f2f2"],
    [0.75, "#67a9cf"],
    [1.0, "#2166ac"],
]


def basket_labels(ctx: PanelContext) -> dict[str, str]:
    """Basket key → catalog label, in the basket's order (config/analytics.yaml)."""
    overrides = _label_overrides(ctx)
    out: dict[str, str] = {}
    for ref in analytics_config().correlation_basket:
        out.setdefault(ref.key, overrides.get(ref.key) or labels(ctx.settings, ref.dataset).get(ref.key, ref.key))
    return {**out, **{k: v for k, v in overrides.items() if k not in out}}


def _window(ctx: PanelContext) -> int:
    return int(ctx.spec.option("window", analytics_config().correlation_window))


def heatmap_reads(ctx: PanelContext) -> list[Read]:
    """Every pair's correlations of the last days (the newest matrix is among them)."""
    return [Read("rows", "correlations", days=10)]


def latest_matrix(ctx: PanelContext) -> tuple[pd.DataFrame, date, int]:
    """The newest correlation matrix of the panel's window: symmetric, 1 on the diagonal,
    assets in basket order (only those stored, or the panel's ``keys``)."""
    window = _window(ctx)
    _newest("correlations")
    frame = read.fetch(heatmap_reads(ctx)[0])
    frame = frame[frame["window_days"] == window] if not frame.empty else frame
    if frame.empty:
        raise NoData(f"No {window}-day correlations stored yet.")
    as_of = frame["date"].max()
    frame = frame[frame["date"] == as_of]
    stored = set(frame["asset_a"]) | set(frame["asset_b"])
    order = list(ctx.spec.keys) if ctx.spec.keys else list(basket_labels(ctx))
    assets = [a for a in order if a in stored]
    if not ctx.spec.keys:
        assets += sorted(stored - set(assets))
    if len(assets) < 2:
        raise NoData("Fewer than two of these assets have correlations yet.")
    matrix = pd.DataFrame(np.nan, index=assets, columns=assets)
    for row in frame.itertuples():
        if row.asset_a in matrix.index and row.asset_b in matrix.index:
            matrix.loc[row.asset_a, row.asset_b] = matrix.loc[row.asset_b, row.asset_a] = row.value
    for asset in assets:
        matrix.loc[asset, asset] = 1.0
    return matrix, pd.Timestamp(as_of).date(), window


def heatmap_data(ctx: PanelContext) -> pd.DataFrame:
    matrix, as_of, window = latest_matrix(ctx)
    label = basket_labels(ctx)
    names = [label.get(k, k) for k in matrix.index]
    out = matrix.round(4).set_axis(names, axis=1)
    out.insert(0, "Key", list(matrix.index))
    out.insert(0, "Asset", names)
    out["As of"] = as_of.isoformat()
    out["Window (days)"] = window
    return out.reset_index(drop=True)


@panel_type("correlation_heatmap", heatmap_data, heatmap_reads, needs_dataset=False)
def correlation_heatmap(ctx: PanelContext):
    matrix, as_of, window = latest_matrix(ctx)
    label = basket_labels(ctx)
    names = [label.get(k, k) for k in matrix.index]
    n = len(names)
    height = int(ctx.spec.option("height", max(360, 150 + 34 * n)))
    fig = _figure(height, hovermode="closest", margin={"l": 8, "r": 8, "t": 36, "b": 8})
    fig.add_trace(
        go.Heatmap(
            z=matrix.to_numpy(),
            x=names,
            y=names,
            zmin=-1,
            zmax=1,
            zmid=0,
            colorscale=CORRELATION_SCALE,
            texttemplate="%{z:.2f}",
            textfont={"size": 11 if n <= 12 else 10, "family": theme.FONT_MONO},
            hovertemplate="%{y} / %{x}: %{z:.2f}<extra></extra>",
            colorbar={"thickness": 12, "tickvals": [-1, -0.5, 0, 0.5, 1], "outlinewidth": 0},
            xgap=1,
            ygap=1,
        )
    )
    fig.update_xaxes(side="bottom", tickangle=-40, showgrid=False, automargin=True)
    fig.update_yaxes(autorange="reversed", showgrid=False, automargin=True)
    fig.add_annotation(
        text=f"{window}-day correlation of daily returns (changes for yields and spreads), {as_of:%Y-%m-%d}",
        xref="paper",
        yref="paper",
        x=0,
        y=1.0,
        yanchor="bottom",
        showarrow=False,
        font={"size": 11, "color": MUTED},
    )
    # Instrument names below the matrix and the caption above it: the mode bar (top right, on
    # hover) covers neither.
    fig.update_layout(margin={"t": 28})
    return chart(ctx, fig)


def _pairs(ctx: PanelContext) -> list[tuple[str, str]]:
    raw = ctx.spec.option("pairs")
    if not raw:
        basket = list(basket_labels(ctx))
        return [(basket[0], other) for other in basket[1:4]]
    pairs = []
    for item in raw:
        parts = [p.strip() for p in str(item).split("/")]
        if len(parts) == 2 and all(parts) and parts[0] != parts[1]:
            pairs.append((parts[0], parts[1]))
        else:
            log.warning("correlation_history %s: ignoring pair %r (want 'A/B')", ctx.dom_id, item)
    return pairs


def pair_reads(ctx: PanelContext) -> list[Read]:
    """The panel's pairs over the URL's range."""
    pairs = tuple(_pairs(ctx))
    return [Read("pairs", "correlations", pairs=pairs, window=_window(ctx), range=ctx.view.range)] if pairs else []


def pair_history(ctx: PanelContext) -> tuple[pd.DataFrame, dict[str, str]]:
    """``pair, date, value`` of the panel's pairs over the URL's range (either stored order)."""
    _newest("correlations")
    pairs = _pairs(ctx)
    if not pairs:
        raise NoData("This panel names no pairs.")
    frame = read.fetch(pair_reads(ctx)[0])
    if frame.empty:
        raise NoData("No correlations stored for these pairs yet.")
    label = basket_labels(ctx)
    parts, names = [], {}
    for a, b in pairs:
        rows = frame[
            ((frame["asset_a"] == a) & (frame["asset_b"] == b)) | ((frame["asset_a"] == b) & (frame["asset_b"] == a))
        ]
        if rows.empty:
            continue
        pair = f"{a}/{b}"
        names[pair] = f"{label.get(a, a)} / {label.get(b, b)}"
        parts.append(pd.DataFrame({"pair": pair, "date": _days(rows["date"]), "value": rows["value"].to_numpy()}))
    if not parts:
        raise NoData("No correlations stored for these pairs yet.")
    return pd.concat(parts, ignore_index=True).sort_values(["pair", "date"], kind="stable"), names


def pair_history_data(ctx: PanelContext) -> pd.DataFrame:
    frame, names = pair_history(ctx)
    wide = frame.pivot_table(index="date", columns="pair", values="value", aggfunc="last").sort_index()
    wide = wide[[p for p in names if p in wide.columns]].round(4)
    wide.columns = [names[p] for p in wide.columns]
    wide.index = wide.index.strftime("%Y-%m-%d")
    return wide.reset_index(names="Date")


@panel_type("correlation_history", pair_history_data, pair_reads, needs_dataset=False, view=("range",))
def correlation_history(ctx: PanelContext):
    frame, names = pair_history(ctx)
    fig = _figure(int(ctx.spec.option("height", 340)))
    for pair, title in names.items():
        rows = frame[frame["pair"] == pair]
        fig.add_trace(go.Scatter(x=rows["date"], y=rows["value"], name=title, mode="lines", hovertemplate="%{y:.2f}"))
    fig.add_hline(y=0, line_width=1, line_color=MUTED, line_dash="dot")
    fig.update_yaxes(range=[-1.05, 1.05], title_text=f"{_window(ctx)}-day correlation")
    return chart(ctx, fig)


# --- sector rotation --------------------------------------------------------------------------

QUADRANTS = {  # name: (colour, x side, y side) around (100, 100)
    "Leading": (GREEN, 1, 1),
    "Weakening": (AMBER, 1, -1),
    "Lagging": (RED, -1, -1),
    "Improving": (BLUE, -1, 1),
}
SECTOR_COLORS = (*theme.SERIES_COLORS, "#f06292", "#aed581", "#4db6ac", "#fff176", "#9575cd", "#a1887f")


def quadrant(rs_ratio: float, rs_momentum: float) -> str:
    """The relative-rotation quadrant (the rule of jobs/analytics/compute.rotation_quadrant)."""
    if rs_ratio is None or rs_momentum is None or pd.isna(rs_ratio) or pd.isna(rs_momentum):
        return ""
    if rs_ratio >= 100:
        return "Leading" if rs_momentum >= 100 else "Weakening"
    return "Improving" if rs_momentum >= 100 else "Lagging"


def _sectors(ctx: PanelContext) -> list[str]:
    return list(ctx.spec.keys) if ctx.spec.keys else list(analytics_config().rotation_sectors)


def _sector_names(ctx: PanelContext) -> dict[str, str]:
    """Sector names ("Health Care" for "Health Care Select Sector SPDR")."""
    found = labels(ctx.settings, analytics_config().rotation_dataset)
    short = {k: re.sub(r"\s+Select Sector SPDR( Fund)?$", "", v) for k, v in found.items()}
    return {**short, **_label_overrides(ctx)}


RETURN_COLUMNS = {
    "return_1w": "1W %",
    "return_1m": "1M %",
    "return_3m": "3M %",
    "return_6m": "6M %",
    "return_1y": "1Y %",
}


def _tail_weeks(ctx: PanelContext) -> int:
    return max(1, int(ctx.spec.option("tail_weeks", 8)))


def rotation_read(ctx: PanelContext, days: int) -> Read:
    return Read("rows", "sector_rotation", tuple(_sectors(ctx)), days=days)


def rotation_graph_reads(ctx: PanelContext) -> list[Read]:
    """The sectors' weekly tails: ``tail_weeks`` weeks and a month of slack."""
    return [rotation_read(ctx, 7 * _tail_weeks(ctx) + 30)]


def rotation_table_reads(ctx: PanelContext) -> list[Read]:
    """The sectors' last three weeks (their newest rows)."""
    return [rotation_read(ctx, 21)]


def rotation_rows(ctx: PanelContext, days: int) -> pd.DataFrame:
    """The sectors' rows against the benchmark over the ``days`` up to the newest date."""
    _newest("sector_rotation")
    benchmark = str(ctx.spec.option("benchmark", analytics_config().rotation_benchmark))
    frame = read.fetch(rotation_read(ctx, days))
    if not frame.empty:
        frame = frame[frame["benchmark"] == benchmark]
    if frame.empty:
        raise NoData("No sector rotation stored yet.")
    frame = _numeric(frame, ["rs_ratio", "rs_momentum", *RETURN_COLUMNS])
    return frame.assign(date=_days(frame["date"]))


def rotation_tails(ctx: PanelContext) -> pd.DataFrame:
    """Per sector its last ``tail_weeks`` weekly points (every 5th trading day back from its newest)."""
    tail = _tail_weeks(ctx)
    frame = rotation_rows(ctx, days=7 * tail + 30).dropna(subset=["rs_ratio", "rs_momentum"])
    order = {s: i for i, s in enumerate(_sectors(ctx))}
    parts = []
    for _symbol, rows in frame.groupby("symbol", sort=False):
        rows = rows.sort_values("date")
        parts.append(rows.iloc[::-1].iloc[::5].iloc[:tail].iloc[::-1])
    if not parts:
        raise NoData("No sector has a relative-strength reading yet.")
    out = pd.concat(parts, ignore_index=True)
    return out.sort_values(["symbol", "date"], key=lambda c: c.map(order) if c.name == "symbol" else c, kind="stable")


def rotation_graph_data(ctx: PanelContext) -> pd.DataFrame:
    tails = rotation_tails(ctx)
    names = _sector_names(ctx)
    return pd.DataFrame(
        {
            "Sector": tails["symbol"].map(names).fillna(tails["symbol"]).to_numpy(),
            "Symbol": tails["symbol"].to_numpy(),
            "Date": tails["date"].dt.strftime("%Y-%m-%d").to_numpy(),
            "RS-Ratio": tails["rs_ratio"].round(4).to_numpy(),
            "RS-Momentum": tails["rs_momentum"].round(4).to_numpy(),
            "Quadrant": [quadrant(r, m) for r, m in zip(tails["rs_ratio"], tails["rs_momentum"], strict=True)],
        }
    )


@panel_type("rotation_graph", rotation_graph_data, rotation_graph_reads, needs_dataset=False)
def rotation_graph(ctx: PanelContext):
    tails = rotation_tails(ctx)
    names = _sector_names(ctx)
    span_x = max(2.0, float((tails["rs_ratio"] - 100).abs().max()) * 1.15)
    span_y = max(2.0, float((tails["rs_momentum"] - 100).abs().max()) * 1.15)
    fig = _figure(int(ctx.spec.option("height", 520)), hovermode="closest", showlegend=True)
    for name, (colour, sx, sy) in QUADRANTS.items():
        fig.add_shape(
            type="rect",
            x0=100,
            x1=100 + sx * span_x,
            y0=100,
            y1=100 + sy * span_y,
            fillcolor=colour,
            opacity=0.07,
            line_width=0,
            layer="below",
        )
        fig.add_annotation(
            x=100 + sx * span_x * 0.97,
            y=100 + sy * span_y * 0.97,
            text=name,
            showarrow=False,
            xanchor="right" if sx > 0 else "left",
            yanchor="top" if sy > 0 else "bottom",
            font={"size": 13, "color": colour},
        )
    fig.add_hline(y=100, line_width=1, line_color=MUTED)
    fig.add_vline(x=100, line_width=1, line_color=MUTED)
    ends = tails.sort_values("date").groupby("symbol", sort=False).tail(1)
    placed = label_positions(
        {r.symbol: (r.rs_ratio, r.rs_momentum) for r in ends.itertuples()},
        (100 - span_x, 100 + span_x),
        (100 - span_y, 100 + span_y),
    )
    for i, (symbol, rows) in enumerate(tails.groupby("symbol", sort=False)):
        colour = SECTOR_COLORS[i % len(SECTOR_COLORS)]
        title = names.get(symbol, symbol)
        dates = rows["date"].dt.strftime("%Y-%m-%d")
        size = [5] * (len(rows) - 1) + [12]
        fig.add_trace(
            go.Scatter(
                x=rows["rs_ratio"],
                y=rows["rs_momentum"],
                mode="lines+markers+text",
                name=symbol,
                legendgroup=symbol,
                line={"color": colour, "width": 1.5},
                marker={"color": colour, "size": size, "line": {"width": 0}},
                text=[""] * (len(rows) - 1) + [symbol],
                textposition=placed.get(symbol, "top center"),
                textfont={"color": colour, "size": 11},
                customdata=np.stack([dates, [title] * len(rows)], axis=-1),
                hovertemplate="%{customdata[1]}<br>%{customdata[0]}<br>RS-Ratio %{x:.2f}"
                "<br>RS-Momentum %{y:.2f}<extra></extra>",
            )
        )
    fig.update_xaxes(range=[100 - span_x, 100 + span_x], title_text="RS-Ratio", zeroline=False)
    fig.update_yaxes(range=[100 - span_y, 100 + span_y], title_text="RS-Momentum", zeroline=False)
    fig.update_layout(legend={"y": -0.16}, margin={"b": 80})
    return chart(ctx, fig)


# Where a label can sit around its point, in order of preference, as a box offset in pixels
# (left, top) from the point for a label ``w`` wide and 12 px high.
LABEL_SPOTS = {
    "top center": lambda w: (-w / 2, -20),
    "bottom center": lambda w: (-w / 2, 8),
    "middle right": lambda w: (8, -6),
    "middle left": lambda w: (-w - 8, -6),
    "top right": lambda w: (4, -18),
    "bottom left": lambda w: (-w - 4, 6),
}


def label_positions(
    points: dict[str, tuple[float, float]], x_range: tuple[float, float], y_range: tuple[float, float]
) -> dict[str, str]:
    """A text position for each point's label such that labels do not overlap (XLB beside XLP):
    greedy, in order of preference, on a plot of about 600 × 420 px (7 px a character)."""
    width_px, height_px = 600, 420

    def pixel(x: float, y: float) -> tuple[float, float]:
        px = (x - x_range[0]) / (x_range[1] - x_range[0]) * width_px
        py = (y_range[1] - y) / (y_range[1] - y_range[0]) * height_px
        return px, py

    boxes: list[tuple[float, float, float, float]] = []
    out = {}
    for name, (x, y) in sorted(points.items(), key=lambda item: -item[1][1]):
        px, py = pixel(x, y)
        w = 7 * len(name)
        chosen, chosen_box = "top center", None
        for spot, offset in LABEL_SPOTS.items():
            dx, dy = offset(w)
            box = (px + dx, py + dy, px + dx + w, py + dy + 12)
            if not any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3] for b in boxes):
                chosen, chosen_box = spot, box
                break
        if chosen_box is None:
            dx, dy = LABEL_SPOTS[chosen](w)
            chosen_box = (px + dx, py + dy, px + dx + w, py + dy + 12)
        boxes.append(chosen_box)
        out[name] = chosen
    return out


def rotation_table_data(ctx: PanelContext) -> pd.DataFrame:
    frame = rotation_rows(ctx, days=21)
    latest = frame.sort_values("date").groupby("symbol", sort=False).tail(1)
    names = _sector_names(ctx)
    out = pd.DataFrame(
        {
            "Sector": latest["symbol"].map(names).fillna(latest["symbol"]).to_numpy(),
            "Symbol": latest["symbol"].to_numpy(),
            "Quadrant": [quadrant(r, m) for r, m in zip(latest["rs_ratio"], latest["rs_momentum"], strict=True)],
            "RS-Ratio": latest["rs_ratio"].round(4).to_numpy(),
            "RS-Momentum": latest["rs_momentum"].round(4).to_numpy(),
            **{title: latest[col].round(4).to_numpy() for col, title in RETURN_COLUMNS.items()},
            "Date": latest["date"].dt.strftime("%Y-%m-%d").to_numpy(),
        }
    )
    return out.sort_values("RS-Ratio", ascending=False, na_position="last").reset_index(drop=True)


@panel_type("rotation_table", rotation_table_data, rotation_table_reads, needs_dataset=False)
def rotation_table(ctx: PanelContext):
    frame = rotation_table_data(ctx)
    columns = [
        text_column("Sector", "Sector", minWidth=180, flex=2),
        text_column("Symbol", "Symbol", minWidth=90),
        text_column(
            "Quadrant",
            "Quadrant",
            minWidth=120,
            cellClassRules={"up": "params.value == 'Leading'", "down": "params.value == 'Lagging'"},
        ),
        {**number_column("RS-Ratio", "RS-Ratio"), "minWidth": 105},
        {**number_column("RS-Momentum", "RS-Momentum"), "minWidth": 150},
        *[{**number_column(title, title, change=True), "minWidth": 90} for title in RETURN_COLUMNS.values()],
        text_column("Date", "Date", minWidth=115),
    ]
    height = max(160, min(600, 64 + 43 * len(frame)))
    return data_grid(ctx.dom_id, frame, columns, filename=f"spartan-{ctx.dom_id}", height=height)


# --- market breadth ---------------------------------------------------------------------------

BREADTH_VIEWS = ("ad", "ma", "highs_lows")


def _breadth_view(ctx: PanelContext) -> str:
    view = str(ctx.spec.option("view", "ad"))
    if view not in BREADTH_VIEWS:
        raise ValueError(f"panel {ctx.dom_id}: breadth view must be one of {BREADTH_VIEWS}, got {view!r}")
    return view


def _universe(ctx: PanelContext) -> str:
    universes = analytics_config().breadth_universes
    return str(ctx.spec.option("universe", universes[0][0] if universes else ""))


def breadth_reads(ctx: PanelContext) -> list[Read]:
    """The universe's breadth over the URL's range."""
    return [Read("rows", "market_breadth", (_universe(ctx),), range=ctx.view.range)]


def breadth_rows(ctx: PanelContext) -> pd.DataFrame:
    universe = _universe(ctx)
    _newest("market_breadth")
    frame = read.fetch(breadth_reads(ctx)[0])
    if frame.empty:
        raise NoData(f"No breadth stored for {universe} yet.")
    numbers = [c for columns in BREADTH_COLUMNS.values() for c in columns if c != "net"]
    frame = _numeric(frame, numbers).assign(date=_days(frame["date"])).sort_values("date")
    return frame.assign(net=frame["advancers"] - frame["decliners"])


BREADTH_COLUMNS = {
    "ad": {
        "advancers": "Advancers",
        "decliners": "Decliners",
        "unchanged": "Unchanged",
        "net": "Advancers - decliners",
        "ad_line": "A/D line",
    },
    "ma": {"pct_above_50d": "% above 50-day MA", "pct_above_200d": "% above 200-day MA"},
    "highs_lows": {"new_highs": "New 52-week highs", "new_lows": "New 52-week lows"},
}


def breadth_data(ctx: PanelContext) -> pd.DataFrame:
    frame = breadth_rows(ctx)
    columns = BREADTH_COLUMNS[_breadth_view(ctx)]
    out = frame[list(columns)].rename(columns=columns)
    out.insert(0, "Date", frame["date"].dt.strftime("%Y-%m-%d"))
    return out.reset_index(drop=True)


@panel_type("breadth", breadth_data, breadth_reads, needs_dataset=False, view=("range",))
def breadth(ctx: PanelContext):
    frame = breadth_rows(ctx)
    view = _breadth_view(ctx)
    height = int(ctx.spec.option("height", 420 if view == "ad" else 320))
    if view == "ad":
        fig = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.62, 0.38], vertical_spacing=0.06)
        fig.add_trace(
            go.Scatter(
                x=frame["date"],
                y=frame["ad_line"],
                name="A/D line",
                mode="lines",
                line={"color": theme.RED_LIGHT},
                hovertemplate="%{y:,.0f}",
            ),
            row=1,
            col=1,
        )
        fig.add_trace(
            go.Bar(
                x=frame["date"],
                y=frame["net"],
                name="Advancers - decliners",
                marker={"color": np.where(frame["net"] >= 0, GREEN, RED), "line": {"width": 0}},
                hovertemplate="%{y:+,.0f}",
            ),
            row=2,
            col=1,
        )
        fig.update_yaxes(title_text="A/D line", row=1, col=1)
        fig.update_yaxes(title_text="Net advancers", row=2, col=1)
        fig.update_layout(template="spartan", height=height, bargap=0)
    elif view == "ma":
        fig = _figure(height)
        for col, colour in (("pct_above_50d", BLUE), ("pct_above_200d", theme.RED_LIGHT)):
            fig.add_trace(
                go.Scatter(
                    x=frame["date"],
                    y=frame[col],
                    name=BREADTH_COLUMNS["ma"][col],
                    mode="lines",
                    line={"color": colour},
                    hovertemplate="%{y:.1f}%",
                )
            )
        fig.add_hline(y=50, line_width=1, line_color=MUTED, line_dash="dot")
        fig.update_yaxes(range=[0, 100], ticksuffix="%")
    else:
        fig = _figure(height, barmode="relative", bargap=0)
        fig.add_trace(
            go.Bar(
                x=frame["date"],
                y=frame["new_highs"],
                name="New 52-week highs",
                marker={"color": GREEN, "line": {"width": 0}},
                hovertemplate="%{y:,.0f}",
            )
        )
        fig.add_trace(
            go.Bar(
                x=frame["date"],
                y=-frame["new_lows"],
                customdata=frame["new_lows"],
                name="New 52-week lows",
                marker={"color": RED, "line": {"width": 0}},
                hovertemplate="%{customdata:,.0f}",
            )
        )
        fig.update_yaxes(title_text="highs (up) / lows (down)")
    return chart(ctx, fig)


# --- sentiment --------------------------------------------------------------------------------

COMPOSITE = "COMPOSITE"
# The composite's bands (jobs/analytics/compute.SENTIMENT_LABELS): upper bound, label, colour.
SENTIMENT_BANDS = (
    (25, "Extreme fear", "#b2182b"),
    (45, "Fear", "#ef8a62"),
    (55, "Neutral", "#8a94a6"),
    (75, "Greed", "#7fd8a4"),
    (100, "Extreme greed", "#00c46a"),
)
SENTIMENT_KPIS = ("FEAR_GREED", "CRYPTO_FEAR_GREED")
COMPUTED_NAMES = {"VIX_TERM_STRUCTURE": "VIX term structure (VIX / VIX3M)"}


def sentiment_band(score: float) -> tuple[str, str]:
    for bound, label, colour in SENTIMENT_BANDS:
        if score < bound:
            return label, colour
    return SENTIMENT_BANDS[-1][1], SENTIMENT_BANDS[-1][2]


def _component_names(ctx: PanelContext) -> dict[str, str]:
    """``COMPOSITE_<key>`` → the component's name, in config order."""
    config = analytics_config()
    found = {**labels(ctx.settings, "sentiment_indicators"), **COMPUTED_NAMES, **_label_overrides(ctx)}
    names = {}
    for ref in config.sentiment_scores:
        names[f"{COMPOSITE}_{ref.key}"] = found.get(ref.key, ref.key)
    for ref in config.sentiment_fear_high:
        names[f"{COMPOSITE}_{ref.key}"] = found.get(ref.key, ref.key) + " (inverse 1y percentile)"
    return names


def sentiment_reads(ctx: PanelContext) -> list[Read]:
    """The composite and its components over the URL's range; the KPIs' last three months."""
    components = (COMPOSITE, *_component_names(ctx))
    return [
        Read("rows", "sentiment_indicators", components, range=ctx.view.range),
        Read("rows", "sentiment_indicators", tuple(SENTIMENT_KPIS), days=90),
    ]


def sentiment_rows(ctx: PanelContext) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, str]]:
    """(composite + components over the URL's range, wide by date; the KPIs' recent rows; names)."""
    _newest("sentiment_indicators")
    components = _component_names(ctx)
    history_read, kpis_read = sentiment_reads(ctx)
    frame = read.fetch(history_read)
    composite = frame[frame["indicator_id"] == COMPOSITE] if not frame.empty else frame
    if composite.empty:
        raise NoData("The fear/greed composite has not been computed yet.")
    frame = frame.assign(date=_days(frame["date"]))
    wide = frame.pivot_table(index="date", columns="indicator_id", values="value", aggfunc="last").sort_index()
    wide = wide.reindex(columns=[COMPOSITE, *[c for c in components if c in wide.columns]])
    labels_ = frame[frame["indicator_id"] == COMPOSITE].set_index("date")["label"]
    wide.insert(1, "label", labels_.reindex(wide.index))
    wide = wide[wide[COMPOSITE].notna()]
    kpis = read.fetch(kpis_read)
    if not kpis.empty:
        kpis = kpis.assign(date=_days(kpis["date"])).sort_values("date")
    return wide, kpis, components


def sentiment_data(ctx: PanelContext) -> pd.DataFrame:
    wide, kpis, components = sentiment_rows(ctx)
    out = wide.rename(columns={COMPOSITE: "Composite", "label": "Label", **components})
    names = labels(ctx.settings, "sentiment_indicators")
    if not kpis.empty:
        raw = kpis.pivot_table(index="date", columns="indicator_id", values="value", aggfunc="last")
        for key in SENTIMENT_KPIS:
            if key in raw.columns:
                out[f"{names.get(key, key)} (raw)"] = raw[key].reindex(out.index)
    out = out.round(4)
    out.index = out.index.strftime("%Y-%m-%d")
    return out.reset_index(names="Date")


def _gauge(ctx: PanelContext, wide: pd.DataFrame) -> go.Figure:
    today = wide.iloc[-1]
    value, as_of = float(today[COMPOSITE]), wide.index[-1]
    label = today["label"] if isinstance(today["label"], str) and today["label"] else sentiment_band(value)[0]
    week = wide[COMPOSITE].loc[: as_of - pd.Timedelta(days=7)]
    colour = sentiment_band(value)[1]
    fig = _figure(280, margin={"l": 32, "r": 32, "t": 48, "b": 8})
    fig.update_layout(
        title={
            "text": f"Composite today: <span style='color:{colour}'><b>{label}</b></span> ({as_of:%Y-%m-%d})",
            "font": {"size": 13},
            "x": 0,
            "xanchor": "left",
        }
    )
    fig.add_trace(
        go.Indicator(
            mode="gauge+number" + ("+delta" if not week.empty else ""),
            value=value,
            number={"valueformat": ".0f", "font": {"family": theme.FONT_MONO, "size": 44}},
            delta={"reference": float(week.iloc[-1]), "valueformat": ".1f", "suffix": " vs 1W"}
            if not week.empty
            else None,
            gauge={
                "axis": {"range": [0, 100], "tickvals": [0, 25, 45, 55, 75, 100], "tickcolor": MUTED},
                "bar": {"color": theme.TEXT, "thickness": 0.22},
                "bgcolor": "rgba(0,0,0,0)",
                "borderwidth": 0,
                "steps": [
                    {"range": [low, high], "color": colour}
                    for (low, (high, _, colour)) in zip(
                        [0, *[b[0] for b in SENTIMENT_BANDS[:-1]]], SENTIMENT_BANDS, strict=True
                    )
                ],
            },
            domain={"x": [0, 1], "y": [0, 1]},
        )
    )
    return fig


def _components_figure(wide: pd.DataFrame, components: dict[str, str]) -> go.Figure:
    today = wide.iloc[-1]
    shown = [(components[c], float(today[c])) for c in components if c in wide.columns and pd.notna(today[c])]
    fig = _figure(280, hovermode="closest", margin={"l": 8, "r": 16, "t": 36, "b": 32}, showlegend=False)
    if shown:
        names, values = zip(*shown, strict=True)
        fig.add_trace(
            go.Bar(
                x=list(values),
                y=list(names),
                orientation="h",
                marker={"color": [sentiment_band(v)[1] for v in values]},
                text=[f"{v:.0f}" for v in values],
                textposition="outside",
                textfont={"family": theme.FONT_MONO},
                hovertemplate="%{y}: %{x:.1f}<extra></extra>",
            )
        )
    fig.add_vline(x=50, line_width=1, line_color=MUTED, line_dash="dot")
    fig.update_xaxes(range=[0, 108], tickvals=[0, 25, 50, 75, 100])
    fig.update_yaxes(autorange="reversed", automargin=True)
    fig.update_layout(
        title={"text": "Components today (0 fear – 100 greed)", "font": {"size": 13}, "x": 0, "xanchor": "left"}
    )
    return fig


def _composite_history(ctx: PanelContext, wide: pd.DataFrame) -> go.Figure:
    fig = _figure(int(ctx.spec.option("height", 300)), showlegend=False)
    low = 0
    for high, _label, colour in SENTIMENT_BANDS:
        fig.add_hrect(y0=low, y1=high, fillcolor=colour, opacity=0.08, line_width=0, layer="below")
        low = high
    fig.add_trace(
        go.Scatter(
            x=wide.index,
            y=wide[COMPOSITE],
            name="Composite",
            mode="lines",
            line={"color": theme.TEXT, "width": 1.6},
            customdata=wide["label"].fillna(""),
            hovertemplate="%{y:.0f} %{customdata}<extra>Composite</extra>",
        )
    )
    fig.update_yaxes(range=[0, 100], tickvals=[0, 25, 45, 55, 75, 100])
    fig.update_layout(title={"text": "Composite history", "font": {"size": 13}, "x": 0, "xanchor": "left"})
    return fig


def _sentiment_kpis(ctx: PanelContext, wide: pd.DataFrame, kpis: pd.DataFrame) -> html.Div:
    today = wide.iloc[-1]
    cards = [kpi_text("Composite", f"{today[COMPOSITE]:.0f}", f"{today['label'] or ''} · {wide.index[-1]:%Y-%m-%d}")]
    names = labels(ctx.settings, "sentiment_indicators")
    for key in SENTIMENT_KPIS:
        rows = kpis[kpis["indicator_id"] == key] if not kpis.empty else kpis
        name = names.get(key, key)
        if rows.empty:
            cards.append(kpi(name, None))
            continue
        last = rows.iloc[-1]
        change = float(last["value"] - rows.iloc[-2]["value"]) if len(rows) > 1 else None
        label = last["label"] if isinstance(last["label"], str) and last["label"] else sentiment_band(last["value"])[0]
        card = kpi(name, float(last["value"]), "", change, last["date"], 0)
        card.children.insert(2, html.Div(label, className="kpi-asof"))
        cards.append(card)
    return html.Div(cards, className="kpi-row mb-2")


@panel_type("sentiment", sentiment_data, sentiment_reads, needs_dataset=False, view=("range",))
def sentiment(ctx: PanelContext):
    wide, kpis, components = sentiment_rows(ctx)
    return html.Div(
        [
            _sentiment_kpis(ctx, wide, kpis),
            _side_by_side(
                _graph(ctx, _gauge(ctx, wide), "gauge"),
                _graph(ctx, _components_figure(wide, components), "components"),
            ),
            _graph(ctx, _composite_history(ctx, wide), "history"),
        ]
    )


# --- the VIX term structure -------------------------------------------------------------------

VIX_CURVE = {"VIX9D": 9, "VIX": 30, "VIX3M": 91, "VIX6M": 182}  # index: maturity in days
TERM_SNAPSHOTS = {"Today": 0, "1W ago": 7, "1M ago": 30}
TERM_STRUCTURE_ID = "VIX_TERM_STRUCTURE"
TERM_VIEWS = ("both", "curve", "ratio")


def _term_view(ctx: PanelContext) -> str:
    view = str(ctx.spec.option("view", "both"))
    if view not in TERM_VIEWS:
        raise ValueError(f"panel {ctx.dom_id}: term_structure view must be one of {TERM_VIEWS}, got {view!r}")
    return view


CURVE_READ = Read("observations", "volatility_indicators", tuple(VIX_CURVE), days=50)


def ratio_read(ctx: PanelContext) -> Read:
    return Read("observations", "sentiment_indicators", (TERM_STRUCTURE_ID,), range=ctx.view.range)


def term_reads(ctx: PanelContext) -> list[Read]:
    """The VIX indices' last weeks (the curve) and/or the VIX/VIX3M ratio over the URL's range."""
    view = _term_view(ctx)
    return [*([CURVE_READ] if view in ("both", "curve") else []), *([ratio_read(ctx)] if view != "curve" else [])]


def vix_curve(ctx: PanelContext) -> tuple[pd.DataFrame, dict[str, date]]:
    """Per index (by maturity) its level today, a week and a month before; and the dates used."""
    _newest("volatility_indicators")
    frame = read.fetch(CURVE_READ)
    if frame.empty:
        raise NoData("No VIX term-structure indices stored yet.")
    wide = frame.assign(date=_days(frame["date"])).pivot_table(
        index="date", columns="key", values="value", aggfunc="last"
    )
    wide = wide.sort_index().ffill(limit=5)
    indices = [k for k in VIX_CURVE if k in wide.columns]
    out = pd.DataFrame({"Index": indices, "Maturity (days)": [VIX_CURVE[k] for k in indices]})
    used: dict[str, date] = {}
    latest = wide.index[-1]
    for label, days in TERM_SNAPSHOTS.items():
        window = wide.loc[: latest - pd.Timedelta(days=days)]
        if window.empty:
            continue
        row = window.iloc[-1]
        out[label] = [row.get(k) for k in indices]
        used[label] = window.index[-1].date()
    return out, used


def term_ratio(ctx: PanelContext) -> pd.DataFrame:
    _newest("sentiment_indicators")
    frame = read.fetch(ratio_read(ctx))
    if frame.empty:
        raise NoData("The VIX/VIX3M ratio has not been computed yet.")
    return frame.assign(date=_days(frame["date"])).sort_values("date")


def _term_parts(ctx: PanelContext) -> tuple[tuple[pd.DataFrame, dict[str, date]] | None, pd.DataFrame | None]:
    """The curve and the ratio history the view asks for; either may be missing in ``both``
    (NoData only when nothing at all is there)."""
    view = _term_view(ctx)
    curve = ratio = None
    missing: NoData | None = None
    if view in ("both", "curve"):
        try:
            curve = vix_curve(ctx)
        except NoData as exc:
            missing = exc
    if view in ("both", "ratio"):
        try:
            ratio = term_ratio(ctx)
        except NoData as exc:
            missing = missing or exc
    if curve is None and ratio is None:
        raise missing or NoData()
    return curve, ratio


def term_structure_data(ctx: PanelContext) -> pd.DataFrame:
    view = _term_view(ctx)
    curve, ratio = _term_parts(ctx)
    if view == "curve":
        frame, used = curve
        return frame.round(4).rename(columns={k: f"{k} ({v:%Y-%m-%d})" for k, v in used.items()})
    if view == "ratio":
        return pd.DataFrame(
            {
                "Date": ratio["date"].dt.strftime("%Y-%m-%d").to_numpy(),
                "VIX/VIX3M": ratio["value"].round(6).to_numpy(),
                "State": np.where(ratio["value"] > 1, "backwardation", "contango"),
            }
        )
    parts = []
    if curve is not None:
        frame, used = curve
        for label, when in used.items():
            parts.append(
                pd.DataFrame(
                    {
                        "Series": f"Curve {label}",
                        "Date": when.isoformat(),
                        "Index": frame["Index"],
                        "Maturity (days)": frame["Maturity (days)"],
                        "Value": frame[label].round(4),
                    }
                )
            )
    if ratio is not None:
        parts.append(
            pd.DataFrame(
                {"Series": "VIX/VIX3M", "Date": ratio["date"].dt.strftime("%Y-%m-%d"), "Value": ratio["value"].round(6)}
            )
        )
    columns = ["Series", "Date", "Index", "Maturity (days)", "Value"]
    out = pd.concat(parts, ignore_index=True).reindex(columns=columns)
    return out.astype({"Maturity (days)": "Int64"})


def _curve_figure(curve: pd.DataFrame, used: dict[str, date], height: int) -> go.Figure:
    fig = _figure(height, hovermode="x")
    styles = (
        {"width": 3, "color": theme.RED_LIGHT},
        {"width": 2, "dash": "dot", "color": BLUE},
        {"width": 2, "dash": "dash", "color": AMBER},
    )
    for i, (label, when) in enumerate(used.items()):
        fig.add_trace(
            go.Scatter(
                x=curve["Maturity (days)"],
                y=curve[label],
                name=f"{label} ({when:%Y-%m-%d})",
                mode="lines+markers",
                line=styles[i % len(styles)],
                customdata=curve["Index"],
                hovertemplate="%{customdata}: %{y:.2f}<extra>" + label + "</extra>",
            )
        )
    fig.update_xaxes(
        tickvals=list(curve["Maturity (days)"]),
        ticktext=[f"{k}<br>{d}d" for k, d in zip(curve["Index"], curve["Maturity (days)"], strict=True)],
    )
    fig.update_yaxes(title_text="implied volatility")
    fig.update_layout(title={"text": "VIX curve by maturity", "font": {"size": 13}, "x": 0, "xanchor": "left"})
    return fig


def _ratio_figure(ratio: pd.DataFrame, height: int) -> go.Figure:
    fig = _figure(height, showlegend=False)
    top = max(1.25, float(ratio["value"].max()) * 1.03)
    bottom = min(0.75, float(ratio["value"].min()) * 0.97)
    fig.add_hrect(y0=1, y1=top, fillcolor=RED, opacity=0.08, line_width=0, layer="below")
    fig.add_hrect(y0=bottom, y1=1, fillcolor=GREEN, opacity=0.05, line_width=0, layer="below")
    fig.add_trace(
        go.Scatter(
            x=ratio["date"],
            y=ratio["value"],
            name="VIX/VIX3M",
            mode="lines",
            line={"color": theme.RED_LIGHT, "width": 1.6},
            hovertemplate="%{y:.3f}<extra>VIX/VIX3M</extra>",
        )
    )
    fig.add_hline(y=1, line_width=1, line_color=theme.TEXT, line_dash="dot")
    for y, text, anchor in ((top, "backwardation (stress)", "top"), (bottom, "contango (calm)", "bottom")):
        fig.add_annotation(
            xref="paper",
            x=0.01,
            y=y,
            yanchor=anchor,
            xanchor="left",
            text=text,
            showarrow=False,
            font={"size": 11, "color": MUTED},
        )
    last = ratio.iloc[-1]
    state = "backwardation" if last["value"] > 1 else "contango"
    fig.update_yaxes(range=[bottom, top])
    fig.update_layout(
        title={"text": f"VIX / VIX3M: {last['value']:.2f} ({state})", "font": {"size": 13}, "x": 0, "xanchor": "left"}
    )
    return fig


@panel_type("term_structure", term_structure_data, term_reads, needs_dataset=False, view=("range",))
def term_structure(ctx: PanelContext):
    curve, ratio = _term_parts(ctx)
    height = int(ctx.spec.option("height", 340))
    figures = []
    if curve is not None:
        figures.append(("curve", _curve_figure(*curve, height)))
    if ratio is not None:
        figures.append(("ratio", _ratio_figure(ratio, height)))
    if len(figures) == 1:
        return chart(ctx, figures[0][1])
    return _side_by_side(*[_graph(ctx, fig, part) for part, fig in figures])
