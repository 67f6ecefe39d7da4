"""Parsers of Stooq daily CSV."""

from __future__ import annotations

import pandas as pd
import pytest

from datasources.base import ParseError
from datasources.providers.stooq import parse_stooq_csv
from tests.unit.providers.bodies import day, sample


def test_stooq_daily_csv():
    bars = parse_stooq_csv(sample("stooq/ndx_d_2022-01.csv"), "^NDX")
    assert bars.iloc[0][["open", "high", "low", "close", "volume"]].tolist() == [
        110.62,
        112.16,
        110.57,
        112.14,
        26406897,
    ]
    last = day(bars, "2022-01-24")
    assert (last["close"], last["low"]) == (14509.58, 13724.85)
    assert bars["ts"].iloc[0] == pd.Timestamp("1985-10-01", tz="UTC")


@pytest.mark.parametrize("body", [b"", b"No data", b"<html>blocked</html>", b"Date,Open\n2022-01-03,1\n"])
def test_stooq_bad_bodies(body):
    with pytest.raises(ParseError):
        parse_stooq_csv(body, "^NDX")
