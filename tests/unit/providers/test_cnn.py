"""Parsers of CNN Fear & Greed graph data."""

from __future__ import annotations

import json

import pytest

from datasources.base import ParseError
from datasources.providers.cnn import parse_graphdata
from tests.unit.providers.bodies import sample


def test_cnn_fear_and_greed_history_and_components():
    doc = json.loads(sample("cnn/cnn_fearandgreed_graphdata_2024-02-09.json"))
    index = parse_graphdata(doc, "fear_and_greed")
    assert index["date"].is_unique and index["value"].between(0, 100).all()
    assert index.iloc[0][["value", "label"]].tolist() == [pytest.approx(72.4857142857143), "greed"]
    put_call = parse_graphdata(doc, "put_call_options")
    assert put_call["value"].iloc[0] == pytest.approx(0.8394458606507358)
    with pytest.raises(ParseError, match="unknown Fear & Greed component"):
        parse_graphdata(doc, "aaii")
