"""The AAII sentiment survey workbook: .xls bodies written with xlwt in the real file's layout."""

from __future__ import annotations

import io
from datetime import date

import pytest
import xlwt

from datasources.base import ParseError
from datasources.providers.aaii import AaiiSentimentConnector, parse_workbook
from tests.fixtures.providers.aaii import weeks, workbook

CONNECTOR = AaiiSentimentConnector()


def sheet_body(rows: list[list], date_rows: bool = True, before: int = 0) -> bytes:
    """A workbook of ``rows`` on sheet ``SENTIMENT`` after ``before`` other sheets (a ``date`` in
    the first cell is written as an Excel date)."""
    book = xlwt.Workbook()
    for i in range(before):
        book.add_sheet(f"Notes {i}").write(0, 0, "About the survey")
    sheet = book.add_sheet("SENTIMENT")
    style = xlwt.easyxf(num_format_str="m-d-yy")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, date) and date_rows:
                sheet.write(r, c, value, style)
            elif value is not None:
                sheet.write(r, c, value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


HEADER = ["Reported Date", "Bullish", "Neutral", "Bearish", "Total"]


def test_the_whole_history_parses_in_percent_and_summary_rows_are_skipped():
    days = weeks(date(2024, 12, 31))
    body = workbook(days)
    survey = parse_workbook(body)
    assert survey["date"].tolist() == days  # every week, no "Count" / "Average" rows
    assert survey["date"].iloc[0] == date(1987, 6, 26)
    totals = survey[["bullish", "neutral", "bearish"]].sum(axis=1)
    assert totals.round(6).eq(100.0).all()  # fractions read as percents
    frame = CONNECTOR.parse(body, "bull_bear_spread")
    assert frame["series_id"].unique().tolist() == ["bull_bear_spread"]
    assert frame["value"].round(6).tolist() == (survey["bullish"] - survey["bearish"]).round(6).tolist()


def test_each_share_is_its_own_series():
    body = sheet_body(
        [["AAII"], [], HEADER, [date(2025, 1, 2), 0.375, 0.3, 0.325, 1.0], [date(2025, 1, 9), 0.4, 0.25, 0.35, 1.0]]
    )
    assert CONNECTOR.parse(body, "bullish")["value"].tolist() == [37.5, 40.0]
    assert CONNECTOR.parse(body, "neutral")["value"].tolist() == [30.0, 25.0]
    bearish = CONNECTOR.parse(body, "bearish")
    assert bearish["date"].tolist() == [date(2025, 1, 2), date(2025, 1, 9)]
    assert bearish["value"].tolist() == pytest.approx([32.5, 35.0])


def test_text_dates_percent_text_and_a_week_without_figures():
    body = sheet_body(
        [
            ["Reported Date", "Bullish", "Neutral", "Bearish"],
            ["6-26-87", "0.36", "0.5", "0.14"],
            ["7/3/1987", 0.3, 0.5, 0.2],
            [date(1987, 7, 10), None, None, None],  # announced, figures still to come
            ["Average", 0.37, 0.31, 0.32],
        ]
    )
    survey = parse_workbook(body)
    assert survey["date"].tolist() == [date(1987, 6, 26), date(1987, 7, 3)]
    assert survey["bullish"].tolist() == pytest.approx([36.0, 30.0])


def test_columns_are_found_by_their_header_wherever_they_sit():
    body = sheet_body(
        [["Reported Date", "Total", "Bearish", "Neutral", "Bullish"], [date(2025, 1, 2), 1, 0.2, 0.3, 0.5]]
    )
    survey = parse_workbook(body)
    assert survey[["bullish", "neutral", "bearish"]].iloc[0].tolist() == pytest.approx([50.0, 30.0, 20.0])


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "empty body"),
        (b"<!DOCTYPE html><html>Please verify you are a human</html>", "got HTML"),
        (b"PK\x03\x04 not an xls", "not an .xls workbook"),
    ],
)
def test_bodies_that_are_no_workbook(body, message):
    with pytest.raises(ParseError, match=message):
        parse_workbook(body)


def test_a_workbook_without_the_header_or_without_weeks():
    with pytest.raises(ParseError, match="no header row"):
        parse_workbook(sheet_body([["Date", "Bulls", "Bears"], [date(2025, 1, 2), 0.5, 0.5]]))
    with pytest.raises(ParseError, match="no dated survey rows"):
        parse_workbook(sheet_body([HEADER, ["Count", 1, 1, 1]]))


def test_unknown_series_and_the_request():
    with pytest.raises(ParseError, match="unknown AAII series"):
        CONNECTOR.parse(workbook(weeks(date(1988, 1, 1))), "bulls")
    (request,) = CONNECTOR.build_requests("https://www.aaii.com", "bullish", date(2025, 1, 1))
    assert request.url == "https://www.aaii.com/files/surveys/sentiment.xls"
    assert request.params == {} and request.key_param is None
