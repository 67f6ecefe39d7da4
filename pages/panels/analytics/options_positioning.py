"""Options positioning across every stored chain (``options_chain``: CBOE's index, ETF and stock
chains, the crypto venues' BTC/ETH/SOL chains), from one read of the dataset's recent snapshots:

- ``options_positioning``: one row per underlying from its newest snapshot — whole-chain put/call
  ratios of volume and open interest, the 30-day at-the-money IV and 25-delta skew (interpolated
  between the expiries either side of 30 days), the front expiry's max pain against spot, and the
  30-day IV's change over the week before;
- ``options_history``: one of those figures (option ``measure``: ``iv30``, ``skew30``,
  ``put_call_volume``, ``put_call_oi``) per underlying over the snapshots stored.

Option ``days`` (default 60) is how many days of snapshots both read; ``keys`` limit the
underlyings (default: all of the catalog's).
"""

from __future__ import annotations

import math
import threading

import numpy as np
import pandas as pd
from cachetools import LRUCache

from components.figures import history_figure, plot_points
from components.grid import data_grid, number_column, text_column
from config.catalog_index import catalog
from pages.panels.base import NoData, PanelContext, chart, panel_type
from pages.panels.options import DATASET, FRONT_DAYS, NUMBERS, WEEK
from sql import read
from sql.plans import Read
from sql.store import get_store

DAYS = 60
TARGET_DAYS = 30
MEASURES = {
    "iv30": ("30-day ATM implied volatility", "%"),
    "skew30": ("30-day 25Δ skew (put IV − call IV)", " pts"),
    "put_call_volume": ("Put/call ratio, volume", ""),
    "put_call_oi": ("Put/call ratio, open interest", ""),
}


def at_days(days: np.ndarray, values: np.ndarray, target: int = TARGET_DAYS, variance: bool = True) -> float:
    """The figure ``values`` (one per expiry, ``days`` to expiry) at ``target`` days, interpolated
    between the expiries either side of it — in total variance (IV² × time, the way implied
    volatility adds up over time) when ``variance``, else linearly; the nearest expiry's value
    when all lie on one side; NaN without any value. Expiries under a day out are left out."""
    keep = np.isfinite(values) & (days >= 1)
    days, values = days[keep], values[keep]
    if not len(days):
        return math.nan
    order = np.argsort(days, kind="stable")
    days, values = days[order], values[order]
    if target <= days[0] or target >= days[-1]:
        return float(values[0] if target <= days[0] else values[-1])
    high = int(np.searchsorted(days, target))
    low = high - 1
    weight = (target - days[low]) / (days[high] - days[low])
    if not variance:
        return float(values[low] + weight * (values[high] - values[low]))
    total = values[low] ** 2 * days[low] + weight * (values[high] ** 2 * days[high] - values[low] ** 2 * days[low])
    return float(math.sqrt(max(total, 0.0) / target))


def _ratio(puts: np.ndarray, calls: np.ndarray) -> float:
    if not np.isfinite(puts).any() or not np.isfinite(calls).any():
        return math.nan
    call = float(np.nansum(calls))
    return float(np.nansum(puts)) / call if call > 0 else math.nan


def snapshot_figures(snap: dict[str, np.ndarray], min_days: int = FRONT_DAYS) -> dict:
    """The positioning figures of one underlying's snapshot: ``snap`` holds the snapshot's
    ``options_chain`` columns as arrays, one entry per expiry, by expiry. The front expiry is
    the first at least ``min_days`` out with an ATM IV (else the first with one)."""
    days, atm = snap["days_to_expiry"], snap["atm_iv"]
    priced = np.flatnonzero(np.isfinite(atm))
    later = priced[days[priced] >= min_days]
    front = later[0] if len(later) else priced[0] if len(priced) else None
    spots = snap["underlying_price"][np.isfinite(snap["underlying_price"])]
    spot = float(spots[0]) if len(spots) else math.nan
    pain = math.nan if front is None else float(snap["max_pain"][front])
    return {
        "spot": spot,
        "put_call_volume": _ratio(snap["put_volume"], snap["call_volume"]),
        "put_call_oi": _ratio(snap["put_open_interest"], snap["call_open_interest"]),
        "iv30": at_days(days, atm),
        "skew30": at_days(days, snap["skew_25d"], variance=False),
        "front_expiry": None if front is None else pd.Timestamp(snap["expiry"][front]),
        "max_pain": pain,
        "max_pain_vs_spot": 100 * (pain / spot - 1) if spot > 0 and np.isfinite(pain) else math.nan,
        "expiries": int(len(days)),
    }


