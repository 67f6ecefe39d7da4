"""Column widths of the station's grids (components/grid.sized): headers never truncated, and
pinned columns, which AG Grid does not flex, as wide as what they hold."""

from __future__ import annotations

import json

import pandas as pd

from components.grid import AG_GRID_DEFAULT_WIDTH, data_grid, number_column, sized, text_column
from components.lazy import SPEC_ATTRIBUTE


def test_a_column_is_at_least_as_wide_as_its_header_on_two_lines():
    short, long = sized(text_column("Coin", "Coin")), sized(number_column("x", "Open interest (USD bn)"))
    assert short["minWidth"] == 90  # the floor: sort and filter icons beside a short header
    assert long["minWidth"] == 8 * 11 + 56  # 22 characters on two lines of 11, plus the icons
    assert sized(text_column("Name", "Name", minWidth=200))["minWidth"] == 200  # the panel's own


def test_a_pinned_column_is_as_wide_as_its_minimum_not_ag_grids_default():
    expiry = sized(text_column("Expiry", "Expiry", pinned="left", minWidth=120))
    assert expiry["width"] == 120 < AG_GRID_DEFAULT_WIDTH
    assert sized(text_column("Coin", "Coin", pinned="left"))["width"] == 90


def test_a_pinned_column_of_names_keeps_room_for_them():
    company = sized(text_column("Company", "Company", pinned="left", minWidth=150, flex=2))
    gauge = sized(text_column("Gauge", "Gauge", pinned="left", minWidth=230, flex=2))
    assert company["width"] == AG_GRID_DEFAULT_WIDTH and gauge["width"] == 230
    assert sized(text_column("Code", "Code", pinned="left", width=70))["width"] == 70  # its own


def test_unpinned_columns_are_left_to_flex():
    assert "width" not in sized(text_column("Date", "Date", minWidth=110))


def test_the_grid_sends_the_sized_columns():
    frame = pd.DataFrame({"Expiry": ["2026-12-11"], "Days": [7]})
    columns = [text_column("Expiry", "Expiry", pinned="left", minWidth=120), number_column("Days", "Days", decimals=0)]
    placeholder = data_grid("t", frame, columns, filename="t").children[1].children  # drawn when in view
    spec = json.loads(placeholder.to_plotly_json()["props"][SPEC_ATTRIBUTE])
    defs = spec["props"]["columnDefs"]
    assert defs[0]["width"] == 120 and "width" not in defs[1]
