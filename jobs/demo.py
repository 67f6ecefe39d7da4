"""`python -m jobs demo`: clearly labelled synthetic data for every catalogued instrument, so the
station can be tried with no internet. Rows carry ``source = "demo"`` and their datasets are
flagged in ``dataset_versions`` (the web shows a DEMO ribbon); `--remove` takes them out again.

Every series is drawn from an anchor of its own (:class:`Spec`): where the instrument traded
or stood late in 2025, in its real unit (payrolls in thousands of persons, retail sales in
millions of dollars, yields and spreads in percent), at its real frequency (a monthly series
has one value a month, dated on the first like FRED's), how much it moves and how far it strays.
A path ends at its anchor and goes back five years along a gentle trend (``drift``), wandering
around it as a mean-reverting deviation of bounded size (``band``), so no series drifts into a
level its instrument never had. Related series share factors, and curves and spreads are built
so that they keep their order at every date:

- the Treasury curve from a short rate and the 10-year (the long end above the 10-year);
- credit spreads from one credit factor as a chain of ratios above 1 (AAA < A < BBB < BB < B < CCC,
  IG and HY blends of their ratings), wider when equities fall;
- policy rates as a target range moved in 25 bp steps at meetings (EFFR, SOFR, IORB, prime);
- FX crosses from one rate per currency (EUR/JPY = EUR/USD × USD/JPY), ETFs from their indices,
  FRED copies of market series (SP500, DGS10, DEXJPUS, BAMLH0A0HYM2) from the same paths.

Values are deterministic per instrument (seeded by its key); they are not market data.
"""

from __future__ import annotations

import math
import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
from sqlalchemy import delete

from config.catalog import Catalog, Instrument
from jobs.analytics.run import run_analytics
from jobs.demo_options import demo_chain_history
from sql.datasets import DATASETS
from sql.schema import table
from sql.store import Store
from sql.transforms import tenor_months
from sql.versions import publish_version
from sql.write import bump_version, rebuild_stats, write_dataset

DEMO_SOURCE = "demo"
# Term spreads are differences of two demo tenors, so they agree with the demo curve.
TERM_SPREADS = {"T10Y2Y": ("10Y", "2Y"), "T10Y3M": ("10Y", "3M")}
YEARS = 5
# Option-chain snapshots: the last six weeks of business days (each one summarises a whole
# synthetic chain, so five years of them would be most of the seeding time).
CHAIN_SNAPSHOTS = 30
# The datasets the demo fills (options_chain aside): all that hold prices or observations.
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


# --- anchors: late-2025 levels, in each series' unit ----------------------------------------

INDICES = {
    "SPX": P(6700, 0.10, 0.16, 0.08),
    "NDX": P(25000, 0.12, 0.08, 0.05, SPX=1.25),
    "IXIC": P(23000, 0.11, 0.03, 0.02, NDX=0.95),
    "DJI": P(47000, 0.09, 0.07, 0.04, SPX=0.85),
    "RUT": P(2450, 0.056, 0.14, 0.08, SPX=1.15),
    "NYA": P(21500, 0.08, 0.06, 0.04, SPX=0.85),
    "SOX": P(7000, 0.19, 0.25, 0.15, NDX=1.5),
    "GSPTSE": P(31000, 0.11, 0.09, 0.06, SPX=0.7),
    "BVSP": P(155000, 0.07, 0.2, 0.12, SPX=0.5),
    "MXX": P(62000, 0.08, 0.16, 0.1, SPX=0.5),
    "MERV": P(2900000, 0.8, 0.45, 0.3, SPX=0.5),  # in pesos, through Argentine inflation
    "FTSE": P(9700, 0.083, 0.1, 0.06, SPX=0.5),
    "GDAXI": P(24000, 0.118, 0.12, 0.07, SPX=0.7),
    "FCHI": P(8100, 0.075, 0.12, 0.07, SPX=0.65),
    "STOXX50E": P(5700, 0.1, 0.12, 0.07, SPX=0.7),
    "IBEX": P(16500, 0.14, 0.13, 0.08, SPX=0.6),
    "FTSEMIB": P(43500, 0.136, 0.14, 0.08, SPX=0.7),
    "AEX": P(950, 0.09, 0.11, 0.07, SPX=0.7),
    "SSMI": P(12900, 0.043, 0.1, 0.06, SPX=0.45),
    "OMXS30": P(2700, 0.07, 0.13, 0.08, SPX=0.7),
    "N225": P(50000, 0.127, 0.18, 0.1, SPX=0.6),
    "HSI": P(25800, 0.0, 0.24, 0.18, SPX=0.4),
    "SSEC": P(3900, 0.027, 0.18, 0.1, SPX=0.2),
    "KS11": P(4000, 0.08, 0.2, 0.12, SPX=0.6),
    "TWII": P(27000, 0.13, 0.18, 0.1, SPX=0.8),
    "BSESN": P(85000, 0.127, 0.14, 0.08, SPX=0.4),
    "NSEI": P(26000, 0.134, 0.04, 0.02, BSESN=1.0),
    "AXJO": P(8600, 0.053, 0.11, 0.06, SPX=0.5),
    "NZ50": P(13400, 0.008, 0.11, 0.07, SPX=0.3),
    "STI": P(4500, 0.09, 0.1, 0.06, SPX=0.4),
    "JKSE": P(8600, 0.079, 0.16, 0.1, SPX=0.3),
    "KLSE": P(1620, 0.0, 0.09, 0.06, SPX=0.2),
    "TA125": P(3300, 0.16, 0.15, 0.09, SPX=0.5),
    # ETFs track their index (SPY ≈ SPX / 10, DIA ≈ DJI / 100); TLT, HYG, LQD are priced off
    # the demo curve and spreads (DERIVED).
    "SPY": P(670, 0.10, 0.003, 0.001, SPX=1.0),
    "QQQ": P(610, 0.12, 0.003, 0.001, NDX=1.0),
    "DIA": P(470, 0.09, 0.003, 0.001, DJI=1.0),
    "IWM": P(243, 0.056, 0.004, 0.001, RUT=1.0),
    "VTI": P(330, 0.10, 0.02, 0.01, SPX=1.02),
    "EFA": P(95, 0.055, 0.1, 0.06, SPX=0.65),
    "EEM": P(54, 0.015, 0.14, 0.09, SPX=0.6),
    "XLB": P(89, 0.02, 0.14, 0.08, SPX=0.9),
    "XLC": P(115, 0.105, 0.14, 0.08, SPX=1.0),
    "XLE": P(90, 0.15, 0.22, 0.14, SPX=0.6),
    "XLF": P(53, 0.107, 0.12, 0.07, SPX=1.05),
    "XLI": P(155, 0.113, 0.1, 0.06, SPX=1.0),
    "XLK": P(285, 0.157, 0.12, 0.07, SPX=1.2),
    "XLP": P(78, 0.036, 0.1, 0.06, SPX=0.45),
    "XLRE": P(41, 0.026, 0.14, 0.08, SPX=0.8),
    "XLU": P(87, 0.065, 0.13, 0.08, SPX=0.45),
    "XLV": P(150, 0.058, 0.11, 0.07, SPX=0.6),
    "XLY": P(235, 0.077, 0.13, 0.08, SPX=1.15),
}

EQUITIES = {
    key: P(level, drift, vol, band, SPX=beta)
    for key, (level, drift, vol, band, beta) in {
        "AAPL": (280, 0.17, 0.22, 0.12, 1.1),
        "MSFT": (480, 0.16, 0.2, 0.1, 1.0),
        "NVDA": (180, 0.5, 0.45, 0.25, 1.6),
        "AMZN": (230, 0.07, 0.26, 0.14, 1.2),
        "GOOGL": (315, 0.25, 0.24, 0.14, 1.1),
        "META": (640, 0.17, 0.32, 0.2, 1.3),
        "BRK-B": (505, 0.16, 0.14, 0.08, 0.8),
        "LLY": (1050, 0.39, 0.28, 0.15, 0.5),
        "AVGO": (380, 0.45, 0.35, 0.2, 1.3),
        "JPM": (310, 0.18, 0.18, 0.1, 1.0),
        "TSLA": (430, 0.15, 0.5, 0.3, 1.6),
        "UNH": (330, 0.0, 0.28, 0.2, 0.5),
        "XOM": (117, 0.12, 0.22, 0.14, 0.6),
        "V": (330, 0.1, 0.16, 0.08, 0.9),
        "MA": (550, 0.1, 0.17, 0.09, 0.95),
        "JNJ": (205, 0.05, 0.14, 0.08, 0.4),
        "PG": (148, 0.02, 0.14, 0.08, 0.4),
        "HD": (355, 0.04, 0.2, 0.1, 1.0),
        "COST": (900, 0.175, 0.18, 0.1, 0.7),
        "MRK": (100, 0.04, 0.2, 0.12, 0.4),
        "ABBV": (225, 0.15, 0.2, 0.1, 0.5),
        "CVX": (150, 0.1, 0.2, 0.12, 0.6),
        "KO": (71, 0.06, 0.13, 0.07, 0.45),
        "PEP": (148, -0.01, 0.15, 0.08, 0.45),
        "WMT": (115, 0.17, 0.16, 0.08, 0.5),
        "BAC": (53, 0.1, 0.2, 0.12, 1.1),
        "ADBE": (340, -0.08, 0.28, 0.18, 1.1),
        "CRM": (240, 0.01, 0.28, 0.16, 1.1),
        "NFLX": (105, 0.15, 0.35, 0.2, 1.1),
        "TMO": (580, 0.04, 0.22, 0.12, 0.8),
        "ORCL": (200, 0.24, 0.3, 0.18, 1.0),
        "AMD": (215, 0.17, 0.42, 0.25, 1.5),
        "CSCO": (77, 0.1, 0.18, 0.1, 0.9),
        "ACN": (250, 0.0, 0.22, 0.14, 1.0),
        "MCD": (310, 0.07, 0.14, 0.07, 0.5),
        "LIN": (415, 0.1, 0.16, 0.08, 0.8),
        "ABT": (128, 0.03, 0.18, 0.1, 0.6),
        "DHR": (225, -0.01, 0.22, 0.12, 0.9),
        "WFC": (85, 0.2, 0.22, 0.12, 1.1),
        "DIS": (110, -0.1, 0.24, 0.14, 1.1),
        "INTC": (40, -0.05, 0.4, 0.25, 1.2),
        "VZ": (41, -0.07, 0.16, 0.1, 0.3),
        "CMCSA": (27, -0.12, 0.2, 0.12, 0.7),
        "PFE": (25, -0.08, 0.2, 0.12, 0.4),
        "NKE": (64, -0.16, 0.26, 0.16, 0.9),
        "TXN": (165, 0.0, 0.24, 0.14, 1.1),
        "QCOM": (170, 0.03, 0.28, 0.16, 1.3),
        "IBM": (305, 0.18, 0.2, 0.12, 0.7),
        "CAT": (580, 0.23, 0.22, 0.12, 1.0),
        "GS": (830, 0.26, 0.2, 0.12, 1.2),
    }.items()
}

