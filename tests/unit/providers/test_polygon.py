"""Parsers of Polygon.io aggregates."""

from __future__ import annotations

import pandas as pd
import pytest

from datasources.base import ParseError
from datasources.providers.polygon import PolygonAggregatesConnector
from tests.unit.providers.bodies import sample


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
