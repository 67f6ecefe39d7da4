"""`python -m jobs demo`: clearly labelled synthetic data for every catalogued instrument, so the
station can be tried with no internet. Rows carry ``source = "demo"`` and their datasets are
flagged in ``dataset_versions`` (the web shows a DEMO ribbon); `--remove` takes them out again.

Values are deterministic per instrument (seeded by its key) with levels and volatility typical
of the asset class; they are not market data.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Profile:
    """How an asset class moves: a level range (log-uniform), daily volatility, mean reversion."""

    low: float
    high: float
    vol: float
    reversion: float = 0.0  # 0: a random walk in logs (prices); > 0: pulled back to its level (rates)


PROFILES = {
    "market_indices": Profile(50, 40_000, 0.011),
    "equities": Profile(20, 900, 0.017),
    "commodities": Profile(2, 3_000, 0.017),
    "forex_rates": Profile(0.6, 160, 0.005),
    "crypto_prices": Profile(0.05, 90_000, 0.035),
    "volatility_indicators": Profile(12, 30, 0.06, reversion=0.05),
    "treasury_yields": Profile(3.5, 4.8, 0.012, reversion=0.01),
    "credit_spreads": Profile(0.8, 4.5, 0.012, reversion=0.01),
    "economic_indicators": Profile(1, 500, 0.0012, reversion=0.002),
    "fred_series": Profile(1, 500, 0.0012, reversion=0.002),
    "sentiment_indicators": Profile(30, 70, 0.06, reversion=0.03),
}


# Roughly where well-known instruments trade (late 2025), so demo pages look like markets: a
# random walk ends here, a mean-reverting series reverts to it. Others draw a level from their
# asset class's range.
ANCHORS = {
    **{"SPX": 6700, "NDX": 24500, "DJI": 46500, "IXIC": 22800, "RUT": 2400, "NYA": 21000, "SOX": 6900},
    **{"FTSE": 9600, "GDAXI": 23500, "FCHI": 8000, "STOXX50E": 5600, "N225": 48500, "HSI": 25800, "SSEC": 3900},
    **{"SPY": 670, "QQQ": 600, "IWM": 240, "EFA": 93, "EEM": 53, "TLT": 89, "HYG": 80, "LQD": 110},
    **{"CL": 59, "BZ": 63, "NG": 4.5, "GC": 4050, "SI": 50, "PL": 1550, "HG": 5.0, "ZC": 430, "ZW": 530},
    **{"EURUSD": 1.155, "USDJPY": 156, "GBPUSD": 1.31, "AUDUSD": 0.65, "USDCHF": 0.805, "USDCAD": 1.41},
    **{"EURJPY": 180, "EURGBP": 0.88, "EURCHF": 0.93, "USDCNY": 7.1, "NZDUSD": 0.565},
    **{"BTCUSD": 87000, "ETHUSD": 2900, "SOLUSD": 135, "XRPUSD": 2.1, "BNBUSD": 860, "DOGEUSD": 0.15},
    **{"VIX": 19, "VIX9D": 18, "VIX3M": 21, "VIX6M": 22, "VVIX": 100, "SKEW": 145, "MOVE": 75},
    **{"UNRATE": 4.4, "U6RATE": 8.0, "FEDFUNDS": 3.9, "DGS10": 4.1, "T5YIE": 2.3, "T10YIE": 2.25, "MICH": 3.2},
    **{"CIVPART": 62.4, "EMRATIO": 59.7, "UMCSENT": 55, "NFCI": -0.5, "TCU": 77, "A191RL1Q225SBEA": 2.0},
    **{"FEAR_GREED": 45, "CRYPTO_FEAR_GREED": 40, "PUT_CALL_SPX_VOLUME": 1.2, "PUT_CALL_SPX_OI": 1.6},
    **{"PUT_CALL_SPY_VOLUME": 1.1},
}


def demo_path(key: str, days: pd.DatetimeIndex, profile: Profile) -> np.ndarray:
    """A deterministic path for ``key``: geometric (prices) or mean-reverting in logs (rates)."""
    rng = np.random.default_rng(zlib.crc32(key.encode()))
    level = float(np.exp(rng.uniform(np.log(profile.low), np.log(profile.high))))
    anchor = ANCHORS.get(key)
    if anchor is not None and anchor > 0:
        level = float(anchor)
    shocks = rng.normal(0, profile.vol, len(days))
    logs = np.empty(len(days))
    logs[0] = np.log(level)
    for i in range(1, len(days)):
        logs[i] = logs[i - 1] + profile.reversion * (np.log(level) - logs[i - 1]) + shocks[i]
    path = np.exp(logs)
    if anchor is not None and anchor > 0 and profile.reversion == 0:
        path *= anchor / path[-1]  # a random walk that ends at today's level
    return path


def demo_curve(tenor: str, days: pd.DatetimeIndex) -> np.ndarray:
    """A Treasury tenor: one level factor shared by the whole curve, an upward slope in
    maturity, a little noise of its own — so the curve on screen looks like a curve."""
    level = demo_path("UST-LEVEL", days, Profile(1.0, 1.0, 0.008, reversion=0.01))
    own = demo_path(f"UST-{tenor}", days, Profile(1.0, 1.0, 0.002, reversion=0.05))
    return (3.4 + 0.45 * np.log10(tenor_months(tenor) + 1)) * level * own


def demo_option_chains(underlying: str, days: pd.DatetimeIndex) -> pd.DataFrame:
    """Chain summaries of the last ``CHAIN_SNAPSHOTS`` days, the underlying and the VIX on their
    demo paths. The chains' put/call ratios are the demo put/call series of the underlying (where
    the demo has one), so the Options page's chain and its put/call panels agree."""
    spots = demo_path(underlying, days, PROFILES["market_indices"])
    vix = demo_path("VIX", days, PROFILES["volatility_indicators"])
    last = slice(-CHAIN_SNAPSHOTS, None)
    series = {"volume": f"PUT_CALL_{underlying}_VOLUME", "open_interest": f"PUT_CALL_{underlying}_OI"}
    ratios = {
        measure: demo_path(key, days, PROFILES["sentiment_indicators"])[last]
        for measure, key in series.items()
        if key in ANCHORS
    }
    return demo_chain_history(underlying, days[last], spots[last], vix[last], ratios)


