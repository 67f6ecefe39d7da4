"""FRED's fredgraph.csv: both header variants, '.' for missing, exact values, and every way a body can be wrong."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import pytest
import yaml

from datasources.base import OBSERVATION_COLUMNS, ParseError
from datasources.providers.fred import FredApiConnector, FredCloseConnector, FredGraphConnector, parse_fredgraph_csv
from tests.conftest import FIXTURES, SHARED_SAMPLES
from tests.unit.providers.bodies import sample

REAL_FRED_CSV = SHARED_SAMPLES / "fred" / "fredgraph_FEDFUNDS_MORTGAGE30US_2026.csv"


def fixture_bytes(series_id: str) -> bytes:
    return (FIXTURES / "fred" / f"{series_id}.csv").read_bytes()


def value_on(frame: pd.DataFrame, series_id: str, day: date) -> float:
    rows = frame[(frame["series_id"] == series_id) & (frame["date"] == day)]
    assert len(rows) == 1, f"{series_id} has {len(rows)} rows on {day}"
    return float(rows["value"].iloc[0])


# --- header variants -----------------------------------------------------------------------------


def test_parse_reads_the_observation_date_header_into_long_rows():
    body = b"observation_date,DGS10\n2026-11-19,4.35\n2026-11-20,4.36\n"
    frame = parse_fredgraph_csv(body, ["DGS10"])
    assert list(frame.columns) == OBSERVATION_COLUMNS
    assert frame.to_dict("records") == [
        {"series_id": "DGS10", "date": date(2026, 11, 19), "value": 4.35},
        {"series_id": "DGS10", "date": date(2026, 11, 20), "value": 4.36},
    ]


def test_parse_reads_the_old_DATE_header_of_the_DGS30_fixture():
    body = fixture_bytes("DGS30")
    assert body.startswith(b"DATE,DGS30\n")  # the fixture really uses the pre-2024 header
    frame = parse_fredgraph_csv(body, ["DGS30"])
    assert frame.iloc[0].to_dict() == {"series_id": "DGS30", "date": date(2024, 11, 1), "value": 4.60}
    assert frame.iloc[-1].to_dict() == {"series_id": "DGS30", "date": date(2026, 11, 20), "value": 4.87}
    assert value_on(frame, "DGS30", date(2024, 12, 31)) == 4.48
    assert value_on(frame, "DGS30", date(2025, 1, 2)) == 4.58


def test_parse_returns_python_dates_and_float_values():
    frame = parse_fredgraph_csv(b"observation_date,DGS5\n2026-03-02,3.70\n", ["DGS5"])
    assert type(frame["date"].iloc[0]) is date
    assert frame["value"].dtype == "float64"


# --- missing values ------------------------------------------------------------------------------


def test_parse_treats_dot_as_missing_value_and_drops_the_row():
    body = b"observation_date,DGS2\n2025-12-24,3.50\n2025-12-25,.\n2025-12-26,3.52\n"
    frame = parse_fredgraph_csv(body, ["DGS2"])
    assert frame["date"].tolist() == [date(2025, 12, 24), date(2025, 12, 26)]
    assert frame["value"].tolist() == [3.50, 3.52]


def test_parse_drops_the_six_holidays_of_the_DGS30_fixture():
    frame = parse_fredgraph_csv(fixture_bytes("DGS30"), ["DGS30"])
    assert len(frame) == 536 - 6
    holidays = {date(2025, 1, 1), date(2025, 7, 4), date(2025, 12, 25), date(2026, 1, 1), date(2026, 7, 3)}
    assert holidays.isdisjoint(set(frame["date"]))


def test_parse_drops_an_empty_cell_like_a_missing_value():
    frame = parse_fredgraph_csv(b"observation_date,DGS10\n2026-01-02,\n2026-01-05,4.10\n", ["DGS10"])
    assert frame["date"].tolist() == [date(2026, 1, 5)]


def test_parse_strips_whitespace_around_values():
    frame = parse_fredgraph_csv(b"observation_date,DGS10\n2026-01-05, 4.10 \n", ["DGS10"])
    assert frame["value"].tolist() == [4.10]


def test_parse_of_a_header_without_rows_is_an_empty_frame():
    frame = parse_fredgraph_csv(b"observation_date,DGS10\n", ["DGS10"])
    assert frame.empty
    assert list(frame.columns) == OBSERVATION_COLUMNS


# --- several series in one body ------------------------------------------------------------------


def test_parse_reads_several_series_from_one_body_series_by_series():
    body = b"observation_date,DGS2,DGS10\n2026-01-01,.,.\n2026-01-02,4.01,4.55\n2026-01-05,4.03,.\n"
    frame = parse_fredgraph_csv(body, ["DGS2", "DGS10"])
    assert frame.values.tolist() == [
        ["DGS2", date(2026, 1, 2), 4.01],
        ["DGS2", date(2026, 1, 5), 4.03],
        ["DGS10", date(2026, 1, 2), 4.55],
    ]


def test_parse_returns_only_the_requested_series_of_a_batch():
    body = b"observation_date,DGS2,DGS10\n2026-01-02,4.01,4.55\n"
    frame = parse_fredgraph_csv(body, ["DGS10"])
    assert frame.values.tolist() == [["DGS10", date(2026, 1, 2), 4.55]]


def test_parse_tolerates_an_extra_unexpected_column():
    body = b"observation_date,DGS5,realtime_start\n2026-11-20,3.70,2026-11-21\n"
    frame = parse_fredgraph_csv(body, ["DGS5"])
    assert frame.values.tolist() == [["DGS5", date(2026, 11, 20), 3.70]]


# --- the real recorded download ------------------------------------------------------------------


@pytest.fixture
def real_fred_body() -> bytes:
    if not REAL_FRED_CSV.exists():
        pytest.skip(f"{REAL_FRED_CSV} is not present (../shared/samples/real is optional)")
    return REAL_FRED_CSV.read_bytes()


def test_parse_reads_the_real_recorded_FEDFUNDS_MORTGAGE30US_download(real_fred_body):
    frame = parse_fredgraph_csv(real_fred_body, ["FEDFUNDS", "MORTGAGE30US"])
    assert value_on(frame, "FEDFUNDS", date(1999, 12, 1)) == 5.30
    assert value_on(frame, "MORTGAGE30US", date(1999, 12, 1)) == 7.91
    assert value_on(frame, "FEDFUNDS", date(2008, 12, 1)) == 0.16
    assert value_on(frame, "MORTGAGE30US", date(2020, 4, 1)) == 3.31
    assert value_on(frame, "FEDFUNDS", date(2025, 11, 1)) == 3.88
    assert value_on(frame, "MORTGAGE30US", date(2025, 11, 1)) == 6.24


def test_parse_keeps_every_month_of_the_real_download(real_fred_body):
    frame = parse_fredgraph_csv(real_fred_body, ["FEDFUNDS", "MORTGAGE30US"])
    months = 312  # 1999-12 through 2025-11, no missing values in the recording
    assert frame["series_id"].value_counts().to_dict() == {"FEDFUNDS": months, "MORTGAGE30US": months}
    fed = frame[frame["series_id"] == "FEDFUNDS"]
    assert fed["date"].iloc[0] == date(1999, 12, 1)
    assert fed["date"].iloc[-1] == date(2025, 11, 1)
    assert fed["date"].is_monotonic_increasing


# --- bodies that are not fredgraph CSV -----------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "empty body"),
        (b"  \n\t\n", "empty body"),
        (b"<!DOCTYPE html><html><body>Error 500</body></html>", "HTML or XML"),
        (b"  <html><head><title>Bad Request</title></head></html>", "HTML or XML"),
        (b"day,DGS10\n2026-11-20,4.1\n", "no date column"),
        (b"observation_date,DGS2\n2026-11-20,4.1\n", r"series \['DGS10'\] not in the CSV header"),
        (b"observation_date,DGS10\n2026-11-19,4.0\n2026-11-20,four\n", "DGS10: non-numeric value 'four'"),
        (b"observation_date,DGS10\n20/11/2026,4.1\n", "unparseable date '20/11/2026'"),
        (b"observation_date,DGS10\n2026-02-30,4.1\n", "unparseable date '2026-02-30'"),
    ],
    ids=[
        "empty",
        "whitespace",
        "html-page",
        "html-after-blanks",
        "no-date-column",
        "series-absent",
        "non-numeric",
        "bad-date-format",
        "impossible-date",
    ],
)
def test_parse_raises_parse_error_for_bodies_that_are_not_fredgraph_csv(body, message):
    with pytest.raises(ParseError, match=message):
        parse_fredgraph_csv(body, ["DGS10"])


def test_parse_names_every_absent_series_of_a_batch():
    with pytest.raises(ParseError, match=r"series \['DGS5', 'DGS30'\] not in the CSV header"):
        parse_fredgraph_csv(b"observation_date,DGS10\n2026-11-20,4.1\n", ["DGS5", "DGS10", "DGS30"])


# --- the connector -------------------------------------------------------------------------------


def test_connector_parse_reads_its_own_symbol():
    frame = FredGraphConnector().parse(fixture_bytes("DGS10"), "DGS10")
    assert set(frame["series_id"]) == {"DGS10"}
    assert frame.iloc[0].to_dict() == {"series_id": "DGS10", "date": date(2024, 11, 1), "value": 4.20}
    assert value_on(frame, "DGS10", date(2025, 6, 2)) == 4.15


def test_connector_parse_raises_parse_error_when_the_body_is_another_series():
    with pytest.raises(ParseError, match="not in the CSV header"):
        FredGraphConnector().parse(fixture_bytes("DGS2"), "DGS10")


def test_build_request_asks_graph_fredgraph_csv_for_the_id():
    (req,) = FredGraphConnector().build_requests("https://fred.example", "DGS10", None)
    assert req.url == "https://fred.example/graph/fredgraph.csv"
    assert req.params == {"id": "DGS10"}


def test_build_request_with_since_adds_cosd():
    (req,) = FredGraphConnector().build_requests("https://fred.example", "DGS10", date(2026, 11, 6))
    assert req.url == "https://fred.example/graph/fredgraph.csv"
    assert req.params == {"id": "DGS10", "cosd": "2026-11-06"}


def test_build_batch_request_joins_ids_with_commas():
    req = FredGraphConnector().build_batch_request("https://fred.example", ["DGS2", "DGS10"], date(2026, 1, 2))
    assert req.url == "https://fred.example/graph/fredgraph.csv"
    assert req.params == {"id": "DGS2,DGS10", "cosd": "2026-01-02"}


def test_close_connector_reads_the_same_csv_as_close_only_utc_bars():
    body = b"observation_date,SP500\n2026-01-02,6000.5\n2026-01-05,.\n2026-01-06,6010.25\n"
    bars = FredCloseConnector().parse(body, "SP500")
    assert bars["close"].tolist() == [6000.5, 6010.25]
    assert bars["ts"].tolist() == [pd.Timestamp("2026-01-02", tz="UTC"), pd.Timestamp("2026-01-06", tz="UTC")]
    assert bars[["open", "high", "low", "volume"]].isna().all().all()


# --- the keyed API -----------------------------------------------------------------------------


def test_fred_api_observations_from_the_recorded_cassette():
    cassette = yaml.safe_load(sample("fred/pyfredapi_vcr_series_observations_GDP.yaml"))
    body = cassette["interactions"][0]["response"]["body"]["string"].encode()
    frame = FredApiConnector().parse(body, "GDP")
    assert frame["date"].iloc[0] == date(1947, 1, 1)  # the four '.' quarters of 1946 are dropped
    assert frame["value"].iloc[0] == pytest.approx(243.164)
    assert len(frame) == 315 - 4
    (request,) = FredApiConnector().build_requests("https://api.example", "GDP", None, api_key="k1")
    assert request.params == {"series_id": "GDP", "file_type": "json", "api_key": "k1"}


def test_fred_api_error_message():
    body = json.dumps(
        {"error_code": 400, "error_message": "Bad Request.  The value for variable api_key is not registered."}
    )
    with pytest.raises(ParseError, match="api_key is not registered"):
        FredApiConnector().parse(body.encode(), "GDP")
