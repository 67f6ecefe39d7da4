"""Parsers of open.er-api.com latest rates."""

from __future__ import annotations

import pandas as pd
import pytest

from datasources.base import ParseError
from datasources.providers.open_er_api import OpenErApiConnector
from tests.unit.providers.bodies import body

DAY2 = 1732492800  # 2024-11-25 00:00 UTC


def test_open_er_api_latest():
    doc = {"result": "success", "base_code": "USD", "time_last_update_unix": DAY2, "rates": {"JPY": 154.2, "EUR": 0.95}}
    bars = OpenErApiConnector().parse(body(doc), "USDJPY")
    assert (bars["ts"].iloc[0], bars["close"].iloc[0]) == (pd.Timestamp("2024-11-25", tz="UTC"), 154.2)
    with pytest.raises(ParseError, match="unsupported-code"):
        OpenErApiConnector().parse(body({"result": "error", "error-type": "unsupported-code"}), "XXXJPY")
