"""Parsers of CBOE's delayed-quotes daily charts and quote snapshots.

Wire-format facts: charts are ``{"data": [{"date": "YYYY-MM-DD", "open", "high", "low",
"close", "volume"}]}`` (values possibly strings, rows before a listing at 0.0), as read by public
clients of ``cdn.cboe.com/api/global/delayed_quotes/charts/historical/{SYM}.json`` found with the
search tool (scripts keeping ``b["close"] > 0`` and mapping ``data[].{date,open,high,low,close}``);
the quote is ``{"timestamp", "data": {"current_price", "open", "high", "low", "close",
"prev_day_close", "price_change_percent", "volume", "last_trade_time", "iv30"}}`` as read by
clients of ``quotes/_VIX.json``. No recorded body under ../shared/samples/real."""

from __future__ import annotations

import pandas as pd
import pytest

from datasources.base import ParseError
from datasources.providers.cboe.charts import CboeChartsConnector, CboeQuoteConnector
from tests.unit.providers.bodies import body, day

CHARTS, QUOTES = CboeChartsConnector(), CboeQuoteConnector()


def test_chart_rows_become_bars_and_pre_listing_zeros_are_dropped():
    doc = {"data": [
        {"date": "2004-01-02", "open": 0.0, "high": 0.0, "low": 0.0, "close": 0.0, "volume": 0},
        {"date": "2024-06-06", "open": "5353.23", "high": "5362.35", "low": "5335.36", "close": "5352.96", "volume": "0"},
        {"date": "2024-06-07", "open": 5343.81, "high": 5375.08, "low": 5331.33, "close": 5346.99, "volume": 0},
    ]}  # fmt: skip
    bars = CHARTS.parse(body(doc), "_SPX")
    assert bars["ts"].tolist() == [pd.Timestamp("2024-06-06", tz="UTC"), pd.Timestamp("2024-06-07", tz="UTC")]
    assert day(bars, "2024-06-06")[["open", "high", "low", "close"]].tolist() == [5353.23, 5362.35, 5335.36, 5352.96]


def test_chart_bodies_of_another_shape_are_parse_errors():
    with pytest.raises(ParseError, match="no data list"):
        CHARTS.parse(body({"error": "not found"}), "_SPX")
    with pytest.raises(ParseError, match="lack date/close"):
        CHARTS.parse(body({"data": [{"date": "2024-06-07"}]}), "_SPX")


def test_a_quote_is_the_bar_of_its_last_trade_day():
    doc = {"timestamp": "2024-06-07 16:15:03", "data": {
        "symbol": "SPY", "current_price": 534.01, "open": 533.66, "high": 536.89, "low": 532.54, "close": 534.01,
        "prev_day_close": 535.66, "price_change": -1.65, "price_change_percent": -0.308, "volume": 43224451,
        "last_trade_time": "2024-06-07T16:14:59", "iv30": 11.6,
    }}  # fmt: skip
    bars = QUOTES.parse(body(doc), "SPY")
    assert bars["ts"].tolist() == [pd.Timestamp("2024-06-07", tz="UTC")]
    assert bars.iloc[0][["open", "high", "low", "close", "volume"]].tolist() == [
        533.66,
        536.89,
        532.54,
        534.01,
        43224451,
    ]
    dated_by_timestamp = {"timestamp": "2024-06-10 09:45:00", "data": {"current_price": 5360.1}}
    assert QUOTES.parse(body(dated_by_timestamp), "_SPX")["ts"].tolist() == [pd.Timestamp("2024-06-10", tz="UTC")]


def test_quote_bodies_without_a_price_or_a_time_are_parse_errors():
    with pytest.raises(ParseError, match="no data.current_price"):
        QUOTES.parse(body({"data": {"symbol": "SPY"}}), "SPY")
    with pytest.raises(ParseError, match="unparseable"):
        QUOTES.parse(body({"data": {"current_price": 1.0, "last_trade_time": "soon"}}), "SPY")


def test_requests_name_the_symbol_in_the_path():
    (chart,) = CHARTS.build_requests("https://cdn", "_NDX", None)
    (quote,) = QUOTES.build_requests("https://cdn", "QQQ", None)
    assert chart.url == "https://cdn/api/global/delayed_quotes/charts/historical/_NDX.json" and not chart.params
    assert quote.url == "https://cdn/api/global/delayed_quotes/quotes/QQQ.json"