COMMODITIES = {
    "GC": P(4050, 0.157, 0.14, 0.08),  # $/oz
    "SI": P(50, 0.15, 0.2, 0.12, GC=1.3),
    "PL": P(1550, 0.1, 0.2, 0.14, GC=0.6),
    "PA": P(1400, -0.1, 0.3, 0.2, GC=0.5),
    "HG": P(5.0, 0.08, 0.2, 0.12),  # $/lb
    "CL": P(59, 0.05, 0.32, 0.2),  # $/bbl
    "BZ": P(63, 0.05, 0.04, 0.02, CL=1.0),
    "NG": P(4.5, 0.1, 0.55, 0.35),  # $/MMBtu
    "RB": P(1.85, 0.05, 0.18, 0.1, CL=0.9),  # $/gal
    "HO": P(2.35, 0.05, 0.2, 0.12, CL=0.9),
    "ZC": P(430, 0.0, 0.22, 0.15),  # cents/bu
    "ZW": P(530, -0.04, 0.2, 0.15, ZC=0.7),
    "ZS": P(1120, -0.02, 0.16, 0.12, ZC=0.5),
    "ZL": P(50, 0.02, 0.22, 0.15, ZS=0.6),  # cents/lb
    "ZM": P(320, -0.04, 0.18, 0.12, ZS=0.8),  # $/short ton
    "KC": P(380, 0.23, 0.3, 0.2),  # cents/lb
    "SB": P(14.8, -0.03, 0.28, 0.18),
    "CC": P(5500, 0.16, 0.4, 0.3),  # $/t
    "CT": P(64, -0.05, 0.2, 0.13),
    "OJ": P(200, 0.1, 0.35, 0.25),
    "LE": P(225, 0.14, 0.13, 0.08),  # cents/lb
    "HE": P(82, 0.02, 0.22, 0.12),
    "GF": P(330, 0.17, 0.1, 0.05, LE=1.1),
    "ZO": P(300, -0.02, 0.25, 0.15, ZC=0.5),
}

# Crypto trades every day; altcoins share bitcoin's swings.
CRYPTO = {
    key: P(level, drift, vol, band, **({"BTCUSD": beta} if beta else {}))
    for key, (level, drift, vol, band, beta) in {
        "BTCUSD": (87000, 0.3, 0.55, 0.35, 0),
        "ETHUSD": (2950, 0.32, 0.35, 0.25, 1.1),
        "BNBUSD": (860, 0.4, 0.35, 0.25, 0.8),
        "SOLUSD": (135, 0.5, 0.6, 0.4, 1.3),
        "XRPUSD": (2.1, 0.29, 0.6, 0.35, 1.0),
        "ADAUSD": (0.42, 0.0, 0.5, 0.35, 1.2),
        "DOGEUSD": (0.15, 0.1, 0.6, 0.4, 1.2),
        "TRXUSD": (0.28, 0.3, 0.35, 0.2, 0.7),
        "AVAXUSD": (14, -0.2, 0.55, 0.35, 1.3),
        "DOTUSD": (2.3, -0.3, 0.5, 0.3, 1.2),
        "LINKUSD": (13.5, 0.0, 0.5, 0.3, 1.2),
        "LTCUSD": (85, 0.0, 0.4, 0.25, 1.0),
        "BCHUSD": (560, 0.15, 0.45, 0.3, 1.0),
        "XLMUSD": (0.25, 0.0, 0.45, 0.3, 1.1),
        "ATOMUSD": (2.6, -0.3, 0.45, 0.3, 1.2),
        "UNIUSD": (6.3, -0.1, 0.5, 0.3, 1.2),
        "ETCUSD": (13.5, -0.05, 0.45, 0.3, 1.1),
        "FILUSD": (1.6, -0.4, 0.45, 0.3, 1.2),
        "APTUSD": (2.2, -0.3, 0.5, 0.3, 1.3),
        "NEARUSD": (1.9, -0.2, 0.5, 0.3, 1.3),
        "ARBUSD": (0.22, -0.3, 0.45, 0.3, 1.3),
        "OPUSD": (0.33, -0.3, 0.45, 0.3, 1.3),
        "AAVEUSD": (190, 0.1, 0.5, 0.3, 1.2),
        "ALGOUSD": (0.14, -0.2, 0.45, 0.3, 1.2),
        "HBARUSD": (0.14, 0.1, 0.55, 0.35, 1.2),
        "ICPUSD": (4.2, -0.3, 0.5, 0.3, 1.2),
        "SUIUSD": (1.6, 0.2, 0.6, 0.4, 1.4),
        "INJUSD": (6.3, 0.1, 0.6, 0.35, 1.3),
        "SHIBUSD": (0.0000085, 0.0, 0.5, 0.35, 1.2),
        "PEPEUSD": (0.0000045, 0.3, 0.7, 0.4, 1.5),
        "TONUSD": (1.6, 0.0, 0.45, 0.3, 0.8),
        "XMRUSD": (380, 0.2, 0.35, 0.25, 0.7),
    }.items()
}

# Units of each currency one US dollar buys; every pair is a ratio of two of these, so the
# crosses agree (EUR/JPY = EUR/USD × USD/JPY). "_USD" is the dollar's broad swing.
CURRENCIES = {
    code: P(level, drift, vol, band, _USD=beta)
    for code, (level, drift, vol, band, beta) in {
        "EUR": (1 / 1.155, 0.01, 0.05, 0.03, 1.0),
        "JPY": (156, 0.06, 0.08, 0.06, 0.8),
        "GBP": (1 / 1.31, 0.0, 0.06, 0.04, 1.0),
        "CHF": (0.805, -0.03, 0.06, 0.04, 1.0),
        "AUD": (1 / 0.65, 0.02, 0.07, 0.05, 0.9),
        "CAD": (1.40, 0.02, 0.04, 0.03, 0.5),
        "NZD": (1 / 0.565, 0.04, 0.07, 0.05, 0.9),
        "SEK": (9.45, 0.02, 0.07, 0.05, 1.1),
        "NOK": (10.15, 0.03, 0.08, 0.05, 1.0),
        "PLN": (3.66, 0.0, 0.08, 0.05, 1.1),
        "CZK": (20.9, -0.01, 0.07, 0.05, 1.1),
        "HUF": (330, 0.02, 0.1, 0.06, 1.2),
        "TRY": (42.5, 0.33, 0.1, 0.05, 0.3),
        "CNY": (7.08, 0.02, 0.03, 0.025, 0.3),
        "HKD": (7.78, 0.0, 0.005, 0.003, 0.0),  # pegged within 7.75–7.85
        "SGD": (1.30, -0.01, 0.04, 0.03, 0.6),
        "KRW": (1465, 0.04, 0.08, 0.05, 0.7),
        "INR": (89.5, 0.03, 0.04, 0.02, 0.3),
        "MXN": (18.4, -0.02, 0.11, 0.07, 0.6),
        "BRL": (5.35, 0.0, 0.14, 0.08, 0.6),
        "ZAR": (17.2, 0.03, 0.13, 0.07, 0.8),
        "ILS": (3.25, 0.0, 0.08, 0.05, 0.5),
        "THB": (32.2, 0.0, 0.06, 0.04, 0.6),
        "IDR": (16650, 0.03, 0.06, 0.03, 0.4),
        "MYR": (4.14, 0.0, 0.05, 0.04, 0.5),
        "PHP": (58.8, 0.02, 0.05, 0.03, 0.4),
        "TWD": (31.2, 0.02, 0.05, 0.03, 0.5),
        "LKR": (302, 0.1, 0.06, 0.05, 0.2),
    }.items()
}
# The krone is pegged to the euro: its units per dollar are the euro's times EUR/DKK.
EURDKK = Spec(7.46, 0.002, 0.001)

VOLATILITY = {
    "VIX": Spec(17, 1.0, 0.22, low=9, decimals=2, factors=(("SPX", -3.0),)),
    "VIX9D": P(16, 0, 0.8, 0.06, VIX=1.25),
    "VIX3M": P(19.5, 0, 0.3, 0.04, VIX=0.7),
    "VIX6M": P(21, 0, 0.25, 0.04, VIX=0.55),
    "VVIX": P(95, 0, 0.8, 0.12, VIX=0.5),
    "SKEW": P(145, 0, 0.4, 0.04),
    "MOVE": P(75, 0, 0.8, 0.25),
    "OVX": P(32, 0, 0.9, 0.25, VIX=0.3),
    "GVZ": P(22, 0, 0.8, 0.2, VIX=0.2),
    "VXN": P(22, 0, 0.3, 0.05, VIX=1.0),
    "DVOL_BTC": P(48, 0, 1.0, 0.25),
    "DVOL_ETH": P(70, 0, 0.6, 0.1, DVOL_BTC=0.9),
}
VOLATILITY = {key: replace(spec, decimals=2) for key, spec in VOLATILITY.items()}  # index points, 2 decimals

