"""Parsers of Binance klines."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import pytest

from datasources.base import ParseError
from datasources.providers.binance import BinanceKlinesConnector, parse_klines
from tests.unit.providers.bodies import body, sample


def test_binance_klines():
    bars = parse_klines(json.loads(sample("binance/nautilus_http_spot_market_klines.json")), "BTCUSDT")
    assert len(bars) == 10
    assert bars.iloc[0][["open", "high", "low", "close", "volume"]].tolist() == [
        60685.22,
        60729.84,
        60670.90,
        60719.27,
        21.63272,
    ]
    assert bars["ts"].iloc[0] == pd.Timestamp(1634943780000, unit="ms", tz="UTC")


def test_binance_error_body():
    with pytest.raises(ParseError, match="-1121: Invalid symbol"):
        parse_klines({"code": -1121, "msg": "Invalid symbol."}, "NOPE")


def test_the_connector_asks_for_daily_klines_and_parses_them():
    request = BinanceKlinesConnector().build_requests("https://b", "BTCUSDT", date(2024, 1, 2))[0]
    # The first page: 1000 days from 2024-01-02 (open times, inclusive).
    assert request.params == {
        "symbol": "BTCUSDT",
        "interval": "1d",
        "startTime": "1704153600000",
        "endTime": str(1704153600000 + 1000 * 86_400_000 - 1),
        "limit": "1000",
    }
    kline = [1704153600000, "1.0", "2.0", "0.5", "1.5", "10", 1704239999999, "0", 0, "0", "0", "0"]
    assert BinanceKlinesConnector().parse(body([kline]), "BTCUSDT")["close"].tolist() == [1.5]
