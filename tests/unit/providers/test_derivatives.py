"""Parsers and requests of the perpetual-futures connectors (Binance, Bybit, OKX) and the daily
funding / open-interest rows they share (datasources/derivatives.py).

The bodies are the venues' documented response examples (Binance's USD-M "Get Funding Rate
History" and "Open Interest Statistics", Bybit v5 "Get Funding Rate History" and "Get Open
Interest", OKX v5 "Get funding rate history" and "Get contract open interest history", as
mirrored in rosssaunders/coincise docs/): no recorded response of these endpoints was found in
the shared samples or in public test fixtures."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from datasources.base import ParseError
from datasources.derivatives import DERIVATIVE_COLUMNS, funding_days, join_days, open_interest_days
from datasources.providers.binance_futures import BinanceFuturesConnector
from datasources.providers.bybit_futures import BybitFuturesConnector
from datasources.providers.okx_futures import OkxFuturesConnector
from datasources.validate import ValidationError, validate_rows
from tests.unit.providers.bodies import body

DAY = 1703030400000  # 2023-12-20 00:00 UTC
H8 = 8 * 3_600_000


def test_a_day_of_funding_is_the_sum_of_its_settlements_in_percent_and_annualised():
    frame = funding_days([DAY, DAY + H8, DAY + 2 * H8, DAY + 3 * H8], ["0.0001", "0.0002", "-0.00005", "0.0001"])
    first = frame.iloc[0]
    assert list(frame.columns) == DERIVATIVE_COLUMNS and frame["date"].tolist() == [
        date(2023, 12, 20),
        date(2023, 12, 21),
    ]
    assert first["funding_rate"] == pytest.approx(0.025) and first["funding_periods"] == 3
    assert first["funding_annualized"] == pytest.approx(0.025 * 365)
    # A settlement listed twice (two pages meeting at it) counts once.
    assert funding_days([DAY, DAY], ["0.0001", "0.0001"])["funding_periods"].tolist() == [1]
    with pytest.raises(ParseError, match="funding rate is not a number"):
        funding_days([DAY], ["n/a"])


def test_open_interest_keeps_the_day_s_last_snapshot_and_halves_join_by_day():
    oi = open_interest_days([DAY + 1000, DAY, DAY + 86_400_000], ["2", "1", "3"], ["20", "10", None])
    assert (
        oi["open_interest"].tolist() == [2.0, 3.0]
        and oi["open_interest_usd"].iloc[1] != oi["open_interest_usd"].iloc[1]
    )
    joined = join_days([funding_days([DAY], ["0.0001"]), oi, open_interest_days([], [])])
    assert joined["date"].tolist() == [date(2023, 12, 20), date(2023, 12, 21)]
    assert joined.iloc[0]["funding_rate"] == pytest.approx(0.01) and joined.iloc[0]["open_interest"] == 2.0
    assert np.isnan(joined.iloc[1]["funding_rate"]) and joined.iloc[1]["open_interest"] == 3.0
    assert join_days([]).empty


def test_validation_refuses_rows_that_cannot_be_true():
    good = join_days([funding_days([DAY], ["0.0001"]), open_interest_days([DAY], ["5"], ["10"])])
    checked = validate_rows("crypto_derivatives", good, "BTC")
    assert checked["funding_periods"].tolist() == [1] and str(checked["funding_periods"].dtype) == "Int64"
    with_gap = validate_rows(
        "crypto_derivatives", join_days([good, open_interest_days([DAY + 86_400_000], ["1"])]), "BTC"
    )
    assert with_gap["funding_periods"].isna().tolist() == [False, True]
    cases = {
        "appears twice": pd.concat([good, good]),
        "in the future": good.assign(date=datetime.now(UTC).date() + timedelta(days=5)),
        "without funding or open interest": good.assign(**{c: np.nan for c in DERIVATIVE_COLUMNS[1:]}),
        "negative open interest": good.assign(open_interest=-1.0),
        "non-finite": good.assign(funding_rate=np.inf),
        "no date": good.drop(columns="date"),
    }
    for reason, frame in cases.items():
        with pytest.raises(ValidationError, match=reason):
            validate_rows("crypto_derivatives", frame, "BTC")


# --- Binance -------------------------------------------------------------------------------------


def test_binance_funding_and_open_interest_documented_bodies():
    connector = BinanceFuturesConnector()
    funding = connector.parse(
        body(
            [
                {
                    "symbol": "BTCUSDT",
                    "fundingRate": "-0.03750000",
                    "fundingTime": 1570608000000,
                    "markPrice": "34287.54619963",
                },
                {
                    "symbol": "BTCUSDT",
                    "fundingRate": "0.00010000",
                    "fundingTime": 1570636800000,
                    "markPrice": "34287.54619963",
                },
            ]
        ),
        "BTCUSDT",
    )
    assert funding["date"].tolist() == [date(2019, 10, 9)] and funding["funding_periods"].tolist() == [2]
    assert funding["funding_rate"].iloc[0] == pytest.approx(-3.74)
    interest = connector.parse(
        body(
            [
                {
                    "symbol": "BTCUSDT",
                    "sumOpenInterest": "20403.63700000",
                    "sumOpenInterestValue": "150570784.07809979",
                    "CMCCirculatingSupply": "165880.538",
                    "timestamp": "1583127900000",
                },
                {
                    "symbol": "BTCUSDT",
                    "sumOpenInterest": "20401.36700000",
                    "sumOpenInterestValue": "149940752.14464448",
                    "CMCCirculatingSupply": "165900.14853",
                    "timestamp": "1583128200000",
                },
            ]
        ),
        "BTCUSDT",
    )
    assert interest["open_interest"].tolist() == [20401.367]
    assert interest["open_interest_usd"].iloc[0] == pytest.approx(149940752.14464448)
    assert connector.parse(b"[]", "BTCUSDT").empty
    with pytest.raises(ParseError, match="Binance error -1121: Invalid symbol"):
        connector.parse(body({"code": -1121, "msg": "Invalid symbol."}), "XXX")
    with pytest.raises(ParseError, match="lack"):
        connector.parse(body([{"symbol": "BTCUSDT", "fundingRate": "0.0001"}]), "BTCUSDT")


def test_binance_requests_page_funding_and_ask_open_interest_for_the_last_month():
    requests = BinanceFuturesConnector().build_requests("https://fapi", "BTCUSDT", None)
    funding, interest = requests[:-1], requests[-1]
    assert len(funding) == 7 and all(r.params["limit"] == "1000" for r in funding)
    assert interest.url == "https://fapi/futures/data/openInterestHist" and interest.params["period"] == "1d"
    start = datetime.fromtimestamp(int(interest.params["startTime"]) / 1000, UTC).date()
    assert start == datetime.now(UTC).date() - timedelta(days=29)


# --- Bybit ---------------------------------------------------------------------------------------


def test_bybit_funding_and_open_interest_documented_bodies():
    connector = BybitFuturesConnector()
    funding = connector.parse(
        body(
            {
                "retCode": 0,
                "retMsg": "OK",
                "result": {
                    "category": "linear",
                    "list": [{"symbol": "ETHPERP", "fundingRate": "0.0001", "fundingRateTimestamp": "1672041600000"}],
                },
                "retExtInfo": {},
                "time": 1672051897447,
            }
        ),
        "ETHUSDT",
    )
    assert funding["date"].tolist() == [date(2022, 12, 26)] and funding["funding_rate"].iloc[0] == pytest.approx(0.01)
    interest = connector.parse(
        body(
            {
                "retCode": 0,
                "retMsg": "OK",
                "result": {
                    "symbol": "BTCUSD",
                    "category": "inverse",
                    "list": [
                        {"openInterest": "461134384.00000000", "timestamp": "1669571400000"},
                        {"openInterest": "461134292.00000000", "timestamp": "1669571100000"},
                    ],
                    "nextPageCursor": "",
                },
                "retExtInfo": {},
                "time": 1672053548579,
            }
        ),
        "BTCUSDT",
    )
    assert interest["open_interest"].tolist() == [461134384.0] and interest["open_interest_usd"].isna().all()
    with pytest.raises(ParseError, match="Bybit error 10001"):
        connector.parse(body({"retCode": 10001, "retMsg": "params error", "result": {}}), "BTCUSDT")
    with pytest.raises(ParseError, match="result.list"):
        connector.parse(body({"retCode": 0, "retMsg": "OK", "result": {}}), "BTCUSDT")


def test_bybit_asks_two_years_in_pages_the_limit_can_answer():
    requests = BybitFuturesConnector().build_requests("https://bybit", "BTCUSDT", None)
    funding = [r for r in requests if r.url.endswith("/funding/history")]
    interest = [r for r in requests if r.url.endswith("/open-interest")]
    assert len(funding) == 13 and len(interest) == 4 and all(r.params["category"] == "linear" for r in requests)
    assert all(r.params["intervalTime"] == "1d" for r in interest)
    span = (int(funding[0].params["endTime"]) - int(funding[0].params["startTime"]) + 1) / 86_400_000
    assert span * 3 <= 200  # a page's settlements fit one answer


# --- OKX -----------------------------------------------------------------------------------------


def test_okx_funding_and_open_interest_documented_bodies():
    connector = OkxFuturesConnector()
    funding = connector.parse(
        body(
            {
                "code": "0",
                "msg": "",
                "data": [
                    {
                        "formulaType": "noRate",
                        "fundingRate": "0.0000746604960499",
                        "fundingTime": "1703059200000",
                        "instId": "BTC-USD-SWAP",
                        "instType": "SWAP",
                        "method": "next_period",
                        "realizedRate": "0.0000746572360545",
                    }
                ],
            }
        ),
        "BTC-USDT-SWAP",
    )
    assert funding["date"].tolist() == [date(2023, 12, 20)]
    assert funding["funding_rate"].iloc[0] == pytest.approx(0.00746572360545)  # the settled (realised) rate
    interest = connector.parse(
        body({"code": "0", "msg": "", "data": [["1701417600000", "731377.57500501", "111", "6.22e9"]]}),
        "BTC-USDT-SWAP",
    )
    assert interest["open_interest"].tolist() == [111.0] and interest["open_interest_usd"].tolist() == [6.22e9]
    with pytest.raises(ParseError, match="OKX error 51001"):
        connector.parse(body({"code": "51001", "msg": "Instrument ID does not exist", "data": []}), "X-SWAP")
    with pytest.raises(ParseError, match="arrays"):
        connector.parse(body({"code": "0", "msg": "", "data": [["1701417600000", "1"]]}), "BTC-USDT-SWAP")


def test_okx_asks_funding_for_three_months_and_open_interest_from_2024():
    requests = OkxFuturesConnector().build_requests("https://okx", "BTC-USDT-SWAP", None)
    funding = [r for r in requests if "funding" in r.url]
    interest = [r for r in requests if "open-interest" in r.url]
    assert len(funding) == 4 and all(int(r.params["limit"]) * 8 >= 30 * 24 for r in funding)
    first = datetime.fromtimestamp((int(interest[0].params["begin"]) + 1) / 1000, UTC).date()
    assert first == date(2024, 1, 1) and all(r.params["period"] == "1Dutc" for r in interest)
