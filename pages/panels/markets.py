"""Panel types computed from several instruments of one dataset, read in one query:

- ``pair_history``: the ratio (``op: ratio``, times ``scale``) or the difference (``op: spread``)
  of instrument pairs over the URL's range — gold/silver, copper/gold, WTI minus Brent, a
  currency's short rate minus the dollar's;
- ``basket_index``: a geometric basket ``constant × Π price^weight`` over the URL's range — the
  ICE US dollar index (DXY) from its six published weights on the stored exchange rates.

Each value is computed on the first instrument's dates, the second taken as of its last
observation up to ``TOLERANCE_DAYS`` before (markets closed on different holidays); a basket
needs every member within that tolerance. Monthly series stay monthly.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from components.axes import log_axis
from components.figures import history_figure, plot_points
from pages.panels.analytics.measures import as_of_pairs
from pages.panels.base import NoData, PanelContext, chart, panel_type
from pages.panels.core import names
from sql import read
from sql.plans import Read

TOLERANCE_DAYS = 5
OPS = ("ratio", "spread")


# --- computations (pure) --------------------------------------------------------------------------


def _series(frame: pd.DataFrame, key: str) -> pd.Series:
    rows = frame[frame["key"] == key].dropna(subset=["value"]).sort_values("date")
    return pd.Series(rows["value"].astype(float).to_numpy(), index=pd.DatetimeIndex(rows["date"]), name=key)


def pair_values(frame: pd.DataFrame, a: str, b: str, op: str = "ratio", scale: float = 1.0) -> pd.Series:
    """``a / b × scale`` (``op: ratio``) or ``(a − b) × scale`` (``op: spread``) on ``a``'s dates
    from ``key, date, value`` rows, ``b`` as of its last observation at most ``TOLERANCE_DAYS``
    before; dates without a ``b`` (or a zero ``b`` for a ratio) are left out."""
    if op not in OPS:
        raise ValueError(f"op must be one of {', '.join(OPS)}, not {op!r}")
    left, right = _series(frame, a), _series(frame, b)
    if left.empty or right.empty:
        return pd.Series(dtype=float, name=f"{a}/{b}")
    merged = as_of_pairs(left, right, TOLERANCE_DAYS)
    if op == "ratio":
        merged = merged[merged["b"] != 0]
        values = merged["a"] / merged["b"] * scale
    else:
        values = (merged["a"] - merged["b"]) * scale
    return pd.Series(values.to_numpy(), index=pd.DatetimeIndex(merged["date"]), name=f"{a}/{b}")


def basket_values(frame: pd.DataFrame, weights: dict[str, float], constant: float = 1.0) -> pd.Series:
    """``constant × Π value_k^weight_k`` on every date where each member has a value at most
    ``TOLERANCE_DAYS`` old (a member's holiday carries its last value; a longer gap, or a
    member not stored, leaves the date out)."""
    members = {key: _series(frame, key) for key in weights}
    members = {key: values[values > 0] for key, values in members.items()}  # a log needs a price
    if any(values.empty for values in members.values()):
        return pd.Series(dtype=float)
    dates = pd.DatetimeIndex(sorted(set().union(*(s.index for s in members.values()))))
    logs = pd.DataFrame(index=dates)
    for key, values in members.items():
        aligned = pd.merge_asof(
            pd.DataFrame({"date": dates}),
            values.rename("v").rename_axis("date").reset_index(),
            on="date",
            direction="backward",
            tolerance=pd.Timedelta(days=TOLERANCE_DAYS),
        )
        logs[key] = weights[key] * np.log(aligned["v"].to_numpy())
    total = logs.dropna().sum(axis=1)
    return constant * np.exp(total)


# --- pair_history ---------------------------------------------------------------------------------


def _pairs(ctx: PanelContext) -> list[tuple[str, str, str | None]]:
    """The panel's ``pairs``: ``[a, b]`` or ``[a, b, label]`` each."""
    found = []
    for item in ctx.spec.option("pairs") or []:
        if not isinstance(item, list) or len(item) not in (2, 3):
            raise ValueError(f"pairs: each is [a, b] or [a, b, label], not {item!r}")
        found.append((str(item[0]), str(item[1]), str(item[2]) if len(item) == 3 else None))
    if not found:
        raise ValueError("pairs: name at least one [a, b]")
    return found


def pair_reads(ctx: PanelContext) -> list[Read]:
    keys = tuple(dict.fromkeys(k for a, b, _ in _pairs(ctx) for k in (a, b)))
    return [Read("observations", ctx.spec.dataset, keys, range=ctx.view.range)]


def _pair_label(ctx: PanelContext, a: str, b: str, label: str | None) -> str:
    if label:
        return label
    known = names(ctx)
    sign = " / " if ctx.spec.option("op", "ratio") == "ratio" else " − "
    return f"{known.get(a, a)}{sign}{known.get(b, b)}"


