"""Parsers of World Bank indicators."""

from __future__ import annotations

from datetime import date

import pytest

from datasources.base import ParseError
from datasources.providers.worldbank import WorldBankConnector
from tests.unit.providers.bodies import body


def test_world_bank_indicator_with_country():
    doc = [{"page": 1, "pages": 1, "per_page": 1000, "total": 3},
           [{"date": "2023", "value": 2.54, "countryiso3code": "USA"}, {"date": "2022", "value": 1.94, "countryiso3code": "USA"},
            {"date": "2021", "value": None, "countryiso3code": "USA"}]]  # fmt: skip
    frame = WorldBankConnector().parse(body(doc), "USA:NY.GDP.MKTP.KD.ZG")
    assert frame[["date", "value", "country"]].values.tolist() == [
        [date(2022, 1, 1), 1.94, "USA"],
        [date(2023, 1, 1), 2.54, "USA"],
    ]
    error = [{"message": [{"id": "120", "key": "Invalid value", "value": "The provided parameter value is not valid"}]}]
    with pytest.raises(ParseError, match="World Bank error 120"):
        WorldBankConnector().parse(body(error), "USA:BAD")