# Sentiment as the sources publish it: CNN's components are raw readings (the S&P 500 level,
# the VIX, a put/call average, the junk-minus-investment-grade spread, return differences).
SENTIMENT = {
    "PUT_CALL_SPX_VOLUME": Spec(1.2, 1.8, 0.15, decimals=4, factors=(("SPX", -1.0),)),
    "PUT_CALL_SPX_OI": Spec(1.6, 0.6, 0.08, decimals=4),
    "PUT_CALL_SPY_VOLUME": Spec(1.1, 1.8, 0.15, decimals=4, factors=(("SPX", -1.0),)),
    "FEAR_GREED": R(45, 100, 12, decimals=1, low=3, high=97, SPX=150),
    "CRYPTO_FEAR_GREED": R(40, 150, 18, decimals=0, low=5, high=95, BTCUSD=60),
    "FG_PUT_CALL": Spec(0.75, 0.5, 0.1, decimals=4, factors=(("SPX", -1.0),)),
    "FG_SAFE_HAVEN": R(1.5, 20, 3.0, decimals=4, SPX=30),
    "FG_STRENGTH": R(1.5, 25, 4.0, decimals=4, SPX=50),
    "FG_BREADTH": R(1000, 2000, 600, decimals=2, SPX=3000),
}

# FRED and official statistics. Units as published: B = billions, M = millions of dollars,
# K = thousands; SAAR = seasonally adjusted annual rate.
W_SAT, W_WED, W_THU, W_FRI, W_MON = "W-SAT", "W-WED", "W-THU", "W-FRI", "W-MON"
ECONOMY = {
    # Labour (monthly unless noted)
    "UNRATE": R(4.4, 0.35, 0.45, "MS", 1, low=3.4),
    "_U6GAP": R(3.7, 0.3, 0.25, "MS", 1, low=2.8),  # U-6 = U-3 + this gap
    "PAYEMS": G(159600, 0.013, vol=0.002, band=0.004, decimals=0),  # K persons
    "MANEMP": G(12700, 0.003, vol=0.004, band=0.01, decimals=0),
    "USCONS": G(8300, 0.02, vol=0.005, band=0.01, decimals=0),
    "USGOVT": G(23500, 0.012, vol=0.002, band=0.004, decimals=0),
    "CLF16OV": G(171000, 0.008, vol=0.003, band=0.004, decimals=0),
    "CIVPART": R(62.4, 0.25, 0.2, "MS", 1),
    "EMRATIO": R(59.7, 0.3, 0.25, "MS", 1),
    "LNS11300060": R(83.5, 0.3, 0.3, "MS", 1),
    "LNS12300060": R(80.7, 0.35, 0.3, "MS", 1),
    "LNS14000006": R(7.5, 0.9, 0.6, "MS", 1, low=4.8),  # Black
    "LNS14000009": R(5.5, 0.7, 0.5, "MS", 1, low=3.8),  # Hispanic
    "LNU04032183": R(3.6, 0.8, 0.5, "MS", 1, low=2.3),  # Asian
    "UEMPMEAN": R(24.1, 3.0, 2.0, "MS", 1, low=17),  # weeks
    "ICSA": Spec(220000, 0.35, 0.08, freq=W_SAT, decimals=0),  # persons
    "CCSA": Spec(1950000, 0.15, 0.08, 0.02, W_SAT, decimals=0),
    "JTSJOL": G(7200, -0.08, vol=0.08, band=0.05, decimals=0),  # K
    "JTSQUR": R(1.9, 0.25, 0.15, "MS", 1, drift=-0.15),  # %
    "AHETPI": G(31.7, 0.045, vol=0.004, band=0.004, decimals=2),  # $/hour
    "CES0500000003": G(36.7, 0.042, vol=0.004, band=0.004, decimals=2),
    "CES0500000030": G(1070, 0.045, vol=0.006, band=0.005, decimals=2),  # $/week
    "CES3000000008": G(29.0, 0.045, vol=0.005, band=0.005, decimals=2),
    "AWHAETP": R(34.2, 0.25, 0.15, "MS", 1),  # hours
    "AWHMAN": R(40.0, 0.35, 0.3, "MS", 1),
    "CES0600000007": R(40.5, 0.35, 0.3, "MS", 1),
    "ECIALLCIV": G(172, 0.04, "QS", 0.004, 0.004, 1),  # index Dec 2005 = 100
    "OPHNFB": G(117, 0.018, "QS", 0.008, 0.006, 3),  # index 2017 = 100
    "ULCNFB": G(128, 0.03, "QS", 0.012, 0.008, 3),
    # Prices (monthly index levels, 1982-84 = 100 unless noted)
    "CPIAUCSL": G(324.5, 0.038, vol=0.006, band=0.006, decimals=3),
    "CPILFESL": G(331.0, 0.036, vol=0.005, band=0.005, decimals=3),
    "CPIENGSL": G(285, 0.05, vol=0.07, band=0.07, decimals=3),
    "CPIUFDSL": G(340, 0.04, vol=0.008, band=0.008, decimals=3),
    "CPIAPPSL": G(131, 0.015, vol=0.015, band=0.01, decimals=3),
    "CPIMEDSL": G(580, 0.03, vol=0.006, band=0.006, decimals=3),
    "CPITRNSL": G(275, 0.045, vol=0.03, band=0.03, decimals=3),
    "CUSR0000SACL1E": G(168, 0.02, vol=0.008, band=0.008, decimals=3),
    "CUSR0000SAF11": G(315, 0.04, vol=0.01, band=0.01, decimals=3),
    "CUSR0000SAH1": G(420, 0.05, vol=0.004, band=0.005, decimals=3),
    "CUSR0000SASLE": G(440, 0.045, vol=0.004, band=0.005, decimals=3),
    "CUSR0000SEHA": G(435, 0.055, vol=0.003, band=0.005, decimals=3),
    "CUSR0000SEHF01": G(285, 0.05, vol=0.03, band=0.03, decimals=3),
    "CUSR0000SETB01": G(290, 0.04, vol=0.12, band=0.1, decimals=3),
    "PCEPI": G(127.6, 0.035, vol=0.005, band=0.005, decimals=3),  # 2017 = 100
    "PCEPILFE": G(126.6, 0.033, vol=0.004, band=0.004, decimals=3),
    "PPIACO": G(262, 0.05, vol=0.04, band=0.04, decimals=3),  # 1982 = 100
    "PPIFIS": G(149.5, 0.04, vol=0.01, band=0.01, decimals=3),  # Nov 2009 = 100
    "PCU325211325211": G(295, 0.02, vol=0.08, band=0.08, decimals=3),
    "WPU0911": G(270, 0.02, vol=0.06, band=0.06, decimals=3),
    "MEDCPIM158SFRBCLE": R(3.3, 2.0, 0.7, "MS", 2, low=0.5),  # % annualised
    "STICKCPIM157SFRBATL": R(3.1, 2.0, 0.8, "MS", 2, low=0.5),
    "PCETRIM12M159SFRBDAL": R(2.7, 0.6, 0.5, "MS", 2, low=1.5, drift=-0.1),
    "T5YIE": R(2.35, 0.5, 0.2, low=1.2),  # breakevens, daily %
    "T10YIE": R(2.27, 0.2, 0.07, low=1.2, T5YIE=0.6),
    "MICH": R(4.5, 1.5, 0.7, "MS", 1, low=2.2),
    "APU0000708111": G(3.49, 0.1, vol=0.35, band=0.3, decimals=3),  # $/dozen
    "GASREGW": Spec(3.05, 0.25, 0.12, 0.02, W_MON, decimals=3),  # $/gal
    # Output, spending, income (quarterly SAAR billions; GDP and real GDP are DERIVED)
    "A191RL1Q225SBEA": R(2.5, 3.5, 1.6, "QS", 1, low=-3, high=7.5),  # % q/q annualised
    "_GDPDEF": G(1.2929, 0.03, "QS", 0.006, 0.004),  # GDP / real GDP
    "GDPPOT": G(23800, 0.021, "QS", 0.002, 0.002, 2),
    "GCE": G(5350, 0.06, "QS", 0.01, 0.01, 3),
    "GPDI": G(5400, 0.05, "QS", 0.04, 0.03, 3),
    "PNFI": G(4100, 0.06, "QS", 0.02, 0.02, 3),
    "PRFI": G(1160, 0.04, "QS", 0.06, 0.05, 3),
    "EXPGS": G(3250, 0.05, "QS", 0.04, 0.03, 3),
    "IMPGS": G(4150, 0.05, "QS", 0.04, 0.03, 3),
    "CP": G(3300, 0.07, "QS", 0.05, 0.04, 3),
    "CPGDPAI": R(10.5, 0.8, 0.6, "QS", 2, low=7),  # % of GDP
    "A091RC1Q027SBEA": G(1210, 0.1, "QS", 0.03, 0.03, 3),  # federal interest payments
    "W006RC1Q027SBEA": G(3450, 0.07, "QS", 0.04, 0.03, 3),  # federal tax receipts
    "FGEXPND": G(7600, 0.06, "QS", 0.03, 0.02, 3),
    "FGRECPT": G(5600, 0.07, "QS", 0.04, 0.03, 3),
    "PCE": G(21100, 0.06, vol=0.006, band=0.005, decimals=1),  # monthly SAAR B
    "PCEDG": G(2270, 0.04, vol=0.02, band=0.02, decimals=1),
    "PCEND": G(4500, 0.05, vol=0.01, band=0.01, decimals=1),
    "PCES": G(14300, 0.065, vol=0.004, band=0.004, decimals=1),
    "PI": G(25800, 0.055, vol=0.006, band=0.005, decimals=1),
    "DSPIC96": G(17700, 0.015, vol=0.01, band=0.008, decimals=1),  # chained 2017 B
    "PSAVERT": R(4.6, 1.0, 0.8, "MS", 1, low=2.0),
    "INDPRO": G(103.9, 0.005, vol=0.012, band=0.012, decimals=4),  # 2017 = 100
    "IPB50001N": G(103.5, 0.005, vol=0.025, band=0.02, decimals=4),
    "IPMAN": G(100.5, 0.003, vol=0.012, band=0.012, decimals=4),
    "IPMINE": G(113, 0.02, vol=0.03, band=0.03, decimals=4),
    "IPUTIL": G(104, 0.01, vol=0.06, band=0.04, decimals=4),
    "TCU": R(77.3, 1.0, 0.8, "MS", 4),  # % of capacity
    "CAPUTLG2211S": R(72, 3.0, 2.5, "MS", 4),
    "CFNAI": R(-0.1, 1.0, 0.3, "MS", 2),
    "USSLIND": R(1.2, 0.8, 0.6, "MS", 2),
    "GACDFSA066MSFRBPHI": R(-1.7, 40, 12, "MS", 1),  # diffusion index
    "GACDISA066MSFRBNY": R(5.0, 35, 10, "MS", 1),
    "UMCSENT": R(51.0, 10, 8, "MS", 1, low=48),
    "USREC": R(0, 0, 0, "MS", 0),  # no recession in the demo
    # Retail, orders, inventories (monthly, millions of dollars)
    "RSAFS": G(732000, 0.05, vol=0.012, band=0.01, decimals=0),
    "RSXFS": G(633000, 0.05, vol=0.012, band=0.01, decimals=0),
    "RRSFS": G(228000, 0.01, vol=0.012, band=0.01, decimals=0),  # 1982-84 dollars
    "RSFSDP": G(99000, 0.06, vol=0.012, band=0.01, decimals=0),
    "RSGASS": G(53000, 0.02, vol=0.06, band=0.06, decimals=0),
    "RSNSR": G(128000, 0.08, vol=0.015, band=0.012, decimals=0),
    "DGORDER": G(310000, 0.03, vol=0.06, band=0.04, decimals=0),
    "AMDMNO": G(305000, 0.03, vol=0.06, band=0.04, decimals=0),
    "AMDMUO": G(1520000, 0.05, vol=0.008, band=0.01, decimals=0),
    "AMTMNO": G(605000, 0.03, vol=0.03, band=0.025, decimals=0),
    "ACOGNO": G(280000, 0.03, vol=0.03, band=0.025, decimals=0),
    "TTLCONS": G(2150000, 0.05, vol=0.01, band=0.015, decimals=0),  # construction spending SAAR
    "NEWORDER": G(75000, 0.04, vol=0.02, band=0.02, decimals=0),
    "BUSINV": G(2670000, 0.04, vol=0.004, band=0.006, decimals=0),
    "ISRATIO": R(1.37, 0.03, 0.02, "MS", 2),
    "MNFCTRIRSA": R(1.56, 0.04, 0.03, "MS", 2),
    "RETAILIRSA": R(1.30, 0.04, 0.03, "MS", 2),
    "WHLSLRIRSA": R(1.33, 0.04, 0.03, "MS", 2),
    "ALTSALES": Spec(15.6, 0.15, 0.06, freq="MS", decimals=3),  # M units SAAR
    "TOTALSA": Spec(15.9, 0.15, 0.06, freq="MS", decimals=3),
    "LTOTALNSA": G(1330, 0.0, vol=0.15, band=0.08, decimals=1),  # K units
    "TRFVOLUSM227NFWA": G(285000, 0.01, vol=0.08, band=0.05, decimals=0),  # M miles
    "VMTD11": G(3290000, 0.01, vol=0.01, band=0.01, decimals=0),
    # Housing (monthly SAAR thousands unless noted)
    "HOUST": G(1310, 0.0, vol=0.25, band=0.08, decimals=0),
    "HOUST1F": G(890, 0.0, vol=0.25, band=0.08, decimals=0),
    "HOUST5F": G(400, 0.0, vol=0.35, band=0.12, decimals=0),
    "PERMIT": G(1330, 0.0, vol=0.2, band=0.08, decimals=0),
    "PERMITNSA": G(110, 0.0, vol=0.3, band=0.12, decimals=1),
    "COMPUTSA": G(1400, 0.02, vol=0.25, band=0.1, decimals=0),
    "UNDCONTSA": G(1330, -0.05, vol=0.03, band=0.03, decimals=0),
    "HSN1F": G(680, 0.0, vol=0.3, band=0.1, decimals=0),
    "NHSUSSPT": G(56, 0.0, vol=0.3, band=0.12, decimals=0),
    "EXHOSLUSM495S": G(4100000, -0.03, vol=0.15, band=0.07, decimals=0),  # units SAAR
    "MSACSR": R(9.0, 2.0, 1.0, "MS", 1, low=3.5),  # months' supply
    "CSUSHPINSA": G(330, 0.075, vol=0.01, band=0.02, decimals=3),  # Jan 2000 = 100
    "MSPUS": G(410000, 0.045, "QS", 0.03, 0.025, 0),  # $
    "USSTHPI": G(710, 0.07, "QS", 0.01, 0.02, 2),  # 1980 Q1 = 100
    "HCOVACRATE": R(1.1, 0.15, 0.1, "QS", 1, low=0.7),
    "RHORUSQ156N": R(65.0, 0.5, 0.4, "QS", 1),
    "RRVRUSQ156N": R(7.1, 0.5, 0.4, "QS", 1),
    "EVACANTUSQ176N": G(15400, 0.0, "QS", 0.02, 0.02, 0),  # K units
    # Money, credit, the Fed's balance sheet (billions unless noted)
    "M1SL": G(18900, -0.016, vol=0.01, band=0.02, decimals=1),
    "M2SL": G(22200, 0.006, vol=0.01, band=0.03, decimals=1),
    "WM2NS": Spec(22250, 0.015, 0.03, 0.006, W_MON, decimals=1),
    "M2V": G(1.39, 0.03, "QS", 0.01, 0.02, 3),  # ratio
    "MABMM301USM189S": G(2.23e13, 0.006, vol=0.01, band=0.03, decimals=0),  # dollars
    "BOGMBASE": G(5700000, 0.02, vol=0.04, band=0.06, decimals=0),  # millions
    "CURRCIR": G(2400, 0.03, vol=0.004, band=0.004, decimals=1),
    "TOTRESNS": G(2900, 0.0, vol=0.12, band=0.1, decimals=1),
    "WRESBAL": Spec(2880, 0.15, 0.08, 0.0, W_WED, decimals=1),
    "WALCL": Spec(6550000, 0.02, 0.04, -0.06, W_WED, decimals=0),  # millions
    "TREAST": Spec(4190000, 0.02, 0.03, -0.06, W_WED, decimals=0),
    "WSHOMCB": Spec(2080000, 0.01, 0.02, -0.06, W_WED, decimals=0),
    "RRPONTSYD": G(15, -1.0, "B", 1.2, 0.6, 3),  # overnight reverse repos
    "TOTLL": Spec(12900, 0.01, 0.01, 0.05, W_WED, decimals=1),
    "BUSLOANS": G(2800, 0.01, vol=0.01, band=0.03, decimals=1),
    "REVOLSL": G(1320, 0.06, vol=0.01, band=0.01, decimals=2),
    "TOTALSL": G(5080, 0.05, vol=0.005, band=0.006, decimals=2),
    "DRBLACBS": R(1.15, 0.15, 0.12, "QS", 2, low=0.6),  # delinquency %
    "DRCCLACBS": R(3.05, 0.3, 0.25, "QS", 2, low=1.5),
    "DRSFRMACBS": R(1.75, 0.2, 0.15, "QS", 2, low=1.2),
    "DRTSCILM": R(-6, 20, 12, "QS", 1),  # net % of banks tightening
    "MDSP": R(4.0, 0.15, 0.15, "QS", 2),  # % of disposable income
    "TDSP": R(11.3, 0.25, 0.25, "QS", 2),
    "NFCI": R(-0.52, 0.15, 0.1, W_FRI, 5),
    "ANFCI": R(-0.52, 0.15, 0.1, W_FRI, 5),
    "STLFSI4": R(-0.6, 1.0, 0.4, W_FRI, 4),
    "THREEFYTP10": R(0.6, 0.6, 0.35, "B", 4),  # % term premium
    "TEDRATE": R(0.12, 0.08, 0.05, "B", 2, low=0.02),
    "SOFRVOL": G(2900, 0.2, "B", 0.4, 0.15, 0),  # billions traded
    "EFFRVOL": G(95, -0.02, "B", 0.4, 0.1, 0),
    # Government (millions of dollars)
    "GFDEBTN": G(37600000, 0.07, "QS", 0.005, 0.008, 0),
    "GFDEGDQ188S": R(120, 2.0, 2.0, "QS", 3, drift=0.5),  # % of GDP
    "FDHBFIN": G(9100, 0.03, "QS", 0.02, 0.02, 0),  # billions
    "FDHBFRBN": G(4200, -0.04, "QS", 0.03, 0.04, 0),
    "FYFSD": R(-1775000, 250000, 250000, "YS", 0, high=-300000),  # fiscal years
    "MTSDS133FMS": R(-180000, 250000, 120000, "MS", 0),  # monthly surplus(+)/deficit(-)
    "US_PUBLIC_DEBT": G(3.84e13, 0.075, "B", 0.004, 0.004, 2),  # dollars, daily
    # Trade (millions of dollars)
    "BOPGSTB": R(-60000, 40000, 15000, "MS", 0, high=-20000),
    "IEABC": R(-250000, 100000, 60000, "QS", 0, high=-50000),
    # The dollar against baskets of currencies, Jan 2006 = 100, shares the dollar's swing
    "DTWEXBGS": P(120.5, 0.0, 0.01, 0.005, _USD=1.0),
    "DTWEXAFEGS": P(115, 0.0, 0.015, 0.008, _USD=1.1),
    "DTWEXEMEGS": P(128, 0.0, 0.015, 0.008, _USD=0.7),
    # Latent factors (not instruments): the short rate, the 10-year, the credit cycle, the dollar
    "_SHORT": R(3.95, 0.6, 0.7, low=0.05),
    "_L10": R(0.0, 0.85, 0.35, _SHORT=0.35),
    "_D20": Spec(0.58, 0.45, 0.15),  # 20-year minus 10-year
    "_D30": R(0.04, 0.2, 0.1),  # 30-year minus 20-year
    "_CREDIT": Spec(1.0, 0.35, 0.12, factors=(("SPX", -1.2),)),
    "_USD": Spec(1.0, 0.06, 0.05),
    "_MORTSPREAD": Spec(2.13, 0.2, 0.08, factors=(("_CREDIT", 0.3),)),  # 30-year mortgage - 10Y
}

