"""The API's bodies as the formats define them: TOON (the official toon-format encoder; rows as one
table, quoting by the spec's rules, decoding back to the JSON body), CSV (formula-safe cells) and
JSON (markup characters escaped); and format negotiation."""

from __future__ import annotations

import csv
import io
import json
import math

import pytest
import toon_format
from flask import Flask

from api.formats import json_text, negotiate, plain, records, render

ENVELOPE = {
    "dataset": "market_indices",
    "as_of": "2024-01-02",
    "sources": ["demo"],
    "version": 7,
    "next": None,
    "items": [
        {"symbol": "SPX", "close": 5000.1, "note": None},
        {"symbol": "NDX", "close": 17000.0, "note": "x"},
    ],
}
COLUMNS = ["symbol", "close", "note"]


def body(fmt: str, envelope: dict = ENVELOPE, columns: list[str] = COLUMNS) -> str:
    return render(envelope, fmt, columns, "spartan-test").get_data(as_text=True)


def test_toon_writes_the_rows_as_one_table_under_the_metadata():
    assert body("toon") == (
        "dataset: market_indices\n"
        "as_of: 2024-01-02\n"
        "sources[1]: demo\n"
        "version: 7\n"
        "next: null\n"
        "items[2]{symbol,close,note}:\n"
        "  SPX,5000.1,null\n"
        "  NDX,17000,x\n"
    )


@pytest.mark.parametrize(
    ("value", "encoded"),
    [
        ("a,b", '"a,b"'),  # the delimiter
        ("10:30", '"10:30"'),  # a colon
        ('say "hi"', '"say \\"hi\\""'),  # quotes, escaped
        (" padded ", '" padded "'),  # leading/trailing space
        ("", '""'),
        ("true", '"true"'),  # would read as a boolean
        ("null", '"null"'),
        ("42", '"42"'),  # would read as a number
        ("-3.5", '"-3.5"'),
        ("-", '"-"'),  # a list marker
        ("[x]", '"[x]"'),
        ("line\nbreak", '"line\\nbreak"'),
        ("S&P 500", "S&P 500"),  # internal spaces are fine unquoted
        ("<script>", "<script>"),  # TOON is not HTML: nothing to escape
    ],
)
def test_toon_quotes_exactly_the_cells_the_spec_requires(value, encoded):
    text = body("toon", {"items": [{"name": value, "n": 1}]}, ["name", "n"])
    assert text.splitlines()[1] == f"  {encoded},1"
    assert toon_format.decode(text) == {"items": [{"name": value, "n": 1}]}


def test_toon_decodes_back_to_the_json_body():
    assert toon_format.decode(body("toon")) == json.loads(body("json"))


def test_an_empty_result_is_an_empty_table():
    decoded = toon_format.decode(body("toon", {**ENVELOPE, "items": []}))
    assert decoded["items"] == []


def test_csv_has_a_header_row_and_neutralises_formulas():
    envelope = {"items": [{"name": '=HYPERLINK("http://x")', "value": -1.5}, {"name": "+cmd", "value": 2.0}]}
    text = body("csv", envelope, ["name", "value"])
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [["name", "value"], ['\'=HYPERLINK("http://x")', "-1.5"], ["'+cmd", "2.0"]]
    assert text.endswith("\r\n")


def test_csv_of_no_rows_is_its_header():
    assert body("csv", {"items": []}) == "symbol,close,note\r\n"


def test_json_escapes_markup_characters_and_parses_back():
    text = json_text({"label": "<img src=x onerror=alert(1)> & co"})
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == {"label": "<img src=x onerror=alert(1)> & co"}


def test_every_format_names_its_freshness_in_headers():
    for fmt, mimetype in (("json", "application/json"), ("csv", "text/csv"), ("toon", "text/toon")):
        response = render({**ENVELOPE, "last_update": "2024-01-02T10:00:00+00:00", "total": 2}, fmt, COLUMNS, "f")
        assert response.mimetype == mimetype
        assert response.headers["X-Data-As-Of"] == "2024-01-02"
        assert response.headers["X-Data-Sources"] == "demo" and response.headers["X-Dataset-Version"] == "7"
        assert response.headers["X-Data-Last-Update"] == "2024-01-02T10:00:00+00:00"
        assert response.headers["X-Total-Count"] == "2"


def test_header_values_cannot_carry_control_characters():
    response = render({"sources": ["a\r\nSet-Cookie: x=1"], "items": []}, "csv", ["x"], "f")
    assert response.headers["X-Data-Sources"] == "a??Set-Cookie: x=1"


def test_plain_values_are_json_ready():
    import numpy as np
    import pandas as pd

    assert plain(float("nan")) is None and plain(pd.NaT) is None and plain(None) is None
    assert plain(np.int64(3)) == 3 and isinstance(plain(np.float64(1.5)), float)
    assert plain(pd.Timestamp("2024-01-02", tz="UTC")) == "2024-01-02T00:00:00+00:00"
    frame = pd.DataFrame({"id": [1.0, math.nan], "x": ["a", None]})
    assert records(frame, ["id", "x"], integers=["id"]) == [{"id": 1, "x": "a"}, {"id": None, "x": None}]


@pytest.mark.parametrize(
    ("accept", "requested", "chosen"),
    [
        (None, None, "json"),
        ("*/*", None, "json"),
        ("text/csv", None, "csv"),
        ("text/toon", None, "toon"),
        ("application/toon", None, "toon"),
        ("text/html,application/xhtml+xml,*/*;q=0.8", None, "json"),
        ("application/xml", None, "json"),
        ("text/csv;q=0.4, text/toon;q=0.9", None, "toon"),
        ("text/csv", "toon", "toon"),
    ],
)
def test_negotiation_prefers_the_format_parameter_then_accept_then_json(accept, requested, chosen):
    app = Flask("negotiate")
    headers = {"Accept": accept} if accept else {}
    with app.test_request_context("/", headers=headers):
        assert negotiate(requested) == chosen
