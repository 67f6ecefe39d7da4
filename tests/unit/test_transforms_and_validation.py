"""Pure frame transforms (yield-curve snapshots, latest-with-change) and pre-write validation."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pandas as pd
import pytest

from datasources.validate import ValidationError, validate_observations
from sql.transforms import curve_snapshots, latest_with_change, tenor_months

OFFSETS = {"Today": pd.DateOffset(days=0), "1M ago": pd.DateOffset(months=1), "1Y ago": pd.DateOffset(years=1)}


def obs(rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame([{"key": k, "date": pd.Timestamp(d), "value": v, "source": "test"} for k, d, v in rows])


@pytest.mark.parametrize(("tenor", "months"), [("1M", 1), ("3M", 3), ("2Y", 24), ("30Y", 360)])
def test_tenor_months(tenor, months):
    assert tenor_months(tenor) == months


def test_tenor_months_rejects_anything_else():
    with pytest.raises(ValueError, match="not a tenor"):
        tenor_months("10 years")


def test_curve_snapshots_pick_the_last_date_on_or_before_each_target():
    frame = obs(
        [
            ("10Y", "2025-11-19", 4.0), ("2Y", "2025-11-19", 3.0),   # 1Y before 2026-11-20 is 2025-11-20: use 11-19
            ("10Y", "2026-10-20", 4.2), ("2Y", "2026-10-20", 3.4),   # exactly 1M before
            ("10Y", "2026-11-19", 4.4), ("2Y", "2026-11-19", 3.5),
            ("10Y", "2026-11-20", 4.5),                              # 2Y missing on the last day: forward-filled
        ]
    )  # fmt: skip
    curve = curve_snapshots(frame, OFFSETS)
    assert list(curve["tenor"]) == ["2Y", "10Y"]  # ordered by maturity, not alphabetically
    assert curve.set_index("tenor").to_dict() == {
        "months": {"2Y": 24, "10Y": 120},
        "Today": {"2Y": 3.5, "10Y": 4.5},
        "1M ago": {"2Y": 3.4, "10Y": 4.2},
        "1Y ago": {"2Y": 3.0, "10Y": 4.0},
    }
    assert curve.attrs["dates"] == {
        "Today": date(2026, 11, 20),
        "1M ago": date(2026, 10, 20),
        "1Y ago": date(2025, 11, 19),
    }


def test_curve_snapshot_without_history_that_far_back_is_empty_not_an_error():
    curve = curve_snapshots(obs([("10Y", "2026-11-20", 4.5)]), OFFSETS)
    assert curve["Today"].tolist() == [4.5]
    assert curve["1Y ago"].isna().all()
    assert curve.attrs["dates"]["1Y ago"] is None


def test_curve_snapshots_of_nothing():
    assert curve_snapshots(obs([]).reindex(columns=["key", "date", "value"]), OFFSETS).empty


def test_latest_with_change_per_key():
    frame = obs([("A", "2026-11-19", 1.0), ("A", "2026-11-20", 1.5), ("B", "2026-11-20", 7.0)])
    latest = latest_with_change(frame).set_index("key")
    assert latest.loc["A", "value"] == 1.5 and latest.loc["A", "previous"] == 1.0 and latest.loc["A", "change"] == 0.5
    assert (
        latest.loc["B", "value"] == 7.0 and pd.isna(latest.loc["B", "previous"]) and pd.isna(latest.loc["B", "change"])
    )
    assert latest.loc["A", "date"] == pd.Timestamp("2026-11-20")


def good_frame() -> pd.DataFrame:
    return pd.DataFrame({"series_id": "X", "date": [date(2026, 1, 1), date(2026, 1, 2)], "value": [1.0, 2.0]})


def test_validation_passes_a_good_frame():
    assert validate_observations(good_frame(), "X").equals(good_frame())


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda f: f.drop(columns=["value"]), "missing columns"),
        (lambda f: f.assign(date=[date(2026, 1, 1)] * 2), "duplicate dates"),
        (lambda f: f.assign(value=[1.0, float("inf")]), "non-finite"),
        (lambda f: f.assign(date=[date(2026, 1, 1), (datetime.now(UTC) + timedelta(days=5)).date()]), "future"),
    ],
    ids=["missing-column", "duplicates", "inf", "future"],
)
def test_validation_rejects_frames_that_must_not_be_written(mutate, message):
    with pytest.raises(ValidationError, match=message):
        validate_observations(mutate(good_frame()), "X")