# World Bank (latest annual) and IMF WEO (current year): growth, inflation, unemployment.
WORLD = {
    "GDP_GROWTH": {"USA": 2.8, "CHN": 5.0, "JPN": 0.1, "DEU": -0.2, "GBR": 1.1, "FRA": 1.2, "IND": 6.5,
                   "BRA": 3.4, "CAN": 1.5, "KOR": 2.0},
    "INFLATION": {"USA": 2.9, "CHN": 0.2, "JPN": 2.7, "DEU": 2.3, "GBR": 3.3, "FRA": 2.0, "IND": 4.9,
                  "BRA": 4.4, "CAN": 2.4, "KOR": 2.3},
    "UNEMPLOYMENT": {"USA": 4.1, "CHN": 4.6, "JPN": 2.5, "DEU": 3.4, "GBR": 4.1, "FRA": 7.4, "IND": 4.2,
                     "BRA": 6.9, "CAN": 6.4, "KOR": 2.8},
}  # fmt: skip
IMF_CURRENT = {
    "GDP_GROWTH": {"USA": 2.0, "CHN": 4.8, "JPN": 1.1, "DEU": 0.2, "GBR": 1.3, "FRA": 0.7, "IND": 6.6,
                   "BRA": 2.4, "CAN": 1.2, "KOR": 0.9},
    "INFLATION": {"USA": 2.7, "CHN": 0.0, "JPN": 3.3, "DEU": 2.1, "GBR": 3.4, "FRA": 1.1, "IND": 2.8,
                  "BRA": 5.2, "CAN": 2.0, "KOR": 2.0},
}  # fmt: skip
WORLD_SPREAD = {"GDP_GROWTH": (1.8, -3.0), "INFLATION": (2.0, -1.0), "UNEMPLOYMENT": (0.6, 1.5)}  # (band, low)

