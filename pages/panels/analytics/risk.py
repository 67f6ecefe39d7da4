"""Risk panels of prices from any datasets (``keys`` of the panel's dataset and ``series`` of
``dataset:KEY`` references, pages/panels/analytics/refs.py), over the view's range:

- ``drawdown``: the underwater chart, each instrument's percent below its highest close since the
  range began;
- ``rolling_volatility``: annualised volatility of daily log returns over rolling windows
  (option ``windows``, default 21 and 63 observations: a month and a quarter of trading days);
- ``drawdown_table``: per instrument the worst drawdown of the range (peak, trough, recovery),
  where it stands now and its latest rolling volatilities.

Computed on the page from one read per dataset (the measures are cheap: no sidecar table).
"""

from __future__ import annotations

import pandas as pd
from dash import html

from components.figures import history_figure, plot_points
from components.grid import data_grid, number_column, text_column
from components.numbers import style_for
from pages.panels.analytics.common import MUTED
from pages.panels.analytics.measures import drawdown, rolling_volatility, worst_drawdown
from pages.panels.analytics.refs import Ref, closes, panel_refs, ref_labels, refs_reads
from pages.panels.base import NoData, PanelContext, chart, panel_type
from sql import read
from sql.plans import Read

WINDOWS = (21, 63)
RISK_OPTIONS = {"series": list, "labels": dict, "height": int, "windows": list}


def _windows(ctx: PanelContext) -> tuple[int, ...]:
    windows = tuple(int(w) for w in ctx.spec.option("windows", WINDOWS) or WINDOWS)
    if not windows or any(w < 2 for w in windows):
        raise ValueError(f"panel {ctx.dom_id}: windows must be whole numbers of at least 2")
    return windows


def _lookback(ctx: PanelContext) -> int:
    """Calendar days before the range that the longest window's first value needs."""
    return int(max(_windows(ctx)) * 7 / 5) + 10


def range_reads(ctx: PanelContext) -> list[Read]:
    return refs_reads(panel_refs(ctx), range_=ctx.view.range)


def windowed_reads(ctx: PanelContext) -> list[Read]:
    return refs_reads(panel_refs(ctx), range_=ctx.view.range, lookback=_lookback(ctx))


def _in_range(ctx: PanelContext, ref: Ref, values: pd.Series) -> pd.Series:
    """``values`` from the view's range start (counted back from the dataset's newest date)."""
    newest = read.latest_date(ref.dataset)
    start = ctx.view.start(newest) if newest else None
    return values if start is None else values[values.index >= pd.Timestamp(start)]


def _long(measured: dict[Ref, pd.Series], names: dict) -> pd.DataFrame:
    """``key, date, value`` rows (``history_figure``'s shape), key the reference's text."""
    parts = [
        pd.DataFrame({"key": names.get(ref, str(ref)), "date": values.index, "value": values.to_numpy()})
        for ref, values in measured.items()
        if not values.dropna().empty
    ]
    if not parts:
        raise NoData("Not enough history for this measure yet.")
    return pd.concat(parts, ignore_index=True).dropna(subset=["value"])


def _wide(frame: pd.DataFrame, unit: str) -> pd.DataFrame:
    wide = frame.pivot_table(index="date", columns="key", values="value", aggfunc="last", sort=False).sort_index()
    wide = wide[list(dict.fromkeys(frame["key"]))].round(4)
    wide.columns = [f"{c} ({unit})" for c in wide.columns]
    wide.index = wide.index.strftime("%Y-%m-%d")
    return wide.reset_index(names="Date")


def _line_chart(ctx: PanelContext, frame: pd.DataFrame, axis: str, decimals: int, caption: str, **trace):
    fig = history_figure(
        frame,
        {},
        "%",
        height=int(ctx.spec.option("height", 340)),
        range_selector=ctx.view.embed,
        decimals=decimals,
        max_points=plot_points(ctx.spec.width),
    )
    fig.update_yaxes(title_text=axis)
    if trace:
        fig.update_traces(**trace)
    return html.Div([chart(ctx, fig), html.Small(caption, style={"color": MUTED})])


# --- drawdown ---------------------------------------------------------------------------------


def drawdown_rows(ctx: PanelContext) -> pd.DataFrame:
    refs = panel_refs(ctx)
    found = closes(refs, range_reads(ctx))
    names = ref_labels(ctx, refs, short=True)
    return _long({ref: drawdown(_in_range(ctx, ref, values)) for ref, values in found.items()}, names)


def drawdown_data(ctx: PanelContext) -> pd.DataFrame:
    return _wide(drawdown_rows(ctx), "% from peak")


@panel_type("drawdown", drawdown_data, range_reads, needs_dataset=False, view=("range",), options=RISK_OPTIONS)
def drawdown_panel(ctx: PanelContext):
    frame = drawdown_rows(ctx)
    caption = "Percent below the highest close since the start of the range (0 = at a new high)."
    # One instrument: the area under water, shaded down from zero.
    fill = {"fill": "tozeroy", "fillcolor": "rgba(255, 82, 82, 0.18)"} if frame["key"].nunique() == 1 else {}
    return _line_chart(ctx, frame, "below running peak, %", 1, caption, **fill)


