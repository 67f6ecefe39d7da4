"""The volatility smile kept per expiry (datasources/chains.py ``smile``): out-of-the-money IV at
fixed moneyness, interpolated between listed strikes, worked by hand on a small chain; and the
30-day interpolation of the options positioning panel (total variance across expiries)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from datasources.chains import SMILE_COLUMNS, Contracts, otm_smile, smile
from pages.panels.analytics.options_positioning import at_days


def chain(rows: list[tuple[str, float, float]]) -> Contracts:
    """Contracts of one expiry from (kind, strike, iv) rows."""
    frame = pd.DataFrame(rows, columns=["kind", "strike", "iv"])
    frame = frame.assign(volume=np.nan, open_interest=np.nan, delta=np.nan)
    return Contracts.of(frame)


CHAIN = chain(
    [
        ("P", 90, 0.30),
        ("C", 90, 0.10),  # in the money: not the smile's
        ("P", 95, 0.25),
        ("C", 95, 0.12),
        ("P", 100, 0.21),
        ("C", 100, 0.20),
        ("P", 105, 0.50),  # in the money
        ("C", 105, 0.18),
        ("P", 110, 0.17),  # no call at 110: the put's IV stands in
    ]
)


def test_the_smile_reads_puts_below_spot_and_calls_above():
    levels, ivs = otm_smile(CHAIN, 100.0)
    assert levels.tolist() == [90, 95, 100, 105, 110]
    assert ivs.tolist() == pytest.approx([0.30, 0.25, 0.20, 0.18, 0.17])


def test_smile_points_interpolate_between_strikes_within_the_chain():
    points = smile(CHAIN, 100.0)
    assert list(points) == SMILE_COLUMNS
    assert points["iv_90"] == pytest.approx(30.0)
    assert points["iv_95"] == pytest.approx(25.0)
    assert points["iv_97_5"] == pytest.approx(22.5)  # halfway from the 95 put to the 100 call
    assert points["iv_102_5"] == pytest.approx(19.0)
    assert points["iv_110"] == pytest.approx(17.0)
    assert math.isnan(points["iv_80"]) and math.isnan(points["iv_120"])  # beyond the listed strikes


def test_no_spot_or_no_iv_is_no_smile():
    assert all(math.isnan(v) for v in smile(CHAIN, float("nan")).values())
    empty = chain([("C", 100, np.nan), ("P", 100, np.nan)])
    assert all(math.isnan(v) for v in smile(empty, 100.0).values())


def test_thirty_day_iv_interpolates_total_variance_between_the_expiries_around_it():
    days, ivs = np.array([10.0, 40.0]), np.array([20.0, 30.0])
    expected = math.sqrt((20**2 * 10 + (30 - 10) / (40 - 10) * (30**2 * 40 - 20**2 * 10)) / 30)
    assert at_days(days, ivs) == pytest.approx(expected)
    assert at_days(days, ivs, variance=False) == pytest.approx(20 + 10 * 20 / 30)
    assert at_days(np.array([45.0, 60.0]), np.array([25.0, 26.0])) == 25.0  # all beyond: the nearest
    assert at_days(np.array([0.0, 5.0]), np.array([np.nan, 18.0])) == 18.0  # today's expiry left out
    assert math.isnan(at_days(np.array([5.0]), np.array([np.nan])))
