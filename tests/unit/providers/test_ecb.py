"""Parsers of The ECB's SDMX-JSON data API and its euro reference rates XML."""

from __future__ import annotations

import json

import pandas as pd
import pytest
import yaml

from datasources.base import ParseError
from datasources.providers.ecb import EcbReferenceXmlConnector, parse_sdmx_json
from tests.unit.providers.bodies import sample


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
