"""Parsers of the Bank of England IADB CSV download.

Wire-format facts: the URL ``/boeapps/database/_iadb-fromshowcolumns.asp`` with ``csv.x=yes``,
``CSVF=TN``, ``UsingCodes=Y``, ``VPD=Y``, ``SeriesCodes``, ``Datefrom``/``Dateto`` as
``%d/%b/%Y``, and the body read as comma-separated with a ``DATE`` column of ``02 Jan 2024`` dates,
from m-muecke/bbk ``R/boe.R`` (``fread(sep=",")``, ``as.Date(date, "%d %b %Y")``); missing values
as ``..`` and the need for a User-Agent from a public BoE client's notes (the shared client sends
one). Documentation: https://www.bankofengland.co.uk/boeapps/database/help.asp. No recorded body
under ../shared/samples/real."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from datasources.base import ParseError
from datasources.providers.bank_of_england import BankOfEnglandIadbConnector

CONNECTOR = BankOfEnglandIadbConnector()


def test_rows_become_close_only_daily_bars_and_missing_values_are_left_out():
    csv = b"DATE,XUDLUSS\n02 Jan 2024,1.2645\n03 Jan 2024,..\n04 Jan 2024,1.2683\n"
    bars = CONNECTOR.parse(csv, "XUDLUSS")
    assert bars["close"].tolist() == [1.2645, 1.2683]
    assert bars["ts"].tolist() == [pd.Timestamp("2024-01-02", tz="UTC"), pd.Timestamp("2024-01-04", tz="UTC")]


def test_bad_bodies_are_parse_errors():
    with pytest.raises(ParseError, match="HTML"):
        CONNECTOR.parse(b"<html><body>Error</body></html>", "XUDLUSS")
    with pytest.raises(ParseError, match="no XUDLUSS column"):
        CONNECTOR.parse(b"DATE,XUDLERS\n02 Jan 2024,1.15\n", "XUDLUSS")
    with pytest.raises(ParseError, match="unparseable date"):
        CONNECTOR.parse(b"DATE,XUDLUSS\n2024-01-02,1.26\n", "XUDLUSS")
    with pytest.raises(ParseError, match="empty"):
        CONNECTOR.parse(b"", "XUDLUSS")


def test_the_request_asks_for_the_series_as_csv_from_the_start():
    (request,) = CONNECTOR.build_requests("https://boe", "XUDLUSS", date(2024, 1, 2))
    assert request.url == "https://boe/boeapps/database/_iadb-fromshowcolumns.asp"
    assert request.params["SeriesCodes"] == "XUDLUSS"
    assert (request.params["Datefrom"], request.params["Dateto"]) == ("02/Jan/2024", "now")
    assert (request.params["csv.x"], request.params["CSVF"], request.params["UsingCodes"]) == ("yes", "TN", "Y")
