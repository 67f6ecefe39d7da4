"""Correlation panel types: the newest matrix of the basket as a heatmap, and chosen pairs'
rolling correlation over time."""

from __future__ import annotations

from datetime import date

import pandas as pd
import plotly.graph_objects as go

from config import theme
from config.catalog_index import labels
from pages.panels.analytics.common import (
    MUTED,
    _days,
    _figure,
    _label_overrides,
    _newest,
    analytics_config,
    log,
)
from pages.panels.base import NoData, PanelContext, chart, panel_type
from sql import read
from sql.plans import Read
from sql.transforms import correlation_matrix

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
    return correlation_matrix(frame, assets), pd.Timestamp(as_of).date(), window


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


@panel_type(
    "correlation_heatmap",
    heatmap_data,
    heatmap_reads,
    needs_dataset=False,
    options={"window": int, "labels": dict, "height": int},
)
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


@panel_type(
    "correlation_history",
    pair_history_data,
    pair_reads,
    needs_dataset=False,
    view=("range",),
    options={"pairs": list, "window": int, "labels": dict, "height": int},
)
def correlation_history(ctx: PanelContext):
    frame, names = pair_history(ctx)
    fig = _figure(int(ctx.spec.option("height", 340)))
    for pair, title in names.items():
        rows = frame[frame["pair"] == pair]
        fig.add_trace(go.Scatter(x=rows["date"], y=rows["value"], name=title, mode="lines", hovertemplate="%{y:.2f}"))
    fig.add_hline(y=0, line_width=1, line_color=MUTED, line_dash="dot")
    fig.update_yaxes(range=[-1.05, 1.05], title_text=f"{_window(ctx)}-day correlation")
    return chart(ctx, fig)
