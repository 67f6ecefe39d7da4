"""Parsers of US Treasury Fiscal Data."""

from __future__ import annotations

from datetime import date

import pytest

from datasources.base import ParseError
from datasources.providers.fiscaldata import FiscalDataConnector
from tests.unit.providers.bodies import body


def test_fiscal_data_debt_to_the_penny():
    doc = {"data": [{"record_date": "2026-11-20", "tot_pub_debt_out_amt": "38123456789012.34"}], "meta": {"count": 1}}
    symbol = "v2/accounting/od/debt_to_penny:tot_pub_debt_out_amt"
    frame = FiscalDataConnector().parse(body(doc), symbol)
    assert frame["value"].tolist() == [38123456789012.34]
    (request,) = FiscalDataConnector().build_requests("https://x", symbol, date(2026, 11, 1))
    assert request.params["filter"] == "record_date:gte:2026-11-01"
    with pytest.raises(ParseError, match="rows lack"):
        FiscalDataConnector().parse(body({"data": [{"record_date": "2026-11-20"}]}), symbol)
