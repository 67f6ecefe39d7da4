"""Parsers of CBOE index history CSVs and the delayed option quotes read as put/call ratios (the chain
summary: tests/unit/test_option_chain.py)."""

from __future__ import annotations

from datetime import date

import pytest

from datasources.base import ParseError
from datasources.providers.cboe.indices import CboeIndexHistoryConnector, parse_cboe_history
from datasources.providers.cboe.option_chain import CboeOptionChainConnector
from datasources.providers.cboe.options import CboeOptionsPutCallConnector
from tests.unit.providers.bodies import body, day, sample


def test_cboe_vix_history():
    bars = parse_cboe_history(sample("cboe/VIX_History_2026-03.csv"), "VIX")
    assert day(bars, "1990-01-02")["close"] == 17.24
    last = day(bars, "2026-03-27")
    assert (last["open"], last["high"], last["low"], last["close"]) == (27.54, 31.65, 27.54, 31.05)


def test_cboe_single_column_history_like_vvix():
    bars = parse_cboe_history(b"DATE,VVIX\n01/03/2024,88.5\n01/04/2024,87.1\n", "VVIX")
    assert bars["close"].tolist() == [88.5, 87.1]
    assert bars["open"].isna().all()


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


@pytest.mark.parametrize("data", [[], [{"option": "SPX241220C05900000"}], None, "n/a", {"options": {}}])
def test_option_quotes_of_another_shape_are_refused_not_a_crash(data):
    """``data`` a list (or anything but an object holding a list of options): a ParseError
    naming what is missing, for the put/call ratios and the chain summary alike."""
    for connector in (CboeOptionsPutCallConnector(), CboeOptionChainConnector()):
        with pytest.raises(ParseError, match="no data.options"):
            connector.parse(body({"timestamp": "2024-11-22 16:15:02", "data": data}), "_SPX:volume")


def test_the_index_connector_asks_for_the_index_history_file():
    (request,) = CboeIndexHistoryConnector().build_requests("https://c", "VVIX", None)
    assert request.url == "https://c/api/global/us_indices/daily_prices/VVIX_History.csv"
    assert CboeIndexHistoryConnector().parse(b"DATE,VVIX\n01/03/2024,88.5\n", "VVIX")["close"].tolist() == [88.5]
