"""Seeding: the demo rows of every catalogued dataset in its table's shape (bars for price
tables, observations elsewhere, option-chain summaries, crypto funding and open interest, company
fundamentals, COT reports), written and flagged as demo data, and removed again."""

from __future__ import annotations

import math
import os
import re
import zlib
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
from sqlalchemy import delete

from config.catalog import Catalog, Instrument, Quality
from datasources import quality
from datasources.fetcher import Fetcher
from jobs.analytics.run import run_analytics
from jobs.bookkeeping import sync_catalog
from jobs.demo.anchors_markets import SENTIMENT
from jobs.demo.cot import demo_cot_positions
from jobs.demo.derivatives import demo_derivatives
from jobs.demo.fundamentals import demo_fundamentals
from jobs.demo.generator import DemoSeries
from jobs.demo.series import decimals_for
from jobs.demo.specs import CHAIN_SNAPSHOTS, DEMO_DATASETS, DEMO_SOURCE, ROW_DATASETS
from jobs.demo_options import EQUITY_SMILE, demo_chain_history
from sql.datasets import DATASETS
from sql.schema import data_quality, table
from sql.store import Store
from sql.versions import bump_version, publish_version
from sql.write import rebuild_stats, write_dataset

YEARS = 5  # how far back the seeded window goes


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


# Where an option underlying's price and volatility level live in the demo (default: the index
# or ETF of that key, and the VIX). Crypto chains follow their coin and Deribit's DVOL.
CHAIN_PATHS = {
    "BTC": (("BTCUSD", "crypto_prices"), "DVOL_BTC"),
    "ETH": (("ETHUSD", "crypto_prices"), "DVOL_ETH"),
    "SOL": (("SOLUSD", "crypto_prices"), "DVOL_BTC"),
    "VIX": (("VIX", "volatility_indicators"), "VVIX"),
}
EQUITY_CHAINS = {"AAPL", "NVDA", "MSFT", "AMZN", "META", "TSLA"}
# Implied volatility of a chain against the VIX-like level it follows: the Nasdaq-100 and small
# caps run above the S&P 500, single stocks well above (late-2025 30-day ATM IVs: QQQ ~20 %,
# IWM ~23 %, AAPL/MSFT ~25 %, AMZN ~32 %, META ~35 %, NVDA ~48 %, TSLA ~60 % with the VIX ~16).
# Smiles unlike the equity indices' put skew (jobs/demo_options.EQUITY_SMILE): coins with wings
# on both sides and a milder put skew; the VIX's own options dearer for upside strikes.
CHAIN_SMILE = {"BTC": (0.05, 0.05), "ETH": (0.06, 0.05), "SOL": (0.06, 0.06), "VIX": (-0.2, 0.02)}
CRYPTO_CHAINS, CRYPTO_MAX_DAYS = {"BTC", "ETH", "SOL"}, 400
CHAIN_IV_SCALE = {"QQQ": 1.3, "IWM": 1.5, "AAPL": 1.7, "MSFT": 1.6, "AMZN": 2.1, "META": 2.3, "NVDA": 3.1, "TSLA": 3.9}


def demo_option_chains(underlying: str, days: pd.DatetimeIndex) -> pd.DataFrame:
    """Chain summaries of the last ``CHAIN_SNAPSHOTS`` days, the underlying and its volatility
    level (the VIX; DVOL for crypto) on their demo paths. The chains' put/call ratios are the
    demo put/call series of the underlying (where the demo has one), so the Options page's
    chain and its put/call panels agree."""
    default = (underlying, "equities" if underlying in EQUITY_CHAINS else "market_indices")
    (price_key, price_dataset), vol_key = CHAIN_PATHS.get(underlying, (default, "VIX"))
    spots = demo_path(price_key, days, price_dataset)
    vix = demo_path(vol_key, days)  # the VIX's own options: IVs near the VVIX level
    last = slice(-CHAIN_SNAPSHOTS, None)
    series = {"volume": f"PUT_CALL_{underlying}_VOLUME", "open_interest": f"PUT_CALL_{underlying}_OI"}
    ratios = {measure: demo_path(key, days)[last] for measure, key in series.items() if key in SENTIMENT}
    scale, smile = CHAIN_IV_SCALE.get(underlying, 1.0), CHAIN_SMILE.get(underlying, EQUITY_SMILE)
    chains = demo_chain_history(underlying, days[last], spots[last], vix[last], ratios, iv_scale=scale, smile=smile)
    if underlying in CRYPTO_CHAINS:  # the crypto venues list about a year out, no two-year expiries
        chains = chains[chains["days_to_expiry"] <= CRYPTO_MAX_DAYS].reset_index(drop=True)
    return chains


