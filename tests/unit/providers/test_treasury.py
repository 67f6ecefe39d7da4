"""Parsers of US Treasury par yield curve CSV."""

from __future__ import annotations

import pandas as pd

from datasources.providers.treasury import parse_par_yields
from tests.unit.providers.bodies import sample


def test_treasury_par_yield_curve_csv():
    frame = parse_par_yields(sample("treasury/daily-treasury-rates_2023_csv.csv"), ["10 Yr", "4 Mo", "1 Mo"])
    by = frame.set_index(["series_id", "date"])["value"]
    assert by[("10 Yr", pd.Timestamp("2023-12-20").date())] == 3.86
    assert by[("4 Mo", pd.Timestamp("2023-12-20").date())] == 5.45
    assert frame.groupby("series_id")["date"].apply(lambda d: d.is_monotonic_increasing).all()


def test_treasury_year_without_a_tenor_gives_no_rows_not_an_error():
    assert parse_par_yields(b'Date,"1 Mo","10 Yr"\n12/30/2021,0.06,1.52\n', ["4 Mo"]).empty
