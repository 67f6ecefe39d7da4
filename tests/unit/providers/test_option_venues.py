"""Parsers of the option-chain venues beyond CBOE (Deribit, Bybit, OKX, Binance, Polygon, EODHD)
on small bodies in each venue's documented format: the contracts read, the summary per expiry
(datasources/chains.py), the venue's error answers, and the multi-request hook
(``parse_bodies``) where one chain takes several endpoints."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import pytest

from datasources.base import ParseError, parse_responses, reads_together
from datasources.chains import dashed_symbols
from datasources.providers.binance import BinanceOptionChainConnector
from datasources.providers.bybit import BybitOptionChainConnector
from datasources.providers.deribit import DeribitOptionChainConnector
from datasources.providers.eodhd_options import EodhdOptionChainConnector
from datasources.providers.okx import OkxOptionChainConnector
from datasources.providers.polygon import PolygonOptionChainConnector
from tests.unit.providers.bodies import body

DAY_MS = int(datetime(2024, 11, 25, 12, tzinfo=UTC).timestamp() * 1000)  # 2024-11-25


def test_crypto_contract_names_of_every_venue():
    names = dashed_symbols(
        pd.Series(
            [
                "BTC-27DEC24-60000-C",
                "ETH-3JAN25-3000-P",
                "BTC-241227-60000-C",
                "BTC-USD-241227-60000-P",
                "XRP_USDC-27DEC24-0d625-C",
                "SOL-27DEC24-200-C-USDT",
                "BTC-PERPETUAL",
            ]
        )
    )
    assert names["root"].tolist()[:6] == ["BTC", "ETH", "BTC", "BTC", "XRP", "SOL"]
    assert [str(d.date()) for d in names["expiry"][:3]] == ["2024-12-27", "2025-01-03", "2024-12-27"]
    assert names["strike"].tolist()[:5] == [60000, 3000, 60000, 60000, 0.625]
    assert names["kind"].tolist()[:4] == ["C", "P", "C", "P"] and names.iloc[6].isna().all()


def deribit_summary(name, volume, oi, mark_iv, stamp=DAY_MS, index=100.0):
    return {
        "instrument_name": name,
        "volume": volume,
        "open_interest": oi,
        "mark_iv": mark_iv,
        "underlying_price": index,
        "estimated_delivery_price": index,
        "creation_timestamp": stamp,
        "base_currency": "BTC",
    }


DERIBIT_BOOK = {
    "jsonrpc": "2.0",
    "result": [
        deribit_summary("BTC-27DEC24-90-P", 5.0, 30.0, 70.0),
        deribit_summary("BTC-27DEC24-100-P", 10.0, 20.0, 60.0),
        deribit_summary("BTC-27DEC24-100-C", 8.0, 40.0, 50.0),
        deribit_summary("BTC-27DEC24-110-C", 2.0, 10.0, 45.0),
        deribit_summary("BTC-20NOV24-100-C", 2.0, 10.0, 45.0),  # expired: left out
        deribit_summary("BTC-PERPETUAL", 2.0, 10.0, None),  # not an option
    ],
}


def test_deribit_chain_reads_book_summary_and_index():
    connector = DeribitOptionChainConnector()
    assert reads_together(connector)
    index = {"jsonrpc": "2.0", "result": {"index_price": 104.0, "estimated_delivery_price": 104.0}}
    (frame,) = parse_responses(connector, [body(DERIBIT_BOOK), body(index)], "BTC")
    row = frame.iloc[0]
    assert len(frame) == 1 and str(row["date"]) == "2024-11-25" and str(row["expiry"]) == "2024-12-27"
    assert row["underlying_price"] == 104.0 and row["contracts"] == 4
    assert (row["call_volume"], row["put_volume"], row["put_call_volume"]) == (10.0, 15.0, 1.5)
    assert (row["call_open_interest"], row["put_open_interest"]) == (50.0, 50.0)
    # ATM at 104 between the 100 strike (mean of 60 % and 50 %) and 110 (45 %).
    assert row["atm_iv"] == pytest.approx(55 + 0.4 * (45 - 55))
    # The book summary alone: the spot is its own estimated delivery price.
    alone = connector.parse(body(DERIBIT_BOOK), "BTC")
    assert alone.iloc[0]["underlying_price"] == 100.0


def test_deribit_chain_errors():
    connector = DeribitOptionChainConnector()
    error = {"jsonrpc": "2.0", "error": {"code": 10020, "message": "invalid currency"}}
    with pytest.raises(ParseError, match="Deribit error 10020"):
        connector.parse(body(error), "XXX")
    with pytest.raises(ParseError, match="no option book summaries"):
        connector.parse(body({"jsonrpc": "2.0", "result": []}), "BTC")
    with pytest.raises(ParseError, match="no ETH option contracts"):
        connector.parse(body(DERIBIT_BOOK), "ETH")


def bybit_ticker(symbol, volume, oi, iv, delta):
    return {
        "symbol": symbol,
        "volume24h": volume,
        "openInterest": oi,
        "markIv": iv,
        "delta": delta,
        "indexPrice": "100.00",
        "underlyingPrice": "100.50",
        "bid1Price": "0",
    }


BYBIT = {
    "retCode": 0,
    "retMsg": "SUCCESS",
    "result": {
        "category": "option",
        "list": [
            bybit_ticker("BTC-27DEC24-90-P", "4", "10", "0.70", "-0.20"),
            bybit_ticker("BTC-27DEC24-95-P", "6", "10", "0.65", "-0.30"),
            bybit_ticker("BTC-27DEC24-100-C", "3", "20", "0.50", "0.50"),
            bybit_ticker("BTC-27DEC24-105-C", "2", "", "0.48", "0.30"),
            bybit_ticker("BTC-27DEC24-110-C", "1", "5", "0.46", "0.20"),
        ],
    },
    "time": DAY_MS,
}


def test_bybit_chain_reads_option_tickers():
    connector = BybitOptionChainConnector()
    assert not reads_together(connector)
    row = connector.parse(body(BYBIT), "BTC").iloc[0]
    assert str(row["date"]) == "2024-11-25" and row["underlying_price"] == 100.0 and row["contracts"] == 5
    assert (row["put_volume"], row["call_volume"], row["put_call_oi"]) == (10.0, 6.0, 0.8)
    # 25-delta: puts between -0.2 (70 %) and -0.3 (65 %), calls between 0.2 (46 %) and 0.3 (48 %).
    assert row["skew_25d"] == pytest.approx(67.5 - 47.0)
    assert row["atm_iv"] == pytest.approx(50.0)  # the 100 strike has only a call


def test_bybit_chain_errors():
    connector = BybitOptionChainConnector()
    with pytest.raises(ParseError, match="Bybit error 10001"):
        connector.parse(body({"retCode": 10001, "retMsg": "params error", "result": {}}), "BTC")
    with pytest.raises(ParseError, match="no option tickers"):
        connector.parse(body({"retCode": 0, "retMsg": "OK", "result": {"list": []}, "time": DAY_MS}), "BTC")


def okx(data, code="0"):
    return body({"code": code, "msg": "" if code == "0" else "Instrument ID does not exist", "data": data})


OKX_NAMES = ["BTC-USD-241227-95-P", "BTC-USD-241227-100-C", "BTC-USD-241227-105-C", "ETH-USD-241227-100-C"]
OKX_SUMMARY = [
    {"instId": n, "markVol": v, "deltaBS": d, "delta": "0.1", "fwdPx": "101", "ts": str(DAY_MS)}
    for n, v, d in zip(OKX_NAMES, ["0.6", "0.5", "0.4", "0.9"], ["-0.3", "0.5", "0.3", "0.5"], strict=True)
]


def test_okx_chain_joins_greeks_volumes_open_interest_and_index():
    connector = OkxOptionChainConnector()
    assert reads_together(connector) and len(connector.build_requests("http://x", "BTC", None)) == 4
    tickers = [
        {"instId": n, "volCcy24h": v, "vol24h": "999"} for n, v in zip(OKX_NAMES, ["3", "2", "1", "9"], strict=True)
    ]
    interest = [{"instId": n, "oiCcy": v, "oi": "999"} for n, v in zip(OKX_NAMES, ["6", "4", "", "9"], strict=True)]
    index = [{"instId": "BTC-USD", "idxPx": "100"}]
    bodies = [okx(OKX_SUMMARY), okx(tickers), okx(interest), okx(index)]
    (frame,) = parse_responses(connector, bodies, "BTC")
    row = frame.iloc[0]
    assert row["contracts"] == 3 and row["underlying_price"] == 100.0 and str(row["date"]) == "2024-11-25"
    assert (row["put_volume"], row["call_volume"], row["put_call_volume"]) == (3.0, 3.0, 1.0)
    assert (row["put_open_interest"], row["call_open_interest"]) == (6.0, 4.0)
    assert row["atm_iv"] == pytest.approx(50.0)
    # The greeks alone: the median forward as the spot, no volumes.
    alone = connector.parse(okx(OKX_SUMMARY), "BTC").iloc[0]
    assert alone["underlying_price"] == 101.0 and pd.isna(alone["call_volume"])


def test_okx_chain_errors():
    connector = OkxOptionChainConnector()
    with pytest.raises(ParseError, match="OKX error 51001"):
        connector.parse(okx([], code="51001"), "BTC")
    with pytest.raises(ParseError, match="no option summaries"):
        connector.parse(okx([]), "BTC")
    with pytest.raises(ParseError, match="no option tickers"):
        connector.parse_bodies([okx(OKX_SUMMARY), okx([]), okx([]), okx([])], "BTC")


BINANCE_TICKERS = [
    {"symbol": "BTC-241227-95-P", "volume": "4", "exercisePrice": "100.0", "closeTime": DAY_MS},
    {"symbol": "BTC-241227-100-C", "volume": "2", "exercisePrice": "100.0", "closeTime": DAY_MS},
    {"symbol": "BTC-241227-105-C", "volume": "2", "exercisePrice": "100.0", "closeTime": DAY_MS},
    {"symbol": "ETH-241227-3000-C", "volume": "9", "exercisePrice": "3000.0", "closeTime": DAY_MS},
]
BINANCE_MARKS = [
    {"symbol": "BTC-241227-95-P", "markIV": "0.6", "delta": "-0.3"},
    {"symbol": "BTC-241227-100-C", "markIV": "0.5", "delta": "0.5"},
    {"symbol": "BTC-241227-105-C", "markIV": "0.4", "delta": "0.3"},
]


def test_binance_chain_reads_tickers_with_marks():
    connector = BinanceOptionChainConnector()
    assert reads_together(connector)
    (frame,) = parse_responses(connector, [body(BINANCE_TICKERS), body(BINANCE_MARKS)], "BTC")
    row = frame.iloc[0]
    assert row["contracts"] == 3 and row["underlying_price"] == 100.0 and str(row["expiry"]) == "2024-12-27"
    assert (row["put_volume"], row["call_volume"], row["put_call_volume"]) == (4.0, 4.0, 1.0)
    assert pd.isna(row["call_open_interest"]) and pd.isna(row["max_pain"])  # no open interest asked for
    assert row["atm_iv"] == pytest.approx(50.0)
    assert pd.isna(connector.parse(body(BINANCE_TICKERS), "BTC").iloc[0]["atm_iv"])  # no marks, no IVs


def test_binance_chain_errors():
    connector = BinanceOptionChainConnector()
    with pytest.raises(ParseError, match="Binance options error -1121"):
        connector.parse(body({"code": -1121, "msg": "Invalid symbol."}), "BTC")
    with pytest.raises(ParseError, match="no option tickers"):
        connector.parse(body([]), "BTC")
    with pytest.raises(ParseError, match="no SOL option contracts"):
        connector.parse_bodies([body(BINANCE_TICKERS), body(BINANCE_MARKS)], "SOL")


# The shape of the recorded snapshot in polygon-io/client-python (test_rest/mocks/v3/snapshot/
# options/AAPL.json): details, day, greeks, implied_volatility, open_interest, underlying_asset.
NS = 1651254263172073152  # 2022-04-29 17:44 UTC, 13:44 in New York


def polygon_contract(kind, expiry, strike, volume, oi, iv, delta, price=159.96):
    return {
        "break_even_price": strike + 5,
        "day": {"close": 5.0, "volume": volume, "last_updated": 1651204800000000000},
        "details": {
            "contract_type": kind,
            "exercise_style": "american",
            "expiration_date": expiry,
            "shares_per_contract": 100,
            "strike_price": strike,
            "ticker": "O:AAPL",
        },
        "greeks": {"delta": delta, "gamma": 0.006, "theta": -0.03, "vega": 0.6},
        "implied_volatility": iv,
        "open_interest": oi,
        "underlying_asset": {"last_updated": NS, "price": price, "ticker": "AAPL", "timeframe": "REAL-TIME"},
    }


def polygon_page(results, more=False):
    doc = {"request_id": "104d9b901d0c9e81d284cb8b41c5cdd3", "results": results, "status": "OK"}
    if more:
        doc["next_url"] = "https://api.polygon.io/v3/snapshot/options/AAPL?cursor=YWN0aXZlPXRydWU"
    return body(doc)


def test_polygon_chain_reads_snapshot_pages_and_leaves_cut_expiries_out():
    connector = PolygonOptionChainConnector()
    requests = connector.build_requests("http://x", "AAPL", None, "key")
    assert reads_together(connector) and len(requests) == 14
    assert {r.params["contract_type"] for r in requests} == {"call", "put"} and requests[0].key_param == "apiKey"
    calls = polygon_page(
        [
            polygon_contract("call", "2022-05-20", 150, 8, 8133, 0.36, 0.64),
            polygon_contract("call", "2022-05-20", 160, 20, 5000, 0.33, 0.50),
            polygon_contract("call", "2022-06-17", 160, 1, 10, 0.30, 0.5),  # cut by the page: left out
        ],
        more=True,
    )
    puts = polygon_page(
        [
            polygon_contract("put", "2022-05-20", 160, 30, 4000, 0.35, -0.5),
            polygon_contract("put", "2022-06-17", 160, 1, 10, 0.30, -0.5),  # its calls were cut: left out
        ]
    )
    (frame,) = parse_responses(connector, [calls, puts], "AAPL")
    assert len(frame) == 1
    row = frame.iloc[0]
    assert str(row["date"]) == "2022-04-29" and str(row["expiry"]) == "2022-05-20" and row["underlying"] == "AAPL"
    assert row["underlying_price"] == 159.96 and row["contracts"] == 3
    assert (row["call_volume"], row["put_volume"], row["call_open_interest"]) == (28.0, 30.0, 13133.0)
    assert row["atm_iv"] == pytest.approx(34.0, abs=0.1)


def test_polygon_chain_errors():
    connector = PolygonOptionChainConnector()
    refused = body({"status": "NOT_AUTHORIZED", "request_id": "x", "message": "You are not entitled to this data."})
    with pytest.raises(ParseError, match="NOT_AUTHORIZED You are not entitled"):
        connector.parse(refused, "AAPL")
    with pytest.raises(ParseError, match="no I:SPX option contracts"):
        connector.parse(polygon_page([]), "I:SPX")


def eodhd_contract(kind, expiry, strike, bid, ask, volume, oi, iv, delta):
    return {
        "id": f"AAPL-{expiry}-{kind}-{strike}",
        "type": "options-contracts",
        "attributes": {
            "contract": "AAPL",
            "type": kind,
            "exp_date": expiry,
            "strike": strike,
            "bid": bid,
            "ask": ask,
            "last": None,
            "volume": volume,
            "open_interest": oi,
            "volatility": iv,
            "delta": delta,
            "tradetime": "2024-11-25 16:00:00",
        },
    }


def eodhd_page(data, more=False):
    links = {"next": "https://eodhd.com/api/mp/unicornbay/options/contracts?page[offset]=1000" if more else None}
    return body({"meta": {"offset": 0, "limit": 1000, "total": 3}, "data": data, "links": links})


def test_eodhd_chain_reads_pages_and_takes_the_spot_from_put_call_parity():
    connector = EodhdOptionChainConnector()
    requests = connector.build_requests("http://x", "AAPL", None, "key")
    assert reads_together(connector) and len(requests) == 6 and requests[0].key_param == "api_token"
    page = eodhd_page(
        [
            eodhd_contract("call", "2024-12-20", 95, 7.9, 8.1, 5, 100, 0.30, 0.70),
            eodhd_contract("put", "2024-12-20", 95, 1.9, 2.1, 10, 300, 0.34, -0.30),
            eodhd_contract("call", "2024-12-20", 100, 4.9, 5.1, 20, 200, 0.28, 0.50),
            eodhd_contract("put", "2024-12-20", 100, 3.9, 4.1, 30, 100, 0.30, -0.50),
            eodhd_contract("call", "2024-12-20", 105, 2.9, 3.1, 0, 0, 0.26, 0.30),
            eodhd_contract("put", "2024-12-20", 105, 6.9, 7.1, 0, 0, 0.28, -0.70),
        ]
    )
    (frame,) = parse_responses(connector, [page, eodhd_page([])], "AAPL")
    row = frame.iloc[0]
    # C - P is smallest at 100 (5 - 4): the spot is 100 + 1.
    assert row["underlying_price"] == 101.0 and str(row["date"]) == "2024-11-25" and row["contracts"] == 6
    assert (row["call_volume"], row["put_volume"], row["put_open_interest"]) == (25.0, 40.0, 400.0)
    assert row["atm_iv"] == pytest.approx(29.0 + 0.2 * (27.0 - 29.0))


def test_eodhd_chain_leaves_an_expiry_the_last_page_cut_out_and_errors():
    connector = EodhdOptionChainConnector()
    cut = eodhd_page(
        [
            eodhd_contract("call", "2024-12-20", 100, 4.9, 5.1, 20, 200, 0.28, 0.50),
            eodhd_contract("put", "2024-12-20", 100, 3.9, 4.1, 30, 100, 0.30, -0.50),
            eodhd_contract("call", "2025-01-17", 100, 6.9, 7.1, 1, 1, 0.3, 0.5),
        ],
        more=True,
    )
    assert [str(e) for e in connector.parse(cut, "AAPL")["expiry"]] == ["2024-12-20"]
    with pytest.raises(ParseError, match="EODHD options error"):
        connector.parse(body({"errors": [{"status": "401", "title": "Unauthenticated"}]}), "AAPL")
    with pytest.raises(ParseError, match="no AAPL option contracts"):
        connector.parse(eodhd_page([]), "AAPL")
