"""The wire-format helpers every provider module shares."""

from __future__ import annotations

from datetime import date

import pytest

from datasources.wire import snapshot_days, split_pair


def test_pairs_must_be_six_letters():
    assert split_pair("eurusd") == ("EUR", "USD")
    with pytest.raises(ValueError, match="not a currency pair"):
        split_pair("EUR/USD")


def test_snapshot_days_are_weekdays_from_since_never_more_than_max_days_back():
    friday = date(2024, 1, 12)
    assert snapshot_days(date(2024, 1, 8), today=friday) == [date(2024, 1, d) for d in range(8, 13)]
    assert snapshot_days(None, max_days=7, today=friday) == [date(2024, 1, d) for d in range(8, 13)]
    assert snapshot_days(date(2023, 1, 1), max_days=7, today=friday) == [date(2024, 1, d) for d in range(8, 13)]
    sunday = date(2024, 1, 14)
    assert snapshot_days(sunday, today=sunday) == [sunday]  # never no request at all
