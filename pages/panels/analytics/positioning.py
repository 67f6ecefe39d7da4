"""The ``positioning_extremes`` panel: how stretched crowd positioning is, each gauge's newest
reading against its own last few years — the AAII survey (bulls, bears, their spread: retail
mood) and the CFTC's speculators (non-commercial net as a share of open interest: leveraged
money in futures). Per gauge: the reading, its change since the reading before, the period's
low, high and average, its percentile and where it lies between the low and the high (the "COT
index", 0 = the most short of the period, 100 = the most long), flagged in the top or bottom
decile.

Options: ``sentiment`` (``sentiment_indicators`` keys, default the AAII ones), ``cot``
(``cot_positions`` markets, default all), ``years`` (default 3). One read of each dataset.
"""

from __future__ import annotations

import pandas as pd
from dash import html

from components.grid import data_grid, number_column, text_column
from config.catalog_index import catalog, labels
from pages.panels.analytics.common import MUTED, _days
from pages.panels.analytics.measures import percentile_rank, range_position
from pages.panels.base import NoData, PanelContext, panel_type
from pages.panels.cot import DATASET as COT
from sql import read
from sql.plans import Read

SENTIMENT = "sentiment_indicators"
AAII = ("AAII_BULL_BEAR_SPREAD", "AAII_BULLISH", "AAII_BEARISH")
YEARS = 3


def _years(ctx: PanelContext) -> int:
    return max(1, int(ctx.spec.option("years", YEARS)))


def _sentiment_keys(ctx: PanelContext) -> tuple[str, ...]:
    return tuple(str(k) for k in ctx.spec.option("sentiment", AAII) or ())


def _cot_keys(ctx: PanelContext) -> tuple[str, ...]:
    keys = tuple(str(k) for k in ctx.spec.option("cot", []) or ())
    return keys or tuple(i.key for i in catalog(ctx.settings).for_dataset(COT))


def extremes_reads(ctx: PanelContext) -> list[Read]:
    days = _years(ctx) * 366 + 14
    reads = []
    if _sentiment_keys(ctx):
        reads.append(Read("observations", SENTIMENT, _sentiment_keys(ctx), days=days))
    if _cot_keys(ctx):
        reads.append(Read("rows", COT, _cot_keys(ctx), days=days))
    return reads


def gauge_row(group: str, name: str, unit: str, history: pd.Series) -> dict | None:
    """One gauge's row from its readings by date (oldest first); None without any."""
    values = pd.to_numeric(history, errors="coerce").dropna().sort_index()
    if values.empty:
        return None
    latest = float(values.iloc[-1])
    percentile = percentile_rank(values, latest)
    decile = "top decile" if percentile >= 90 else "bottom decile" if percentile <= 10 else ""
    return {
        "Group": group,
        "Gauge": name,
        "Date": values.index[-1].strftime("%Y-%m-%d"),
        "Latest": latest,
        "Change": latest - float(values.iloc[-2]) if len(values) > 1 else None,
        "Low": float(values.min()),
        "High": float(values.max()),
        "Average": float(values.mean()),
        "Percentile": percentile,
        "Range position": range_position(values, latest),
        "Extreme": decile,
        "Unit": unit,
        "Readings": int(len(values)),
    }


def _series(frame: pd.DataFrame, key_column: str, value_column: str, date_column: str) -> dict[str, pd.Series]:
    return {
        str(key): pd.Series(rows[value_column].to_numpy(), index=_days(rows[date_column]))
        for key, rows in frame.groupby(key_column, sort=False)
    }


def extremes_table(ctx: PanelContext) -> pd.DataFrame:
    reads = {r.dataset: r for r in extremes_reads(ctx)}
    if all(read.latest_date(d) is None for d in reads):
        raise NoData()
    rows = []
    if SENTIMENT in reads:
        found = _series(read.fetch(reads[SENTIMENT]), "key", "value", "date") if read.latest_date(SENTIMENT) else {}
        names = labels(ctx.settings, SENTIMENT)
        for key in _sentiment_keys(ctx):
            if key in found:
                unit = "pp" if "SPREAD" in key else "%"
                rows.append(gauge_row("AAII survey", names.get(key, key), unit, found[key]))
    if COT in reads and read.latest_date(COT):
        frame = read.fetch(reads[COT])
        if not frame.empty:
            net = pd.to_numeric(frame["noncomm_net"], errors="coerce")
            interest = pd.to_numeric(frame["open_interest"], errors="coerce")
            frame = frame.assign(net_pct=100 * net / interest.where(interest > 0))
            found = _series(frame, "market", "net_pct", "date")
            names = {k: v.removeprefix("COT: ") for k, v in labels(ctx.settings, COT).items()}
            for key in _cot_keys(ctx):
                if key in found:
                    rows.append(gauge_row("COT speculators", names.get(key, key), "% OI", found[key]))
    rows = [r for r in rows if r is not None]
    if not rows:
        raise NoData("No AAII survey or COT report stored yet.")
    table = pd.DataFrame(rows)
    figures = ["Latest", "Change", "Low", "High", "Average", "Percentile", "Range position"]
    return table.assign(**{c: pd.to_numeric(table[c], errors="coerce").round(4) for c in figures})


@panel_type(
    "positioning_extremes",
    extremes_table,
    extremes_reads,
    needs_dataset=False,
    options={"sentiment": list, "cot": list, "years": int},
)
def positioning_extremes(ctx: PanelContext):
    table = extremes_table(ctx)
    period = f"{_years(ctx)}Y"
    columns = [
        text_column("Gauge", "Gauge", pinned="left", minWidth=230, flex=2),
        text_column("Group", "Group", minWidth=160),
        text_column("Date", "Date", minWidth=110),
        number_column("Latest", "Latest", decimals=1),
        text_column("Unit", "Unit", minWidth=90),
        number_column("Change", "Change", change=True, decimals=1),
        number_column("Low", f"{period} low", decimals=1),
        number_column("High", f"{period} high", decimals=1),
        number_column("Average", f"{period} average", decimals=1),
        number_column("Percentile", f"{period} percentile", decimals=0),
        number_column("Range position", f"Position in {period} range (0–100)", decimals=0),
        text_column("Extreme", "Extreme", minWidth=120),
    ]
    height = max(160, min(640, 56 + 42 * len(table)))
    caption = html.Small(
        f"Each gauge against its own readings of the last {_years(ctx)} years: percentile, and where it lies "
        "between the period's low (0) and high (100) — for the COT rows the classic COT index. A survey "
        "crowded with bulls, or speculators at their longest, has tended to mark tops; the reverse, bottoms.",
        style={"color": MUTED},
    )
    grid = data_grid(
        ctx.dom_id, table.drop(columns=["Readings"]), columns, filename=f"spartan-{ctx.dom_id}", height=height
    )
    return html.Div([grid, caption])
