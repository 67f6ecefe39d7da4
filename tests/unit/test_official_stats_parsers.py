"""Parsers of BLS, IMF DataMapper, ECB reference XML, Nasdaq historical quotes, CBOE option
chains (put/call ratios), Deribit DVOL and the Gemini / Bitfinex / Crypto.com candles."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pandas as pd
import pytest

from datasources.base import ParseError
from datasources.exchanges import (
    BitfinexCandlesConnector,
    CryptoComCandlesConnector,
    DeribitVolatilityConnector,
    GeminiCandlesConnector,
)
from datasources.official_stats import (
    BlsTimeseriesConnector,
    CboeOptionsPutCallConnector,
    EcbReferenceXmlConnector,
    ImfDataMapperConnector,
    NasdaqHistoricalConnector,
)

MS1, MS2 = 1732406400000, 1732492800000  # 2024-11-24, 2024-11-25


def body(doc) -> bytes:
    return json.dumps(doc).encode()


def test_bls_monthly_values_skip_the_annual_average():
    doc = {"status": "REQUEST_SUCCEEDED", "message": [], "Results": {"series": [{"seriesID": "LNS14000000", "data": [
        {"year": "2024", "period": "M13", "value": "4.0"},
        {"year": "2024", "period": "M10", "periodName": "October", "value": "4.1"},
        {"year": "2024", "period": "M09", "periodName": "September", "value": "4.1"},
        {"year": "2024", "period": "M08", "periodName": "August", "value": "-"}]}]}}  # fmt: skip
    frame = BlsTimeseriesConnector().parse(body(doc), "LNS14000000")
    assert frame[["date", "value"]].values.tolist() == [[date(2024, 9, 1), 4.1], [date(2024, 10, 1), 4.1]]
    with pytest.raises(ParseError, match="REQUEST_NOT_PROCESSED daily threshold"):
        BlsTimeseriesConnector().parse(body({"status": "REQUEST_NOT_PROCESSED", "message": ["daily threshold"]}), "X")


def test_imf_datamapper_keeps_outcomes_not_forecasts():
    year = datetime.now(UTC).year
    doc = {"values": {"NGDP_RPCH": {"USA": {"2022": 2.5, str(year): 2.0, str(year + 2): 2.1}}}}
    frame = ImfDataMapperConnector().parse(body(doc), "USA:NGDP_RPCH")
    assert frame[["date", "value", "country"]].values.tolist() == [
        [date(2022, 1, 1), 2.5, "USA"],
        [date(year, 1, 1), 2.0, "USA"],
    ]
    with pytest.raises(ParseError, match="no values.NGDP_RPCH.XXX"):
        ImfDataMapperConnector().parse(body(doc), "XXX:NGDP_RPCH")


ECB_XML = b"""<?xml version="1.0" encoding="UTF-8"?>
<gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01" xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref">
  <gesmes:subject>Reference rates</gesmes:subject>
  <Cube>
    <Cube time="2024-11-22"><Cube currency="USD" rate="1.0412"/><Cube currency="JPY" rate="161.43"/></Cube>
    <Cube time="2024-11-21"><Cube currency="USD" rate="1.0494"/><Cube currency="JPY" rate="162.51"/></Cube>
  </Cube>