# US states: population (millions), per-capita personal income ($ thousands), unemployment (%).
STATES = {
    "AL": (5.16, 55, 3.0), "AK": (0.74, 75, 4.7), "AZ": (7.58, 63, 4.1), "AR": (3.09, 55, 3.7),
    "CA": (39.4, 86, 5.5), "CO": (5.96, 80, 4.5), "CT": (3.68, 93, 3.8), "DE": (1.05, 68, 4.3),
    "DC": (0.70, 108, 6.0), "FL": (23.4, 72, 3.7), "GA": (11.2, 62, 3.4), "HI": (1.45, 72, 2.7),
    "ID": (2.0, 60, 3.6), "IL": (12.7, 77, 4.6), "IN": (6.92, 62, 3.6), "IA": (3.24, 65, 3.6),
    "KS": (2.97, 67, 3.8), "KY": (4.59, 56, 5.0), "LA": (4.6, 59, 4.4), "ME": (1.41, 66, 3.3),
    "MD": (6.26, 79, 3.7), "MA": (7.14, 99, 4.8), "MI": (10.1, 62, 5.3), "MN": (5.79, 76, 3.4),
    "MS": (2.94, 50, 3.9), "MO": (6.25, 64, 4.4), "MT": (1.14, 66, 3.1), "NE": (2.01, 70, 3.0),
    "NV": (3.27, 67, 5.5), "NH": (1.41, 84, 2.7), "NJ": (9.5, 87, 4.9), "NM": (2.13, 56, 4.4),
    "NY": (19.9, 90, 4.3), "NC": (11.0, 64, 3.7), "ND": (0.80, 78, 2.6), "OH": (11.9, 64, 4.8),
    "OK": (4.1, 60, 3.1), "OR": (4.27, 70, 5.0), "PA": (13.1, 73, 3.9), "RI": (1.11, 73, 4.7),
    "SC": (5.48, 60, 4.3), "SD": (0.92, 73, 1.9), "TN": (7.23, 64, 3.6), "TX": (31.3, 69, 4.1),
    "UT": (3.5, 64, 3.2), "VT": (0.65, 69, 2.5), "VA": (8.81, 76, 3.6), "WA": (7.96, 88, 4.6),
    "WV": (1.77, 54, 4.2), "WI": (5.96, 67, 3.2), "WY": (0.59, 88, 3.3),
}  # fmt: skip
STATE_SERIES = re.compile(
    r"^(?:(?P<code>[A-Z]{2})(?P<measure>UR|NA|MFG|CONS|GOVT|ICLAIMS|CCLAIMS|BPPRIVSA|RGSP|NGSP|POP|PCPI|OTOT|STHPI|PHCI)"
    r"|MEHOINUS(?P<code2>[A-Z]{2})A672N)$"
)
WORLD_SERIES = re.compile(r"^(?P<src>WB|IMF)_(?P<what>GDP_GROWTH|INFLATION|UNEMPLOYMENT)_(?P<country>[A-Z]{3})$")


def _unit(key: str, salt: str = "") -> float:
    """A deterministic number in [0, 1) for ``key``."""
    return zlib.crc32(f"{key}{salt}".encode()) / 2**32


def _state_spec(code: str, measure: str) -> Spec:
    """A state-level FRED series, scaled by the state's size and income."""
    pop, income, rate = STATES[code]
    u = _unit(code, measure)
    payroll = pop * 475  # thousands of jobs
    claims = pop * 650 * rate / 4  # initial claims a week
    specs = {
        "UR": R(rate, 0.4, 0.4, "MS", 1, low=1.5),
        "NA": G(payroll, 0.012, vol=0.003, band=0.006, decimals=1),
        "MFG": G(payroll * (0.002 if code == "DC" else 0.04 + 0.1 * u), 0.003, vol=0.006, band=0.01, decimals=1),
        "CONS": G(payroll * (0.045 + 0.025 * u), 0.02, vol=0.01, band=0.015, decimals=1),
        "GOVT": G(payroll * (0.3 if code == "DC" else 0.12 + 0.08 * u), 0.01, vol=0.003, band=0.005, decimals=1),
        "ICLAIMS": Spec(round(claims), 0.5, 0.12, freq=W_SAT, decimals=0),
        "CCLAIMS": Spec(round(claims * 8), 0.2, 0.1, 0.02, W_SAT, decimals=0),
        "BPPRIVSA": G(pop * 350 * (0.6 + u), 0.0, vol=0.35, band=0.12, decimals=0),
        "RGSP": G(pop * income * 950, 0.02, "YS", 0.015, 0.01, 1),  # millions of chained 2017 $
        "NGSP": G(pop * income * 1210, 0.055, "YS", 0.015, 0.01, 1),  # millions of $
        "POP": G(pop * 1000, 0.005, "YS", 0.002, 0.002, 3),  # thousands
        "PCPI": G(income * 1000, 0.05, "YS", 0.015, 0.01, 0),  # $
        "OTOT": G(pop * income * 1000, 0.055, "QS", 0.01, 0.01, 1),  # millions of $ SAAR
        "STHPI": G(350 + 550 * u, 0.065, "QS", 0.01, 0.02, 2),  # 1980 Q1 = 100
        "PHCI": G(115 + 50 * u, 0.02, vol=0.005, band=0.008, decimals=2),  # 2007 = 100
        "MEHOINUS": G(income * 1120, 0.005, "YS", 0.025, 0.025, 0),  # 2023 $
    }
    return specs[measure]


def _world_spec(src: str, what: str, country: str) -> Spec | None:
    table_ = IMF_CURRENT if src == "IMF" else WORLD
    level = table_.get(what, {}).get(country)
    if level is None:
        return None
    band, low = WORLD_SPREAD[what]
    return R(level, band, band, "YS", 1, low=low)


# Other instruments (custom catalogs): a level drawn for the key within its dataset's range.
FALLBACK = {
    "market_indices": (100, 30000, P(1, 0.06, 0.16, 0.1)),
    "equities": (20, 900, P(1, 0.06, 0.28, 0.15)),
    "commodities": (2, 3000, P(1, 0.02, 0.25, 0.15)),
    "forex_rates": (0.6, 160, P(1, 0.0, 0.07, 0.05)),
    "crypto_prices": (0.05, 90000, P(1, 0.1, 0.6, 0.35)),
    "volatility_indicators": (12, 30, P(1, 0.0, 0.9, 0.25)),
    "credit_spreads": (0.8, 4.5, Spec(1, 0.35, 0.2)),
    "economic_indicators": (1, 500, G(1, 0.02, "B", 0.05, 0.05)),
    "fred_series": (1, 500, G(1, 0.02, "B", 0.05, 0.05)),
    "sentiment_indicators": (30, 70, R(1, 1.5, 0.2, low=0, high=100)),
}

# --- the curve and the policy rate ----------------------------------------------------------

