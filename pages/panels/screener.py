"""The ``screener`` panel type: the stocks stored, filtered on their returns (1M/3M/YTD), their
distance from the 52-week high and low, their place above or below the 50- and 200-day
averages, their volatility and their sector.

The filters live in the URL (``?r3m_min=10&sma200=above``, components/view_state.py
``SCREEN_NUMBERS``/``SCREEN_CHOICES``), so a screen is a link, and the panel's CSV
(``/csv/<dashboard>/<panel>.csv`` with the same query) holds exactly the stocks it shows. The
form is a plain GET form and the presets plain links: no callback. Every figure is computed
here from one read of the stocks' closes (pages/panels/returns.py ``stock_metrics``).
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
from dash import dcc, html

from components.grid import data_grid, number_column, text_column
from components.view_state import SCREEN_CHOICES
from config.catalog_index import sectors
from pages.panels.base import NoData, PanelContext, panel_type
from pages.panels.core import names
from pages.panels.equities import stock_grid_start
from pages.panels.returns import HISTORY_DAYS, stock_metrics
from sql import read
from sql.plans import Read

# Each number filter: the metric it reads, whether it is a floor or a ceiling, and its label.
NUMBER_FILTERS = {
    "r1m_min": ("1M", "min", "1M return ≥ %"),
    "r1m_max": ("1M", "max", "1M return ≤ %"),
    "r3m_min": ("3M", "min", "3M return ≥ %"),
    "r3m_max": ("3M", "max", "3M return ≤ %"),
    "ytd_min": ("YTD", "min", "YTD return ≥ %"),
    "ytd_max": ("YTD", "max", "YTD return ≤ %"),
    "high_within": ("from_high", "near_high", "Within % of 52W high"),
    "low_within": ("from_low", "max", "Within % of 52W low"),
    "vol_min": ("vol", "min", "Volatility ≥ % (1Y, ann.)"),
    "vol_max": ("vol", "max", "Volatility ≤ % (1Y, ann.)"),
}
CHOICE_LABELS = {"sma50": "50-day average", "sma200": "200-day average", "sector": "Sector"}
PRESETS = (
    ("Near 52-week highs", (("high_within", "5"),)),
    ("Near 52-week lows", (("low_within", "5"),)),
    ("Uptrend: above 50- and 200-day", (("sma50", "above"), ("sma200", "above"))),
    ("Below the 200-day", (("sma200", "below"),)),
    ("3M momentum > 10 %", (("r3m_min", "10"),)),
    ("Low volatility < 20 %", (("vol_max", "20"),)),
)


def apply_screen(table: pd.DataFrame, screen: tuple[tuple[str, str], ...]) -> pd.DataFrame:
    """The rows of ``table`` (``stock_metrics`` with ``sector``) that pass every filter; a
    stock whose figure is unknown (too short a history) does not pass a filter on it."""
    keep = pd.Series(True, index=table.index)
    for name, value in screen:
        if name in NUMBER_FILTERS:
            column, kind, _label = NUMBER_FILTERS[name]
            limit = float(value)
            figure = table[column]
            if kind == "min":
                keep &= figure >= limit
            elif kind == "max":
                keep &= figure <= limit
            else:  # near_high: at most ``limit`` % below the high (from_high is ≤ 0)
                keep &= figure >= -abs(limit)
        elif name == "sector":
            keep &= table["sector"] == value
        elif name in ("sma50", "sma200"):
            distance = table[f"vs_{name}"]
            keep &= distance > 0 if value == "above" else distance < 0
    return table[keep.fillna(False).astype(bool)]


def describe_screen(screen: tuple[tuple[str, str], ...]) -> str:
    """The filters in words: "3M return ≥ 10 %, above the 200-day average, sector Energy"."""
    words = []
    for name, value in screen:
        if name in NUMBER_FILTERS:
            words.append(NUMBER_FILTERS[name][2].replace("%", f"{value} %", 1))
        elif name == "sector":
            words.append(f"sector {value}")
        else:
            words.append(f"{value} the {CHOICE_LABELS[name]}")
    return ", ".join(words)


def screener_reads(ctx: PanelContext) -> list[Read]:
    keys = tuple(ctx.spec.keys) if ctx.spec.keys else None
    return [Read("observations", ctx.spec.dataset, keys, days=HISTORY_DAYS)]


def screened(ctx: PanelContext) -> tuple[pd.DataFrame, int]:
    """The stocks that pass the URL's filters, strongest YTD first, and how many were screened."""
    if read.latest_date(ctx.spec.dataset) is None:
        raise NoData()
    table = stock_metrics(read.fetch(screener_reads(ctx)[0]))
    if table.empty:
        raise NoData("No prices stored for these stocks yet.")
    label = names(ctx)
    table = table.assign(
        name=table["key"].map(label).fillna(table["key"]),
        sector=table["key"].map(sectors(ctx.settings, ctx.spec.dataset)).fillna("Other"),
    )
    passed = apply_screen(table, ctx.view.screen)
    return passed.sort_values("YTD", ascending=False, na_position="last").reset_index(drop=True), len(table)


