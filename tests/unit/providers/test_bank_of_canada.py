"""Parsers of the Bank of Canada Valet API.

Wire-format facts: the Valet observations shape ``{"seriesDetail": {...}, "observations": [{"d":
"2024-01-02", "FXUSDCAD": {"v": "1.3245"}}]}`` (values as strings) from the recorded-response
notes of public clients (ebuchman/rates ``cad-usd.sh`` reads ``.observations[0].FXUSDCAD.v``; a
Pydantic model of the response with ``terms``, ``seriesDetail``, ``observations``), and the
Bank's own documentation (https://www.bankofcanada.ca/valet/docs) for the error body
``{"message": ..., "docs": ...}``. No recorded body under ../shared/samples/real."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from datasources.base import ParseError
from datasources.providers.bank_of_canada import BankOfCanadaValetConnector
from tests.unit.providers.bodies import body

CONNECTOR = BankOfCanadaValetConnector()


def valet(series="FXUSDCAD", rows=None):
    rows = rows if rows is not None else [
        {"d": "2024-01-02", series: {"v": "1.3316"}},
        {"d": "2024-01-03", series: {"v": "1.3347"}},
    ]  # fmt: skip
    detail = {series: {"label": "USD/CAD", "description": "US dollar to Canadian dollar daily exchange rate"}}
    return body({"terms": {"url": "https://www.bankofcanada.ca/terms/"}, "seriesDetail": detail, "observations": rows})


def test_observations_become_close_only_daily_bars():
    bars = CONNECTOR.parse(valet(), "FXUSDCAD")
    assert bars["ts"].tolist() == [pd.Timestamp("2024-01-02", tz="UTC"), pd.Timestamp("2024-01-03", tz="UTC")]
    assert bars["close"].tolist() == [1.3316, 1.3347]
    assert bars["open"].isna().all()


def test_a_day_without_a_rate_is_left_out_not_an_error():
    rows = [{"d": "2024-01-02", "FXEURCAD": {"v": "1.4578"}}, {"d": "2024-01-03", "FXEURCAD": {}}]
    assert CONNECTOR.parse(valet("FXEURCAD", rows), "FXEURCAD")["close"].tolist() == [1.4578]


def test_bad_bodies_are_parse_errors():
    with pytest.raises(ParseError, match="Series FXXXXCAD not found"):
        CONNECTOR.parse(
            body({"message": "Series FXXXXCAD not found.", "docs": "https://www.bankofcanada.ca/valet/docs"}),
            "FXXXXCAD",
        )
    with pytest.raises(ParseError, match="not the series"):
        CONNECTOR.parse(valet("FXEURCAD"), "FXUSDCAD")
    with pytest.raises(ParseError, match="without a date"):
        CONNECTOR.parse(valet(rows=[{"FXUSDCAD": {"v": "1.3"}}]), "FXUSDCAD")
    with pytest.raises(ParseError, match="unparseable date"):
        CONNECTOR.parse(valet(rows=[{"d": "02/01/2024", "FXUSDCAD": {"v": "1.3"}}]), "FXUSDCAD")
    with pytest.raises(ParseError, match="no observations"):
        CONNECTOR.parse(body([1, 2]), "FXUSDCAD")


def test_the_request_names_the_series_and_the_start():
    (request,) = CONNECTOR.build_requests("https://boc", "FXUSDCAD", date(2024, 1, 2))
    assert (request.url, request.params) == (
        "https://boc/valet/observations/FXUSDCAD/json",
        {"start_date": "2024-01-02"},
    )
    with pytest.raises(ValueError, match="FXUSDCAD"):
        CONNECTOR.build_requests("https://boc", "USDCAD", None)