# --- rolling volatility -----------------------------------------------------------------------


def volatility_rows(ctx: PanelContext) -> pd.DataFrame:
    refs = panel_refs(ctx)
    found = closes(refs, windowed_reads(ctx))
    names = ref_labels(ctx, refs, short=True)
    windows = _windows(ctx)
    measured = {}
    for ref, values in found.items():
        for window in windows:
            label = f"{names[ref]} {window}d" if len(windows) > 1 else names[ref]
            measured[Ref(ref.dataset, label)] = _in_range(ctx, ref, rolling_volatility(values, window))
    return _long(measured, {r: r.key for r in measured})


def volatility_data(ctx: PanelContext) -> pd.DataFrame:
    return _wide(volatility_rows(ctx), "% annualised")


@panel_type(
    "rolling_volatility", volatility_data, windowed_reads, needs_dataset=False, view=("range",), options=RISK_OPTIONS
)
def rolling_volatility_panel(ctx: PanelContext):
    windows = " and ".join(str(w) for w in _windows(ctx))
    caption = (
        f"Standard deviation of daily log returns over the last {windows} observations, annualised "
        "(√252 for exchange-traded prices, √365 for crypto, which trades every day)."
    )
    return _line_chart(ctx, volatility_rows(ctx), "annualised volatility, %", 1, caption)


# --- the drawdown table -----------------------------------------------------------------------


def _day(when) -> str | None:
    return None if when is None or pd.isna(when) else pd.Timestamp(when).strftime("%Y-%m-%d")


def drawdown_table_data(ctx: PanelContext) -> pd.DataFrame:
    refs = panel_refs(ctx)
    found = closes(refs, windowed_reads(ctx))
    names = ref_labels(ctx, refs)
    windows = _windows(ctx)
    rows = []
    for ref, values in found.items():
        shown = _in_range(ctx, ref, values).dropna()
        if shown.empty:
            continue
        worst = worst_drawdown(shown)
        row = {
            "Name": names[ref],
            "Symbol": ref.key,
            "Last": float(shown.iloc[-1]),
            "Date": _day(shown.index[-1]),
            "From peak %": worst["current"],
            "Peak date": _day(worst["since"]),
            "Max drawdown %": worst["depth"],
            "Max DD peak": _day(worst["peak"]),
            "Max DD trough": _day(worst["trough"]),
            "Recovered": _day(worst["recovered"]) or "not yet",
            "Range return %": 100 * (float(shown.iloc[-1]) / float(shown.iloc[0]) - 1),
        }
        for window in windows:
            vol = rolling_volatility(values, window).dropna()
            row[f"Vol {window}d %"] = float(vol.iloc[-1]) if len(vol) else None
        row["_decimals"] = style_for(ref.dataset, ref.key, row["Last"]).decimals
        rows.append(row)
    if not rows:
        raise NoData("Nothing stored for these instruments in this range yet.")
    frame = pd.DataFrame(rows)
    numbers = [c for c in frame.columns if c.endswith("%")]
    return frame.assign(**{c: pd.to_numeric(frame[c], errors="coerce").round(4) for c in numbers})


def _export(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.drop(columns="_decimals")


@panel_type(
    "drawdown_table",
    lambda ctx: _export(drawdown_table_data(ctx)),
    windowed_reads,
    needs_dataset=False,
    view=("range",),
    options=RISK_OPTIONS,
)
def drawdown_table(ctx: PanelContext):
    frame = drawdown_table_data(ctx)
    columns = [
        text_column("Name", "Name", pinned="left", minWidth=190, flex=2),
        text_column("Symbol", "Symbol", minWidth=110),
        {**number_column("Last", "Last", decimals="row"), "minWidth": 120},
        text_column("Date", "Date", minWidth=110),
        number_column("From peak %", "From peak %", change=True, decimals=2),
        text_column("Peak date", "Peak date", minWidth=110),
        number_column("Max drawdown %", "Max drawdown %", change=True, decimals=2),
        text_column("Max DD peak", "Max DD peak", minWidth=110),
        text_column("Max DD trough", "Max DD trough", minWidth=120),
        text_column("Recovered", "Recovered", minWidth=120),
        number_column("Range return %", "Range return %", change=True, decimals=2),
        *[number_column(c, c, decimals=1) for c in frame.columns if c.startswith("Vol ")],
    ]
    height = max(160, min(560, 56 + 42 * len(frame)))
    caption = html.Small(
        "Over the range chosen above; volatility annualised from daily log returns.", style={"color": MUTED}
    )
    return html.Div([data_grid(ctx.dom_id, frame, columns, filename=f"spartan-{ctx.dom_id}", height=height), caption])
