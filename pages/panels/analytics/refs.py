"""Instruments of several datasets in one panel: ``dataset:KEY`` references (``market_indices:SPX``,
``commodities:GC``; a bare ``KEY`` is of the panel's own dataset), their declared reads (one per
dataset, so a page still asks once per dataset it shows) and their closes by reference.

The risk and ratio panels use them to put an index, gold, bitcoin and Treasuries on one chart.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from config.catalog_index import labels
from pages.panels.analytics.common import _days
from pages.panels.base import NoData, PanelContext
from sql import read
from sql.datasets import DATASETS
from sql.plans import Read


@dataclass(frozen=True)
class Ref:
    dataset: str
    key: str

    def __str__(self) -> str:
        return f"{self.dataset}:{self.key}"


def parse_ref(text: object, default_dataset: str | None, where: str) -> Ref:
    """``dataset:KEY`` (or ``KEY`` of ``default_dataset``), checked against the catalog's
    datasets (the keys are checked by ``check_refs`` with the catalog at hand)."""
    raw = str(text).strip()
    dataset, _, key = raw.rpartition(":")
    dataset = dataset or default_dataset or ""
    if dataset not in DATASETS or not DATASETS[dataset].value_column:
        raise ValueError(f"{where}: {raw!r} names no dataset of prices or observations")
    if not key:
        raise ValueError(f"{where}: {raw!r} names no instrument")
    return Ref(dataset, key)


def check_refs(ctx: PanelContext, refs: list[Ref]) -> list[Ref]:
    """``refs`` if the catalog holds every one of them (else a ValueError naming the others)."""
    known = _labels(ctx, refs)
    missing = [str(r) for r in refs if r.key not in known[r.dataset]]
    if missing:
        raise ValueError(f"panel {ctx.dom_id}: not in the catalog: {', '.join(missing)}")
    return refs


def panel_refs(ctx: PanelContext, option: str = "series") -> list[Ref]:
    """The panel's ``keys`` (of its dataset) and the references of its ``option`` list, in order."""
    where = f"panel {ctx.dom_id}"
    refs = [Ref(ctx.spec.dataset, k) for k in ctx.spec.keys or ()] if ctx.spec.dataset else []
    refs += [parse_ref(item, ctx.spec.dataset, where) for item in ctx.spec.option(option, []) or []]
    if not refs:
        raise ValueError(f"{where}: names no instruments (keys or {option})")
    return check_refs(ctx, list(dict.fromkeys(refs)))


def refs_reads(refs: list[Ref], range_: str | None = None, lookback: int = 0, days: int | None = None) -> list[Read]:
    """One observations read per dataset of ``refs``, over the same span."""
    by_dataset: dict[str, list[str]] = {}
    for ref in refs:
        by_dataset.setdefault(ref.dataset, []).append(ref.key)
    return [
        Read("observations", dataset, tuple(keys), range=range_, lookback=lookback, days=days)
        for dataset, keys in by_dataset.items()
    ]


def closes(refs: list[Ref], reads: list[Read]) -> dict[Ref, pd.Series]:
    """Each reference's stored values by date (oldest first), from the reads ``refs_reads``
    declared; references with nothing stored are left out, NoData when none has any."""
    if all(read.latest_date(r.dataset) is None for r in reads):
        raise NoData()
    found: dict[Ref, pd.Series] = {}
    for declared in reads:
        frame = read.fetch(declared)
        if frame.empty:
            continue
        frame = frame.assign(date=_days(frame["date"]), value=pd.to_numeric(frame["value"], errors="coerce"))
        for key, rows in frame.groupby("key", sort=False):
            found[Ref(declared.dataset, str(key))] = rows.set_index("date")["value"].sort_index()
    chosen = {ref: found[ref] for ref in refs if ref in found and found[ref].notna().any()}
    if not chosen:
        raise NoData("Nothing stored for these instruments yet.")
    return chosen


def ref_labels(ctx: PanelContext, refs: list[Ref], short: bool = False) -> dict[Ref, str]:
    """Each reference's name: the panel's ``labels`` option (by ``dataset:KEY`` or ``KEY``),
    else its key when ``short``, else the catalog's label."""
    overrides = {str(k): str(v) for k, v in (ctx.spec.option("labels") or {}).items()}
    known = _labels(ctx, refs)
    names = {}
    for ref in refs:
        label = known[ref.dataset].get(ref.key, ref.key)
        names[ref] = overrides.get(str(ref), overrides.get(ref.key, ref.key if short else label))
    return names


def _labels(ctx: PanelContext, refs: list[Ref]) -> dict[str, dict[str, str]]:
    """The catalog's labels (key → label) of each dataset ``refs`` name."""
    return {dataset: labels(ctx.settings, dataset) for dataset in dict.fromkeys(r.dataset for r in refs)}