def demo_frame(dataset: str, inst: Instrument, days: pd.DatetimeIndex, fetched_at: datetime) -> pd.DataFrame:
    """Synthetic rows for one instrument in its table's shape."""
    spec = DATASETS[dataset]
    if dataset == "options_chain":
        return demo_option_chains(inst.key, days).assign(source=DEMO_SOURCE, fetched_at=fetched_at)
    if dataset == "treasury_yields":
        values = demo_curve(inst.key, days)
    elif dataset == "credit_spreads" and inst.key in TERM_SPREADS:
        long_end, short_end = TERM_SPREADS[inst.key]
        values = demo_curve(long_end, days) - demo_curve(short_end, days)
    else:
        values = demo_path(inst.key, days, PROFILES[dataset])
    if "close" in table(spec.table).c:
        rng = np.random.default_rng(zlib.crc32(inst.key.encode()) + 1)
        opens = values * (1 + rng.normal(0, PROFILES[dataset].vol / 4, len(days)))
        wiggle = np.abs(rng.normal(0, PROFILES[dataset].vol / 2, len(days))) * values
        frame = pd.DataFrame(
            {
                "symbol": inst.key,
                "interval": "1d",
                "ts": days.tz_localize(UTC),
                "open": opens,
                "high": np.maximum(opens, values) + wiggle,
                "low": np.minimum(opens, values) - wiggle,
                "close": values,
                "volume": rng.integers(100_000, 10_000_000, len(days)).astype(float),
            }
        )
    else:
        frame = pd.DataFrame({spec.key_column: inst.key, "date": days.date, "value": values.round(4)})
        if dataset == "economic_indicators":
            frame["country"] = "USA"
    return frame.assign(source=DEMO_SOURCE, fetched_at=fetched_at)


def seed_demo(store: Store, catalog: Catalog) -> dict[str, int]:
    """Write demo rows for every catalogued dataset, one transaction each; rows written per dataset."""
    now = datetime.now(UTC)
    first, last = now.date() - timedelta(days=365 * YEARS), now.date() - timedelta(days=1)
    written = {}
    for dataset in catalog.datasets():
        if dataset not in PROFILES and dataset != "options_chain":
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
