"""Parsers of Deribit DVOL."""

from __future__ import annotations

import pytest

from datasources.base import ParseError
from datasources.providers.deribit import DeribitVolatilityConnector
from tests.unit.providers.bodies import body

MS1, MS2 = 1732406400000, 1732492800000  # 2024-11-24, 2024-11-25


def test_deribit_dvol_index():
    doc = {
        "jsonrpc": "2.0",
        "result": {"data": [[MS1, 55.1, 57.0, 54.2, 56.3], [MS2, 56.3, 58.8, 55.0, 58.1]], "continuation": None},
    }
    bars = DeribitVolatilityConnector().parse(body(doc), "BTC")
    assert bars["close"].tolist() == [56.3, 58.1] and bars["volume"].isna().all()
    with pytest.raises(ParseError, match="Deribit error 10001: bad currency"):
        DeribitVolatilityConnector().parse(
            body({"jsonrpc": "2.0", "error": {"code": 10001, "message": "bad currency"}}), "XXX"
        )
