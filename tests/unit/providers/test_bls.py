"""Parsers of BLS public API v1."""

from __future__ import annotations

from datetime import date

import pytest

from datasources.base import ParseError
from datasources.providers.bls import BlsTimeseriesConnector
from tests.unit.providers.bodies import body


def test_bls_monthly_values_skip_the_annual_average():
    doc = {"status": "REQUEST_SUCCEEDED", "message": [], "Results": {"series": [{"seriesID": "LNS14000000", "data": [
        {"year": "2024", "period": "M13", "value": "4.0"},
        {"year": "2024", "period": "M10", "periodName": "October", "value": "4.1"},
        {"year": "2024", "period": "M09", "periodName": "September", "value": "4.1"},
        {"year": "2024", "period": "M08", "periodName": "August", "value": "-"}]}]}}  # fmt: skip
    frame = BlsTimeseriesConnector().parse(body(doc), "LNS14000000")
    assert frame[["date", "value"]].values.tolist() == [[date(2024, 9, 1), 4.1], [date(2024, 10, 1), 4.1]]
    with pytest.raises(ParseError, match="REQUEST_NOT_PROCESSED daily threshold"):
        BlsTimeseriesConnector().parse(body({"status": "REQUEST_NOT_PROCESSED", "message": ["daily threshold"]}), "X")
