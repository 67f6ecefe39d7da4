"""Parser of OPEC's reference basket file (``/basket/basketDayArchives.xml``).

Wire-format facts: ``<BasketList data="2026-08-25" val="90.28"/>`` entries under a default
namespace ``http://tempuri.org/basketDayArchives.xsd`` — from public readers of the real file
(an R reader matching ``local-name()='BasketList'`` and its ``data``/``val`` attributes; Python
readers naming that namespace). No recorded body under ../shared/samples/real."""

from __future__ import annotations

import pandas as pd
import pytest

from datasources.base import ParseError
from datasources.providers.opec import OpecBasketConnector

CONNECTOR = OpecBasketConnector()
BODY = (
    b'<?xml version="1.0" standalone="yes"?>\n'
    b'<Basket xmlns="http://tempuri.org/basketDayArchives.xsd">\n'
    b'  <BasketList data="2026-08-22" val="89.71" />\n'
    b'  <BasketList data="2026-08-25" val="90.28" />\n'
    b"</Basket>"
)


def test_every_day_is_a_close_only_bar():
    bars = CONNECTOR.parse(BODY, "ORB")
    assert bars["ts"].tolist() == [pd.Timestamp("2026-08-22", tz="UTC"), pd.Timestamp("2026-08-25", tz="UTC")]
    assert bars["close"].tolist() == [89.71, 90.28]


def test_a_changed_namespace_still_parses():
    assert len(CONNECTOR.parse(BODY.replace(b"tempuri.org", b"opec.org"), "ORB")) == 2


def test_bad_bodies_are_parse_errors():
    with pytest.raises(ParseError, match="not XML"):
        CONNECTOR.parse(b'{"not": "xml"}', "ORB")
    with pytest.raises(ParseError, match="no BasketList"):
        CONNECTOR.parse(b"<html><body>Just a moment...</body></html>", "ORB")
    with pytest.raises(ParseError, match="lack data/val"):
        CONNECTOR.parse(b'<Basket><BasketList data="2026-08-25" /></Basket>', "ORB")
    with pytest.raises(ParseError, match="unparseable date"):
        CONNECTOR.parse(b'<Basket><BasketList data="25/08/2026" val="1" /></Basket>', "ORB")
    with pytest.raises(ParseError, match="no day with a price"):
        CONNECTOR.parse(b'<Basket><BasketList data="2026-08-25" val="" /></Basket>', "ORB")


def test_billion_laughs_are_refused():
    bomb = b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;">]><Basket>&b;</Basket>'
    with pytest.raises(ParseError):
        CONNECTOR.parse(bomb, "ORB")


def test_the_basket_only():
    (request,) = CONNECTOR.build_requests("https://www.opec.org", "ORB", None)
    assert request.url == "https://www.opec.org/basket/basketDayArchives.xml"
    with pytest.raises(ValueError, match="reference basket only"):
        CONNECTOR.build_requests("https://www.opec.org", "WTI", None)
