"""FRED's fredgraph.csv: both header variants, '.' for missing, and every way a body can be wrong."""

from __future__ import annotations

from datetime import date

import pytest

from datasources.base import ParseError
from datasources.fred import FredGraphConnector, parse_fredgraph_csv
from tests.conftest import SHARED_SAMPLES, fred_fixture


def test_parses_the_observation_date_header():
    frame = parse_fredgraph_csv(b"observation_date,DGS10\n2026-11-19,4.35\n2026-11-20,4.36\n", ["DGS10"])
    assert frame.to_dict("records") == [
        {"series_id": "DGS10", "date": date(2026, 11, 19), "value": 4.35},
        {"series_id": "DGS10", "date": date(2026, 11, 20), "value": 4.36},
    ]


def test_parses_the_old_DATE_header():
    frame = parse_fredgraph_csv(fred_fixture("DGS30"), ["DGS30"])
    assert fred_fixture("DGS30").startswith(b"DATE,DGS30\n")
    assert frame["date"].iloc[0] == date(2024, 11, 1)
    assert frame["date"].iloc[-1] == date(2026, 11, 20)


def test_treats_dot_as_a_missing_value_and_drops_it():
    frame = parse_fredgraph_csv(b"observation_date,DGS2\n2025-12-24,3.50\n2025-12-25,.\n2025-12-26,3.52\n", ["DGS2"])
    assert list(frame["date"]) == [date(2025, 12, 24), date(2025, 12, 26)]
    fixture = parse_fredgraph_csv(fred_fixture("DGS10"), ["DGS10"])
    lines = fred_fixture("DGS10").decode().strip().splitlines()[1:]
    assert len(fixture) == len(lines) - sum(line.endswith(",.") for line in lines) == 530


def test_reads_several_series_from_one_body_into_long_format():
    body = b"observation_date,A,B\n2026-01-01,1.0,.\n2026-01-02,2.0,20.0\n"
    frame = parse_fredgraph_csv(body, ["A", "B"])
    assert frame[["series_id", "value"]].values.tolist() == [["A", 1.0], ["A", 2.0], ["B", 20.0]]


def test_tolerates_an_extra_column():
    frame = parse_fredgraph_csv(b"observation_date,DGS5,realtime_start\n2026-11-20,3.70,2026-11-21\n", ["DGS5"])
    assert frame["value"].tolist() == [3.70]


def test_reads_the_real_recorded_fredgraph_download():
    path = SHARED_SAMPLES / "fred" / "fredgraph_FEDFUNDS_MORTGAGE30US_2026.csv"
    if not path.exists():
        pytest.skip("../shared/samples/real is not present")
    frame = parse_fredgraph_csv(path.read_bytes(), ["FEDFUNDS", "MORTGAGE30US"])
    first = frame[frame["date"] == date(1999, 12, 1)].set_index("series_id")["value"]
    assert first.to_dict() == {"FEDFUNDS": 5.30, "MORTGAGE30US": 7.91}
    fed = frame[frame["series_id"] == "FEDFUNDS"]
    assert fed["date"].is_monotonic_increasing
    assert fed["date"].max().year == 2025 and fed["date"].max().month == 11
    assert len(fed) == (2025 - 2000) * 12 + 11 + 1  # monthly from 1999-12 to 2025-11
    assert fed["value"].between(0, 7).all()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "empty body"),
        (b"  \n\n", "empty body"),
        (b"<!DOCTYPE html><html><body>Error</body></html>", "HTML or XML"),
        (b"day,DGS10\n2026-11-20,4.1\n", "no date column"),
        (b"observation_date,DGS2\n2026-11-20,4.1\n", "not in the CSV header"),
        (b"observation_date,DGS10\n2026-11-20,four\n", "non-numeric value 'four'"),
        (b"observation_date,DGS10\n20/11/2026,4.1\n", "unparseable date"),
    ],
    ids=["empty", "blank", "html", "no-date-column", "series-missing", "garbage-value", "bad-date"],
)
def test_rejects_bodies_that_are_not_fredgraph_csv(body, message):
    with pytest.raises(ParseError, match=message):
        parse_fredgraph_csv(body, ["DGS10"])


def test_request_names_the_series_and_the_start_date():
    connector = FredGraphConnector()
    (full,) = connector.build_requests("https://fred.example", "DGS10", None)
    assert full.url == "https://fred.example/graph/fredgraph.csv"
    assert full.params == {"id": "DGS10"}
    (since,) = connector.build_requests("https://fred.example", "DGS10", date(2026, 11, 6))
    assert since.params == {"id": "DGS10", "cosd": "2026-11-06"}
