"""Parsers of Stooq daily CSV."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from datasources.base import ParseError
from datasources.providers.stooq import StooqDailyConnector, parse_stooq_csv
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


def test_the_connector_asks_from_the_start_date_and_parses_the_csv():
    (request,) = StooqDailyConnector().build_requests("https://s", "^spx", date(2024, 1, 2))
    assert (request.url, request.params) == ("https://s/q/d/l/", {"s": "^spx", "i": "d", "d1": "20240102"})
    bars = StooqDailyConnector().parse(b"Date,Open,High,Low,Close,Volume\n2024-01-02,1,2,0.5,1.5,100\n", "^spx")
    assert bars[["open", "high", "low", "close", "volume"]].values.tolist() == [[1.0, 2.0, 0.5, 1.5, 100.0]]


def test_stooq_csv_with_polish_headers_is_read_like_the_english_one():
    """stooq.pl in a Polish locale: Data,Otwarcie,Najwyzszy,Najnizszy,Zamkniecie,Wolumen."""
    english = b"Date,Open,High,Low,Close,Volume\n2024-01-02,4745.2,4754.33,4722.67,4742.83,2.3e9\n"
    polish = b"Data,Otwarcie,Najwyzszy,Najnizszy,Zamkniecie,Wolumen\n2024-01-02,4745.2,4754.33,4722.67,4742.83,2.3e9\n"
    assert parse_stooq_csv(polish, "^spx").equals(parse_stooq_csv(english, "^spx"))
