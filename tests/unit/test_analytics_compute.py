"""The analytics computations on small examples worked out by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from jobs.analytics import compute


def wide(start: str, **columns: list[float]) -> pd.DataFrame:
    days = pd.bdate_range(start, periods=len(next(iter(columns.values()))))
    return pd.DataFrame(columns, index=days, dtype=float)


# --- returns ----------------------------------------------------------------------------------


def test_prices_give_relative_returns_and_rates_changes_in_level():
    levels = wide("2026-01-05", SPX=[100, 110, 99], Y10=[4.0, 4.1, 3.9])
    returns = compute.daily_returns(levels, {"Y10"})
    assert returns["SPX"].tolist() == pytest.approx([0.10, -0.10])
    assert returns["Y10"].tolist() == pytest.approx([0.10, -0.20])


def test_weekend_moves_of_crypto_fold_into_monday():
    days = pd.to_datetime(["2026-01-09", "2026-01-10", "2026-01-11", "2026-01-12"])  # Fri Sat Sun Mon
    levels = pd.DataFrame({"BTC": [100.0, 120.0, 130.0, 110.0]}, index=days)
    returns = compute.daily_returns(levels)
    assert returns.index.tolist() == [pd.Timestamp("2026-01-12")]
    assert returns["BTC"].iloc[0] == pytest.approx(0.10)


def test_a_market_holiday_does_not_break_the_other_assets():
    levels = wide("2026-01-05", A=[100, np.nan, 110], B=[10, 11, 12])
    returns = compute.daily_returns(levels)
    assert returns["A"].tolist() == pytest.approx([0.0, 0.10])  # carried over the holiday
    assert returns["B"].tolist() == pytest.approx([0.10, 1 / 11])


# --- correlations -----------------------------------------------------------------------------


def test_rolling_correlation_of_three_days_matches_the_hand_computation():
    # x = 1, 2, 4 and y = 1, 3, 2: mean-centred products sum to 1, squares to 42/9 and 2.
    returns = wide("2026-01-05", x=[1, 2, 4], y=[1, 3, 2])
    out = compute.rolling_correlations(returns, window=3, min_periods=3)
    assert len(out) == 1
    row = out.iloc[0]
    assert (row["asset_a"], row["asset_b"], row["window_days"]) == ("x", "y", 3)
    assert row["value"] == pytest.approx(1 / math.sqrt(42 / 9 * 2))
    assert str(row["date"]) == "2026-01-07"


def test_each_pair_appears_once_and_perfect_co_movement_is_one():
    base = [0.01, -0.02, 0.03, 0.0, 0.015]
    returns = wide("2026-01-05", a=base, double=[2 * r for r in base], mirror=[-r for r in base])
    out = compute.rolling_correlations(returns, window=5, min_periods=5)
    pairs = {(r.asset_a, r.asset_b): r.value for r in out.itertuples()}
    assert pairs == pytest.approx({("a", "double"): 1.0, ("a", "mirror"): -1.0, ("double", "mirror"): -1.0})


def test_a_pair_without_enough_common_days_has_no_value():
    returns = wide("2026-01-05", a=[0.01, 0.02, -0.01, 0.03], b=[np.nan, np.nan, 0.01, 0.02])
    assert compute.rolling_correlations(returns, window=4, min_periods=3).empty


# --- sector rotation --------------------------------------------------------------------------


def test_a_sector_moving_with_the_benchmark_sits_at_100_100():
    spy = [100 * 1.01**i for i in range(30)]
    closes = wide("2026-01-05", SPY=spy, XLK=[2 * v for v in spy])
    out = compute.sector_rotation(closes, "SPY", ["XLK"], ratio_window=5, momentum_lag=2)
    last = out.iloc[-1]
    assert last["rs_ratio"] == pytest.approx(100.0)
    assert last["rs_momentum"] == pytest.approx(100.0)
    assert last["return_1w"] == pytest.approx(100 * (1.01**5 - 1))
    assert math.isnan(last["return_1y"])  # 30 days of history: no one-year return yet


def test_a_sector_steadily_outperforming_has_a_ratio_above_100():
    # RS grows 1% a day: ratio = 100 x 1.01^2 / mean(1, 1.01, 1.01^2) once the 3-day window is full.
    closes = wide("2026-01-05", SPY=[100.0] * 6, XLE=[100 * 1.01**i for i in range(6)])
    out = compute.sector_rotation(closes, "SPY", ["XLE"], ratio_window=3, momentum_lag=1)
    expected = 100 * 1.01**2 / ((1 + 1.01 + 1.01**2) / 3)
    assert out["rs_ratio"].iloc[-1] == pytest.approx(expected)
    assert out["rs_momentum"].iloc[-1] == pytest.approx(100.0)  # the lead is steady, not growing
    assert compute.rotation_quadrant(out["rs_ratio"].iloc[-1], 100.0) == "leading"


@pytest.mark.parametrize(
    ("ratio", "momentum", "quadrant"),
    [(101, 101, "leading"), (101, 99, "weakening"), (99, 99, "lagging"), (99, 101, "improving")],
)
def test_rotation_quadrants(ratio, momentum, quadrant):
    assert compute.rotation_quadrant(ratio, momentum) == quadrant


def test_sector_rotation_without_the_benchmark_is_empty():
    assert compute.sector_rotation(wide("2026-01-05", XLK=[1, 2]), "SPY", ["XLK"]).empty


# --- market breadth ---------------------------------------------------------------------------


def test_advancers_decliners_and_the_ad_line_by_hand():
    closes = wide("2026-01-05", A=[10, 11, 11], B=[5, 4, 6], C=[1, 1, np.nan])
    out = compute.market_breadth(closes, "TEST")
    assert out["date"].astype(str).tolist() == ["2026-01-06", "2026-01-07"]
    assert out[["advancers", "decliners", "unchanged"]].values.tolist() == [[1, 1, 1], [1, 0, 1]]
    assert out["ad_line"].tolist() == [0.0, 1.0]
    assert out["new_highs"].tolist() == [0, 0]  # nobody has a year of history
    assert out["pct_above_50d"].isna().all()


def test_new_highs_lows_and_share_above_moving_averages():
    n = 260
    rising = [100 + i for i in range(n)]
    falling = [400 - i for i in range(n)]
    out = compute.market_breadth(wide("2025-01-01", UP=rising, DOWN=falling), "TEST")
    last = out.iloc[-1]
    assert (last["new_highs"], last["new_lows"]) == (1, 1)
    assert last["pct_above_50d"] == 50.0 and last["pct_above_200d"] == 50.0
    assert out.iloc[0]["advancers"] == 1 and out.iloc[0]["decliners"] == 1


# --- sentiment --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "expected"), [([1, 2, 3, 4, 5], 100.0), ([5, 4, 3, 2, 1], 0.0), ([2, 2, 2, 2, 2], 50.0)]
)
def test_trailing_percentile(values, expected):
    series = pd.Series(values, index=pd.bdate_range("2026-01-05", periods=5), dtype=float)
    assert compute.trailing_percentile(series, window=5, min_periods=5).iloc[-1] == expected


@pytest.mark.parametrize(
    ("score", "label"),
    [(10, "Extreme fear"), (30, "Fear"), (50, "Neutral"), (60, "Greed"), (90, "Extreme greed"), (100, "Extreme greed")],
)
def test_sentiment_labels(score, label):
    assert compute.sentiment_label(score) == label


def test_the_composite_is_the_mean_of_its_components_and_shows_them():
    days = pd.bdate_range("2026-01-05", periods=3)
    fear_greed = pd.Series([40.0, 60.0, 70.0], index=days)
    crypto = pd.Series([60.0, 80.0, np.nan], index=days)
    out = compute.sentiment_composite({"FG": fear_greed, "CRYPTO": crypto}, {})
    composite = out[out["indicator_id"] == "COMPOSITE"]
    assert composite["value"].tolist() == [50.0, 70.0, 75.0]  # day 3: crypto carried forward
    assert composite["label"].tolist() == ["Neutral", "Greed", "Extreme greed"]
    assert set(out["indicator_id"]) == {"COMPOSITE", "COMPOSITE_FG", "COMPOSITE_CRYPTO"}


def test_fear_gauges_count_inversely():
    days = pd.bdate_range("2026-01-05", periods=70)
    put_call = pd.Series(np.linspace(0.5, 1.5, 70), index=days)  # rising put/call: more and more fear
    out = compute.sentiment_composite({}, {"PUT_CALL": put_call}, min_components=1)
    score = out[out["indicator_id"] == "COMPOSITE_PUT_CALL"]["value"]
    assert score.iloc[-1] == 0.0  # the highest put/call of the year is the most fearful reading


def test_a_composite_needs_enough_components():
    days = pd.bdate_range("2026-01-05", periods=2)
    out = compute.sentiment_composite({"FG": pd.Series([40.0, 60.0], index=days)}, {})
    assert "COMPOSITE" not in set(out["indicator_id"])


def test_vix_term_structure_is_front_over_back():
    days = pd.bdate_range("2026-01-05", periods=3)
    ratio = compute.term_structure(pd.Series([20.0, 30.0, 15.0], index=days), pd.Series([25.0, 25.0, 0.0], index=days))
    assert ratio.tolist() == [0.8, 1.2]  # a zero back month is left out, not divided by
