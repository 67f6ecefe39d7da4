"""The measures of the analytics panels (pages/panels/analytics/measures.py), worked by hand on
small series: monthly returns by year, drawdown and its worst episode, rolling volatility, ratios
across calendars, percentile and range position."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from pages.panels.analytics.measures import (
    drawdown,
    month_summary,
    monthly_returns,
    percentile_rank,
    periods_per_year,
    range_position,
    ratio,
    rolling_volatility,
    worst_drawdown,
)


def series(pairs: dict[str, float]) -> pd.Series:
    return pd.Series(list(pairs.values()), index=pd.to_datetime(list(pairs)))


def test_monthly_returns_compare_each_month_end_with_the_one_before():
    closes = series(
        {
            "2023-11-15": 90.0,
            "2023-11-30": 100.0,
            "2023-12-10": 104.0,
            "2023-12-29": 110.0,
            "2024-01-31": 99.0,
            "2024-02-29": 108.9,
            "2024-03-05": 111.078,  # the newest close: March to date
        }
    )
    table = monthly_returns(closes)
    assert list(table.index) == [2023, 2024]
    assert math.isnan(table.loc[2023, "Nov"])  # no close before it
    assert table.loc[2023, "Dec"] == pytest.approx(10.0)
    assert table.loc[2024, "Jan"] == pytest.approx(-10.0)
    assert table.loc[2024, "Feb"] == pytest.approx(10.0)
    assert table.loc[2024, "Mar"] == pytest.approx(2.0)
    assert math.isnan(table.loc[2024, "Apr"])
    assert math.isnan(table.loc[2023, "Year"])
    assert table.loc[2024, "Year"] == pytest.approx(100 * (111.078 / 110 - 1))


def test_a_month_without_a_close_carries_the_last_close_to_the_next():
    closes = series({"2024-01-31": 100.0, "2024-03-29": 121.0})
    table = monthly_returns(closes)
    assert math.isnan(table.loc[2024, "Feb"])
    assert table.loc[2024, "Mar"] == pytest.approx(21.0)


def test_month_summary_averages_and_counts_positive_years():
    table = pd.DataFrame({"Jan": [2.0, -1.0, 5.0], "Feb": [1.0, np.nan, 3.0]}, index=[2022, 2023, 2024])
    summary = month_summary(table)
    assert summary.loc["Average", "Jan"] == pytest.approx(2.0)
    assert summary.loc["Median", "Jan"] == pytest.approx(2.0)
    assert summary.loc["Positive %", "Jan"] == pytest.approx(200 / 3)
    assert summary.loc["Positive %", "Feb"] == pytest.approx(100.0)


def test_drawdown_is_the_fall_from_the_running_peak():
    closes = series({"2024-01-01": 100.0, "2024-01-02": 120.0, "2024-01-03": 90.0, "2024-01-04": 130.0})
    assert drawdown(closes).round(6).tolist() == [0.0, 0.0, -25.0, 0.0]


def test_worst_drawdown_names_peak_trough_and_recovery():
    closes = series(
        {
            "2024-01-01": 100.0,
            "2024-01-02": 120.0,
            "2024-01-03": 80.0,
            "2024-01-04": 110.0,
            "2024-01-05": 125.0,
            "2024-01-08": 115.0,
        }
    )
    worst = worst_drawdown(closes)
    assert worst["depth"] == pytest.approx(100 * (80 / 120 - 1))
    assert worst["peak"] == pd.Timestamp("2024-01-02")
    assert worst["trough"] == pd.Timestamp("2024-01-03")
    assert worst["recovered"] == pd.Timestamp("2024-01-05")
    assert worst["current"] == pytest.approx(100 * (115 / 125 - 1))
    assert worst["since"] == pd.Timestamp("2024-01-05")


def test_worst_drawdown_not_yet_recovered():
    worst = worst_drawdown(series({"2024-01-01": 100.0, "2024-01-02": 50.0, "2024-01-03": 75.0}))
    assert worst["depth"] == pytest.approx(-50.0) and worst["recovered"] is None
    assert worst["current"] == pytest.approx(-25.0)


def test_rolling_volatility_annualises_the_standard_deviation_of_log_returns():
    days = pd.bdate_range("2024-01-01", periods=6)
    closes = pd.Series(100 * np.exp(np.cumsum([0.0, 0.01, -0.01, 0.01, -0.01, 0.01])), index=days)
    vol = rolling_volatility(closes, 3, per_year=252)
    assert vol.iloc[:3].isna().all()
    expected = 100 * math.sqrt(252) * np.std([0.01, -0.01, 0.01], ddof=1)
    assert vol.iloc[3] == pytest.approx(expected)


def test_periods_per_year_tells_trading_days_from_every_day():
    assert periods_per_year(pd.bdate_range("2023-01-01", "2024-12-31")) in range(258, 263)
    assert periods_per_year(pd.date_range("2023-01-01", "2024-12-31")) == 365
    assert periods_per_year(pd.date_range("2023-01-01", periods=10)) == 252


def test_ratio_pairs_each_date_with_the_latest_close_of_the_other_within_tolerance():
    a = series({"2024-01-06": 50.0, "2024-01-08": 60.0, "2024-01-20": 70.0})  # a Saturday, Monday…
    b = series({"2024-01-05": 10.0, "2024-01-08": 12.0})
    out = ratio(a, b, tolerance_days=5)
    assert out.to_dict() == {pd.Timestamp("2024-01-06"): 5.0, pd.Timestamp("2024-01-08"): 5.0}


def test_percentile_and_range_position():
    history = pd.Series([1.0, 2.0, 3.0, 4.0])
    assert percentile_rank(history, 3.0) == pytest.approx(75.0)
    assert range_position(history, 2.5) == pytest.approx(50.0)
    assert math.isnan(range_position(pd.Series([2.0, 2.0]), 2.0))
    assert math.isnan(percentile_rank(pd.Series(dtype=float), 1.0))
