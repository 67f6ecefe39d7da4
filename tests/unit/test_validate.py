"""Pre-write validation of observation frames: a frame that must not be written is a ValidationError."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pandas as pd
import pytest

from datasources.base import DownloadError
from datasources.validate import ValidationError, validate_observations


def frame(dates: list[date], values: list[float], series_id: str = "DGS10") -> pd.DataFrame:
    return pd.DataFrame({"series_id": series_id, "date": dates, "value": values})


def utc_today() -> date:
    return datetime.now(UTC).date()


def test_validate_passes_a_good_frame_through_unchanged():
    good = frame([date(2026, 1, 2), date(2026, 1, 5)], [4.10, 4.12])
    result = validate_observations(good, "DGS10")
    assert result is good
    assert result["value"].tolist() == [4.10, 4.12]


def test_validate_passes_an_empty_frame_with_the_right_columns():
    empty = pd.DataFrame(columns=["series_id", "date", "value"])
    assert validate_observations(empty, "DGS10").empty


def test_validate_allows_the_same_date_for_two_series():
    two = pd.concat(
        [frame([date(2026, 1, 2)], [4.1], "DGS10"), frame([date(2026, 1, 2)], [3.9], "DGS2")], ignore_index=True
    )
    assert len(validate_observations(two, "batch")) == 2


def test_validate_allows_negative_and_zero_values():
    # Spreads and real yields go negative; an observation of 0.0 is a real value.
    result = validate_observations(frame([date(2026, 1, 2), date(2026, 1, 5)], [-0.55, 0.0]), "T10Y2Y")
    assert result["value"].tolist() == [-0.55, 0.0]


def test_validate_allows_tomorrow_for_servers_ahead_of_utc():
    ok = frame([utc_today(), utc_today() + timedelta(days=1)], [1.0, 2.0])
    assert len(validate_observations(ok, "X")) == 2


def test_validate_rejects_duplicate_dates_of_one_series():
    dup = frame([date(2026, 1, 2), date(2026, 1, 2)], [4.1, 4.2])
    with pytest.raises(ValidationError, match="^DGS10: duplicate dates in the response$"):
        validate_observations(dup, "DGS10")


@pytest.mark.parametrize("column", ["series_id", "date", "value"])
def test_validate_rejects_a_frame_missing_a_column(column):
    incomplete = frame([date(2026, 1, 2)], [4.1]).drop(columns=[column])
    with pytest.raises(ValidationError, match=rf"^DGS10: missing columns \['{column}'\]$"):
        validate_observations(incomplete, "DGS10")


def test_validate_rejects_a_missing_column_even_when_the_frame_is_empty():
    with pytest.raises(ValidationError, match="missing columns"):
        validate_observations(pd.DataFrame(columns=["series_id", "date"]), "DGS10")


@pytest.mark.parametrize("bad", [float("inf"), float("-inf"), float("nan")], ids=["inf", "-inf", "nan"])
def test_validate_rejects_non_finite_values(bad):
    with pytest.raises(ValidationError, match="^DGS10: non-finite values$"):
        validate_observations(frame([date(2026, 1, 2), date(2026, 1, 5)], [4.1, bad]), "DGS10")


def test_validate_rejects_a_text_value():
    with pytest.raises(ValidationError, match="non-finite values"):
        validate_observations(frame([date(2026, 1, 2)], ["n/a"]), "DGS10")  # type: ignore[list-item]


@pytest.mark.parametrize("days_ahead", [2, 365])
def test_validate_rejects_dates_in_the_future(days_ahead):
    future = frame([date(2026, 1, 2), utc_today() + timedelta(days=days_ahead)], [4.1, 4.2])
    with pytest.raises(ValidationError, match="^DGS10: dates in the future$"):
        validate_observations(future, "DGS10")


def test_validation_error_is_a_download_error():
    assert issubclass(ValidationError, DownloadError)
