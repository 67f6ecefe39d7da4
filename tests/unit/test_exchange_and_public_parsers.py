"""Parsers of the exchange candle endpoints and the public economic/sentiment APIs, on bodies
in each provider's documented wire format (field order matters: each exchange has its own)."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import pytest

from datasources.base import ParseError
from datasources.exchanges import (
    BitstampOhlcConnector,
    BybitKlineConnector,
    CoinbaseCandlesConnector,
    KrakenOhlcConnector,
    KucoinCandlesConnector,
    OkxCandlesConnector,
)
from datasources.public_data import (
    AlternativeMeFearGreedConnector,
    FiscalDataConnector,
    NyFedRatesConnector,
    OpenErApiConnector,
    WorldBankConnector,
)

DAY1, DAY2 = 1732406400, 1732492800  # 2024-11-24, 2024-11-25 00:00 UTC
EXPECTED = [  # ts, open, high, low, close, volume
    (pd.Timestamp("2024-11-24", tz="UTC"), 100.0, 110.0, 95.0, 105.0, 12.5),
    (pd.Timestamp("2024-11-25", tz="UTC"), 105.0, 108.0, 101.0, 102.0, 7.25),
]


def body(doc) -> bytes:
    return json.dumps(doc).encode()


def as_rows(frame: pd.DataFrame) -> list[tuple]:
    return [tuple(r) for r in frame[["ts", "open", "high", "low", "close", "volume"]].itertuples(index=False)]


EXCHANGES = {
    "kraken": (
        KrakenOhlcConnector(),
        {"error": [], "result": {"XXBTZUSD": [[DAY1, "100.0", "110.0", "95.0", "105.0", "104.0", "12.5", 10],
                                              [DAY2, "105.0", "108.0", "101.0", "102.0", "103.0", "7.25", 8]], "last": DAY2}},
    ),
    "coinbase": (  # [time, low, high, open, close, volume], newest first
        CoinbaseCandlesConnector(),
        [[DAY2, 101.0, 108.0, 105.0, 102.0, 7.25], [DAY1, 95.0, 110.0, 100.0, 105.0, 12.5]],
    ),
    "bitstamp": (
        BitstampOhlcConnector(),
        {"data": {"pair": "BTC/USD", "ohlc": [
            {"timestamp": str(DAY1), "open": "100.0", "high": "110.0", "low": "95.0", "close": "105.0", "volume": "12.5"},
            {"timestamp": str(DAY2), "open": "105.0", "high": "108.0", "low": "101.0", "close": "102.0", "volume": "7.25"}]}},
    ),
    "okx": (  # ms timestamps, newest first
        OkxCandlesConnector(),
        {"code": "0", "msg": "", "data": [[str(DAY2 * 1000), "105.0", "108.0", "101.0", "102.0", "7.25", "0", "0", "1"],
                                          [str(DAY1 * 1000), "100.0", "110.0", "95.0", "105.0", "12.5", "0", "0", "1"]]},
    ),
    "kucoin": (  # [time, open, close, high, low, volume, turnover]
        KucoinCandlesConnector(),
        {"code": "200000", "data": [[str(DAY2), "105.0", "102.0", "108.0", "101.0", "7.25", "0"],
                                    [str(DAY1), "100.0", "105.0", "110.0", "95.0", "12.5", "0"]]},
    ),
    "bybit": (
        BybitKlineConnector(),
        {"retCode": 0, "retMsg": "OK", "result": {"list": [[str(DAY2 * 1000), "105.0", "108.0", "101.0", "102.0", "7.25", "0"],
                                                            [str(DAY1 * 1000), "100.0", "110.0", "95.0", "105.0", "12.5", "0"]]}},
    ),
}  # fmt: skip

ERRORS = {
    "kraken": ({"error": ["EQuery:Unknown asset pair"]}, "Unknown asset pair"),
    "coinbase": ({"message": "NotFound"}, "NotFound"),
    "bitstamp": ({"errors": [{"message": "Invalid pair"}]}, "Invalid pair"),
    "okx": ({"code": "51001", "msg": "Instrument ID does not exist"}, "51001"),
    "kucoin": ({"code": "400100", "msg": "This pair is not provided at present"}, "400100"),
    "bybit": ({"retCode": 10001, "retMsg": "Not supported symbols"}, "Not supported symbols"),
}


@pytest.mark.parametrize("exchange", list(EXCHANGES))
def test_exchange_candles_become_the_same_bars_whatever_the_field_order(exchange):
    connector, doc = EXCHANGES[exchange]
    assert as_rows(connector.parse(body(doc), "BTC")) == EXPECTED


@pytest.mark.parametrize("exchange", list(ERRORS))
def test_exchange_error_bodies_are_parse_errors(exchange):
    connector, _ = EXCHANGES[exchange]
    doc, message = ERRORS[exchange]
    with pytest.raises(ParseError, match=message):
        connector.parse(body(doc), "BTC")


@pytest.mark.parametrize("exchange", list(EXCHANGES))
def test_exchange_requests_ask_for_daily_candles(exchange):
    connector, _ = EXCHANGES[exchange]
    (request,) = connector.build_requests("https://x", "BTC-USD", date(2026, 1, 1))
    assert request.url.startswith("https://x/")
    assert {"1440", "86400", "1Dutc", "1day", "D"} & set(request.params.values())


def test_nyfed_reference_rates():
    doc = {"refRates": [{"effectiveDate": "2026-11-20", "type": "SOFR", "percentRate": 4.31},
                        {"effectiveDate": "2026-11-19", "type": "SOFR", "percentRate": 4.33}]}  # fmt: skip
    frame = NyFedRatesConnector().parse(body(doc), "secured/sofr")
    assert frame[["date", "value"]].values.tolist() == [[date(2026, 11, 19), 4.33], [date(2026, 11, 20), 4.31]]
    assert (
        NyFedRatesConnector()
        .build_requests("https://x", "secured/sofr", None)[0]
        .url.endswith("/secured/sofr/last/1300.json")
    )
    with pytest.raises(ParseError, match="no refRates"):
        NyFedRatesConnector().parse(body({"error": "x"}), "secured/sofr")


def test_world_bank_indicator_with_country():
    doc = [{"page": 1, "pages": 1, "per_page": 1000, "total": 3},
           [{"date": "2023", "value": 2.54, "countryiso3code": "USA"}, {"date": "2022", "value": 1.94, "countryiso3code": "USA"},
            {"date": "2021", "value": None, "countryiso3code": "USA"}]]  # fmt: skip
    frame = WorldBankConnector().parse(body(doc), "USA:NY.GDP.MKTP.KD.ZG")
    assert frame[["date", "value", "country"]].values.tolist() == [
        [date(2022, 1, 1), 1.94, "USA"],
        [date(2023, 1, 1), 2.54, "USA"],
    ]
    error = [{"message": [{"id": "120", "key": "Invalid value", "value": "The provided parameter value is not valid"}]}]
    with pytest.raises(ParseError, match="World Bank error 120"):
        WorldBankConnector().parse(body(error), "USA:BAD")


def test_fiscal_data_debt_to_the_penny():
    doc = {"data": [{"record_date": "2026-11-20", "tot_pub_debt_out_amt": "38123456789012.34"}], "meta": {"count": 1}}
    symbol = "v2/accounting/od/debt_to_penny:tot_pub_debt_out_amt"
    frame = FiscalDataConnector().parse(body(doc), symbol)
    assert frame["value"].tolist() == [38123456789012.34]
    (request,) = FiscalDataConnector().build_requests("https://x", symbol, date(2026, 11, 1))
    assert request.params["filter"] == "record_date:gte:2026-11-01"
    with pytest.raises(ParseError, match="rows lack"):
        FiscalDataConnector().parse(body({"data": [{"record_date": "2026-11-20"}]}), symbol)


def test_alternative_me_fear_and_greed():
    doc = {"name": "Fear and Greed Index", "metadata": {"error": None},
           "data": [{"value": "72", "value_classification": "Greed", "timestamp": str(DAY2)},
                    {"value": "40", "value_classification": "Fear", "timestamp": str(DAY1)}]}  # fmt: skip
    frame = AlternativeMeFearGreedConnector().parse(body(doc), "crypto_fear_greed")
    assert frame[["value", "label"]].values.tolist() == [[40, "Fear"], [72, "Greed"]]
    with pytest.raises(ParseError, match="rate limited"):
        AlternativeMeFearGreedConnector().parse(body({"data": [], "metadata": {"error": "rate limited"}}), "x")


def test_open_er_api_latest():
    doc = {"result": "success", "base_code": "USD", "time_last_update_unix": DAY2, "rates": {"JPY": 154.2, "EUR": 0.95}}
    bars = OpenErApiConnector().parse(body(doc), "USDJPY")
    assert (bars["ts"].iloc[0], bars["close"].iloc[0]) == (pd.Timestamp("2024-11-25", tz="UTC"), 154.2)
    with pytest.raises(ParseError, match="unsupported-code"):
        OpenErApiConnector().parse(body({"result": "error", "error-type": "unsupported-code"}), "XXXJPY")
