"""The CFTC Commitments of Traders connector (Socrata ``6dca-aqww``, legacy futures only)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from datasources.base import ParseError
from datasources.providers.cftc import COLUMNS, CftcCotConnector, parse_reports
from datasources.validate import ValidationError, validate_cot_positions
from tests.unit.providers.bodies import body

CONNECTOR = CftcCotConnector()

# Report rows in the dataset's shape: every field a string (the gold row's figures are those of
# the 2026-05-19 report as a public repository's test recorded it).
GOLD = {
    "market_and_exchange_names": "GOLD - COMMODITY EXCHANGE INC.",
    "report_date_as_yyyy_mm_dd": "2026-05-19T00:00:00.000",
    "cftc_contract_market_code": "088691",
    "open_interest_all": "379325",
    "noncomm_positions_long_all": "211018",
    "noncomm_positions_short_all": "51185",
    "noncomm_positions_spread_all": "40116",
    "comm_positions_long_all": "69520",
    "comm_positions_short_all": "261149",
    "nonrept_positions_long_all": "58671",
    "nonrept_positions_short_all": "26875",
}


def test_a_report_row_becomes_the_tables_columns_with_the_nets():
    frame = CONNECTOR.parse(body([GOLD]), "088691")
    assert list(frame.columns) == COLUMNS
    row = frame.iloc[0]
    assert row["date"] == date(2026, 5, 19)
    assert row["market_name"] == "GOLD - COMMODITY EXCHANGE INC." and row["contract_code"] == "088691"
    assert row["open_interest"] == 379325
    assert row["noncomm_net"] == 211018 - 51185
    assert row["comm_net"] == 69520 - 261149
    assert row["nonrept_net"] == 58671 - 26875
    assert row["noncomm_spreading"] == 40116
    validate_cot_positions(frame, "GC")


def test_the_misspelt_spreading_column_the_order_and_duplicates():
    older = {**GOLD, "report_date_as_yyyy_mm_dd": "2026-05-12T00:00:00.000", "open_interest_all": "370000"}
    older["noncomm_postions_spread_all"] = older.pop("noncomm_positions_spread_all")
    frame = parse_reports([GOLD, older, GOLD], "088691")
    assert frame["date"].tolist() == [date(2026, 5, 12), date(2026, 5, 19)]
    assert frame["noncomm_spreading"].tolist() == [40116, 40116]


def test_missing_positions_are_missing_not_zero():
    row = {k: v for k, v in GOLD.items() if not k.startswith("comm_")}
    frame = parse_reports([row], "088691")
    assert frame["comm_long"].isna().all() and frame["comm_net"].isna().all()
    assert frame["noncomm_net"].iloc[0] == 211018 - 51185


def test_no_report_since_is_an_empty_frame():
    frame = CONNECTOR.parse(b"[]", "088691")
    assert frame.empty and list(frame.columns) == COLUMNS


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ({"code": "query.compiler.malformed", "error": True, "message": "Could not parse SoQL"}, "CFTC error"),
        ("text", "expected a JSON array"),
        ([GOLD, "x"], "must be objects"),
        ([{"report_date_as_yyyy_mm_dd": "2026-05-19T00:00:00.000"}], "lack"),
        ([{**GOLD, "report_date_as_yyyy_mm_dd": "19/05/2026"}], "unparseable report date"),
    ],
)
def test_bodies_that_are_no_reports(doc, message):
    with pytest.raises(ParseError, match=message):
        parse_reports(doc, "088691")


def test_the_request_filters_one_contract_from_the_start_date():
    (request,) = CONNECTOR.build_requests("https://publicreporting.cftc.gov", "13874A", date(2026, 1, 6))
    assert request.url == "https://publicreporting.cftc.gov/resource/6dca-aqww.json"
    assert request.params["$where"] == (
        "cftc_contract_market_code='13874A' AND report_date_as_yyyy_mm_dd>='2026-01-06T00:00:00'"
    )
    assert request.params["$order"] == "report_date_as_yyyy_mm_dd ASC"
    assert int(request.params["$limit"]) >= 5 * 53
    with pytest.raises(ValueError, match="not a CFTC contract market code"):
        CONNECTOR.build_requests("https://x", "13874A' OR '1'='1", None)


def test_the_validator_refuses_impossible_reports():
    frame = parse_reports([GOLD], "088691")
    with pytest.raises(ValidationError, match="negative"):
        validate_cot_positions(frame.assign(noncomm_long=-1.0), "GC")
    with pytest.raises(ValidationError, match="twice"):
        validate_cot_positions(pd.concat([frame, frame]), "GC")
    with pytest.raises(ValidationError, match="future"):
        validate_cot_positions(frame.assign(date=date(2999, 1, 5)), "GC")
    with pytest.raises(ValidationError, match="missing columns"):
        validate_cot_positions(frame.drop(columns=["open_interest"]), "GC")
