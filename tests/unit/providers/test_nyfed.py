"""Parsers of New York Fed reference rates."""

from __future__ import annotations

from datetime import date

import pytest

from datasources.base import ParseError
from datasources.providers.nyfed import NyFedRatesConnector
from tests.unit.providers.bodies import body


def test_nyfed_reference_rates():
    doc = {"refRates": [{"effectiveDate": "2026-11-20", "type": "SOFR", "percentRate": 4.31},
                        {"effectiveDate": "2026-11-19", "type": "SOFR", "percentRate": 4.33}]}  # fmt: skip
    frame = NyFedRatesConnector().parse(body(doc), "secured/sofr")
    assert frame[["date", "value"]].values.tolist() == [[date(2026, 11, 19), 4.33], [date(2026, 11, 20), 4.31]]
    assert (
        NyFedRatesConnector()
        .build_requests("https://x", "secured/sofr", None)[0]
        .url.endswith("/secured/sofr/last/1300.json")
    )
    with pytest.raises(ParseError, match="no refRates"):
        NyFedRatesConnector().parse(body({"error": "x"}), "secured/sofr")
