"""Demo fundamentals: the annual-report rows of the equity basket the demo seeds."""

from __future__ import annotations

from datetime import date

from config.catalog import load_catalog
from config.settings import load_settings
from datasources.validate import validate_rows
from jobs.demo.fundamentals import ANCHORS, demo_fundamentals
from sql.schema import table


def test_every_company_of_the_basket_has_an_anchor():
    catalog = load_catalog(load_settings({}))
    assert {i.key for i in catalog.for_dataset("fundamentals")} <= set(ANCHORS)


def test_fiscal_years_ended_and_filed_within_the_window_in_the_tables_shape():
    rows = demo_fundamentals("AAPL", date(2021, 12, 6), date(2026, 12, 5))
    assert rows["date"].tolist() == [date(year, 9, 30) for year in range(2022, 2027)]
    assert (rows["filed"] > rows["date"]).all() and (rows["filed"] <= date(2026, 12, 5)).all()
    assert set(rows.columns) <= {c.name for c in table("fundamentals").columns}
    assert validate_rows("fundamentals", rows, "AAPL") is rows
    newest = rows.iloc[-1]
    assert 3e11 < newest["revenue"] < 6e11 and 0.15 < newest["net_income"] / newest["revenue"] < 0.35
    assert abs(newest["assets"] - newest["liabilities"] - newest["equity"]) < 2e6


def test_a_loss_maker_stays_one_and_a_january_year_end_is_dated_so():
    intel = demo_fundamentals("INTC", date(2021, 12, 6), date(2026, 12, 5))
    assert (intel["net_income"] < 0).all()
    walmart = demo_fundamentals("WMT", date(2021, 12, 6), date(2026, 12, 5))
    assert all(d.month == 1 and d.day == 31 for d in walmart["date"])
