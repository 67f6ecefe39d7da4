"""Demo rows of ``crypto_derivatives``: per coin and calendar day, the day's funding (three
8-hourly settlements of about 0.01 % each, higher when the coin has been rising, now and then
negative) and the open interest in coins, valued at the coin's demo price (billions of dollars
for BTC). Deterministic per coin; not market data."""

from __future__ import annotations

import zlib

import numpy as np
import pandas as pd

from datasources.derivatives import DAYS_PER_YEAR

# Open interest in coins on one large venue at the end of the demo window (late 2025).
OPEN_INTEREST_COINS = {
    "BTC": 85_000,
    "ETH": 2_100_000,
    "SOL": 14_000_000,
    "XRP": 1_500_000_000,
    "DOGE": 9_000_000_000,
}
BASE_RATE = 0.0001  # a funding settlement's rate (fraction) in a quiet market: 0.01 %
SETTLEMENTS = 3  # a day, at 8-hour intervals


def demo_derivatives(coin: str, days: pd.DatetimeIndex, prices: np.ndarray) -> pd.DataFrame:
    """``coin``'s rows on each of ``days`` (calendar days), ``prices`` its demo closes on them."""
    rng = np.random.default_rng(zlib.crc32(f"derivatives:{coin}".encode()))
    n = len(days)
    # Funding follows the month's momentum (longs pay more in a rally) plus noise, per settlement.
    momentum = pd.Series(np.log(prices)).diff(30).fillna(0.0).to_numpy()
    per_settlement = BASE_RATE * (1 + 4 * momentum)[:, None] + rng.normal(0, 0.00004, (n, SETTLEMENTS))
    per_settlement = np.clip(per_settlement, -0.00075, 0.003).round(8)
    funding = per_settlement.sum(axis=1) * 100  # percent
    # Open interest: a mean-reverting wander around a level that grows over the window.
    shocks = rng.normal(0, 0.03, n)
    wander = np.zeros(n)
    for i in range(1, n):
        wander[i] = 0.97 * wander[i - 1] + shocks[i]
    growth = np.linspace(-0.5, 0.0, n)
    coins = OPEN_INTEREST_COINS.get(coin, 1_000_000) * np.exp(growth + wander - wander[-1])
    return pd.DataFrame(
        {
            "symbol": coin,
            "date": days.date,
            "funding_rate": funding.round(6),
            "funding_annualized": (funding * DAYS_PER_YEAR).round(4),
            "funding_periods": SETTLEMENTS,
            "open_interest": coins.round(0),
            "open_interest_usd": (coins * prices).round(0),
        }
    )
