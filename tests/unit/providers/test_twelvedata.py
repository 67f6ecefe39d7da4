"""Parsers of Twelve Data ``/time_series`` for currency pairs.

Wire-format facts: ``{"meta": {"symbol", "interval", "currency_base", "currency_quote", ...},
"values": [{"datetime", "open", "high", "low", "close"}], "status": "ok"}`` with string prices and
no volume for currencies, newest first, from user530/crypto-nest-api
``src/crypto/types/twelveDataAPI.ts`` (``currency_base``/``currency_quote`` meta) and
yonasoft/stock-info ``src/types/pricesData.ts`` (``status``); the error body ``{"code",
"message", "status": "error"}`` and the 5000-point ``outputsize`` limit from Twelve Data's
documentation (https://twelvedata.com/docs#time-series). No recorded body under ../shared/samples/real."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pandas as pd
import pytest

from datasources.base import ParseError
from datasources.providers.twelvedata import MAX_OUTPUTSIZE, TwelveDataForexConnector, TwelveDataStocksConnector
from tests.unit.providers.bodies import body

CONNECTOR = TwelveDataForexConnector()


def test_values_become_ohlc_daily_bars_oldest_first():
    doc = {
        "meta": {"symbol": "EUR/USD", "interval": "1day", "currency_base": "Euro", "currency_quote": "US Dollar", "type": "Physical Currency"},
        "values": [
            {"datetime": "2024-01-03", "open": "1.09410", "high": "1.09520", "low": "1.08920", "close": "1.09210"},
            {"datetime": "2024-01-02", "open": "1.10380", "high": "1.10400", "low": "1.09400", "close": "1.09410"},
        ],
        "status": "ok",
    }  # fmt: skip
    bars = CONNECTOR.parse(body(doc), "EUR/USD")
    assert bars["ts"].tolist() == [pd.Timestamp("2024-01-02", tz="UTC"), pd.Timestamp("2024-01-03", tz="UTC")]
    assert bars.iloc[0][["open", "high", "low", "close"]].tolist() == [1.1038, 1.104, 1.094, 1.0941]
    assert bars["volume"].isna().all()


def test_bad_bodies_are_parse_errors():
    with pytest.raises(ParseError, match="Twelve Data error 401: .*apikey"):
        CONNECTOR.parse(
            body({"code": 401, "message": "**apikey** parameter is incorrect", "status": "error"}), "EUR/USD"
        )
    with pytest.raises(ParseError, match="no status ok"):
        CONNECTOR.parse(body({"values": []}), "EUR/USD")
    with pytest.raises(ParseError, match="lack datetime/close"):
        CONNECTOR.parse(body({"status": "ok", "values": [{"datetime": "2024-01-02"}]}), "EUR/USD")
    with pytest.raises(ParseError, match="unparseable datetime"):
        CONNECTOR.parse(body({"status": "ok", "values": [{"datetime": "Jan 2", "close": "1.1"}]}), "EUR/USD")


def test_requests_carry_the_key_and_page_by_the_outputsize_limit():
    (request,) = CONNECTOR.build_requests("https://td", "USD/JPY", date(2024, 1, 2), "k1")
    assert request.url == "https://td/time_series"
    assert request.params["symbol"] == "USD/JPY" and request.params["interval"] == "1day"
    assert (request.params["start_date"], request.params["apikey"], request.key_param) == ("2024-01-02", "k1", "apikey")
    today = datetime.now(UTC).date()
    long_ago = today - timedelta(days=2 * MAX_OUTPUTSIZE)
    pages = CONNECTOR.build_requests("https://td", "USD/JPY", long_ago)
    assert len(pages) == 3 and pages[0].params["start_date"] == long_ago.isoformat()
    assert pages[-1].params["end_date"] == today.isoformat() and pages[0].params["apikey"] == ""
    with pytest.raises(ValueError, match="EUR/USD"):
        CONNECTOR.build_requests("https://td", "EURUSD", None)


STOCKS = TwelveDataStocksConnector()


def test_stock_values_carry_a_volume():
    doc = {
        "meta": {"symbol": "AAPL", "interval": "1day", "currency": "USD", "exchange_timezone": "America/New_York", "exchange": "NASDAQ", "mic_code": "XNGS", "type": "Common Stock"},
        "values": [{"datetime": "2024-01-03", "open": "184.22000", "high": "185.88000", "low": "183.43000", "close": "184.25000", "volume": "58414500"}],
        "status": "ok",
    }  # fmt: skip
    bars = STOCKS.parse(body(doc), "AAPL")
    assert bars.iloc[0][["open", "close", "volume"]].tolist() == [184.22, 184.25, 58414500]


def test_stock_symbols_are_checked_before_any_request():
    (request,) = STOCKS.build_requests("https://td", "BRK.B", date(2024, 1, 2), "k1")
    assert request.params["symbol"] == "BRK.B" and request.params["apikey"] == "k1"
    with pytest.raises(ValueError, match="SPY or BRK.B"):
        STOCKS.build_requests("https://td", "EUR/USD", None)
