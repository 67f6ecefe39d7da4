"""Parsers of US Treasury par yield curve CSV."""

from __future__ import annotations

from datetime import date

import pandas as pd

from datasources.providers.treasury import TreasuryParYieldConnector, parse_par_yields
from tests.unit.providers.bodies import sample


def test_treasury_par_yield_curve_csv():
    frame = parse_par_yields(sample("treasury/daily-treasury-rates_2023_csv.csv"), ["10 Yr", "4 Mo", "1 Mo"])
    by = frame.set_index(["series_id", "date"])["value"]
    assert by[("10 Yr", pd.Timestamp("2023-12-20").date())] == 3.86
    assert by[("4 Mo", pd.Timestamp("2023-12-20").date())] == 5.45
    assert frame.groupby("series_id")["date"].apply(lambda d: d.is_monotonic_increasing).all()


def test_treasury_year_without_a_tenor_gives_no_rows_not_an_error():
    assert parse_par_yields(b'Date,"1 Mo","10 Yr"\n12/30/2021,0.06,1.52\n', ["4 Mo"]).empty


def test_the_connector_asks_for_each_year_since_the_start_and_reads_its_tenor():
    requests = TreasuryParYieldConnector().build_requests("https://t", "10 Yr", date(2024, 6, 1))
    assert [r.params["field_tdr_date_value"] for r in requests][:2] == ["2024", "2025"]
    assert all(r.url.endswith(f"/{r.params['field_tdr_date_value']}/all") for r in requests)
    frame = TreasuryParYieldConnector().parse(b'Date,"1 Mo","10 Yr"\n12/29/2023,5.6,3.88\n', "10 Yr")
    assert frame[["series_id", "value"]].values.tolist() == [["10 Yr", 3.88]]
