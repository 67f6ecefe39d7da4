"""Parser and request builder of DBnomics API v22 series (``/v22/series/{provider}/{dataset}/{series}``).

Where the wire-format facts come from (no recorded body in ../shared/samples/real):
- the envelope ``{"_meta": {"args", "version": "22.1.17"}, "dataset", "errors", "provider",
  "series": {"docs": [...], "limit", "num_found", "offset"}}`` and a doc's parallel arrays
  ``period`` ("1967"…), ``period_start_day`` ("1967-01-01"…), ``value`` with ``@frequency``,
  ``provider_code``, ``dataset_code``, ``series_code``: a recorded v22 response,
  vanessa2186/DBNomics-Json-TimeSeries-Data dbnomics_json.json (CEPII/CHELEM-TRADE-CHEL) and its
  outline DBnomics_JsonFileStructure.txt;
- the series ``AMECO/ZUTN/EA19.1.0.0.0.ZUTN`` (doc fields ``dataset_code: ZUTN``,
  ``series_code: EA19.1.0.0.0.ZUTN``, dimensions ``freq: a``, ``geo: ea19``, geo values deu, fra,
  ita, esp…): the recorded answer printed in m-muecke/dbnomics reference/db_series.md (2026-01);
- missing values written ``"NA"``: DBnomics clients' handling of it (e.g. the Julia client
  Widukind/widukind.jl README, and parsers that map "NA" to null) — documentation-level.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import pytest

from datasources.base import ParseError
from datasources.providers.dbnomics import DbnomicsSeriesConnector, parse_series, split_symbol
from tests.unit.providers.bodies import body

SYMBOL = "EMU:AMECO/ZUTN/EA19.1.0.0.0.ZUTN"
NEXT_YEAR = datetime.now(UTC).year + 1


def series_doc(periods, values, **fields):
    return {
        "@frequency": "annual",
        "dataset_code": "ZUTN",
        "dataset_name": "Unemployment rate: total :- Member States: definition EUROSTAT",
        "dimensions": {"freq": "a", "geo": "ea19", "unit": "percentage-of-active-population"},
        "indexed_at": "2025-11-18T01:13:10.361Z",
        "provider_code": "AMECO",
        "series_code": "EA19.1.0.0.0.ZUTN",
        "series_name": "Annually – (Percentage of active population) – Euro area (19 countries)",
        "period": [str(p) for p in periods],
        "period_start_day": [f"{p}-01-01" for p in periods],
        "value": values,
    } | fields


def envelope(*docs):
    return {
        "_meta": {"args": {"observations": True, "format": "json"}, "version": "22.1.17"},
        "errors": None,
        "series": {"docs": list(docs), "limit": 1000, "num_found": len(docs), "offset": 0},
    }


def test_a_series_becomes_observations_on_the_first_day_of_each_period():
    doc = envelope(series_doc([2021, 2022, 2023], [7.7, 6.8, 6.6]))
    frame = DbnomicsSeriesConnector().parse(body(doc), SYMBOL)
    assert frame["date"].tolist() == [pd.Timestamp(f"{y}-01-01").date() for y in (2021, 2022, 2023)]
    assert frame["value"].tolist() == [7.7, 6.8, 6.6]
    assert set(frame["series_id"]) == {SYMBOL} and set(frame["country"]) == {"EMU"}


def test_na_values_are_gaps_and_forecast_years_are_left_out():
    doc = series_doc([1991, 2023, NEXT_YEAR], ["NA", 6.6, 6.4])
    frame = parse_series(envelope(doc), "AMECO/ZUTN/EA19.1.0.0.0.ZUTN", SYMBOL)
    assert frame["value"].tolist() == [6.6]


def test_without_period_start_day_the_period_dates_the_value():
    doc = series_doc([2022], [6.8])
    del doc["period_start_day"]
    doc["period"], doc["@frequency"] = ["2022-03"], "monthly"
    frame = parse_series(envelope(doc), "AMECO/ZUTN/EA19.1.0.0.0.ZUTN", SYMBOL)
    assert frame["date"].tolist() == [pd.Timestamp("2022-03-01").date()]


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        (
            {"message": "Series not found", "errors": [{"message": "Series not found"}]},
            "DBnomics error: Series not found",
        ),
        ([1, 2], "expected a DBnomics series response"),
        ({"series": {"num_found": 0}}, "no series.docs"),
        (envelope(), "holds no series, not AMECO/ZUTN/EA19"),
        (envelope(series_doc([2023], [6.6], series_code="DNK.1.0.0.0.ZUTN")), "holds AMECO/ZUTN/DNK.1.0.0.0.ZUTN"),
        (envelope(series_doc([2023], [6.6], value=None)), "no period/value arrays"),
        (envelope(series_doc([2022, 2023], [6.6])), "2 periods but 1 values"),
        (envelope(series_doc([2023], ["six"])), "value 'six' is not a number"),
        (envelope(series_doc([2023], [6.6], period_start_day=["sometime"])), "unparseable period 'sometime'"),
    ],
)
def test_bodies_of_the_wrong_shape_are_parse_errors(doc, message):
    with pytest.raises(ParseError, match=message):
        parse_series(doc, "AMECO/ZUTN/EA19.1.0.0.0.ZUTN", SYMBOL)


def test_the_request_asks_for_the_series_with_its_observations():
    (request,) = DbnomicsSeriesConnector().build_requests("https://api.db.nomics.world", SYMBOL, None)
    assert request.url == "https://api.db.nomics.world/v22/series/AMECO/ZUTN/EA19.1.0.0.0.ZUTN"
    assert request.params == {"observations": "1", "format": "json", "metadata": "false"}


def test_symbols_name_a_country_and_a_three_part_series_id():
    assert split_symbol("deu:AMECO/ZUTN/DEU.1.0.0.0.ZUTN") == ("DEU", "AMECO/ZUTN/DEU.1.0.0.0.ZUTN")
    for bad in ("AMECO/ZUTN/EA19.1.0.0.0.ZUTN", "EMU:AMECO/ZUTN", "EMU:AMECO//X"):
        with pytest.raises(ValueError, match="COUNTRY:PROVIDER/DATASET/SERIES"):
            split_symbol(bad)
