"""Parsers of World Bank indicators."""

from __future__ import annotations

from datetime import date

import pytest

from datasources.base import ParseError
from datasources.providers.worldbank import WorldBankConnector, series_rows
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


# Two countries in one body (``/v2/country/USA;CHN/indicator/…``), rows as the API writes them.
TWO_COUNTRIES = [{"page": 1, "pages": 1, "per_page": 1000, "total": 4}, [
    {"indicator": {"id": "NY.GDP.MKTP.KD.ZG", "value": "GDP growth (annual %)"}, "country": {"id": "US", "value": "United States"},
     "countryiso3code": "USA", "date": "2023", "value": 2.54, "unit": "", "obs_status": "", "decimal": 1},
    {"indicator": {"id": "NY.GDP.MKTP.KD.ZG", "value": "GDP growth (annual %)"}, "country": {"id": "US", "value": "United States"},
     "countryiso3code": "USA", "date": "2022", "value": 1.94, "unit": "", "obs_status": "", "decimal": 1},
    {"indicator": {"id": "NY.GDP.MKTP.KD.ZG", "value": "GDP growth (annual %)"}, "country": {"id": "CN", "value": "China"},
     "countryiso3code": "CHN", "date": "2023", "value": 5.25, "unit": "", "obs_status": "", "decimal": 1},
    {"indicator": {"id": "NY.GDP.MKTP.KD.ZG", "value": "GDP growth (annual %)"}, "country": {"id": "CN", "value": "China"},
     "countryiso3code": "CHN", "date": "2022", "value": 2.95, "unit": "", "obs_status": "", "decimal": 1},
]]  # fmt: skip


def test_a_two_country_body_gives_each_country_its_own_rows():
    """Keyed by ``countryiso3code``: China's rows never land on the United States (before, one
    row per date survived, the last country's, labelled as the country asked for)."""
    connector = WorldBankConnector()
    usa = connector.parse(body(TWO_COUNTRIES), "USA:NY.GDP.MKTP.KD.ZG")
    chn = connector.parse(body(TWO_COUNTRIES), "CHN:NY.GDP.MKTP.KD.ZG")
    assert usa[["date", "value", "country"]].values.tolist() == [
        [date(2022, 1, 1), 1.94, "USA"],
        [date(2023, 1, 1), 2.54, "USA"],
    ]
    assert chn[["date", "value", "country"]].values.tolist() == [
        [date(2022, 1, 1), 2.95, "CHN"],
        [date(2023, 1, 1), 5.25, "CHN"],
    ]
    assert set(series_rows(TWO_COUNTRIES[1], "USA:NY.GDP.MKTP.KD.ZG")) == {
        "USA:NY.GDP.MKTP.KD.ZG",
        "CHN:NY.GDP.MKTP.KD.ZG",
    }
    # Asked by the two-letter code, the country's rows are found by ``country.id``.
    assert connector.parse(body(TWO_COUNTRIES), "CN:NY.GDP.MKTP.KD.ZG")["value"].tolist() == [2.95, 5.25]
    with pytest.raises(ParseError, match="holds CHN:NY.GDP.MKTP.KD.ZG, USA:NY.GDP.MKTP.KD.ZG, not DEU"):
        connector.parse(body(TWO_COUNTRIES), "DEU:NY.GDP.MKTP.KD.ZG")


@pytest.mark.parametrize("doc", [[{"page": 1}, {"date": "2023"}], [{"page": 1}, "x"], {"page": 1}, [[], []]])
def test_world_bank_bodies_of_another_shape_are_refused(doc):
    with pytest.raises(ParseError):
        WorldBankConnector().parse(body(doc), "USA:NY.GDP.MKTP.KD.ZG")
