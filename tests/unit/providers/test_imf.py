"""Parsers of IMF DataMapper."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from datasources.base import ParseError
from datasources.providers.imf import ImfDataMapperConnector
from tests.unit.providers.bodies import body


def test_imf_datamapper_keeps_outcomes_not_forecasts():
    year = datetime.now(UTC).year
    doc = {"values": {"NGDP_RPCH": {"USA": {"2022": 2.5, str(year): 2.0, str(year + 2): 2.1}}}}
    frame = ImfDataMapperConnector().parse(body(doc), "USA:NGDP_RPCH")
    assert frame[["date", "value", "country"]].values.tolist() == [
        [date(2022, 1, 1), 2.5, "USA"],
        [date(year, 1, 1), 2.0, "USA"],
    ]
    with pytest.raises(ParseError, match="no values.NGDP_RPCH.XXX"):
        ImfDataMapperConnector().parse(body(doc), "XXX:NGDP_RPCH")