# The Treasury par curve late in 2025 (months → %): a dip at 2-3 years, the long end higher.
CURVE = {1: 3.95, 2: 3.93, 3: 3.89, 4: 3.85, 6: 3.76, 12: 3.63, 24: 3.52, 36: 3.53, 60: 3.65, 84: 3.85, 120: 4.10}
LONG_END = {240: CURVE[120] + 0.58, 360: CURVE[120] + 0.62}
POLICY_UPPER = 4.00  # the federal funds target range's top, late 2025
MEETING_SPACING = 30  # business days between rate decisions (about eight a year)


def _curve_weight(months: float) -> float:
    """How much of the 10-year's distance from the short rate a tenor carries (0 → 1)."""
    return (1 - math.exp(-months / 36)) / (1 - math.exp(-120 / 36))


def _curve_anchor(months: float) -> float:
    points = {**CURVE, **LONG_END}
    xs = sorted(points)
    return float(np.interp(math.log(months), np.log(xs), [points[x] for x in xs]))


# --- the generator ---------------------------------------------------------------------------

PER_YEAR = {"W": 52, "MS": 12, "QS": 4, "YS": 1}
# How long after a period ends its value is published: a demo month, quarter or year appears
# once it would have (October's payrolls in early November, a quarter's GDP a month later).
PUBLICATION_LAG = {"W": 5, "MS": 45, "QS": 120, "YS": 425}


def _freq_class(freq: str) -> str:
    return "W" if freq.startswith("W") else freq


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


def _price_decimals(level: float) -> int:
    """Prices to the cent (6,700.00; 470.00), below 1 to four significant digits (0.1500)."""
    return 2 if abs(level) >= 1 or level == 0 else 3 - math.floor(math.log10(abs(level)))


def _fx_decimals(rate: float) -> int:
    """Exchange rates as quoted: 1.1550, 156.123 (JPY), 1,465.12 (KRW)."""
    return 4 if rate < 20 else 3 if rate < 1000 else 2


class DemoSeries:
    """Every demo series over one window of days (business days, or calendar days for crypto),
    each computed once: factors, the curve and the policy rate are shared by many series."""

    def __init__(self, days: pd.DatetimeIndex):
        self.days = pd.DatetimeIndex(days)
        self.per_year = 365 if (self.days.day_of_week >= 5).any() else 252  # crypto trades every day
        self._values: dict[str, pd.Series] = {}
        self._deviations: dict[str, np.ndarray] = {}
        self._blocks: dict[str, object] = {}

    # -- calendars
    def dates(self, freq: str) -> pd.DatetimeIndex:
        """The observation dates of a series at ``freq`` within the window (those published)."""
        if freq == "B":
            return self.days
        last = self.days[-1] - pd.Timedelta(days=PUBLICATION_LAG[_freq_class(freq)])
        dates = pd.date_range(self.days[0], last, freq=freq)
        if len(dates) == 0:  # a window shorter than one period: its latest published one
            dates = pd.date_range(end=last, periods=1, freq=freq)
        return dates

    @staticmethod
    def years_to_end(dates: pd.DatetimeIndex) -> np.ndarray:
        return (dates - dates[-1]).days.to_numpy(dtype=float) / 365.25

    # -- series drawn from a Spec
    def deviation(self, key: str) -> np.ndarray:
        """A daily series' swing around its trend (in logs or units), 0 at the end, its
        factors' swings included."""
        if key not in self._deviations:
            spec = spec_for(key)
            if spec is None or spec.freq != "B":
                raise KeyError(f"{key} is not a daily demo series")
            self._deviations[key] = self._swing(key, spec, self.days)
        return self._deviations[key]

    def _swing(self, key: str, spec: Spec, dates: pd.DatetimeIndex) -> np.ndarray:
        per_year = self.per_year if spec.freq == "B" else PER_YEAR[_freq_class(spec.freq)]
        swing = _backward_ar(key, len(dates), spec.vol / math.sqrt(per_year), spec.band)
        for factor, beta in spec.factors:
            swing = swing + beta * self.deviation(factor)
        return swing

    def from_spec(self, key: str, spec: Spec) -> pd.Series:
        dates = self.dates(spec.freq)
        known = spec.freq == "B" and spec_for(key) is spec
        swing = self.deviation(key) if known else self._swing(key, spec, dates)
        trend = spec.drift * self.years_to_end(dates)
        values = spec.level * np.exp(trend + swing) if spec.log else spec.level + trend + swing
        if spec.low is not None or spec.high is not None:
            values = np.clip(values, spec.low, spec.high)
        return pd.Series(values, index=dates)

    # -- any series
    def raw(self, key: str, dataset: str | None = None) -> pd.Series:
        """Unrounded values of ``key`` at its observation dates."""
        tenor = dataset == "treasury_yields" or (dataset is None and key in TENOR_KEYS)
        cache = f"UST:{key}" if tenor else key
        if cache not in self._values:
            self._values[cache] = self.tenor(tenor_months(key)) if tenor else self._compute(key, dataset)
        return self._values[cache]

    def _compute(self, key: str, dataset: str | None) -> pd.Series:
        if key in DERIVED:
            return DERIVED[key](self)
        if key in ALIASES:
            return self.values(ALIASES[key])
        pair = _fx_pair(key)
        if pair is not None:
            return self.fx(*pair)
        spec = spec_for(key)
        return self.from_spec(key, spec if spec is not None else _fallback(key, dataset))

    def values(self, key: str, dataset: str | None = None) -> pd.Series:
        """``key``'s values rounded as its source publishes them."""
        return self.raw(key, dataset).round(decimals_for(key, dataset))

    # -- currencies
    def units_per_usd(self, code: str) -> np.ndarray:
        if code == "USD":
            return np.ones(len(self.days))
        if code == "DKK":  # pegged to the euro
            return self.units_per_usd("EUR") * self.from_spec("EURDKK", EURDKK).to_numpy()
        values = self.raw(f"_CCY_{code}").to_numpy()
        return np.clip(values, 7.75, 7.85) if code == "HKD" else values

    def fx(self, base: str, quote: str) -> pd.Series:
        """Units of ``quote`` one ``base`` buys."""
        return pd.Series(self.units_per_usd(quote) / self.units_per_usd(base), index=self.days)

    # -- the Treasury curve
    def tenor(self, months: float) -> pd.Series:
        """A Treasury par yield. Up to ten years: the short rate, the 10-year and the anchor
        curve's shape between them. Beyond: the 10-year plus a positive term spread."""
        short = self.raw("_SHORT").to_numpy()
        ten = CURVE[120] + self.deviation("_L10")
        own = _backward_ar(f"UST-{months}", len(self.days), 0.25 / math.sqrt(self.per_year), 0.03)
        if months <= 120:
            weight = _curve_weight(months)
            shape = _curve_anchor(months) - (CURVE[1] + (CURVE[120] - CURVE[1]) * weight)
            values = short + (ten - short) * weight + shape + (own if months < 120 else 0)
        else:
            d20 = self.raw("_D20").to_numpy()
            d30 = np.maximum(d20 + self.raw("_D30").to_numpy(), 0.05)
            spread = d20 * min(1.0, (months - 120) / 120) + (d30 - d20) * max(0.0, min(1.0, (months - 240) / 120))
            values = ten + np.maximum(spread + own, 0.02)
        return pd.Series(np.maximum(values, 0.03), index=self.days)

    # -- policy rates
    def policy_upper(self) -> np.ndarray:
        """The top of the fed funds target range: POLICY_UPPER at the end and, going back
        meeting by meeting, moved in 25 bp steps (up to 75 bp) to follow the short rate
        wherever it had strayed more than 30 bp from the range."""
        if "upper" not in self._blocks:
            short = self.raw("_SHORT").to_numpy() + 0.07
            n = len(short)
            upper = np.empty(n)
            current = POLICY_UPPER
            for i in range(n - 1, -1, -1):
                upper[i] = current
                if (n - 1 - i) % MEETING_SPACING == 10 and abs(short[i] - current) > 0.3:
                    # Before this meeting the range stood nearer where the short rate was.
                    current = max(0.25, current + max(-0.75, min(0.75, round(short[i] * 4) / 4 - current)))
            self._blocks["upper"] = upper
        return self._blocks["upper"]  # type: ignore[return-value]

    def policy(self, offset: float, noise: float = 0.0, seed: str = "") -> pd.Series:
        """A money-market rate at ``offset`` from the target range's top (plus daily noise)."""
        upper = self.policy_upper()
        values = upper + offset
        if noise:
            values = np.clip(values + _backward_ar(seed, len(upper), 2 * noise, noise), upper - 0.3, upper + 0.25)
        return pd.Series(values, index=self.days)

    # -- credit
    def credit(self) -> dict[str, np.ndarray]:
        """OAS by rating from one credit factor: each rating's spread is the one above it times
        a ratio above 1 (wider in a sell-off for the lower ratings), so the order always holds;
        IG and HY are blends of their ratings."""
        if "oas" not in self._blocks:
            swing = np.log(self.raw("_CREDIT").to_numpy())
            factor = np.where(swing > 0, swing, 0.35 * swing)  # spreads jump wider, tighten slowly
            n = len(self.days)
            step = 0.3 / math.sqrt(self.per_year)
            chain = {"AAA": 0.38 * np.exp(0.8 * factor + _backward_ar("OAS-AAA", n, step, 0.08))}
            above = chain["AAA"]
            for rating, ratio, beta in (
                ("A", 1.842, 0.15),
                ("BBB", 1.457, 0.15),
                ("BB", 1.814, 0.2),
                ("B", 1.649, 0.2),
                ("CCC", 2.82, 0.25),
            ):
                above = above * (1 + (ratio - 1) * np.exp(beta * factor + _backward_ar(f"OAS-{rating}", n, step, 0.1)))
                chain[rating] = above
            chain["IG"] = 0.08 * chain["AAA"] + 0.47 * chain["A"] + 0.45 * chain["BBB"]
            chain["HY"] = 0.52 * chain["BB"] + 0.38 * chain["B"] + 0.10 * chain["CCC"]
            chain["EM"] = chain["IG"] * (1 + np.exp(0.3 * factor + _backward_ar("OAS-EM", n, step, 0.1)))
            # Moody's Aaa and Baa long-bond yields over the 10-year
            chain["AAA10Y"] = 1.2 * np.exp(0.5 * factor + _backward_ar("AAA10Y", n, step, 0.08))
            chain["BAA10Y"] = chain["AAA10Y"] + 0.7 * np.exp(0.8 * factor + _backward_ar("BAA10Y", n, step, 0.1))
            self._blocks["oas"] = chain
        return self._blocks["oas"]  # type: ignore[return-value]

    def oas(self, rating: str) -> pd.Series:
        return pd.Series(self.credit()[rating], index=self.days)

    # -- daily → lower frequencies
    def monthly_mean(self, daily: pd.Series) -> pd.Series:
        """A daily series averaged over each published month, dated on its first (FRED's way)."""
        means = daily.groupby(daily.index.to_period("M")).mean()
        means.index = means.index.to_timestamp()
        # A window shorter than the publication lag has no day of the published month.
        return means.reindex(self.dates("MS")).ffill().bfill().fillna(daily.mean())

    def sample(self, daily: pd.Series, freq: str) -> pd.Series:
        """A daily series as of each observation date of ``freq`` (weekly readings)."""
        dates = self.dates(freq)
        return daily.reindex(daily.index.union(dates)).ffill().bfill().reindex(dates)


