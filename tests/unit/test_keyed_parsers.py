"""The keyed providers' parsers on their real recorded responses (../shared/samples/real)."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import pytest
import yaml

from datasources.base import ParseError
from datasources.keyed import AlphaVantageDailyConnector, FredApiConnector, PolygonAggregatesConnector
from tests.conftest import SHARED_SAMPLES


def sample(path: str) -> bytes:
    full = SHARED_SAMPLES / path
    if not full.exists():
        pytest.skip("../shared/samples/real is not present")
    return full.read_bytes()


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


def test_polygon_daily_aggregates():
    bars = PolygonAggregatesConnector().parse(
        sample("polygon/v2_aggs_ticker_AAPL_range_1_day_2005-04-01_2005-04-04.json"), "AAPL"
    )
    assert bars["ts"].tolist() == [pd.Timestamp("2005-04-01", tz="UTC"), pd.Timestamp("2005-04-04", tz="UTC")]
    assert bars.iloc[0][["open", "high", "low", "close", "volume"]].tolist() == [
        1.5032,
        1.5064,
        1.4489,
        1.4604,
        642646396.0,
    ]
    with pytest.raises(ParseError, match="NOT_AUTHORIZED"):
        PolygonAggregatesConnector().parse(b'{"status":"NOT_AUTHORIZED","message":"Unknown API Key"}', "AAPL")


def test_alpha_vantage_time_series():
    bars = AlphaVantageDailyConnector().parse(sample("alphavantage/mock_time_series.json"), "MSFT")
    last = bars.iloc[-1]
    assert last["ts"] == pd.Timestamp("2017-12-18 14:56:00", tz="UTC")
    assert (last["open"], last["close"], last["volume"]) == (86.49, 86.5, 10494)
    assert bars["ts"].is_monotonic_increasing
    with pytest.raises(ParseError, match="rate limit"):
        AlphaVantageDailyConnector().parse(b'{"Note": "Our standard API rate limit is 25 requests per day."}', "MSFT")