def pair_rows(ctx: PanelContext) -> tuple[pd.DataFrame, dict[str, str]]:
    """``key, date, value`` of each pair (key ``a/b``) over the URL's range, and their labels."""
    if read.latest_date(ctx.spec.dataset) is None:
        raise NoData()
    frame = read.fetch(pair_reads(ctx)[0])
    op, scale = str(ctx.spec.option("op", "ratio")), float(ctx.spec.option("scale", 1))
    parts, labels = [], {}
    for a, b, label in _pairs(ctx):
        values = pair_values(frame, a, b, op, scale)
        if values.empty:
            continue
        key = f"{a}/{b}"
        labels[key] = _pair_label(ctx, a, b, label)
        parts.append(pd.DataFrame({"key": key, "date": values.index, "value": values.to_numpy()}))
    if not parts:
        raise NoData("Both instruments of a pair are not stored yet.")
    return pd.concat(parts, ignore_index=True), labels


def _wide(frame: pd.DataFrame, labels: dict[str, str], decimals: int) -> pd.DataFrame:
    wide = frame.pivot_table(index="date", columns="key", values="value", aggfunc="last").sort_index()
    wide = wide[[k for k in labels if k in wide.columns]].round(decimals)
    wide.columns = [labels[k] for k in wide.columns]
    wide.index = wide.index.strftime("%Y-%m-%d")
    return wide.reset_index(names="Date")


def _decimals(ctx: PanelContext, values: pd.Series) -> int:
    if ctx.spec.option("decimals") is not None:
        return int(ctx.spec.option("decimals"))
    typical = float(values.abs().median()) if not values.empty else 1.0
    return 2 if typical >= 1 or typical == 0 else max(2, 1 - math.floor(math.log10(typical)) + 2)


def pair_data(ctx: PanelContext) -> pd.DataFrame:
    frame, labels = pair_rows(ctx)
    return _wide(frame, labels, 6)


def _draw(ctx: PanelContext, frame: pd.DataFrame, labels: dict[str, str], positive: bool):
    unit = str(ctx.spec.option("unit", ""))
    decimals = _decimals(ctx, frame["value"])
    fig = history_figure(
        frame,
        labels,
        unit,
        height=int(ctx.spec.option("height", 340)),
        range_selector=ctx.view.embed,
        decimals=decimals,
        max_points=plot_points(ctx.spec.width),
    )
    if ctx.spec.option("axis_title"):
        fig.update_yaxes(title_text=str(ctx.spec.option("axis_title")))
    if ctx.view.log and positive:
        log_axis(fig, frame["value"])
    for line in ctx.spec.option("hlines", []) or []:
        fig.add_hline(y=float(line), line_width=1, line_color="#b0b8c8", line_dash="dot")
    return chart(ctx, fig)


# The options of how either chart is drawn (``_draw``), then each type's own.
DRAW_OPTIONS = {"unit": str, "axis_title": str, "decimals": int, "height": int, "hlines": list}
PAIR_OPTIONS = {"pairs": list, "op": str, "scale": (int, float), "labels": dict, **DRAW_OPTIONS}


@panel_type("pair_history", pair_data, pair_reads, view=("range", "log"), options=PAIR_OPTIONS)
def pair_history(ctx: PanelContext):
    frame, labels = pair_rows(ctx)
    return _draw(ctx, frame, labels, positive=ctx.spec.option("op", "ratio") == "ratio")


# --- basket_index ---------------------------------------------------------------------------------


def _weights(ctx: PanelContext) -> dict[str, float]:
    weights = {str(k): float(v) for k, v in (ctx.spec.option("weights") or {}).items()}
    if not weights:
        raise ValueError("weights: name each member and its exponent")
    return weights


def basket_reads(ctx: PanelContext) -> list[Read]:
    return [Read("observations", ctx.spec.dataset, tuple(_weights(ctx)), range=ctx.view.range)]


def basket_rows(ctx: PanelContext) -> tuple[pd.DataFrame, dict[str, str]]:
    if read.latest_date(ctx.spec.dataset) is None:
        raise NoData()
    frame = read.fetch(basket_reads(ctx)[0])
    values = basket_values(frame, _weights(ctx), float(ctx.spec.option("constant", 1.0)))
    if values.empty:
        raise NoData("Not every member of the basket is stored yet.")
    key = ctx.spec.id
    label = str(ctx.spec.option("label", ctx.spec.title))
    return pd.DataFrame({"key": key, "date": values.index, "value": values.to_numpy()}), {key: label}


def basket_data(ctx: PanelContext) -> pd.DataFrame:
    frame, labels = basket_rows(ctx)
    return _wide(frame, labels, 6)


BASKET_OPTIONS = {"weights": dict, "constant": (int, float), "label": str, **DRAW_OPTIONS}


@panel_type("basket_index", basket_data, basket_reads, view=("range", "log"), options=BASKET_OPTIONS)
def basket_index(ctx: PanelContext):
    frame, labels = basket_rows(ctx)
    return _draw(ctx, frame, labels, positive=True)