# --- derived series: built from others, so that they agree ---------------------------------

TENOR_KEYS = {"1M", "2M", "3M", "4M", "6M", "1Y", "2Y", "3Y", "5Y", "7Y", "10Y", "20Y", "30Y"}
FX_CODES = {
    "JP": "JPY", "CA": "CAD", "SZ": "CHF", "CH": "CNY", "HK": "HKD", "SI": "SGD", "KO": "KRW", "IN": "INR",
    "MX": "MXN", "BZ": "BRL", "SF": "ZAR", "SD": "SEK", "NO": "NOK", "DN": "DKK", "MA": "MYR", "TA": "TWD",
    "TH": "THB", "SL": "LKR",
}  # fmt: skip
# FRED (and other) copies of series the demo draws elsewhere: the same values.
ALIASES = {
    **{f"DGS{t[:-1]}MO": t for t in ("1M", "3M", "6M")},
    **{f"DGS{t[:-1]}": t for t in ("1Y", "2Y", "3Y", "5Y", "7Y", "10Y", "20Y", "30Y")},
    "BAMLC0A1CAAA": "AAA_OAS",
    "BAMLC0A0CM": "IG_OAS",
    "BAMLC0A4CBBB": "BBB_OAS",
    "BAMLH0A1HYBB": "BB_OAS",
    "BAMLH0A2HYB": "B_OAS",
    "BAMLH0A3HYC": "CCC_OAS",
    "BAMLH0A0HYM2": "HY_OAS",
    "BAMLEMCBPIOAS": "EM_OAS",
    "SP500": "SPX",
    "DJIA": "DJI",
    "NASDAQCOM": "IXIC",
    "VIXCLS": "VIX",
    "VXVCLS": "VIX3M",
    "DCOILWTICO": "CL",
    "DCOILBRENTEU": "BZ",
    "DHHNGSP": "NG",
    "FG_MOMENTUM": "SPX",
    "FG_VOLATILITY": "VIX",
    "DFF": "EFFR",
    "EFFR_NYFED": "EFFR",
    "SOFR_NYFED": "SOFR",
    "DEXUSEU": "EURUSD",
    "DEXUSUK": "GBPUSD",
    "DEXUSAL": "AUDUSD",
    "DEXUSNZ": "NZDUSD",
    **{f"DEX{code}US": f"USD{ccy}" for code, ccy in FX_CODES.items()},
}


def _tenor(demo: DemoSeries, tenor: str) -> pd.Series:
    return demo.values(tenor, "treasury_yields")


def _sahm(demo: DemoSeries) -> pd.Series:
    """The Sahm rule: the unemployment rate's 3-month average above its low of the prior year."""
    average = demo.values("UNRATE").rolling(3, min_periods=1).mean()
    return average - average.shift(1).rolling(12, min_periods=1).min().fillna(average.iloc[0])


def _real_gdp(demo: DemoSeries) -> pd.Series:
    """Real GDP (chained 2017 $ billions) back from its anchor by the demo's growth rates."""
    growth = demo.values("A191RL1Q225SBEA")
    factors = (1 + growth.to_numpy() / 100) ** 0.25
    levels = 23900 / np.concatenate([np.cumprod(factors[::-1])[::-1][1:], [1.0]])
    return pd.Series(levels, index=growth.index)


def _per_capita(amount: pd.Series) -> pd.Series:
    """``amount`` per US resident (340 million late in 2025, growing 0.5 % a year)."""
    return amount / (340e6 * np.exp(0.005 * DemoSeries.years_to_end(amount.index)))


def _etf_on_curve(level: float, terms: tuple[tuple[str, float], ...]) -> Callable[[DemoSeries], pd.Series]:
    """A bond ETF priced off the curve and spreads: its price falls by ``duration`` % per
    percentage point the yield or spread rises (``terms``: (series, duration / 100))."""

    def build(demo: DemoSeries) -> pd.Series:
        log = np.zeros(len(demo.days))
        for key, duration in terms:
            series = demo.raw(key, "treasury_yields" if key in TENOR_KEYS else None).to_numpy()
            log -= duration * (series - series[-1])
        own = _backward_ar(f"ETF-{level}", len(demo.days), 0.01 / math.sqrt(demo.per_year), 0.005)
        return pd.Series(level * np.exp(log + own), index=demo.days)

    return build


DERIVED: dict[str, Callable[[DemoSeries], pd.Series]] = {
    # Term spreads: differences of the published (rounded) tenors.
    **{
        key: (lambda demo, pair=pair: _tenor(demo, pair[0]) - _tenor(demo, pair[1]))
        for key, pair in TERM_SPREADS.items()
    },
    "DTB3": lambda demo: _tenor(demo, "3M") - 0.07,  # discount basis
    "DTB6": lambda demo: _tenor(demo, "6M") - 0.1,
    "DTB1YR": lambda demo: _tenor(demo, "1Y") - 0.12,
    # Credit spreads (ICE BofA OAS) and Moody's yields over the 10-year
    **{f"{r}_OAS": (lambda demo, r=r: demo.oas(r)) for r in ("AAA", "IG", "BBB", "BB", "B", "CCC", "HY", "EM")},
    "AAA10Y": lambda demo: demo.oas("AAA10Y"),
    "BAA10Y": lambda demo: demo.oas("BAA10Y"),
    "AAA": lambda demo: demo.monthly_mean(_tenor(demo, "10Y") + demo.oas("AAA10Y")),
    "BAA": lambda demo: demo.monthly_mean(_tenor(demo, "10Y") + demo.oas("BAA10Y")),
    "FG_JUNK_BOND": lambda demo: demo.values("HY_OAS") - demo.values("IG_OAS"),
    # Policy and money-market rates: the target range's top, less the usual spreads
    "EFFR": lambda demo: demo.policy(-0.12),
    "OBFR_NYFED": lambda demo: demo.policy(-0.13),
    "SOFR": lambda demo: demo.policy(-0.09, noise=0.03, seed="SOFR"),
    "TGCR_NYFED": lambda demo: demo.values("SOFR") - 0.02,
    "BGCR_NYFED": lambda demo: demo.values("SOFR") - 0.02,
    "IORB": lambda demo: demo.policy(-0.10),
    "DPCREDIT": lambda demo: demo.policy(0.0),
    "DPRIME": lambda demo: demo.policy(3.0),
    "FEDFUNDS": lambda demo: demo.monthly_mean(demo.values("EFFR")),
    # Inflation: 5y5y forward and real (TIPS) yields from the nominal curve and breakevens
    "T5YIFR": lambda demo: 2 * demo.values("T10YIE") - demo.values("T5YIE"),
    "DFII5": lambda demo: _tenor(demo, "5Y") - demo.values("T5YIE"),
    "DFII7": lambda demo: _tenor(demo, "7Y") - (0.4 * demo.values("T5YIE") + 0.6 * demo.values("T10YIE")),
    "DFII10": lambda demo: _tenor(demo, "10Y") - demo.values("T10YIE"),
    "DFII20": lambda demo: _tenor(demo, "20Y") - demo.values("T10YIE") - 0.02,
    "DFII30": lambda demo: _tenor(demo, "30Y") - demo.values("T10YIE") - 0.03,
    # Mortgages: the 10-year plus a spread; weekly (Freddie Mac, Thursdays) and daily (Optimal Blue)
    "_MORT30": lambda demo: _tenor(demo, "10Y") + demo.raw("_MORTSPREAD"),
    "MORTGAGE30US": lambda demo: demo.sample(demo.raw("_MORT30"), W_THU),
    "MORTGAGE15US": lambda demo: demo.sample(demo.raw("_MORT30") - 0.72, W_THU),
    "MORTGAGE5US": lambda demo: demo.sample(demo.raw("_MORT30") - 0.45, W_THU),
    "OBMMIJUMBO30YF": lambda demo: demo.raw("_MORT30") + 0.15,
    "OBMMIFHA30YF": lambda demo: demo.raw("_MORT30") - 0.15,
    "OBMMIVA30YF": lambda demo: demo.raw("_MORT30") - 0.35,
    # Labour and output identities
    "U6RATE": lambda demo: demo.values("UNRATE") + demo.values("_U6GAP"),
    "UNEMPLOY": lambda demo: demo.values("UNRATE") / 100 * demo.values("CLF16OV"),
    "SAHMREALTIME": _sahm,
    "GDPC1": _real_gdp,
    "GDP": lambda demo: demo.values("GDPC1") * demo.raw("_GDPDEF"),
    "A939RX0Q048SBEA": lambda demo: _per_capita(demo.values("GDPC1") * 1e9),
    "NETEXP": lambda demo: demo.values("EXPGS") - demo.values("IMPGS"),
    # Bond ETFs priced off the curve and spreads
    "TLT": _etf_on_curve(89, (("20Y", 0.165),)),
    "LQD": _etf_on_curve(111, (("10Y", 0.085), ("IG_OAS", 0.085))),
    "HYG": _etf_on_curve(80.5, (("5Y", 0.035), ("HY_OAS", 0.035))),
}