def demo_frame(dataset: str, inst: Instrument, days: pd.DatetimeIndex, fetched_at: datetime) -> pd.DataFrame:
    """Synthetic rows for one instrument in its table's shape."""
    spec = DATASETS[dataset]
    if dataset == "options_chain":
        return demo_option_chains(inst.key, days).assign(source=DEMO_SOURCE, fetched_at=fetched_at)
    if dataset == "crypto_derivatives":  # the coin's perpetual, valued at its demo price
        prices = demo_path(f"{inst.key}USD", days, "crypto_prices")
        return demo_derivatives(inst.key, days, prices).assign(source=DEMO_SOURCE, fetched_at=fetched_at)
    if dataset == "fundamentals":
        rows = demo_fundamentals(inst.key, days[0].date(), days[-1].date())
        return rows.assign(source=DEMO_SOURCE, fetched_at=fetched_at)
    if dataset == "cot_positions":
        return demo_cot_positions(inst.key, days).assign(source=DEMO_SOURCE, fetched_at=fetched_at)
    demo = _demo(days)
    if "close" in table(spec.table).c:
        raw = demo.raw(inst.key, dataset)
        if len(raw) * 2 < len(demo.days):  # weekly or monthly: a bar a period, as its source publishes it
            raw = raw[(raw.index >= demo.days[0]) & (raw.index <= demo.days[-1])].dropna()
            frame = _bars(inst.key, raw.index, raw.to_numpy())
        else:
            frame = _bars(inst.key, demo.days, raw.reindex(demo.days).ffill().bfill().to_numpy())
    else:
        values = demo.values(inst.key, dataset)
        frame = pd.DataFrame({spec.key_column: inst.key, "date": values.index.date, "value": values.to_numpy()})
        if dataset == "economic_indicators":
            frame["country"] = _country(inst)
    return frame.assign(source=DEMO_SOURCE, fetched_at=fetched_at)


def _bars(key: str, dates: pd.DatetimeIndex, closes: np.ndarray) -> pd.DataFrame:
    """Bars on ``dates`` around ``closes``: opens near the previous close, highs and lows around both."""
    rng = np.random.default_rng(zlib.crc32(key.encode()) + 1)
    n = len(closes)
    returns = np.diff(np.log(closes))
    daily_vol = float(np.std(returns)) if n > 2 else 0.01
    previous = np.concatenate([closes[:1], closes[:-1]])
    opens = previous * np.exp(rng.normal(0, daily_vol / 4, n))
    wiggle = np.abs(rng.normal(0, daily_vol / 2, n))
    # Four significant digits however low the path goes (a coin anchored at 2.10 that falls to 0.25
    # quotes 0.2500, not 0.25 day after day).
    lowest = float(np.nanmin(np.abs(closes))) if n else 1.0
    decimals = max(decimals_for(key), 3 - math.floor(math.log10(lowest)) if 0 < lowest < 1 else 0)
    return pd.DataFrame(
        {
            "symbol": key,
            "interval": "1d",
            "ts": dates.tz_localize(UTC),
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
        if dataset not in DEMO_DATASETS and dataset not in ROW_DATASETS:
            continue
        # Crypto trades every day; the rest on business days.
        every_day = dataset in ("crypto_prices", "crypto_derivatives")
        days = pd.date_range(first, last) if every_day else pd.bdate_range(first, last)
        frame = pd.concat(
            [demo_frame(dataset, inst, days, now) for inst in catalog.for_dataset(dataset)], ignore_index=True
        )
        # Judged by the same quality rules as downloads (no second provider to check against).
        flags, judged = _judge(dataset, catalog, frame)
        with store.engine.begin() as conn:
            rows, version = write_dataset(conn, dataset, frame, DEMO_SOURCE, demo=True, flags=flags, judged=judged)
        publish_version(dataset, version)
        written[dataset] = rows
    # The analytics tables: computed from the demo data by the real computations.
    result = run_analytics(store, source=DEMO_SOURCE, demo=True)
    for name, rows in result.rows_written.items():
        written[name] = written.get(name, 0) + rows
    # The catalog's sources, as a download run records them: the System page lists each with
    # its category, access and state ("not used yet", or "not configured" without its key).
    with store.engine.begin() as conn:
        sync_catalog(conn, catalog, _configured, Fetcher.auth_env)
    return written


def _configured(source) -> bool:
    variable = Fetcher.auth_env(source)
    return not variable or bool(os.environ.get(variable, "").strip())


def _judge(dataset: str, catalog: Catalog, frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    spec = DATASETS[dataset]
    rules = {i.key: i.quality for i in catalog.for_dataset(dataset) if i.quality.checks}
    if spec.value_column is None or not rules:
        return quality.find(frame.iloc[0:0], spec.key_column, spec.date_column, spec.date_column, Quality())
    flags, judged = quality.find(frame, spec.key_column, spec.date_column, spec.value_column, rules)
    return flags.assign(source=DEMO_SOURCE), judged


def remove_demo(store: Store) -> dict[str, int]:
    """Delete every demo row and clear the DEMO flags; rows removed per dataset."""
    removed = {}
    for name, spec in DATASETS.items():
        tbl = table(spec.table)
        with store.engine.begin() as conn:
            count = conn.execute(delete(tbl).where(tbl.c.source == DEMO_SOURCE)).rowcount
            flags = data_quality.c
            conn.execute(delete(data_quality).where(flags.dataset == name, flags.source == DEMO_SOURCE))
            if count:
                rebuild_stats(conn, spec)
                version = bump_version(conn, name, count, None, demo=False)
        if count:
            publish_version(name, version)
            removed[name] = count
    return removed
