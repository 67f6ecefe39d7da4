"""Parsers of LBMA's precious-metal price files (``/json/{series}.json``).

Wire-format facts: ``[{"is_cms_locked": 0, "d": "1968-04-01", "v": [37.7, 15.68, null]}, …]``,
oldest first, ``v`` = USD, GBP, EUR (EUR null before 1999), a day with a null USD price a
placeholder — the bodies recorded in public test suites (bpineau/pofo's LBMA parser test, a
``test_parse_lbma_gold_json_uses_usd_and_skips_null`` test reading the real feed). No recorded
body under ../shared/samples/real."""

from __future__ import annotations

import pandas as pd
import pytest

from datasources.base import ParseError
from datasources.providers.lbma import LbmaFixingConnector

CONNECTOR = LbmaFixingConnector()
RECORDED = (
    b'[{"is_cms_locked":0,"d":"1968-04-01","v":[37.7,15.68,null]},'
    b'{"is_cms_locked":0,"d":"1968-04-02","v":[null,15.6,null]},'
    b'{"is_cms_locked":0,"d":"1968-04-03","v":[37.6,15.63,null]}]'
)


def test_usd_prices_as_close_only_bars_null_days_skipped():
    bars = CONNECTOR.parse(RECORDED, "gold_pm")
    assert bars["ts"].tolist() == [pd.Timestamp("1968-04-01", tz="UTC"), pd.Timestamp("1968-04-03", tz="UTC")]
    assert bars["close"].tolist() == [37.7, 37.6]
    assert bars[["open", "high", "low"]].isna().all().all()


def test_bad_bodies_are_parse_errors():
    with pytest.raises(ParseError, match="non-empty list"):
        CONNECTOR.parse(b"[]", "gold_pm")
    with pytest.raises(ParseError, match="lack d/v"):
        CONNECTOR.parse(b'[{"d": "2024-01-02"}]', "gold_pm")
    with pytest.raises(ParseError, match="unparseable date"):
        CONNECTOR.parse(b'[{"d": "02/01/2024", "v": [2000.0, 1600.0, 1800.0]}]', "gold_pm")
    with pytest.raises(ParseError, match="no day with a USD price"):
        CONNECTOR.parse(b'[{"d": "2024-01-02", "v": [null, 1600.0, 1800.0]}]', "gold_pm")


def test_one_request_per_series_file():
    (request,) = CONNECTOR.build_requests("https://prices.lbma.org.uk", "silver", None)
    assert request.url == "https://prices.lbma.org.uk/json/silver.json" and request.key_param is None
    with pytest.raises(ValueError, match="not an LBMA price series"):
        CONNECTOR.build_requests("https://prices.lbma.org.uk", "copper", None)
