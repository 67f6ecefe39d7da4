"""Parsers of the ECB's SDMX-JSON data API and its euro reference rates XML."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import pytest
import yaml

from datasources.base import ParseError
from datasources.providers.ecb import EcbExrConnector, EcbReferenceXmlConnector, parse_sdmx_json
from tests.unit.providers.bodies import body, sample


def test_ecb_sdmx_json_reference_rates():
    cassette = yaml.safe_load(sample("ecb/openbb_vcr_data-api_EXR_D.USD.EUR.SP00.A_jsondata.yaml"))
    doc = json.loads(cassette["interactions"][0]["response"]["body"]["string"])
    bars = parse_sdmx_json(doc, "EURUSD")
    assert bars["close"].tolist() == [1.0842, 1.0865, 1.0872, 1.0865, 1.0898]
    assert bars["ts"].iloc[0] == pd.Timestamp("2024-06-03", tz="UTC")
    with pytest.raises(ParseError, match="SDMX-JSON"):
        parse_sdmx_json({"error": "x"}, "EURUSD")


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


def test_the_exr_connector_asks_for_the_daily_reference_rate_per_eur():
    (request,) = EcbExrConnector().build_requests("https://e", "EURUSD", date(2024, 1, 2))
    assert request.url == "https://e/service/data/EXR/D.USD.EUR.SP00.A"
    assert request.params == {"format": "jsondata", "startPeriod": "2024-01-02", "detail": "dataonly"}
    with pytest.raises(ValueError, match="per EUR"):
        EcbExrConnector().build_requests("https://e", "USDJPY", None)
    doc = {"dataSets": [{"series": {"0": {"observations": {"0": [1.09]}}}}],
           "structure": {"dimensions": {"observation": [{"id": "TIME_PERIOD", "values": [{"id": "2024-01-02"}]}]}}}  # fmt: skip
    assert EcbExrConnector().parse(body(doc), "EURUSD")["close"].tolist() == [1.09]
