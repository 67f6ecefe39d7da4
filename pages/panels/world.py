"""Countries side by side: one row a country, one column a measure, each cell the measure's
newest annual reading and the year it refers to (World Bank, IMF World Economic Outlook).

The measures are series families of one dataset keyed ``<MEASURE>_<COUNTRY>`` (``WB_GDP_GROWTH_USA``,
``IMF_GOV_DEBT_JPN``); the panel names them and the countries:

    - {id: compare, type: country_table, dataset: economic_indicators,
       measures: {WB_GDP_GROWTH: GDP growth, IMF_GOV_DEBT: Government debt (% of GDP)},
       countries: {USA: United States, CHN: China}}
"""

from __future__ import annotations

import pandas as pd

from components.grid import data_grid, number_column, text_column
from pages.panels.base import NoData, PanelContext, panel_type
from sql import read
from sql.plans import Read
from sql.transforms import latest_with_change


def _measures(ctx: PanelContext) -> dict[str, str]:
    found = ctx.spec.option("measures") or {}
    if not found:
        raise ValueError("a country table needs its measures")
    return {str(k): str(v) for k, v in found.items()}


def _countries(ctx: PanelContext) -> dict[str, str]:
    found = ctx.spec.option("countries") or {}
    if not found:
        raise ValueError("a country table needs its countries")
    return {str(k): str(v) for k, v in found.items()}


def country_keys(measures, countries) -> list[str]:
    """Every series of the table: each measure's family member of each country."""
    return [f"{measure}_{country}" for measure in measures for country in countries]


def country_reads(ctx: PanelContext) -> list[Read]:
    """The newest two readings of every series of the table (one query with the page's other
    latest-value panels of the dataset)."""
    return [Read("last_two", ctx.spec.dataset, tuple(country_keys(_measures(ctx), _countries(ctx))))]


def country_matrix(latest: pd.DataFrame, measures: dict[str, str], countries: dict[str, str]) -> pd.DataFrame:
    """``Country, Code`` and per measure its newest value and the year it refers to, from
    ``latest_with_change`` rows; a country with none of the measures is left out."""
    by_key = latest.set_index("key") if not latest.empty else pd.DataFrame(columns=["value", "date"])
    rows = []
    for code, name in countries.items():
        row: dict[str, object] = {"Country": name, "Code": code}
        for measure, label in measures.items():
            key = f"{measure}_{code}"
            found = key in by_key.index
            row[label] = float(by_key.at[key, "value"]) if found else None
            row[f"{label} (year)"] = int(pd.Timestamp(by_key.at[key, "date"]).year) if found else None
        if any(row[label] is not None for label in measures.values()):
            rows.append(row)
    columns = ["Country", "Code", *[c for m in measures.values() for c in (m, f"{m} (year)")]]
    table = pd.DataFrame(rows, columns=columns)
    years = {f"{m} (year)": "Int64" for m in measures.values()}  # 2024, not 2024.0 beside a gap
    return table.astype({**years, **{m: float for m in measures.values()}})


def country_data(ctx: PanelContext) -> pd.DataFrame:
    latest = latest_with_change(read.fetch(country_reads(ctx)[0]))
    table = country_matrix(latest, _measures(ctx), _countries(ctx))
    if table.empty:
        raise NoData("Nothing stored for these countries yet.")
    return table


@panel_type(
    "country_table",
    country_data,
    country_reads,
    options={"measures": dict, "countries": dict, "decimals": int, "height": int},
)
def country_table(ctx: PanelContext):
    frame = country_data(ctx)
    decimals = int(ctx.spec.option("decimals", 1))
    columns = [text_column("Country", "Country", minWidth=150, pinned="left")]
    for label in _measures(ctx).values():
        # The year each reading refers to: in the header when the countries share it, else in
        # a narrow column beside the measure (the CSV always has the year columns).
        years = frame[f"{label} (year)"].dropna().unique()
        header = f"{label}, {years[0]}" if len(years) == 1 else label
        columns.append(number_column(label, header, decimals=decimals))
        if len(years) > 1:
            columns.append(text_column(f"{label} (year)", "Year", minWidth=64, maxWidth=72, flex=0, filter=False))
    height = int(ctx.spec.option("height", min(560, 64 + 42 * len(frame))))
    return data_grid(ctx.dom_id, frame.drop(columns="Code"), columns, filename=f"spartan-{ctx.dom_id}", height=height)
