"""Parsers of Alpha Vantage daily series."""

from __future__ import annotations

import pandas as pd
import pytest

from datasources.base import ParseError
from datasources.providers.alphavantage import AlphaVantageDailyConnector
from tests.unit.providers.bodies import sample


def test_alpha_vantage_time_series():
    bars = AlphaVantageDailyConnector().parse(sample("alphavantage/mock_time_series.json"), "MSFT")
    last = bars.iloc[-1]
    assert last["ts"] == pd.Timestamp("2017-12-18 14:56:00", tz="UTC")
    assert (last["open"], last["close"], last["volume"]) == (86.49, 86.5, 10494)
    assert bars["ts"].is_monotonic_increasing
    with pytest.raises(ParseError, match="rate limit"):
        AlphaVantageDailyConnector().parse(b'{"Note": "Our standard API rate limit is 25 requests per day."}', "MSFT")