# Decimals as the sources publish them: derived yields, spreads, rates and ETFs to 2.
DECIMALS = {
    **{key: 2 for key in DERIVED},
    **{"UNEMPLOY": 0, "A939RX0Q048SBEA": 0, "U6RATE": 1, "GDPC1": 3, "GDP": 3, "NETEXP": 3, "FG_JUNK_BOND": 4},
}


def _fx_pair(key: str) -> tuple[str, str] | None:
    if len(key) != 6:
        return None
    base, quote = key[:3], key[3:]
    known = set(CURRENCIES) | {"USD", "DKK"}
    return (base, quote) if base in known and quote in known and base != quote else None


_SPECS: dict[str, Spec] = {}


def _known_specs() -> dict[str, Spec]:
    if not _SPECS:
        _SPECS.update(INDICES)
        _SPECS.update(EQUITIES)
        _SPECS.update(COMMODITIES)
        _SPECS.update(CRYPTO)
        _SPECS.update(VOLATILITY)
        _SPECS.update(SENTIMENT)
        _SPECS.update(ECONOMY)
        _SPECS.update({f"_CCY_{code}": spec for code, spec in CURRENCIES.items()})
    return _SPECS


def spec_for(key: str) -> Spec | None:
    """The anchor of ``key`` (catalog key, or a latent factor starting with ``_``), if it has one."""
    spec = _known_specs().get(key)
    if spec is not None:
        return spec
    match = STATE_SERIES.match(key)
    if match:
        code = match["code"] or match["code2"]
        if code in STATES:
            return _state_spec(code, match["measure"] or "MEHOINUS")
    match = WORLD_SERIES.match(key)
    if match:
        return _world_spec(match["src"], match["what"], match["country"])
    return None


def is_known(key: str, dataset: str) -> bool:
    """Whether ``key`` has an anchor of its own (rather than a level drawn for its dataset)."""
    if dataset == "treasury_yields":
        return True
    return key in DERIVED or key in ALIASES or _fx_pair(key) is not None or spec_for(key) is not None


def _fallback(key: str, dataset: str | None) -> Spec:
    """A key the demo has no anchor for: a level for it within its dataset's range."""
    low, high, shape = FALLBACK.get(dataset or "fred_series", FALLBACK["fred_series"])
    level = float(np.exp(np.log(low) + _unit(key) * (np.log(high) - np.log(low))))
    if shape.log:
        return replace(shape, level=level)
    return replace(shape, level=level, vol=shape.vol * level, band=shape.band * level)


def decimals_for(key: str, dataset: str | None = None) -> int:
    """How many decimals ``key``'s source publishes: FRED 2 for rates and index levels, 4 for
    exchange rates; prices six significant digits."""
    if dataset == "treasury_yields" or key in TENOR_KEYS:
        return 2
    if key in ALIASES:
        return 4 if key.startswith("DEX") else 2
    if key in DECIMALS:
        return DECIMALS[key]
    pair = _fx_pair(key)
    if pair is not None:
        levels = {code: spec.level for code, spec in CURRENCIES.items()} | {"USD": 1.0, "DKK": 6.46}
        return _fx_decimals(levels[pair[1]] / levels[pair[0]])
    spec = spec_for(key)
    if spec is None:
        return 4
    if spec.decimals is not None:
        return spec.decimals
    return _price_decimals(spec.level)


def _demo(days: pd.DatetimeIndex) -> DemoSeries:
    """The (cached) generator of one window: seeding asks it for ~1,500 series."""
    key = (days[0], days[-1], len(days))
    found = _GRIDS.get(key)
    if found is None:
        if len(_GRIDS) >= 4:
            _GRIDS.clear()
        found = _GRIDS[key] = DemoSeries(days)
    return found


_GRIDS: dict[tuple, DemoSeries] = {}


def demo_series(key: str, days: pd.DatetimeIndex, dataset: str | None = None) -> pd.Series:
    """``key``'s demo values over the window ``days`` (indexed by its own observation dates:
    every day for daily series, the first of each month for monthly ones…)."""
    return _demo(days).values(key, dataset)


def demo_path(key: str, days: pd.DatetimeIndex, dataset: str | None = None) -> np.ndarray:
    """A daily series' values on each of ``days``."""
    return demo_series(key, days, dataset).to_numpy()


def demo_option_chains(underlying: str, days: pd.DatetimeIndex) -> pd.DataFrame:
    """Chain summaries of the last ``CHAIN_SNAPSHOTS`` days, the underlying and the VIX on their
    demo paths. The chains' put/call ratios are the demo put/call series of the underlying (where
    the demo has one), so the Options page's chain and its put/call panels agree."""
    spots = demo_path(underlying, days, "market_indices")
    vix = demo_path("VIX", days)
    last = slice(-CHAIN_SNAPSHOTS, None)
    series = {"volume": f"PUT_CALL_{underlying}_VOLUME", "open_interest": f"PUT_CALL_{underlying}_OI"}
    ratios = {measure: demo_path(key, days)[last] for measure, key in series.items() if key in SENTIMENT}
    return demo_chain_history(underlying, days[last], spots[last], vix[last], ratios)


def demo_frame(dataset: str, inst: Instrument, days: pd.DatetimeIndex, fetched_at: datetime) -> pd.DataFrame:
    """Synthetic rows for one instrument in its table's shape."""
    spec = DATASETS[dataset]
    if dataset == "options_chain":
        return demo_option_chains(inst.key, days).assign(source=DEMO_SOURCE, fetched_at=fetched_at)
    demo = _demo(days)
    if "close" in table(spec.table).c:
        closes = demo.raw(inst.key, dataset).reindex(demo.days).ffill().bfill().to_numpy()
        frame = _bars(inst.key, demo, closes)
    else:
        values = demo.values(inst.key, dataset)
        frame = pd.DataFrame({spec.key_column: inst.key, "date": values.index.date, "value": values.to_numpy()})
        if dataset == "economic_indicators":
            frame["country"] = _country(inst)
    return frame.assign(source=DEMO_SOURCE, fetched_at=fetched_at)


def _bars(key: str, demo: DemoSeries, closes: np.ndarray) -> pd.DataFrame:
    """Daily bars around ``closes``: opens near the previous close, highs and lows around both."""
    rng = np.random.default_rng(zlib.crc32(key.encode()) + 1)
    n = len(closes)
    returns = np.diff(np.log(closes))
    daily_vol = float(np.std(returns)) if n > 2 else 0.01
    previous = np.concatenate([closes[:1], closes[:-1]])
    opens = previous * np.exp(rng.normal(0, daily_vol / 4, n))
    wiggle = np.abs(rng.normal(0, daily_vol / 2, n))
    decimals = decimals_for(key)
    return pd.DataFrame(
        {
            "symbol": key,
            "interval": "1d",
            "ts": demo.days.tz_localize(UTC),
            "open": opens.round(decimals),
            "high": (np.maximum(opens, closes) * (1 + wiggle)).round(decimals),
            "low": (np.minimum(opens, closes) * (1 - wiggle)).round(decimals),
            "close": closes.round(decimals),
            "volume": rng.integers(100_000, 10_000_000, n).astype(float),
        }
    )


def _country(inst: Instrument) -> str:
    """The ISO-3 country of a World Bank or IMF series (``USA:NY.GDP…``), else the USA."""
    for provider in inst.providers:
        head = provider.symbol.split(":", 1)[0]
        if ":" in provider.symbol and re.fullmatch(r"[A-Z]{3}", head):
            return head
    return "USA"


def seed_demo(store: Store, catalog: Catalog) -> dict[str, int]:
    """Write demo rows for every catalogued dataset, one transaction each; rows written per dataset."""
    now = datetime.now(UTC)
    first, last = now.date() - timedelta(days=365 * YEARS), now.date() - timedelta(days=1)
    written = {}
    for dataset in catalog.datasets():
        if dataset not in DEMO_DATASETS and dataset != "options_chain":
            continue
        # Crypto trades every day; the rest on business days.
        days = pd.date_range(first, last) if dataset == "crypto_prices" else pd.bdate_range(first, last)
        frame = pd.concat(
            [demo_frame(dataset, inst, days, now) for inst in catalog.for_dataset(dataset)], ignore_index=True
        )
        with store.engine.begin() as conn:
            rows, version = write_dataset(conn, dataset, frame, DEMO_SOURCE, demo=True)
        publish_version(dataset, version)
        written[dataset] = rows
    # The analytics tables: computed from the demo data by the real computations.
    result = run_analytics(store, source=DEMO_SOURCE, demo=True)
    for name, rows in result.rows_written.items():
        written[name] = written.get(name, 0) + rows
    return written


def remove_demo(store: Store) -> dict[str, int]:
    """Delete every demo row and clear the DEMO flags; rows removed per dataset."""
    removed = {}
    for name, spec in DATASETS.items():
        tbl = table(spec.table)
        with store.engine.begin() as conn:
            count = conn.execute(delete(tbl).where(tbl.c.source == DEMO_SOURCE)).rowcount
            if count:
                rebuild_stats(conn, spec)
                version = bump_version(conn, name, count, None, demo=False)
        if count:
            publish_version(name, version)
            removed[name] = count
    return removed
