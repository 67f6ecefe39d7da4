"""Pure frame transforms: tenor lengths, yield-curve snapshots, latest value with change."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pandas as pd
import pytest

from sql.transforms import correlation_matrix, curve_snapshots, latest_with_change, tenor_months

OFFSETS = {"Today": pd.DateOffset(days=0), "1M ago": pd.DateOffset(months=1), "1Y ago": pd.DateOffset(years=1)}


def obs(rows: list[tuple[str, str, float]], source: str = "fred_graph") -> pd.DataFrame:
    return pd.DataFrame([{"key": k, "date": pd.Timestamp(d), "value": v, "source": source} for k, d, v in rows])


# --- tenor_months --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tenor", "months"),
    [("1M", 1), ("3M", 3), ("6M", 6), ("1Y", 12), ("2Y", 24), ("10Y", 120), ("30Y", 360)],
)
def test_tenor_months_converts_months_and_years(tenor, months):
    assert tenor_months(tenor) == months


@pytest.mark.parametrize("bad", ["10 years", "10y", "Y10", "10", "3W", "", "T10Y2Y", "10YY"])
def test_tenor_months_rejects_anything_that_is_not_a_tenor(bad):
    with pytest.raises(ValueError, match="not a tenor"):
        tenor_months(bad)


# --- curve_snapshots -----------------------------------------------------------------------------

# Three tenors over 2025-03-12 .. 2026-03-16 (a Monday). Targets: Today = 2026-03-16,
# 1M ago = 2026-02-16 (a US holiday: no row), 1Y ago = 2025-03-16 (a Sunday: no row).
CURVE_ROWS = [
    ("3M", "2025-03-12", 4.30), ("2Y", "2025-03-12", 3.90), ("10Y", "2025-03-12", 4.25),
    ("3M", "2025-03-13", 4.31), ("2Y", "2025-03-13", 3.95), ("10Y", "2025-03-13", 4.27),
    ("3M", "2025-03-14", 4.32), ("2Y", "2025-03-14", 4.00),                                # 10Y missing
    ("3M", "2025-03-17", 4.33), ("2Y", "2025-03-17", 4.05), ("10Y", "2025-03-17", 4.30),
    ("3M", "2026-02-13", 3.70), ("2Y", "2026-02-13", 3.40), ("10Y", "2026-02-13", 4.05),
    ("3M", "2026-02-17", 3.72), ("2Y", "2026-02-17", 3.45), ("10Y", "2026-02-17", 4.10),
    ("3M", "2026-03-13", 3.60), ("2Y", "2026-03-13", 3.50), ("10Y", "2026-03-13", 4.15),
                                ("2Y", "2026-03-16", 3.55), ("10Y", "2026-03-16", 4.20),  # 3M missing
]  # fmt: skip


@pytest.fixture
def curve() -> pd.DataFrame:
    return curve_snapshots(obs(CURVE_ROWS), OFFSETS)


def test_curve_snapshots_orders_tenors_by_maturity_not_alphabetically(curve):
    assert curve["tenor"].tolist() == ["3M", "2Y", "10Y"]
    assert curve["months"].tolist() == [3, 24, 120]
    assert curve.columns.tolist() == ["tenor", "months", "Today", "1M ago", "1Y ago"]


def test_curve_snapshots_today_is_the_latest_date_with_a_missing_tenor_forward_filled(curve):
    assert curve["Today"].tolist() == [3.60, 3.55, 4.20]  # 3M from 2026-03-13


def test_curve_snapshots_one_month_ago_takes_the_last_date_on_or_before_the_target(curve):
    assert curve["1M ago"].tolist() == [3.70, 3.40, 4.05]  # 2026-02-13, not 02-17


def test_curve_snapshots_one_year_ago_forward_fills_a_tenor_missing_that_day(curve):
    assert curve["1Y ago"].tolist() == [4.32, 4.00, 4.27]  # 2025-03-14; 10Y from 03-13


def test_curve_snapshots_report_the_date_actually_used_for_each_label(curve):
    assert curve.attrs["dates"] == {
        "Today": date(2026, 3, 16),
        "1M ago": date(2026, 2, 13),
        "1Y ago": date(2025, 3, 14),
    }


def test_curve_snapshots_use_the_target_date_itself_when_it_has_a_row():
    rows = [("2Y", "2026-02-28", 3.0), ("2Y", "2026-03-30", 3.1), ("2Y", "2026-03-31", 3.2)]
    curve = curve_snapshots(obs(rows), {"1M ago": pd.DateOffset(months=1)})
    assert curve["1M ago"].tolist() == [3.0]  # 2026-03-31 minus one month clips to 2026-02-28
    assert curve.attrs["dates"] == {"1M ago": date(2026, 2, 28)}


def test_curve_snapshots_leave_a_tenor_nan_when_it_has_no_value_yet_at_the_target():
    rows = [("2Y", "2025-01-02", 4.0), ("2Y", "2026-01-02", 3.5), ("10Y", "2026-01-02", 4.4)]
    curve = curve_snapshots(obs(rows), OFFSETS).set_index("tenor")
    assert curve.loc["2Y", "1Y ago"] == 4.0
    assert math.isnan(curve.loc["10Y", "1Y ago"])
    assert curve.attrs["dates"]["1Y ago"] == date(2025, 1, 2)


def test_curve_snapshots_without_history_that_far_back_give_nan_and_no_date():
    curve = curve_snapshots(obs([("10Y", "2026-11-20", 4.5)]), OFFSETS)
    assert curve["Today"].tolist() == [4.5]
    assert curve["1Y ago"].isna().all() and curve["1M ago"].isna().all()
    assert curve.attrs["dates"] == {"Today": date(2026, 11, 20), "1M ago": None, "1Y ago": None}


def test_curve_snapshots_take_the_last_row_of_a_duplicated_day():
    rows = [("10Y", "2026-01-02", 4.0), ("10Y", "2026-01-02", 4.1)]
    assert curve_snapshots(obs(rows), {"Today": pd.DateOffset(days=0)})["Today"].tolist() == [4.1]


def test_curve_snapshots_accept_python_dates():
    frame = pd.DataFrame({"key": ["5Y", "5Y"], "date": [date(2026, 1, 2), date(2026, 1, 5)], "value": [3.8, 3.9]})
    curve = curve_snapshots(frame, {"Today": pd.DateOffset(days=0)})
    assert curve["Today"].tolist() == [3.9]
    assert curve.attrs["dates"] == {"Today": date(2026, 1, 5)}


def test_curve_snapshots_of_empty_input_is_an_empty_frame_with_every_label():
    empty = pd.DataFrame(columns=["key", "date", "value"])
    curve = curve_snapshots(empty, OFFSETS)
    assert curve.empty
    assert curve.columns.tolist() == ["tenor", "months", "Today", "1M ago", "1Y ago"]


# --- latest_with_change --------------------------------------------------------------------------


def test_latest_with_change_gives_each_key_its_latest_value_previous_and_change():
    frame = obs(
        [
            ("DGS10", "2026-11-18", 4.00),
            ("DGS10", "2026-11-19", 4.25),
            ("DGS10", "2026-11-20", 4.50),
            ("DGS2", "2026-11-19", 3.75),
            ("DGS2", "2026-11-20", 3.50),
        ]
    )
    latest = latest_with_change(frame)
    assert latest.columns.tolist() == ["key", "date", "value", "previous", "change", "source", "previous_date"]
    assert latest.set_index("key")[["value", "previous", "change"]].to_dict("index") == {
        "DGS10": {"value": 4.50, "previous": 4.25, "change": 0.25},
        "DGS2": {"value": 3.50, "previous": 3.75, "change": -0.25},
    }
    assert set(latest["date"]) == {pd.Timestamp("2026-11-20")}
    assert set(latest["previous_date"]) == {pd.Timestamp("2026-11-19")}
    assert set(latest["source"]) == {"fred_graph"}


def test_latest_with_change_sorts_by_date_first():
    frame = obs([("A", "2026-11-20", 2.0), ("A", "2026-11-18", 1.0), ("A", "2026-11-19", 1.5)])
    row = latest_with_change(frame).iloc[0]
    assert (row["date"], row["value"], row["previous"], row["change"]) == (pd.Timestamp("2026-11-20"), 2.0, 1.5, 0.5)


def test_latest_with_change_with_a_single_observation_has_no_previous():
    frame = obs([("A", "2026-11-19", 1.0), ("A", "2026-11-20", 1.5), ("B", "2026-11-20", 7.0)])
    latest = latest_with_change(frame).set_index("key")
    assert latest.loc["B", "value"] == 7.0
    assert math.isnan(latest.loc["B", "previous"])
    assert math.isnan(latest.loc["B", "change"])
    assert latest.loc["A", "change"] == 0.5


def test_latest_with_change_keeps_the_source_of_the_latest_row():
    frame = pd.concat(
        [obs([("A", "2026-11-19", 1.0)], source="fred_graph"), obs([("A", "2026-11-20", 1.25)], source="treasury")],
        ignore_index=True,
    )
    row = latest_with_change(frame).iloc[0]
    assert (row["value"], row["change"], row["source"]) == (1.25, 0.25, "treasury")


def test_latest_with_change_of_empty_input_is_an_empty_frame_with_the_columns():
    latest = latest_with_change(pd.DataFrame(columns=["key", "date", "value", "source"]))
    assert latest.empty
    assert latest.columns.tolist() == ["key", "date", "value", "previous", "change", "source", "previous_date"]


def test_latest_with_change_ignores_the_index_it_is_given():
    frame = pd.DataFrame(
        {
            "key": ["A", "A", "B", "B"],
            "date": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-01", "2024-01-02"]),
            "value": [1.0, 2.0, 10.0, 7.0],
            "source": ["s"] * 4,
        },
        index=[0, 0, 0, 0],
    )
    out = latest_with_change(frame).set_index("key")
    assert out.loc["A", ["value", "previous", "change"]].tolist() == [2.0, 1.0, 1.0]
    assert out.loc["B", ["value", "previous", "change"]].tolist() == [7.0, 10.0, -3.0]


# --- correlation_matrix ---------------------------------------------------------------------------


def test_the_matrix_of_one_date_is_symmetric_with_ones_on_the_diagonal():
    pairs = pd.DataFrame({"asset_a": ["a", "a", "b"], "asset_b": ["b", "c", "c"], "value": [0.5, -0.2, 0.1]})
    matrix = correlation_matrix(pairs, ["a", "b", "c"])
    assert matrix.loc["b", "a"] == matrix.loc["a", "b"] == 0.5
    assert matrix.loc["c", "b"] == 0.1
    assert np.diag(matrix.values).tolist() == [1.0, 1.0, 1.0]


def test_the_matrix_leaves_out_pairs_of_other_assets():
    pairs = pd.DataFrame({"asset_a": ["a", "a"], "asset_b": ["b", "z"], "value": [0.5, 0.9]})
    matrix = correlation_matrix(pairs, ["a", "b"])
    assert list(matrix.index) == list(matrix.columns) == ["a", "b"]
    assert matrix.loc["a", "b"] == 0.5