COLUMNS = {
    "1M": "1M %",
    "3M": "3M %",
    "YTD": "YTD %",
    "from_high": "From 52W high %",
    "from_low": "From 52W low %",
    "vs_sma50": "vs 50-day %",
    "vs_sma200": "vs 200-day %",
    "vol": "Volatility % (1Y)",
}


def screener_data(ctx: PanelContext) -> pd.DataFrame:
    passed, _count = screened(ctx)
    out = pd.DataFrame(
        {
            "Company": passed["name"],
            "Symbol": passed["key"],
            "Sector": passed["sector"],
            "Last": passed["last"].round(2),
        }
    )
    for column, header in COLUMNS.items():
        out[header] = pd.to_numeric(passed[column], errors="coerce").round(2)
    out["Date"] = passed["date"].dt.strftime("%Y-%m-%d")
    return out


def _field(label: str, control) -> html.Label:
    return html.Label([html.Span(label, className="screen-label"), control], className="screen-field")


def filter_form(ctx: PanelContext) -> html.Form:
    """The filters as a GET form to this page: submitting it is loading the screened URL (an
    embedded screener shows its screen without the form)."""
    current = dict(ctx.view.screen)
    fields = [
        _field(
            label,
            dcc.Input(
                type="number",
                name=name,
                value=float(current[name]) if name in current else None,
                step="any",
                className="form-control form-control-sm",
            ),
        )
        for name, (_column, _kind, label) in NUMBER_FILTERS.items()
    ]
    for name, choices in SCREEN_CHOICES.items():
        options = [html.Option("Any", value="", selected=name not in current)]
        options += [html.Option(c, value=c, selected=current.get(name) == c) for c in choices]
        label = CHOICE_LABELS.get(name, name)
        fields.append(_field(label, html.Select(options, name=name, className="form-select form-select-sm")))
    buttons = html.Div(
        [
            html.Button("Screen", type="submit", className="btn btn-sm btn-spartan"),
            dcc.Link("Clear", href=ctx.dashboard.path + replace(ctx.view, screen=()).query(), className="view-link"),
        ],
        className="d-flex gap-2 align-items-end",
    )
    return html.Form(
        html.Div([*fields, buttons], className="screen-fields"),
        method="get",
        action=ctx.dashboard.path,
        className="screen-form mb-2",
    )


def presets(ctx: PanelContext) -> html.Div:
    links = [
        dcc.Link(
            label,
            href=ctx.dashboard.path + replace(ctx.view, screen=screen).query(),
            className="view-link active" if ctx.view.screen == screen else "view-link",
        )
        for label, screen in PRESETS
    ]
    return html.Div([html.Span("Presets:", className="screen-label me-1"), *links], className="screen-presets mb-2")


@panel_type("screener", screener_data, screener_reads, options={"labels": dict, "height": int})
def screener(ctx: PanelContext):
    passed, count = screened(ctx)
    frame, columns = stock_grid_start(ctx, screener_data(ctx))
    columns = [
        *columns,
        *[number_column(h, h, change=h != "Volatility % (1Y)", decimals=2) for h in COLUMNS.values()],
        text_column("Date", "Date", minWidth=110),
    ]
    summary = f"{len(passed)} of {count} stocks pass: " + (describe_screen(ctx.view.screen) or "no filter set")
    height = int(ctx.spec.option("height", min(620, 60 + 42 * max(len(frame), 3))))
    parts = [] if ctx.view.embed else [filter_form(ctx), presets(ctx)]
    parts.append(html.P(summary, className="small text-secondary mb-2 screen-summary"))
    parts.append(data_grid(ctx.dom_id, frame, columns, filename=f"spartan-{ctx.dom_id}", height=height))
    return html.Div(parts)
