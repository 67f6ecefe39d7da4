"""Parsers of Yahoo Finance chart API v8."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import pytest

from datasources.base import BAR_COLUMNS, ParseError
from datasources.providers.yahoo import YahooChartConnector, parse_chart
from tests.unit.providers.bodies import body, sample


def test_yahoo_chart_of_a_stock_with_dividends_and_splits():
    doc = json.loads(sample("yahoo/chart-AAPL-2020-08-31-to-2020-11-07.json"))["response"]["bodyJson"]
    bars = parse_chart(doc, "AAPL")
    assert list(bars.columns) == BAR_COLUMNS
    assert bars["ts"].is_monotonic_increasing and bars["ts"].is_unique
    first = bars.iloc[0]
    assert first["ts"] == pd.Timestamp("2020-08-31", tz="UTC")
    assert (bars["high"] >= bars["low"]).all() and (bars["close"] > 0).all()
    assert len(bars) == 49  # the sessions from 2020-08-31 to 2020-11-06
    assert first["close"] == pytest.approx(129.04, abs=0.01)  # after the 4:1 split of that day


def test_yahoo_chart_of_a_currency_pair():
    doc = json.loads(sample("yahoo/chart-EURUSD_X-2020-01-01-to-2020-01-03.json"))["response"]["bodyJson"]
    bars = parse_chart(doc, "EURUSD")
    assert list(bars["ts"].dt.strftime("%Y-%m-%d")) == ["2020-01-01", "2020-01-02", "2020-01-03"]
    assert bars["close"].round(6).tolist() == [1.122083, 1.122083, 1.117144]


def test_bars_keep_their_exchange_day_across_a_daylight_saving_change():
    """Yahoo stamps an FX bar at London midnight: 00:00 UTC in winter, 23:00 UTC the day before
    in summer. The recorded body (January, ``gmtoffset`` 0) with summer and winter stamps: each
    bar is read with the offset in force on its own date, not the one the body was sent with."""
    # The meta of the recorded EURUSD=X body (shared samples, yahoo/chart-EURUSD_X-…): Europe/London,
    # gmtoffset 0; 2020-10-23 and 2020-10-24 in BST (23:00 UTC the day before), 2020-10-26 in GMT.
    quote = {k: [1.18, 1.19, 1.17] for k in ("open", "high", "low", "close")} | {"volume": [0, 0, 0]}
    result = {
        "meta": {"exchangeTimezoneName": "Europe/London", "gmtoffset": 0, "timezone": "GMT"},
        "timestamp": [1603407600, 1603494000, 1603670400],
        "indicators": {"quote": [quote]},
    }
    doc = {"chart": {"result": [result], "error": None}}
    bars = parse_chart(doc, "EURUSD")
    assert list(bars["ts"].dt.strftime("%Y-%m-%d")) == ["2020-10-23", "2020-10-24", "2020-10-26"]
    # Without a time zone name, the body's single offset is all there is.
    del result["meta"]["exchangeTimezoneName"]
    fallback = parse_chart(doc, "EURUSD")
    assert list(fallback["ts"].dt.strftime("%Y-%m-%d")) == ["2020-10-22", "2020-10-23", "2020-10-26"]
    result["meta"]["exchangeTimezoneName"] = "Not/AZone"
    assert parse_chart(doc, "EURUSD")["ts"].equals(fallback["ts"])


def test_yahoo_error_object_is_a_parse_error():
    with pytest.raises(ParseError, match="Not Found: No data found"):
        parse_chart({"chart": {"result": None, "error": {"code": "Not Found", "description": "No data found"}}}, "XX")


def test_the_connector_asks_for_daily_bars_and_parses_the_body():
    (request,) = YahooChartConnector().build_requests("https://q", "^GSPC", date(2024, 1, 2))
    assert request.url == "https://q/v8/finance/chart/^GSPC" and request.params["interval"] == "1d"
    quote = {"open": [1.0], "high": [2.0], "low": [0.5], "close": [1.5], "volume": [10]}
    result = {"meta": {"gmtoffset": -18000}, "timestamp": [1704205800], "indicators": {"quote": [quote]}}
    bars = YahooChartConnector().parse(body({"chart": {"result": [result], "error": None}}), "^GSPC")
    assert bars[["ts", "close"]].values.tolist() == [[pd.Timestamp("2024-01-02", tz="UTC"), 1.5]]
