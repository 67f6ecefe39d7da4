"""A watchlist's rows: each item's label, latest value, change and date, read from the station's
own tables through sql/read.py — ``read.last_two`` once per dataset the list touches (memoized
by dataset version), never once per item, never a provider."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from urllib.parse import quote

from components.numbers import format_pct, style_for
from config.catalog_index import catalog
from pages.detail import find_instrument
from pages.panels.core import SERIES_DATASETS
from sql import read
from sql.watchlists import Item


@dataclass(frozen=True)
class Row:
    kind: str
    key: str
    label: str
    href: str
    latest: str = "—"
    change: str = "—"
    change_pct: str = "—"
    direction: str = ""
    date: date | None = None
    known: bool = True


def resolve(key: str, kind: str = "") -> tuple[str, str] | None:
    """(kind, key as the catalog spells it) for a key typed by a user; None when the catalog
    knows no such instrument or series. ``kind`` prefers instruments or series when both hold it."""
    settings = read.current_settings()
    for candidate in dict.fromkeys((key.strip(), key.strip().upper())):
        if not candidate or len(candidate) > 64:
            continue
        dataset = find_instrument(settings, candidate, series=kind == "series")
        if dataset is not None:
            return ("series" if dataset in SERIES_DATASETS else "instrument"), candidate
    return None


def detail_href(kind: str, key: str) -> str:
    return f"/{'series' if kind == 'series' else 'instrument'}/{quote(key, safe='')}"


def _is_rate(style) -> bool:
    # A rate's change reads in bp or points; a percent of a percent would mislead.
    return style.change == "bp" or style.unit.strip() in ("%", "pp")


def _row(item: Item, dataset: str, label: str, unit: str | None, newest_first) -> Row:
    href = detail_href(item.kind, item.key)
    if newest_first is None or newest_first.empty:
        return Row(item.kind, item.key, label, href)
    latest = float(newest_first.iloc[0]["value"])
    previous = float(newest_first.iloc[1]["value"]) if len(newest_first) > 1 else math.nan
    change = latest - previous
    style = style_for(dataset, item.key, latest, unit)
    pct = 100 * change / abs(previous) if previous and math.isfinite(previous) else math.nan
    return Row(
        item.kind,
        item.key,
        label,
        href,
        latest=style.level(latest),
        change=style.delta(change if math.isfinite(change) else None),
        change_pct=format_pct(pct if math.isfinite(pct) and not _is_rate(style) else None),
        direction=style.delta_direction(change if math.isfinite(change) else None),
        date=newest_first.iloc[0]["date"].date(),
    )


def watchlist_rows(items: tuple[Item, ...]) -> list[Row]:
    """One row per item, in the list's order (an item the catalog no longer knows is kept,
    marked unknown, so its owner can take it off)."""
    settings = read.current_settings()
    places: dict[Item, str | None] = {i: find_instrument(settings, i.key, series=i.kind == "series") for i in items}
    frames = {}
    by_dataset: dict[str, list[str]] = defaultdict(list)
    for item, dataset in places.items():
        if dataset is not None:
            by_dataset[dataset].append(item.key)
    for dataset, keys in by_dataset.items():
        frame = read.last_two(dataset)
        wanted = frame[frame["key"].isin(keys)] if not frame.empty else frame
        frames[dataset] = {key: rows for key, rows in wanted.groupby("key", sort=False)} if not wanted.empty else {}
    rows = []
    for item in items:
        dataset = places[item]
        if dataset is None:
            rows.append(Row(item.kind, item.key, item.key, detail_href(item.kind, item.key), known=False))
            continue
        instrument = next((i for i in catalog(settings).for_dataset(dataset) if i.key == item.key), None)
        label = instrument.label if instrument else item.key
        unit = instrument.unit if instrument else None
        rows.append(_row(item, dataset, label, unit, frames[dataset].get(item.key)))
    return rows
