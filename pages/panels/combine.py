"""A series computed from a history panel's series: their sum with a sign each, in one unit.
Net liquidity, for instance — the Fed's assets less the Treasury's account and the overnight
reverse repo, stored in millions and billions of dollars at weekly and daily frequency:

    combine: {label: Net liquidity, unit: billions $, terms: {WALCL: 1, WTREGEN: -1, RRPONTSYD: -1}, show_terms: true}

Each term is converted from its catalog unit to ``unit`` (thousands, millions, billions,
trillions) and taken as of the dates of the first term (sql/transforms.combined_series); with
``show_terms`` the converted terms are drawn beside the result."""

from __future__ import annotations

import pandas as pd

from components.numbers import UNIT_SCALES
from config.catalog_index import units
from pages.panels.base import PanelContext
from sql.transforms import combined_series


def _scale(unit: str | None, what: str) -> float:
    word = (unit or "").split()[0] if unit else ""
    if word not in UNIT_SCALES:
        raise ValueError(f"combine: {what} has no unit in {', '.join(UNIT_SCALES)} ({unit!r})")
    return UNIT_SCALES[word]


def weights(ctx: PanelContext) -> dict[str, float]:
    """Each term's sign times its conversion from its catalog unit to the combined unit."""
    option = ctx.spec.option("combine") or {}
    terms = option.get("terms") or {}
    if not isinstance(terms, dict) or not terms:
        raise ValueError("combine needs its terms: {KEY: 1 or -1, ...}")
    target = _scale(option.get("unit"), "the combined series")
    known = units(ctx.settings, ctx.spec.dataset)
    return {str(k): float(sign) * _scale(known.get(str(k)), str(k)) / target for k, sign in terms.items()}


def combined_rows(ctx: PanelContext, frame: pd.DataFrame) -> pd.DataFrame:
    """``key, date, value`` rows of the combined series (key: its label) and, with
    ``show_terms``, of each term in the combined unit."""
    option = ctx.spec.option("combine") or {}
    found = weights(ctx)
    label = str(option.get("label") or "Combined")
    parts = [combined_series(frame, found).assign(key=label)]
    if option.get("show_terms"):
        for key, weight in found.items():
            rows = frame[frame["key"] == key][["key", "date", "value"]]
            parts.append(rows.assign(value=rows["value"] * abs(weight)))
    out = pd.concat(parts, ignore_index=True)
    return out.assign(source=None)[["key", "date", "value", "source"]]