def underlyings(ctx: PanelContext) -> tuple[str, ...]:
    keys = tuple(ctx.spec.keys or ())
    return keys or tuple(i.key for i in catalog(ctx.settings).for_dataset(DATASET))


def positioning_reads(ctx: PanelContext) -> list[Read]:
    """Every underlying's snapshots of the last ``days`` (all of them: the panels of a page share
    one read and one computation of the figures, each keeps its own underlyings)."""
    days = int(ctx.spec.option("days", DAYS))
    return [Read("rows", DATASET, days=max(days, WEEK.days + 3))]


# The figures of every snapshot of a read, by the store, the dataset's version and the read.
_FIGURES: LRUCache = LRUCache(maxsize=8)
_FIGURES_LOCK = threading.Lock()


def all_figures(declared: Read) -> pd.DataFrame:
    """``snapshot_figures`` of every snapshot the read returns: one row per underlying and date."""
    key = (id(get_store()), read.dataset_version(DATASET), declared)
    with _FIGURES_LOCK:
        found = _FIGURES.get(key)
    if found is not None:
        return found
    frame = read.fetch(declared)
    if frame.empty:
        raise NoData("No option chain stored yet.")
    frame = frame.sort_values(["underlying", "date", "expiry"], ignore_index=True)
    columns = {c: pd.to_numeric(frame[c], errors="coerce").to_numpy(dtype=float) for c in NUMBERS}
    columns["days_to_expiry"] = pd.to_numeric(frame["days_to_expiry"], errors="coerce").to_numpy(dtype=float)
    columns["expiry"] = pd.to_datetime(frame["expiry"]).to_numpy()
    dates, sources = pd.to_datetime(frame["date"]), frame["source"].to_numpy()
    rows = []
    for (name, day), at in frame.groupby(["underlying", dates], sort=True).indices.items():
        snap = {column: values[at] for column, values in columns.items()}
        rows.append({"underlying": name, "date": day, "source": sources[at[0]], **snapshot_figures(snap)})
    found = pd.DataFrame(rows)
    with _FIGURES_LOCK:
        _FIGURES[key] = found
    return found


def daily_figures(ctx: PanelContext) -> pd.DataFrame:
    """The panel's underlyings' figures of every stored snapshot, in the panel's order, each
    oldest first."""
    if read.latest_date(DATASET) is None:
        raise NoData()
    figures = all_figures(positioning_reads(ctx)[0])
    order = {k: i for i, k in enumerate(underlyings(ctx))}
    chosen = figures[figures["underlying"].isin(order)]
    if chosen.empty:
        raise NoData("No option chain of these underlyings stored yet.")
    return chosen.sort_values(["underlying", "date"], key=lambda c: c.map(order) if c.name == "underlying" else c)


def _labels(ctx: PanelContext) -> dict[str, str]:
    return {i.key: i.label for i in catalog(ctx.settings).for_dataset(DATASET)}


def positioning_table(ctx: PanelContext) -> pd.DataFrame:
    daily = daily_figures(ctx)
    labels = _labels(ctx)
    rows = []
    for key, history in daily.groupby("underlying", sort=False):
        latest = history.iloc[-1]
        before = history[history["date"] <= latest["date"] - WEEK]
        iv_before = float(before["iv30"].iloc[-1]) if len(before) else math.nan
        rows.append(
            {
                "Underlying": key,
                "Name": labels.get(key, key),
                "Snapshot": latest["date"].strftime("%Y-%m-%d"),
                "Spot": latest["spot"],
                "P/C volume": latest["put_call_volume"],
                "P/C OI": latest["put_call_oi"],
                "ATM IV 30d %": latest["iv30"],
                "IV 1W change (pts)": latest["iv30"] - iv_before,
                "25Δ skew 30d (pts)": latest["skew30"],
                "Front expiry": None if latest["front_expiry"] is None else latest["front_expiry"].strftime("%Y-%m-%d"),
                "Max pain": latest["max_pain"],
                "Max pain vs spot %": latest["max_pain_vs_spot"],
                "Expiries": latest["expiries"],
                "Source": latest["source"],
            }
        )
    table = pd.DataFrame(rows)
    figures = [c for c in table.columns if c not in ("Underlying", "Name", "Snapshot", "Front expiry", "Source")]
    return table.assign(**{c: pd.to_numeric(table[c], errors="coerce").round(4) for c in figures})