</gesmes:Envelope>"""


def test_ecb_reference_rates_xml():
    bars = EcbReferenceXmlConnector().parse(ECB_XML, "EURJPY")
    assert bars["close"].tolist() == [162.51, 161.43]
    assert bars["ts"].tolist() == [pd.Timestamp("2024-11-21", tz="UTC"), pd.Timestamp("2024-11-22", tz="UTC")]
    with pytest.raises(ParseError, match="no CHF rates"):
        EcbReferenceXmlConnector().parse(ECB_XML, "EURCHF")
    with pytest.raises(ParseError, match="not XML"):
        EcbReferenceXmlConnector().parse(b"<html><body>oops", "EURUSD")


def test_ecb_xml_refuses_entity_expansion():
    bomb = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><x>&b;</x>'
    with pytest.raises(Exception, match="(?i)entit"):
        EcbReferenceXmlConnector().parse(bomb, "EURUSD")


def test_nasdaq_historical_quotes_with_commas_and_dollars():
    doc = {"data": {"symbol": "SPY", "tradesTable": {"rows": [
        {"date": "11/22/2024", "close": "$595.51", "volume": "42,303,830", "open": "$593.66", "high": "$596.15", "low": "$593.15"},
        {"date": "11/21/2024", "close": "$593.67", "volume": "46,750,290", "open": "$593.40", "high": "$595.12", "low": "$587.45"}]}},
        "message": None, "status": {"rCode": 200}}  # fmt: skip
    bars = NasdaqHistoricalConnector().parse(body(doc), "SPY:etf")
    assert bars.iloc[-1][["open", "high", "low", "close", "volume"]].tolist() == [
        593.66,
        596.15,
        593.15,
        595.51,
        42303830,
    ]
    assert bars["symbol"].iloc[0] == "SPY"
    index = {
        "data": {
            "tradesTable": {
                "rows": [
                    {
                        "date": "11/22/2024",
                        "close": "5,969.34",
                        "volume": "--",
                        "open": "5,944.36",
                        "high": "5,972.90",
                        "low": "5,944.36",
                    }
                ]
            }
        }
    }
    assert NasdaqHistoricalConnector().parse(body(index), "SPX:index")["volume"].isna().all()
    error = {
        "data": None,
        "status": {"rCode": 400, "bCodeMessage": [{"code": 1001, "errorMessage": "Symbol not exists"}]},
    }
    with pytest.raises(ParseError, match="Symbol not exists"):
        NasdaqHistoricalConnector().parse(body(error), "NOPE:stocks")


def test_cboe_option_chain_gives_put_call_ratios():
    doc = {"timestamp": "2024-11-22 16:15:02", "data": {"current_price": 5969.34, "options": [
        {"option": "SPX241220C05900000", "volume": 1000, "open_interest": 20000},
        {"option": "SPX241220C06000000", "volume": 1000, "open_interest": 10000},
        {"option": "SPX241220P05800000", "volume": 2500, "open_interest": 45000},
        {"option": "NOT-AN-OPTION", "volume": 99999, "open_interest": 99999}]}}  # fmt: skip
    by_volume = CboeOptionsPutCallConnector().parse(body(doc), "_SPX:volume")
    assert by_volume[["date", "value"]].values.tolist() == [[date(2024, 11, 22), 1.25]]
    assert CboeOptionsPutCallConnector().parse(body(doc), "_SPX:open_interest")["value"].tolist() == [1.5]
    with pytest.raises(ParseError, match="no data.options"):
        CboeOptionsPutCallConnector().parse(body({"data": {}}), "_SPX:volume")


CANDLES = {
    "gemini": (
        GeminiCandlesConnector(),
        [[MS2, 105.0, 108.0, 101.0, 102.0, 7.25], [MS1, 100.0, 110.0, 95.0, 105.0, 12.5]],
    ),
    "bitfinex": (
        BitfinexCandlesConnector(),
        [[MS1, 100.0, 105.0, 110.0, 95.0, 12.5], [MS2, 105.0, 102.0, 108.0, 101.0, 7.25]],
    ),
    "cryptocom": (
        CryptoComCandlesConnector(),
        {
            "code": 0,
            "result": {
                "data": [
                    {"t": MS1, "o": "100.0", "h": "110.0", "l": "95.0", "c": "105.0", "v": "12.5"},
                    {"t": MS2, "o": "105.0", "h": "108.0", "l": "101.0", "c": "102.0", "v": "7.25"},
                ]
            },
        },
    ),  # fmt: skip
}


@pytest.mark.parametrize("exchange", list(CANDLES))
def test_more_exchange_candles(exchange):
    connector, doc = CANDLES[exchange]
    bars = connector.parse(body(doc), "BTC")
    assert bars[["open", "high", "low", "close", "volume"]].values.tolist() == [
        [100.0, 110.0, 95.0, 105.0, 12.5],
        [105.0, 108.0, 101.0, 102.0, 7.25],
    ]
    assert bars["ts"].iloc[0] == pd.Timestamp("2024-11-24", tz="UTC")


def test_exchange_errors_of_gemini_bitfinex_cryptocom():
    with pytest.raises(ParseError, match="InvalidSymbol"):
        GeminiCandlesConnector().parse(body({"result": "error", "reason": "InvalidSymbol", "message": "bad"}), "x")
    with pytest.raises(ParseError, match="Bitfinex error 10020: symbol: invalid"):
        BitfinexCandlesConnector().parse(body(["error", 10020, "symbol: invalid"]), "x")
    with pytest.raises(ParseError, match="40101"):
        CryptoComCandlesConnector().parse(body({"code": 40101, "message": "Not found"}), "x")


def test_deribit_dvol_index():
    doc = {
        "jsonrpc": "2.0",
        "result": {"data": [[MS1, 55.1, 57.0, 54.2, 56.3], [MS2, 56.3, 58.8, 55.0, 58.1]], "continuation": None},
    }
    bars = DeribitVolatilityConnector().parse(body(doc), "BTC")
    assert bars["close"].tolist() == [56.3, 58.1] and bars["volume"].isna().all()
    with pytest.raises(ParseError, match="Deribit error 10001: bad currency"):
        DeribitVolatilityConnector().parse(
            body({"jsonrpc": "2.0", "error": {"code": 10001, "message": "bad currency"}}), "XXX"
        )
