"""Parsers of alternative.me crypto Fear & Greed."""

from __future__ import annotations

import pytest

from datasources.base import ParseError
from datasources.providers.alternative_me import AlternativeMeFearGreedConnector
from tests.unit.providers.bodies import body

DAY1, DAY2 = 1732406400, 1732492800  # 2024-11-24, 2024-11-25 00:00 UTC


def test_alternative_me_fear_and_greed():
    doc = {"name": "Fear and Greed Index", "metadata": {"error": None},
           "data": [{"value": "72", "value_classification": "Greed", "timestamp": str(DAY2)},
                    {"value": "40", "value_classification": "Fear", "timestamp": str(DAY1)}]}  # fmt: skip
    frame = AlternativeMeFearGreedConnector().parse(body(doc), "crypto_fear_greed")
    assert frame[["value", "label"]].values.tolist() == [[40, "Fear"], [72, "Greed"]]
    with pytest.raises(ParseError, match="rate limited"):
        AlternativeMeFearGreedConnector().parse(body({"data": [], "metadata": {"error": "rate limited"}}), "x")
