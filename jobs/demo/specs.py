"""The shape of a demo series (:class:`Spec` and its builders ``P``, ``R``, ``G``), the demo's
fixed choices (source label, datasets, window) and the random path every series wanders on."""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass

import numpy as np
import pandas as pd

DEMO_SOURCE = "demo"
# Term spreads are differences of two demo tenors, so they agree with the demo curve.
TERM_SPREADS = {"T10Y2Y": ("10Y", "2Y"), "T10Y3M": ("10Y", "3M")}
# Option-chain snapshots: the last six weeks of business days (each one summarises a whole
# synthetic chain, so five years of them would be most of the seeding time).
CHAIN_SNAPSHOTS = 30
# The datasets of their tables' own rows the demo fills with generators of their own.
ROW_DATASETS = ("options_chain", "crypto_derivatives", "fundamentals", "cot_positions")
# The datasets the demo fills (those above aside): all that hold prices or observations.
DEMO_DATASETS = (
    "market_indices",
    "equities",
    "commodities",
    "forex_rates",
    "crypto_prices",
    "volatility_indicators",
    "treasury_yields",
    "credit_spreads",
    "economic_indicators",
    "fred_series",
    "sentiment_indicators",
)


@dataclass(frozen=True)
class Spec:
    """How one series moves. ``level``: its value at the last observation (late 2025), in the
    series' unit. ``vol``: annual volatility of its own moves, ``band``: the standard deviation
    of its wander around the trend, ``drift``: the trend per year — all in logs when ``log``
    (prices, indices, amounts), in the series' unit otherwise (rates, balances, diffusion
    indices). ``freq``: ``B`` (the dataset's days), ``W-SAT``… (weekly, dated on that day),
    ``MS`` (monthly), ``QS`` (quarterly), ``YS`` (annual). ``factors``: (key, beta) of daily
    series whose deviation this one shares (beta in this series' units per unit of theirs)."""

    level: float
    vol: float
    band: float
    drift: float = 0.0
    freq: str = "B"
    log: bool = True
    decimals: int | None = None
    low: float | None = None
    high: float | None = None
    factors: tuple[tuple[str, float], ...] = ()


def P(level: float, drift: float = 0.0, vol: float = 0.2, band: float = 0.12, **factors: float) -> Spec:
    """A daily price (log moves), optionally sharing the swings of other daily series."""
    return Spec(level, vol, band, drift, factors=tuple(factors.items()))


def R(
    level: float,
    vol: float,
    band: float,
    freq: str = "B",
    decimals: int = 2,
    *,
    drift: float = 0.0,
    low: float | None = None,
    high: float | None = None,
    **factors: float,
) -> Spec:
    """A rate, ratio or balance: moves in its own unit (may cross zero unless ``low`` is set)."""
    return Spec(level, vol, band, drift, freq, False, decimals, low, high, tuple(factors.items()))


def G(level: float, drift: float, freq: str = "MS", vol: float = 0.01, band: float = 0.01, decimals=None) -> Spec:
    """An economic amount or index that grows (log moves) at ``freq``."""
    return Spec(level, vol, band, drift, freq, decimals=decimals)


W_SAT, W_WED, W_THU, W_FRI, W_MON = "W-SAT", "W-WED", "W-THU", "W-FRI", "W-MON"


def _backward_ar(seed: str, n: int, step: float, band: float) -> np.ndarray:
    """A stationary AR(1) path of ``n`` points with standard deviation ``band`` and shocks of
    ``step``, run backwards in time from 0 at the last point (so every path ends at its anchor,
    and the recent past does not depend on how far back the window goes)."""
    if n == 0 or band <= 0 or step <= 0:
        return np.zeros(n)
    rng = np.random.default_rng(zlib.crc32(seed.encode()))
    persistence = math.sqrt(max(0.0, 1 - (step / band) ** 2))
    shocks = rng.normal(0.0, min(step, band), n).tolist()
    out = [0.0] * n
    x = 0.0
    for k in range(1, n):
        x = persistence * x + shocks[k]
        out[n - 1 - k] = x
    return np.asarray(out)


def years_to_end(dates: pd.DatetimeIndex) -> np.ndarray:
    """Each date's distance from the last one, in years (negative: before it)."""
    return (dates - dates[-1]).days.to_numpy(dtype=float) / 365.25
