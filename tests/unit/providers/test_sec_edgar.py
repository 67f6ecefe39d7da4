"""Parser of SEC EDGAR's XBRL company facts (``/api/xbrl/companyfacts/CIK##########.json``).

Wire-format facts: ``{"cik", "entityName", "facts": {"dei": {…}, "us-gaap": {concept: {"label",
"description", "units": {unit: [{"start", "end", "val", "accn", "fy", "fp", "form", "filed",
"frame"}]}}}}}`` — SEC's API documentation (https://www.sec.gov/edgar/sec-api-documentation) and
the bodies public clients' tests serve (``{"cik":320193,"entityName":"Apple Inc.","facts":{"dei":
…``). The figures below are Apple's fiscal 2023 10-K as reported (revenue 383,285 M$, net income
96,995 M$, diluted EPS 6.13, assets 352,583 M$); the body around them is written to that shape,
not recorded (none is under ../shared/samples/real)."""

from __future__ import annotations

from datetime import date

import pytest

from datasources.base import ParseError
from datasources.providers import sec_edgar
from datasources.providers.sec_edgar import SecCompanyFactsConnector
from datasources.validate import ValidationError, validate_rows
from tests.unit.providers.bodies import body

CONNECTOR = SecCompanyFactsConnector()


def fact(start, end, val, form="10-K", fy=2023, fp="FY", filed="2023-11-03") -> dict:
    out = {"end": end, "val": val, "accn": "0000320193-23-000106", "fy": fy, "fp": fp, "form": form, "filed": filed}
    return ({"start": start} if start else {}) | out


def concept(unit: str, *facts) -> dict:
    return {"label": "…", "description": "…", "units": {unit: list(facts)}}


APPLE = {
    "cik": 320193,
    "entityName": "Apple Inc.",
    "facts": {
        "dei": {"EntityCommonStockSharesOutstanding": concept("shares", fact(None, "2023-10-20", 15552752000))},
        "us-gaap": {
            "RevenueFromContractWithCustomerExcludingAssessedTax": concept(
                "USD",
                fact("2021-09-26", "2022-09-24", 394328000000),  # the comparative year in the FY2023 10-K
                fact("2022-10-01", "2023-09-30", 383285000000),
                fact("2023-07-02", "2023-09-30", 89498000000),  # the fourth quarter, inside the 10-K
                fact("2023-04-02", "2023-07-01", 81797000000, form="10-Q", fp="Q3", filed="2023-08-04"),
            ),
            "NetIncomeLoss": concept(
                "USD",
                fact("2021-09-26", "2022-09-24", 99803000000, fy=2022, filed="2022-10-28"),
                fact("2021-09-26", "2022-09-24", 99803000000),
                fact("2022-10-01", "2023-09-30", 96995000000),
            ),
            "EarningsPerShareDiluted": concept("USD/shares", fact("2022-10-01", "2023-09-30", 6.13)),
            "Assets": concept("USD", fact(None, "2022-09-24", 352755000000), fact(None, "2023-09-30", 352583000000)),
        },
    },
}


def test_annual_report_figures_one_row_per_fiscal_year():
    rows = CONNECTOR.parse(body(APPLE), "CIK0000320193")
    assert rows["date"].tolist() == [date(2022, 9, 24), date(2023, 9, 30)]
    fy2023 = rows.iloc[-1]
    assert (fy2023["revenue"], fy2023["net_income"], fy2023["eps_diluted"], fy2023["assets"]) == (
        383285000000.0, 96995000000.0, 6.13, 352583000000.0,
    )  # fmt: skip
    assert (fy2023["fiscal_year"], fy2023["form"], fy2023["filed"]) == (2023, "10-K", date(2023, 11, 3))
    assert rows.iloc[0]["revenue"] == 394328000000.0  # the comparative year is a year of its own
    assert rows[["operating_income", "liabilities"]].isna().all().all()  # concepts it does not report
    assert validate_rows("fundamentals", rows, "AAPL") is rows


def test_a_restatement_in_a_later_report_wins():
    restated = fact("2021-09-26", "2022-09-24", 99000000000, fy=2024, filed="2024-11-01")
    doc = {
        "facts": {"us-gaap": {"NetIncomeLoss": concept("USD", fact("2021-09-26", "2022-09-24", 99803000000), restated)}}
    }
    assert CONNECTOR.parse(body(doc), "CIK0000320193")["net_income"].tolist() == [99000000000.0]


def test_a_preferred_concept_wins_over_a_fallback_for_the_same_year():
    doc = {"facts": {"us-gaap": {
        "Revenues": concept("USD", fact("2022-10-01", "2023-09-30", 1.0)),
        "RevenueFromContractWithCustomerExcludingAssessedTax": concept("USD", fact("2022-10-01", "2023-09-30", 2.0), fact("2021-09-26", "2022-09-24", 3.0)),
    }}}  # fmt: skip
    assert CONNECTOR.parse(body(doc), "CIK0000320193")["revenue"].tolist() == [3.0, 1.0]


def test_bad_bodies_are_parse_errors():
    with pytest.raises(ParseError, match="no us-gaap facts"):
        CONNECTOR.parse(body({"cik": 1, "facts": {"dei": {}}}), "CIK0000000001")
    with pytest.raises(ParseError, match="SEC EDGAR: Not Found"):
        CONNECTOR.parse(body({"message": "Not Found"}), "CIK0000000001")
    quarters_only = {
        "facts": {"us-gaap": {"Revenues": concept("USD", fact("2023-04-02", "2023-07-01", 1, form="10-Q"))}}
    }
    with pytest.raises(ParseError, match="no annual-report figures"):
        CONNECTOR.parse(body(quarters_only), "CIK0000000001")


def test_the_validator_refuses_impossible_years():
    rows = CONNECTOR.parse(body(APPLE), "CIK0000320193")
    with pytest.raises(ValidationError, match="twice"):
        validate_rows("fundamentals", rows.assign(date=date(2023, 9, 30)), "AAPL")
    with pytest.raises(ValidationError, match="before the year"):
        validate_rows("fundamentals", rows.assign(filed=date(2020, 1, 1)), "AAPL")


def test_the_url_pads_the_cik_and_the_user_agent_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv(sec_edgar.USER_AGENT_ENV, "Spartan Research admin@example.com")
    (request,) = CONNECTOR.build_requests("https://data.sec.gov", "320193", None)
    assert request.url == "https://data.sec.gov/api/xbrl/companyfacts/CIK0000320193.json"
    assert request.headers["User-Agent"] == "Spartan Research admin@example.com" and request.key_param is None
    monkeypatch.delenv(sec_edgar.USER_AGENT_ENV)
    assert "Spartan" in CONNECTOR.build_requests("https://data.sec.gov", "CIK0000320193", None)[0].headers["User-Agent"]
    with pytest.raises(ValueError, match="not a SEC CIK"):
        CONNECTOR.build_requests("https://data.sec.gov", "AAPL", None)
