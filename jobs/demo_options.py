"""Synthetic option chains for the demo data (and the fixture server's CBOE files): expiries
from the next business day to two years out, implied volatilities around the VIX level with a
put skew and a term structure, open interest heaviest near the money and at round strikes.
Deterministic per underlying and day; not market data."""

from __future__ import annotations

import math
import zlib
from datetime import date, timedelta

import numpy as np
import pandas as pd

from datasources.chains import summarize_chain

DAILIES, WEEKLIES, MONTHLIES, LEAP_YEARS = 3, 6, 12, 2
STRIKE_STEPS = (0.5, 1.0, 2.5, 5.0, 10.0, 25.0, 50.0, 100.0)
MAX_STRIKES = 90  # per expiry
_erf = np.vectorize(math.erf, otypes=[float])


def _normal_cdf(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1 + _erf(x / math.sqrt(2)))


def third_friday(year: int, month: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(4 - first.weekday()) % 7 + 14)


def demo_expiries(day: date) -> list[date]:
    """The next few business days, Fridays and monthly expiries, and two Decembers out."""
    dailies = [d.date() for d in pd.bdate_range(day + timedelta(days=1), periods=DAILIES)]
    first_friday = day + timedelta(days=(4 - day.weekday()) % 7 or 7)
    fridays = [first_friday + timedelta(weeks=i) for i in range(WEEKLIES)]
    months = [(day.year + (day.month - 1 + i) // 12, (day.month - 1 + i) % 12 + 1) for i in range(MONTHLIES + 1)]
    monthlies = [third_friday(y, m) for y, m in months]
    leaps = [third_friday(day.year + i, 12) for i in range(1, LEAP_YEARS + 1)]
    return sorted({d for d in dailies + fridays + monthlies + leaps if d > day})


def term_iv(vix: float, days: int) -> float:
    """At-the-money IV (a fraction) ``days`` out: a little under the VIX at 30 days, rising with
    maturity when the VIX is low (contango), falling when it is high (backwardation)."""
    slope = min(0.08, max(-0.15, (22 - vix) * 0.012))
    return max(0.05, 0.0088 * vix * (1 + slope * math.log((days + 1) / 30)))


def _strike_step(width: float) -> float:
    return next((s for s in STRIKE_STEPS if s >= width / MAX_STRIKES), STRIKE_STEPS[-1])


# The smile's shape, IV relative to ATM per standard deviation of moneyness: (slope, curvature).
# Equity indices: a steep put skew. Crypto and the VIX are given their own by the demo seed.
EQUITY_SMILE = (0.16, 0.02)


def demo_chain(
    underlying: str,
    day: date,
    spot: float,
    vix: float,
    iv_scale: float = 1.0,
    smile: tuple[float, float] = EQUITY_SMILE,
) -> pd.DataFrame:
    """Every contract of one day's chain: ``root, expiry, kind, strike, volume, open_interest,
    iv, delta, gamma, theo`` (IV and delta from Black-Scholes at zero rates); ``iv_scale``
    multiplies the index-like term structure (a single stock is more volatile than the index),
    ``smile`` is the IV's (slope, curvature) per standard deviation from the money."""
    rng = np.random.default_rng(zlib.crc32(f"{underlying}:{day.isoformat()}".encode()))
    round_unit = 10 ** math.floor(math.log10(spot)) / 10  # 100 for SPX, 10 for SPY
    parts = []
    for expiry in demo_expiries(day):
        days = (expiry - day).days
        years = days / 365
        atm = term_iv(vix, days) * iv_scale
        spread = atm * math.sqrt(years)
        half_width = max(3.2 * spread, 0.04) * spot
        step = _strike_step(2 * half_width)
        low = max(math.ceil((spot - half_width) / step), 1) * step  # strikes stay above zero
        strikes = np.arange(low, spot + half_width, step)
        sds = np.log(strikes / spot) / spread  # standard deviations from the money
        slope, curvature = smile
        iv = np.clip(atm * (1 - slope * sds + curvature * sds**2), 0.4 * atm, 3 * atm)
        d1 = (np.log(spot / strikes) + 0.5 * iv**2 * years) / (iv * math.sqrt(years))
        d2 = d1 - iv * math.sqrt(years)
        call_delta = _normal_cdf(d1)
        gamma = np.exp(-0.5 * d1**2) / math.sqrt(2 * math.pi) / (spot * iv * math.sqrt(years))
        call_theo = spot * call_delta - strikes * _normal_cdf(d2)
        monthly = expiry == third_friday(expiry.year, expiry.month)
        weight = (3.0 if monthly else 0.4 if days <= DAILIES + 2 else 1.0) * 60_000 / len(strikes)
        roundness = np.where(strikes % round_unit == 0, 4.0, np.where(strikes % (round_unit / 2) == 0, 2.0, 1.0))
        activity = math.sqrt(30 / (days + 5))
        for kind, bias, delta, theo in (
            ("C", np.exp(-0.5 * ((sds - 0.3) / 1.1) ** 2), call_delta, call_theo),
            ("P", 1.2 * np.exp(-0.5 * ((sds + 0.4) / 1.3) ** 2), call_delta - 1, call_theo - spot + strikes),
        ):
            interest = weight * bias * roundness * rng.lognormal(0, 0.4, len(strikes))
            volume = interest * 0.15 * activity * rng.lognormal(0, 0.5, len(strikes)) * (1.1 if kind == "P" else 1)
            parts.append(
                pd.DataFrame(
                    {
                        "root": underlying if monthly or round_unit < 100 else f"{underlying}W",
                        "expiry": expiry,
                        "kind": kind,
                        "strike": strikes,
                        "volume": np.round(volume),
                        "open_interest": np.round(interest),
                        "iv": iv.round(4),
                        "delta": delta.round(4),
                        "gamma": gamma.round(6),
                        "theo": np.maximum(theo, 0).round(2),
                    }
                )
            )
    return pd.concat(parts, ignore_index=True)


def match_put_call(chain: pd.DataFrame, measure: str, ratio: float) -> pd.DataFrame:
    """``chain`` with its puts' ``measure`` (volume, open_interest) scaled so that the whole
    chain's put/call ratio of it is ``ratio``."""
    puts = chain["kind"] == "P"
    current = chain.loc[puts, measure].sum() / chain.loc[~puts, measure].sum()
    scaled = chain.copy()
    scaled.loc[puts, measure] = (chain.loc[puts, measure] * ratio / current).round()
    return scaled


def demo_chain_history(
    underlying: str,
    days: pd.DatetimeIndex,
    spots: np.ndarray,
    vix: np.ndarray,
    put_call: dict[str, np.ndarray] | None = None,
    iv_scale: float = 1.0,
    smile: tuple[float, float] = EQUITY_SMILE,
) -> pd.DataFrame:
    """The summary rows (``options_chain``'s columns) of a chain snapshot on each of ``days``,
    the underlying at ``spots`` and the VIX at ``vix`` on each; ``put_call`` gives, per measure
    (volume, open_interest), the whole chain's put/call ratio on each day."""
    frames = []
    for i, (day, spot, level) in enumerate(zip(days, spots, vix, strict=True)):
        build = scaled_chain if spot >= 10_000 else demo_chain  # BTC: strikes 1000 apart, not 100
        chain = build(underlying, day.date(), float(spot), float(level), iv_scale, smile)
        for measure, ratios in (put_call or {}).items():
            chain = match_put_call(chain, measure, float(ratios[i]))
        frames.append(summarize_chain(chain, round(float(spot), 2), day.date(), underlying))
    return pd.concat(frames, ignore_index=True)


def scaled_chain(
    underlying: str,
    day: date,
    spot: float,
    vol_level: float,
    iv_scale: float = 1.0,
    smile: tuple[float, float] = EQUITY_SMILE,
) -> pd.DataFrame:
    """``demo_chain`` of an underlying priced in the thousands or more (BTC, ETH): the chain of
    a ~100 spot with its strikes, premiums and gammas scaled back, so that it lists about as many
    strikes as the index chains (round strikes such as 1000-wide BTC steps)."""
    scale = 10.0 ** max(0, math.floor(math.log10(spot)) - 2)
    chain = demo_chain(underlying, day, spot / scale, vol_level, iv_scale, smile)
    chain["strike"] = (chain["strike"] * scale).round(2)
    chain["theo"] = (chain["theo"] * scale).round(2)
    chain["gamma"] = chain["gamma"] / scale
    chain["root"] = underlying
    return chain
