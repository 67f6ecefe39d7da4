"""Parsers of the EIA open data API v2 (``/v2/{route}/data/``).

Wire-format facts, from EIA's API v2 documentation (https://www.eia.gov/opendata/documentation.php)
and public clients: ``{"response": {"total", "dateFormat", "frequency", "data": [{"period",
"duoarea", "product", "series", "series-description", "value", "units"}]}, "request",
"apiVersion"}``; series ids without the v1 prefix (``RWTC``, not ``PET.RWTC.D``); errors
``{"error": "…", "code": 400}``. No recorded body was found (under ../shared/samples/real or in
public repositories): these bodies are written from the documentation."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from datasources.base import ParseError
from datasources.providers.eia import EiaSeriesConnector
from tests.unit.providers.bodies import body

CONNECTOR = EiaSeriesConnector()
SYMBOL = "petroleum/pri/spt:RWTC"


def row(period: str, value, series: str = "RWTC") -> dict:
    return {"period": period, "duoarea": "YCUOK", "area-name": "NA", "product": "EPCWTI", "product-name": "WTI Crude Oil",
            "process": "PF4", "process-name": "Spot Price FOB", "series": series,
            "series-description": "Cushing, OK WTI Spot Price FOB (Dollars per Barrel)", "value": value, "units": "$/BBL"}  # fmt: skip


def doc(*rows) -> dict:
    return {"response": {"total": len(rows), "dateFormat": "YYYY-MM-DD", "frequency": "daily", "data": list(rows)},
            "request": {"command": "/v2/petroleum/pri/spt/data/"}, "apiVersion": "2.1.8"}  # fmt: skip


def test_rows_of_the_series_as_close_only_bars():
    bars = CONNECTOR.parse(
        body(doc(row("2024-01-03", 72.7), row("2024-01-02", "70.38"), row("2024-01-02", 9.9, "RBRTE"))), SYMBOL
    )
    assert bars["ts"].tolist() == [pd.Timestamp("2024-01-02", tz="UTC"), pd.Timestamp("2024-01-03", tz="UTC")]
    assert bars["close"].tolist() == [70.38, 72.7]


def test_no_rows_yet_is_an_empty_frame_not_an_error():
    assert CONNECTOR.parse(body(doc()), SYMBOL).empty


def test_bad_bodies_are_parse_errors():
    with pytest.raises(ParseError, match="EIA error: invalid frequency"):
        CONNECTOR.parse(body({"error": "invalid frequency", "code": 400}), SYMBOL)
    with pytest.raises(ParseError, match="API_KEY_INVALID|No api_key"):
        CONNECTOR.parse(body({"error": {"code": "API_KEY_INVALID", "message": "No api_key was supplied."}}), SYMBOL)
    with pytest.raises(ParseError, match="no response.data"):
        CONNECTOR.parse(body({"response": {}}), SYMBOL)
    with pytest.raises(ParseError, match="lack period/value"):
        CONNECTOR.parse(body(doc({"period": "2024-01-02"})), SYMBOL)
    with pytest.raises(ParseError, match="no RWTC rows"):
        CONNECTOR.parse(body(doc(row("2024-01-02", 80.1, "RBRTE"))), SYMBOL)
    with pytest.raises(ParseError, match="unparseable period"):
        CONNECTOR.parse(body(doc(row("2024-01", 70.0))), SYMBOL)


def test_request_names_route_series_frequency_and_start():
    (request,) = CONNECTOR.build_requests(
        "https://api.eia.gov", "petroleum/stoc/wstk:WCESTUS1:weekly", date(2024, 1, 5), "k"
    )
    assert request.url == "https://api.eia.gov/v2/petroleum/stoc/wstk/data/"
    assert request.params["facets[series][]"] == "WCESTUS1" and request.params["frequency"] == "weekly"
    assert (
        request.params["start"] == "2024-01-05" and request.params["api_key"] == "k" and request.key_param == "api_key"
    )
    assert CONNECTOR.build_requests("https://api.eia.gov", SYMBOL, None)[0].params["frequency"] == "daily"
    for bad in ("RWTC", "petroleum/pri/spt:RWTC:hourly", ":RWTC"):
        with pytest.raises(ValueError, match="not an EIA symbol"):
            CONNECTOR.build_requests("https://api.eia.gov", bad, None)
