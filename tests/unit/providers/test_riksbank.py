"""Parsers of the Riksbank SWEA API.

Wire-format facts: ``/swea/v1/Observations/{seriesId}/{from}`` answers a JSON array of
``{"date", "value"}`` (a public wrapper's notes: "Format: JSON (array of {date, value})"), and
``/Observations/Latest/{id}`` one such object (MirMax13/Daily_FX_Rates ``observation.py`` reads
``data['date']``, ``data['value']``); the series ``SEK{CUR}PMI`` quote SEK per unit.
Documentation: https://api.riksbank.se/swea/v1/swagger-ui/index.html. No recorded body under
../shared/samples/real."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from datasources.base import ParseError
from datasources.providers.riksbank import RiksbankSweaConnector
from tests.unit.providers.bodies import body

CONNECTOR = RiksbankSweaConnector()


def test_observations_become_close_only_daily_bars():
    doc = [{"date": "2024-01-03", "value": 10.2345}, {"date": "2024-01-02", "value": 10.1055}]
    bars = CONNECTOR.parse(body(doc), "SEKUSDPMI")
    assert bars["close"].tolist() == [10.1055, 10.2345]
    assert bars["ts"].iloc[0] == pd.Timestamp("2024-01-02", tz="UTC")
    assert CONNECTOR.parse(body([]), "SEKUSDPMI").empty  # a range without a published day


def test_bad_bodies_are_parse_errors():
    with pytest.raises(ParseError, match="Riksbank: Series not found"):
        CONNECTOR.parse(body({"statusCode": 404, "message": "Series not found"}), "SEKXXXPMI")
    with pytest.raises(ParseError, match="lack date/value"):
        CONNECTOR.parse(body([{"date": "2024-01-02"}]), "SEKUSDPMI")
    with pytest.raises(ParseError, match="unparseable date"):
        CONNECTOR.parse(body([{"date": "2.1.2024", "value": 10.1}]), "SEKUSDPMI")
    with pytest.raises(ParseError, match="expected a list"):
        CONNECTOR.parse(body({"x": 1}), "SEKUSDPMI")


def test_the_request_names_the_series_and_the_start():
    (request,) = CONNECTOR.build_requests("https://rb", "SEKEURPMI", date(2024, 1, 2))
    assert request.url == "https://rb/swea/v1/Observations/SEKEURPMI/2024-01-02"
    with pytest.raises(ValueError, match="SEKUSDPMI"):
        CONNECTOR.build_requests("https://rb", "USDSEK", None)
