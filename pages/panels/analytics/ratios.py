"""The ``ratio_history`` panel: intermarket ratios (one price over another: the S&P 500 in ounces
of gold, copper over gold, small over large caps…) over the view's range, several on one chart
rebased to 100 at the range's start (the URL's ``rebase=0`` shows their levels).

Option ``ratios``: a list of ``{a: dataset:KEY, b: dataset:KEY, label: …}`` (or ``"A/B"``
strings; a bare key is of the panel's dataset). Each ratio is taken on the numerator's dates
against the denominator's latest close at most five days before (measures.ratio), from one read
per dataset the ratios name.
"""

from __future__ import annotations

import pandas as pd

from components.axes import log_axis
from components.figures import history_figure, plot_points
from components.numbers import magnitude_decimals
from pages.panels.analytics.measures import ratio
from pages.panels.analytics.refs import Ref, check_refs, closes, parse_ref, ref_labels, refs_reads
from pages.panels.base import NoData, PanelContext, chart, panel_type
from sql.plans import Read


def ratios(ctx: PanelContext) -> list[tuple[Ref, Ref, str | None]]:
    """The panel's ratios as (numerator, denominator, label or None)."""
    where = f"panel {ctx.dom_id}"
    found = []
    for item in ctx.spec.option("ratios", []) or []:
        if isinstance(item, dict):
            a, b, label = item.get("a"), item.get("b"), item.get("label")
        else:
            a, _, b = str(item).partition("/")
            label = None
        if not a or not b:
            raise ValueError(f"{where}: a ratio needs a numerator and a denominator, got {item!r}")
        found.append((parse_ref(a, ctx.spec.dataset, where), parse_ref(b, ctx.spec.dataset, where), label))
    if not found:
        raise ValueError(f"{where}: names no ratios")
    check_refs(ctx, [r for a, b, _ in found for r in (a, b)])
    return found


def _refs(ctx: PanelContext) -> list[Ref]:
    return list(dict.fromkeys(r for a, b, _ in ratios(ctx) for r in (a, b)))


def ratio_reads(ctx: PanelContext) -> list[Read]:
    return refs_reads(_refs(ctx), range_=ctx.view.range)


def is_rebased(ctx: PanelContext) -> bool:
    return ctx.view.rebase if ctx.view.rebase is not None else len(ratios(ctx)) > 1


def ratio_rows(ctx: PanelContext) -> pd.DataFrame:
    """``key, date, value`` of each ratio that has data (key: its label), rebased or not."""
    chosen = ratios(ctx)
    refs = _refs(ctx)
    found = closes(refs, ratio_reads(ctx))
    names = ref_labels(ctx, refs, short=True)
    parts = []
    for a, b, label in chosen:
        if a not in found or b not in found:
            continue
        values = ratio(found[a], found[b])
        if values.empty:
            continue
        if is_rebased(ctx):
            values = 100 * values / values.iloc[0]
        name = label or f"{names[a]} / {names[b]}"
        parts.append(pd.DataFrame({"key": name, "date": values.index, "value": values.to_numpy()}))
    if not parts:
        raise NoData("Both sides of these ratios are not stored yet.")
    return pd.concat(parts, ignore_index=True)


def ratio_data(ctx: PanelContext) -> pd.DataFrame:
    frame = ratio_rows(ctx)
    wide = frame.pivot_table(index="date", columns="key", values="value", aggfunc="last", sort=False).sort_index()
    wide = wide[list(dict.fromkeys(frame["key"]))].round(6)
    if is_rebased(ctx):
        wide.columns = [f"{c} (rebased to 100)" for c in wide.columns]
    wide.index = wide.index.strftime("%Y-%m-%d")
    return wide.reset_index(names="Date")


def _decimals(frame: pd.DataFrame, rebased: bool) -> int:
    """2 rebased; else by the ratios' typical size (copper/gold ~0.0016 → 5, SPX/gold ~1.6 → 2)."""
    return 2 if rebased else magnitude_decimals(float(frame["value"].abs().median()))


RATIO_OPTIONS = {"ratios": list, "labels": dict, "height": int}


@panel_type(
    "ratio_history",
    ratio_data,
    ratio_reads,
    needs_dataset=False,
    view=("range", "log", "rebase"),
    options=RATIO_OPTIONS,
)
def ratio_history(ctx: PanelContext):
    frame = ratio_rows(ctx)
    rebased = is_rebased(ctx)
    fig = history_figure(
        frame,
        {},
        "",
        height=int(ctx.spec.option("height", 340)),
        range_selector=ctx.view.embed,
        decimals=_decimals(frame, rebased),
        max_points=plot_points(ctx.spec.width),
    )
    fig.update_yaxes(title_text="rebased to 100" if rebased else "ratio")
    if rebased:
        fig.add_hline(y=100, line_width=1, line_color="#b0b8c8", line_dash="dot")
    if ctx.view.log:
        log_axis(fig, frame["value"])
    return chart(ctx, fig)
