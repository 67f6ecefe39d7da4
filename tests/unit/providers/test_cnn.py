"""Parsers of CNN Fear & Greed graph data."""

from __future__ import annotations

import json
from datetime import date

import pytest

from datasources.base import ParseError
from datasources.providers.cnn import CnnFearGreedConnector, parse_graphdata
from tests.unit.providers.bodies import body, sample


def test_cnn_fear_and_greed_history_and_components():
    doc = json.loads(sample("cnn/cnn_fearandgreed_graphdata_2024-02-09.json"))
    index = parse_graphdata(doc, "fear_and_greed")
    assert index["date"].is_unique and index["value"].between(0, 100).all()
    assert index.iloc[0][["value", "label"]].tolist() == [pytest.approx(72.4857142857143), "greed"]
    put_call = parse_graphdata(doc, "put_call_options")
    assert put_call["value"].iloc[0] == pytest.approx(0.8394458606507358)
    with pytest.raises(ParseError, match="unknown Fear & Greed component"):
        parse_graphdata(doc, "aaii")


def test_the_connector_asks_from_the_start_date_with_a_json_accept_header():
    (request,) = CnnFearGreedConnector().build_requests("https://n", "fear_and_greed", date(2024, 1, 2))
    assert request.url == "https://n/index/fearandgreed/graphdata/2024-01-02"
    assert request.headers == {"Accept": "application/json"}
    doc = {"fear_and_greed_historical": {"data": [{"x": 1704153600000, "y": 55.0, "rating": "neutral"}]}}
    frame = CnnFearGreedConnector().parse(body(doc), "fear_and_greed")
    assert frame[["value", "label"]].values.tolist() == [[55.0, "neutral"]]
