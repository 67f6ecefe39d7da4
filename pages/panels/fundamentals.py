"""The fundamentals panel: per company of the panel's keys (default: every one stored), its
newest fiscal year from the ``fundamentals`` table (annual-report figures the sidecar reads
from SEC EDGAR) — revenue and its growth on the year before, net income and margin, diluted EPS,
return on equity, liabilities to assets, operating cash flow — one grid row a company.

Option ``years`` (default 3): how many fiscal years back are read (two are needed for growth).
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Float

from components.grid import data_grid, number_column, text_column
from pages.panels.base import NoData, PanelContext, panel_type
from pages.panels.core import names
from sql import read
from sql.plans import Read
from sql.schema import table

DATASET = "fundamentals"
NUMBERS = [c.name for c in table(DATASET).columns if isinstance(c.type, Float)]
BILLION = 1e9


def fundamentals_reads(ctx: PanelContext) -> list[Read]:
    years = int(ctx.spec.option("years", 3))
    return [Read("rows", DATASET, tuple(ctx.spec.keys) if ctx.spec.keys else None, days=366 * years)]


def _ratio(top: pd.Series, bottom: pd.Series) -> pd.Series:
    return (100 * top / bottom.where(bottom > 0)).round(2)


def fundamentals_data(ctx: PanelContext) -> pd.DataFrame:
    """The newest fiscal year of each company, with the ratios and the growth on the year before."""
    if read.latest_date(DATASET) is None:
        raise NoData()
    frame = read.fetch(fundamentals_reads(ctx)[0])
    if frame.empty:
        raise NoData("No fundamentals stored for these companies yet.")
    numbers = {c: pd.to_numeric(frame[c], errors="coerce").astype(float) for c in NUMBERS}
    frame = frame.assign(date=pd.to_datetime(frame["date"]), **numbers).sort_values(["symbol", "date"])
    previous_revenue = frame.groupby("symbol")["revenue"].shift(1)
    frame = frame.assign(growth=_ratio(frame["revenue"] - previous_revenue, previous_revenue.abs()))
    newest = frame.groupby("symbol", sort=False).tail(1)
    order = [k for k in (ctx.spec.keys or ()) if k in set(newest["symbol"])] or sorted(newest["symbol"])
    newest = newest.set_index("symbol").loc[order].reset_index()
    label = names(ctx)
    return pd.DataFrame(
        {
            "Company": newest["symbol"].map(label).fillna(newest["symbol"]),
            "Symbol": newest["symbol"],
            "Fiscal year end": newest["date"].dt.strftime("%Y-%m-%d"),
            "Revenue ($bn)": (newest["revenue"] / BILLION).round(2),
            "Revenue growth %": newest["growth"],
            "Net income ($bn)": (newest["net_income"] / BILLION).round(2),
            "Net margin %": _ratio(newest["net_income"], newest["revenue"]),
            "EPS (diluted)": newest["eps_diluted"].round(2),
            "ROE %": _ratio(newest["net_income"], newest["equity"]),
            "Liabilities / assets %": _ratio(newest["liabilities"], newest["assets"]),
            "Operating cash flow ($bn)": (newest["operating_cash_flow"] / BILLION).round(2),
            "Filed": pd.to_datetime(newest["filed"]).dt.strftime("%Y-%m-%d"),
            "Source": newest["source"],
        }
    )


@panel_type("fundamentals", fundamentals_data, fundamentals_reads, options={"years": int, "height": int})
def fundamentals(ctx: PanelContext):
    frame = fundamentals_data(ctx)
    money = ("Revenue ($bn)", "Net income ($bn)", "Operating cash flow ($bn)", "EPS (diluted)")
    ratios = ("Net margin %", "ROE %", "Liabilities / assets %")
    columns = [
        text_column("Company", "Company", minWidth=170, flex=2, pinned="left"),
        text_column("Symbol", "Symbol", minWidth=100),
        text_column("Fiscal year end", "Fiscal year end", minWidth=120),
        *[number_column(c, c, decimals=2) for c in money[:2]],
        number_column("Revenue growth %", "Revenue growth %", change=True, decimals=1),
        *[number_column(c, c, decimals=1) for c in ratios[:1]],
        number_column("EPS (diluted)", "EPS (diluted)", decimals=2),
        *[number_column(c, c, decimals=1) for c in ratios[1:]],
        number_column("Operating cash flow ($bn)", "Operating cash flow ($bn)", decimals=2),
        text_column("Filed", "Filed", minWidth=110),
        text_column("Source", "Source", minWidth=100),
    ]
    height = int(ctx.spec.option("height", min(560, 56 + 42 * len(frame))))
    return data_grid(ctx.dom_id, frame, columns, filename=f"spartan-{ctx.dom_id}", height=max(height, 160))
