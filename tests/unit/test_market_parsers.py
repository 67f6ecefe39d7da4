"""Every connector's parser on the real recorded responses in ../shared/samples/real (skipped
where that folder is absent) and on the ways a body can be wrong."""

from __future__ import annotations

import json

import pandas as pd
import pytest
import yaml

from datasources.base import BAR_COLUMNS, ParseError
from datasources.cboe import parse_cboe_history
from datasources.cnn import parse_graphdata
from datasources.crypto import parse_klines, parse_markets
from datasources.fx import parse_frankfurter, parse_sdmx_json, split_pair
from datasources.stooq import parse_stooq_csv
from datasources.treasury import parse_par_yields
from datasources.yahoo import parse_chart
from tests.conftest import SHARED_SAMPLES


def sample(path: str) -> bytes:
    full = SHARED_SAMPLES / path
    if not full.exists():
        pytest.skip("../shared/samples/real is not present")
    return full.read_bytes()


def day(frame: pd.DataFrame, iso: str) -> pd.Series:
    return frame.set_index("ts").loc[pd.Timestamp(iso, tz="UTC")]


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


def test_yahoo_error_object_is_a_parse_error():
    with pytest.raises(ParseError, match="Not Found: No data found"):
        parse_chart({"chart": {"result": None, "error": {"code": "Not Found", "description": "No data found"}}}, "XX")


def test_stooq_daily_csv():
    bars = parse_stooq_csv(sample("stooq/ndx_d_2022-01.csv"), "^NDX")
    assert bars.iloc[0][["open", "high", "low", "close", "volume"]].tolist() == [
        110.62,
        112.16,
        110.57,
        112.14,
        26406897,
    ]
    last = day(bars, "2022-01-24")
    assert (last["close"], last["low"]) == (14509.58, 13724.85)
    assert bars["ts"].iloc[0] == pd.Timestamp("1985-10-01", tz="UTC")


@pytest.mark.parametrize("body", [b"", b"No data", b"<html>blocked</html>", b"Date,Open\n2022-01-03,1\n"])
def test_stooq_bad_bodies(body):
    with pytest.raises(ParseError):
        parse_stooq_csv(body, "^NDX")


def test_cboe_vix_history():
    bars = parse_cboe_history(sample("cboe/VIX_History_2026-03.csv"), "VIX")
    assert day(bars, "1990-01-02")["close"] == 17.24
    last = day(bars, "2026-03-27")
    assert (last["open"], last["high"], last["low"], last["close"]) == (27.54, 31.65, 27.54, 31.05)


def test_cboe_single_column_history_like_vvix():
    bars = parse_cboe_history(b"DATE,VVIX\n01/03/2024,88.5\n01/04/2024,87.1\n", "VVIX")
    assert bars["close"].tolist() == [88.5, 87.1]
    assert bars["open"].isna().all()


def test_treasury_par_yield_curve_csv():
    frame = parse_par_yields(sample("treasury/daily-treasury-rates_2023_csv.csv"), ["10 Yr", "4 Mo", "1 Mo"])
    by = frame.set_index(["series_id", "date"])["value"]
    assert by[("10 Yr", pd.Timestamp("2023-12-20").date())] == 3.86
    assert by[("4 Mo", pd.Timestamp("2023-12-20").date())] == 5.45
    assert frame.groupby("series_id")["date"].apply(lambda d: d.is_monotonic_increasing).all()


def test_treasury_year_without_a_tenor_gives_no_rows_not_an_error():
    assert parse_par_yields(b'Date,"1 Mo","10 Yr"\n12/30/2021,0.06,1.52\n', ["4 Mo"]).empty


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


def test_coingecko_markets_snapshot():
    bars = parse_markets(json.loads(sample("coingecko/coins_markets_vs_usd_per_page5_2023-01-02.json")), "bitcoin")
    assert bars.iloc[0][["high", "low", "close", "volume"]].tolist() == [16759.71, 16554.8, 16730.75, 12892500366]
    assert bars["ts"].iloc[0] == pd.Timestamp("2023-01-02", tz="UTC")
    with pytest.raises(ParseError, match="'dogecoin' not in the response"):
        parse_markets(json.loads(sample("coingecko/coins_markets_vs_usd_per_page5_2023-01-02.json")), "dogecoin")


def test_frankfurter_one_day_and_latest():
    bars = parse_frankfurter(json.loads(sample("frankfurter/v1_2025-06-13_base_EUR.json")), "EURJPY")
    assert (bars["ts"].iloc[0], bars["close"].iloc[0]) == (pd.Timestamp("2025-06-13", tz="UTC"), 165.94)
    latest = parse_frankfurter(json.loads(sample("frankfurter/v1_latest_base_USD_symbols_EUR_USD.json")), "USDEUR")
    assert latest["close"].tolist() == [0.8531]


def test_frankfurter_time_series_and_errors():
    doc = {"amount": 1.0, "base": "EUR", "start_date": "2024-01-02", "end_date": "2024-01-03",
           "rates": {"2024-01-03": {"USD": 1.0919}, "2024-01-02": {"USD": 1.0956}}}  # fmt: skip
    assert parse_frankfurter(doc, "EURUSD")["close"].tolist() == [1.0956, 1.0919]
    with pytest.raises(ParseError, match="not found"):
        parse_frankfurter(json.loads(sample("frankfurter/v1_not_found_error.json")), "EURUSD")
    with pytest.raises(ParseError, match="asked for base EUR"):
        parse_frankfurter({"base": "USD", "date": "2024-01-02", "rates": {"EUR": 0.9}}, "EURUSD")


def test_ecb_sdmx_json_reference_rates():
    cassette = yaml.safe_load(sample("ecb/openbb_vcr_data-api_EXR_D.USD.EUR.SP00.A_jsondata.yaml"))
    doc = json.loads(cassette["interactions"][0]["response"]["body"]["string"])
    bars = parse_sdmx_json(doc, "EURUSD")
    assert bars["close"].tolist() == [1.0842, 1.0865, 1.0872, 1.0865, 1.0898]
    assert bars["ts"].iloc[0] == pd.Timestamp("2024-06-03", tz="UTC")
    with pytest.raises(ParseError, match="SDMX-JSON"):
        parse_sdmx_json({"error": "x"}, "EURUSD")


def test_cnn_fear_and_greed_history_and_components():
    doc = json.loads(sample("cnn/cnn_fearandgreed_graphdata_2024-02-09.json"))
    index = parse_graphdata(doc, "fear_and_greed")
    assert index["date"].is_unique and index["value"].between(0, 100).all()
    assert index.iloc[0][["value", "label"]].tolist() == [pytest.approx(72.4857142857143), "greed"]
    put_call = parse_graphdata(doc, "put_call_options")
    assert put_call["value"].iloc[0] == pytest.approx(0.8394458606507358)
    with pytest.raises(ParseError, match="unknown Fear & Greed component"):
        parse_graphdata(doc, "aaii")


def test_pairs_must_be_six_letters():
    assert split_pair("eurusd") == ("EUR", "USD")
    with pytest.raises(ValueError, match="not a currency pair"):
        split_pair("EUR/USD")
