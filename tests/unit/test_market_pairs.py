"""The computations of the pair and basket panels (pages/panels/markets.py): ratios and spreads of
two instruments on the first one's dates, and geometric baskets such as the ICE dollar index."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from pages.panels.markets import TOLERANCE_DAYS, basket_values, pair_values


def rows(key: str, values: dict[str, float]) -> pd.DataFrame:
    return pd.DataFrame({"key": key, "date": pd.to_datetime(list(values)), "value": list(values.values())})


def frame(*parts: pd.DataFrame) -> pd.DataFrame:
    return pd.concat(parts, ignore_index=True)


def test_a_ratio_is_taken_on_the_first_instruments_dates_with_the_second_as_of_then():
    data = frame(
        rows("GC", {"2025-01-02": 2600.0, "2025-01-03": 2640.0, "2025-01-06": 2700.0}),
        # silver has no 2025-01-03 (a holiday of its own): the 2 January close stands in
        rows("SI", {"2025-01-02": 30.0, "2025-01-06": 27.0}),
    )
    ratio = pair_values(data, "GC", "SI")
    assert list(ratio.index.strftime("%Y-%m-%d")) == ["2025-01-02", "2025-01-03", "2025-01-06"]
    assert ratio.tolist() == pytest.approx([2600 / 30, 2640 / 30, 100.0])


def test_a_spread_is_a_difference_and_scale_multiplies_it():
    data = frame(
        rows("CL", {"2025-03-03": 68.0, "2025-03-04": 66.5}), rows("BZ", {"2025-03-03": 71.5, "2025-03-04": 70.0})
    )
    assert pair_values(data, "CL", "BZ", "spread").tolist() == pytest.approx([-3.5, -3.5])
    assert pair_values(data, "CL", "BZ", "ratio", scale=100).tolist() == pytest.approx([6800 / 71.5, 6650 / 70])


def test_a_stale_second_instrument_or_a_zero_divisor_leaves_the_date_out():
    late = (pd.Timestamp("2025-01-01") + pd.Timedelta(days=TOLERANCE_DAYS + 1)).strftime("%Y-%m-%d")
    data = frame(
        rows("A", {"2025-01-01": 10.0, late: 12.0, "2025-02-03": 9.0}),
        rows("B", {"2025-01-01": 2.0, "2025-02-03": 0.0}),
    )
    ratio = pair_values(data, "A", "B")
    assert list(ratio.index.strftime("%Y-%m-%d")) == ["2025-01-01"] and ratio.iloc[0] == 5.0
    assert pair_values(data, "A", "C").empty
    with pytest.raises(ValueError, match="op must be"):
        pair_values(data, "A", "B", "product")


def test_monthly_series_stay_monthly():
    months = {"2025-01-01": 2.7, "2025-02-01": 2.5, "2025-03-01": 2.3}
    us = {"2025-01-01": 4.3, "2025-02-01": 4.3, "2025-03-01": 4.3}
    spread = pair_values(frame(rows("EZ", months), rows("US", us)), "EZ", "US", "spread")
    assert len(spread) == 3 and spread.tolist() == pytest.approx([-1.6, -1.8, -2.0])


DXY = {"EURUSD": -0.576, "USDJPY": 0.136, "GBPUSD": -0.119, "USDCAD": 0.091, "USDSEK": 0.042, "USDCHF": 0.036}


def test_the_dollar_index_formula_on_known_rates():
    # 2024-06-03 rates near ICE's close that day (DXY ~104.1)
    day = {"EURUSD": 1.0849, "USDJPY": 156.1, "GBPUSD": 1.2797, "USDCAD": 1.3664, "USDSEK": 10.45, "USDCHF": 0.8978}
    data = frame(*(rows(k, {"2024-06-03": v}) for k, v in day.items()))
    value = basket_values(data, DXY, 50.14348112)
    expected = 50.14348112 * math.prod(day[k] ** w for k, w in DXY.items())
    assert value.iloc[0] == pytest.approx(expected) and 103 < value.iloc[0] < 105


def test_a_basket_carries_a_members_holiday_but_needs_every_member():
    data = frame(
        rows("A", {"2025-01-02": 4.0, "2025-01-03": 9.0}),
        rows("B", {"2025-01-02": 2.0}),  # no 3 January: its last value stands in
    )
    values = basket_values(data, {"A": 0.5, "B": 1.0}, 10.0)
    assert values.tolist() == pytest.approx([10 * 2 * 2, 10 * 3 * 2])
    assert basket_values(data, {"A": 0.5, "C": 1.0}).empty
    gap = frame(rows("A", {"2025-01-02": 4.0, "2025-03-03": 4.0}), rows("B", {"2025-01-02": 1.0}))
    assert len(basket_values(gap, {"A": 1.0, "B": 1.0})) == 1  # B two months stale: the date is left out