POSITIONING_OPTIONS = {"days": int, "height": int}


@panel_type(
    "options_positioning", positioning_table, positioning_reads, needs_dataset=False, options=POSITIONING_OPTIONS
)
def options_positioning(ctx: PanelContext):
    table = positioning_table(ctx)
    columns = [
        text_column("Underlying", "Underlying", pinned="left", minWidth=100),
        text_column("Name", "Name", minWidth=220, flex=2),
        text_column("Snapshot", "Snapshot", minWidth=110),
        {**number_column("Spot", "Spot", decimals=2), "minWidth": 120},
        number_column("P/C volume", "P/C volume", decimals=2),
        number_column("P/C OI", "P/C OI", decimals=2),
        number_column("ATM IV 30d %", "ATM IV 30d %", decimals=2),
        number_column("IV 1W change (pts)", "IV 1W change (pts)", change=True, decimals=2),
        number_column("25Δ skew 30d (pts)", "25Δ skew 30d (pts)", change=True, decimals=2),
        text_column("Front expiry", "Front expiry", minWidth=110),
        {**number_column("Max pain", "Max pain", decimals=2), "minWidth": 120},
        number_column("Max pain vs spot %", "Max pain vs spot %", change=True, decimals=2),
        number_column("Expiries", "Expiries", decimals=0),
        text_column("Source", "Source"),
    ]
    height = max(160, min(640, 56 + 42 * len(table)))
    return data_grid(ctx.dom_id, table, columns, filename=f"spartan-{ctx.dom_id}", height=height)


def _measure(ctx: PanelContext) -> str:
    measure = str(ctx.spec.option("measure", "iv30"))
    if measure not in MEASURES:
        raise ValueError(f"panel {ctx.dom_id}: measure must be one of {sorted(MEASURES)}, got {measure!r}")
    return measure


def history_rows(ctx: PanelContext) -> pd.DataFrame:
    measure = _measure(ctx)
    daily = daily_figures(ctx)
    frame = daily[["underlying", "date", measure]].rename(columns={"underlying": "key", measure: "value"})
    frame = frame.dropna(subset=["value"])
    if frame.empty:
        raise NoData("No snapshot with this figure stored yet.")
    return frame


def history_data(ctx: PanelContext) -> pd.DataFrame:
    frame = history_rows(ctx)
    wide = frame.pivot_table(index="date", columns="key", values="value", aggfunc="last", sort=False).sort_index()
    wide = wide[list(dict.fromkeys(frame["key"]))].round(4)
    wide.index = wide.index.strftime("%Y-%m-%d")
    return wide.reset_index(names="Date")


@panel_type(
    "options_history",
    history_data,
    positioning_reads,
    needs_dataset=False,
    options={**POSITIONING_OPTIONS, "measure": str, "hlines": list},
)
def options_history(ctx: PanelContext):
    frame = history_rows(ctx)
    title, unit = MEASURES[_measure(ctx)]
    fig = history_figure(
        frame,
        {},
        unit.strip(),
        height=int(ctx.spec.option("height", 340)),
        range_selector=False,
        decimals=2,
        max_points=plot_points(ctx.spec.width),
    )
    fig.update_yaxes(title_text=title)
    for line in ctx.spec.option("hlines", []) or []:
        fig.add_hline(y=float(line), line_width=1, line_color="#b0b8c8", line_dash="dot")
    return chart(ctx, fig)
