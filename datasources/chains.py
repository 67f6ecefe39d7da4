"""Option-chain summarising shared by every option source: contracts of any venue in one frame
(``expiry, kind, strike, volume, open_interest, iv, delta``; IV a fraction), summarised per
expiry into the ``options_chain`` table's columns: call/put volume and open interest, their
put/call ratios, the at-the-money implied volatility, the 25-delta skew and max pain.

Venues differ only in how they list a contract (an OCC symbol, ``BTC-27DEC24-60000-C``...), in
units (IV in percent or a fraction) and in what they leave out (no delta: ``fill_deltas`` puts
the Black-76 delta of the contract's IV in its place; no open interest: no max pain)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime

import numpy as np
import pandas as pd

from datasources.base import ParseError

# The volatility smile kept per expiry: the implied volatility (percent) at strikes this many
# percent of spot, column → moneyness (the at-the-money point is ``atm_iv``).
SMILE_POINTS = {
    "iv_80": 80.0,
    "iv_90": 90.0,
    "iv_95": 95.0,
    "iv_97_5": 97.5,
    "iv_102_5": 102.5,
    "iv_105": 105.0,
    "iv_110": 110.0,
    "iv_120": 120.0,
}
SMILE_COLUMNS = list(SMILE_POINTS)
CHAIN_COLUMNS = [
    "underlying",
    "date",
    "expiry",
    "days_to_expiry",
    "underlying_price",
    "contracts",
    "call_volume",
    "put_volume",
    "call_open_interest",
    "put_open_interest",
    "put_call_volume",
    "put_call_oi",
    "atm_iv",
    "skew_25d",
    "max_pain",
    *SMILE_COLUMNS,
]
# A row's figures (everything but its keys and counts); all of them are ≥ 0 but the skew.
CHAIN_FIGURES = [c for c in CHAIN_COLUMNS if c not in ("underlying", "date", "expiry", "days_to_expiry", "contracts")]
NON_NEGATIVE_FIGURES = [c for c in CHAIN_FIGURES if c != "skew_25d"]
SKEW_DELTA = 0.25


def numbers(frame: pd.DataFrame, column: str) -> pd.Series:
    """A field of every option as floats; missing, unreadable or infinite values as NaN."""
    if column not in frame:
        return pd.Series(np.nan, index=frame.index, dtype=float)
    values = pd.to_numeric(frame[column], errors="coerce").astype(float)
    return values.where(np.isfinite(values))


@dataclass(frozen=True)
class Contracts:
    """Some contracts of one expiry as arrays (NaN where a value is missing)."""

    strike: np.ndarray
    is_call: np.ndarray
    volume: np.ndarray
    open_interest: np.ndarray
    iv: np.ndarray
    delta: np.ndarray

    @classmethod
    def of(cls, frame: pd.DataFrame) -> Contracts:
        """From rows of ``contracts_frame`` (``kind`` ``C`` or ``P``)."""
        return cls(
            strike=frame["strike"].to_numpy(dtype=float),
            is_call=(frame["kind"] == "C").to_numpy(dtype=bool),
            **{f: frame[f].to_numpy(dtype=float) for f in ("volume", "open_interest", "iv", "delta")},
        )

    def side(self, calls: bool) -> Contracts:
        keep = self.is_call if calls else ~self.is_call
        return Contracts(*(getattr(self, f.name)[keep] for f in fields(self)))


def _strike_means(strikes: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct strikes that have a value, ascending, and the mean value at each."""
    present = ~np.isnan(values)
    levels, inverse = np.unique(strikes[present], return_inverse=True)
    totals = np.bincount(inverse, weights=values[present], minlength=len(levels))
    return levels, totals / np.bincount(inverse, minlength=len(levels))


def atm_iv(contracts: Contracts, spot: float) -> float | None:
    """Implied volatility at the money, in percent: per strike the mean of its calls' and its
    puts' IV, interpolated linearly between the strikes either side of ``spot`` (None unless a
    strike with an IV lies on each side, or on it)."""
    if not np.isfinite(spot) or spot <= 0:
        return None
    sides = [_strike_means(s.strike, s.iv) for s in (contracts.side(True), contracts.side(False))]
    levels = np.union1d(sides[0][0], sides[1][0])
    if not len(levels) or not levels[0] <= spot <= levels[-1]:
        return None
    by_side = np.full((2, len(levels)), np.nan)
    for row, (strikes, means) in enumerate(sides):
        by_side[row, np.searchsorted(levels, strikes)] = means
    per_strike = np.nanmean(by_side, axis=0)  # every level has at least one side
    return 100 * float(np.interp(spot, levels, per_strike))


def iv_at_delta(side: Contracts, target: float) -> float | None:
    """One side's IV at |delta| = ``target``, in percent, interpolated between the strikes whose
    |delta| lies either side of it (None when the chain does not reach both sides)."""
    usable = ~np.isnan(side.iv) & ~np.isnan(side.delta)
    levels, deltas = _strike_means(side.strike[usable], np.abs(side.delta[usable]))
    _, ivs = _strike_means(side.strike[usable], side.iv[usable])
    inside = (deltas > 0) & (deltas < 1)
    deltas, ivs = deltas[inside], ivs[inside]
    below, above = deltas <= target, deltas >= target
    if not below.any() or not above.any():
        return None
    low = np.flatnonzero(below)[np.argmax(deltas[below])]
    high = np.flatnonzero(above)[np.argmin(deltas[above])]
    if deltas[high] == deltas[low]:
        return 100 * float(ivs[low])
    weight = (target - deltas[low]) / (deltas[high] - deltas[low])
    return 100 * float(ivs[low] + weight * (ivs[high] - ivs[low]))


def otm_smile(contracts: Contracts, spot: float) -> tuple[np.ndarray, np.ndarray]:
    """The listed strikes with an IV, ascending, and the IV at each (a fraction) from its
    out-of-the-money side — puts below ``spot``, calls at or above it, as traders read a smile
    (in-the-money quotes are thin) — or from the other side where that one has none."""
    sides = [_strike_means(s.strike, s.iv) for s in (contracts.side(True), contracts.side(False))]
    levels = np.union1d(sides[0][0], sides[1][0])
    by_side = np.full((2, len(levels)), np.nan)
    for row, (strikes, means) in enumerate(sides):
        by_side[row, np.searchsorted(levels, strikes)] = means
    calls, puts = by_side
    wanted, other = np.where(levels >= spot, calls, puts), np.where(levels >= spot, puts, calls)
    return levels, np.where(np.isnan(wanted), other, wanted)


def smile(contracts: Contracts, spot: float) -> dict[str, float]:
    """``SMILE_POINTS``: the IV in percent at each moneyness, interpolated linearly between the
    listed strikes either side of it (NaN where the chain does not reach it)."""
    points = dict.fromkeys(SMILE_POINTS, np.nan)
    if not np.isfinite(spot) or spot <= 0:
        return points
    levels, ivs = otm_smile(contracts, spot)
    if not len(levels):
        return points
    for column, moneyness in SMILE_POINTS.items():
        strike = spot * moneyness / 100
        if levels[0] <= strike <= levels[-1]:
            points[column] = round(100 * float(np.interp(strike, levels, ivs)), 4)
    return points


def max_pain(contracts: Contracts) -> float | None:
    """The listed strike at which the expiry's open interest would pay its holders least (the
    lowest such strike on a tie); None without open interest."""
    interest = np.nan_to_num(contracts.open_interest)
    if interest.sum() <= 0:
        return None
    strikes, inverse = np.unique(contracts.strike, return_inverse=True)
    calls = np.bincount(inverse, weights=interest * contracts.is_call, minlength=len(strikes))
    puts = np.bincount(inverse, weights=interest * ~contracts.is_call, minlength=len(strikes))
    settle = strikes[:, None]  # each candidate settlement price against every strike
    with np.errstate(over="ignore"):  # absurd open interest: infinite payouts, still an answer
        payout = (calls * np.maximum(settle - strikes, 0)).sum(axis=1)
        payout += (puts * np.maximum(strikes - settle, 0)).sum(axis=1)
    return float(strikes[int(np.argmin(payout))])


def _total(values: np.ndarray) -> float:
    """The sum of the values present; NaN when none is."""
    return float(np.nansum(values)) if (~np.isnan(values)).any() else np.nan


def _ratio(numerator: float, denominator: float) -> float:
    return round(numerator / denominator, 4) if denominator > 0 and np.isfinite(numerator) else np.nan


def summarize_chain(contracts: pd.DataFrame, spot: float, day: date, underlying: str) -> pd.DataFrame:
    """One row per expiry not yet past on ``day`` (``CHAIN_COLUMNS``), by expiry."""
    live = contracts[contracts["expiry"] >= day]
    if live.empty:
        raise ParseError(f"no contracts expiring on or after {day}")
    every = Contracts.of(live)
    rows = []
    for expiry, positions in sorted(live.groupby("expiry").indices.items()):
        chain = Contracts(*(getattr(every, f.name)[positions] for f in fields(every)))
        calls, puts = chain.side(True), chain.side(False)
        totals = {
            "call_volume": _total(calls.volume),
            "put_volume": _total(puts.volume),
            "call_open_interest": _total(calls.open_interest),
            "put_open_interest": _total(puts.open_interest),
        }
        put_iv, call_iv, atm = iv_at_delta(puts, SKEW_DELTA), iv_at_delta(calls, SKEW_DELTA), atm_iv(chain, spot)
        rows.append(
            {
                "underlying": underlying,
                "date": day,
                "expiry": expiry,
                "days_to_expiry": (expiry - day).days,
                "underlying_price": spot,
                "contracts": len(positions),
                **totals,
                "put_call_volume": _ratio(totals["put_volume"], totals["call_volume"]),
                "put_call_oi": _ratio(totals["put_open_interest"], totals["call_open_interest"]),
                "atm_iv": np.nan if atm is None else round(atm, 4),
                "skew_25d": np.nan if put_iv is None or call_iv is None else round(put_iv - call_iv, 4),
                "max_pain": max_pain(chain),
                **smile(chain, spot),
            }
        )
    frame = pd.DataFrame(rows, columns=CHAIN_COLUMNS)
    return frame.astype({c: float for c in CHAIN_COLUMNS[4:] if c != "contracts"})


def contracts_table(expiry, kind, strike, volume=None, open_interest=None, iv=None, delta=None) -> pd.DataFrame:
    """Contracts from per-contract columns (``kind`` ``C``/``P``, ``iv`` a fraction). Values
    that make no sense (negative volume, IV ≤ 0 — the venues' mark for "none" — or |delta| > 1)
    become NaN; contracts without an expiry, a kind or a positive strike are dropped."""
    frame = pd.DataFrame(
        {
            "expiry": pd.to_datetime(pd.Series(expiry), errors="coerce"),
            "kind": pd.Series(kind, dtype=object),
            "strike": pd.to_numeric(pd.Series(strike), errors="coerce"),
        }
    )
    n = len(frame)
    for name, values in (("volume", volume), ("open_interest", open_interest), ("iv", iv), ("delta", delta)):
        column = pd.Series(values if values is not None else [np.nan] * n).reset_index(drop=True)
        frame[name] = numbers(pd.DataFrame({name: column}), name).to_numpy()
    frame["volume"] = frame["volume"].where(frame["volume"] >= 0)
    frame["open_interest"] = frame["open_interest"].where(frame["open_interest"] >= 0)
    frame["iv"] = frame["iv"].where(frame["iv"] > 0)
    frame["delta"] = frame["delta"].where(frame["delta"].abs() <= 1)
    keep = frame["expiry"].notna() & frame["kind"].isin(["C", "P"]) & (frame["strike"] > 0)
    frame = frame[keep].reset_index(drop=True)
    frame["expiry"] = frame["expiry"].dt.date
    return frame


_erf = np.vectorize(math.erf, otypes=[float])


def black_delta(
    forward: float, strike: np.ndarray, years: np.ndarray, iv: np.ndarray, is_call: np.ndarray
) -> np.ndarray:
    """The Black-76 delta (zero rates) of each contract; NaN where its IV is missing."""
    with np.errstate(divide="ignore", invalid="ignore"):
        spread = iv * np.sqrt(years)
        d1 = (np.log(forward / strike) + 0.5 * spread**2) / spread
    call = 0.5 * (1 + _erf(np.nan_to_num(d1) / math.sqrt(2)))
    delta = np.where(is_call, call, call - 1)
    return np.where(np.isfinite(d1), delta, np.nan)


def fill_deltas(contracts: pd.DataFrame, spot: float, day: date) -> pd.DataFrame:
    """``contracts`` with each missing delta replaced by the Black-76 delta of its IV around
    ``spot`` (half a day at least to expiry): for venues that list IVs but no greeks."""
    missing = contracts["delta"].isna() & contracts["iv"].notna()
    if not missing.any() or not np.isfinite(spot) or spot <= 0:
        return contracts
    rows = contracts[missing]
    days = np.array([(e - day).days for e in rows["expiry"]], dtype=float)
    years = np.maximum(days, 0.5) / 365
    deltas = black_delta(
        spot, rows["strike"].to_numpy(float), years, rows["iv"].to_numpy(float), (rows["kind"] == "C").to_numpy()
    )
    filled = contracts.copy()
    filled.loc[missing, "delta"] = np.round(deltas, 4)
    return filled


# Crypto venues' contract names: BTC-27DEC24-60000-C (Deribit, Bybit; Bybit may add -USDT),
# BTC-241227-60000-C (Binance), BTC-USD-241227-60000-C (OKX); XRP_USDC-...-0d625-C (a decimal strike).
DASHED_SYMBOL = re.compile(
    r"^(?P<root>[A-Z0-9]+)(?:_[A-Z]+)?(?:-USDC?)?-(?P<expiry>\d{1,2}[A-Z]{3}\d{2}|\d{6})"
    r"-(?P<strike>\d+(?:[.dD]\d+)?)-(?P<kind>[CP])(?:-[A-Z]+)?$"
)


def dashed_symbols(names: pd.Series) -> pd.DataFrame:
    """``root, expiry, kind, strike`` of crypto contract names (NaN/NaT where one does not read)."""
    parts = names.astype(str).str.upper().str.extract(DASHED_SYMBOL)
    text = parts["expiry"].fillna("")
    numeric = text.str.fullmatch(r"\d{6}")
    expiry = pd.to_datetime(text.where(numeric), format="%y%m%d", errors="coerce")
    named = pd.to_datetime(text.where(~numeric).str.zfill(7), format="%d%b%y", errors="coerce")
    return pd.DataFrame(
        {
            "root": parts["root"],
            "expiry": expiry.fillna(named),
            "kind": parts["kind"],
            "strike": pd.to_numeric(parts["strike"].str.replace("D", ".", regex=False), errors="coerce"),
        }
    )


def utc_day(milliseconds: object) -> date:
    """The UTC date of an epoch-milliseconds stamp (today's when there is none)."""
    try:
        stamp = float(milliseconds)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return datetime.now(UTC).date()
    if not np.isfinite(stamp) or stamp <= 0:
        raise ParseError(f"unreadable timestamp {str(milliseconds)[:40]!r}")
    return datetime.fromtimestamp(stamp / 1000, UTC).date()


def first_number(*values: object) -> float:
    """The first of ``values`` that is a positive finite number; NaN when none is."""
    for value in values:
        try:
            number = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            continue
        if np.isfinite(number) and number > 0:
            return number
    return np.nan


def summarize_named(quotes: pd.DataFrame, spot: float, day: date, underlying: str) -> pd.DataFrame:
    """The summary of a crypto venue's chain: ``quotes`` has a ``name`` per contract (a
    ``DASHED_SYMBOL``) and any of ``volume, open_interest, iv`` (a fraction), ``delta``; the
    contracts of other underlyings are left out, missing deltas come from the IVs."""
    if quotes.empty or "name" not in quotes:
        raise ParseError(f"no {underlying} option contracts in the response")
    parts = dashed_symbols(quotes["name"])
    mine = (parts["root"] == underlying).to_numpy()
    if not mine.any():
        raise ParseError(f"no {underlying} option contracts (ROOT-expiry-strike-C|P) in the response")
    quotes, parts = quotes[mine], parts[mine]

    def field(name: str):
        return quotes[name].to_numpy() if name in quotes else None

    contracts = contracts_table(
        parts["expiry"].to_numpy(),
        parts["kind"].to_numpy(),
        parts["strike"].to_numpy(),
        field("volume"),
        field("open_interest"),
        field("iv"),
        field("delta"),
    )
    spot = spot if np.isfinite(spot) and spot > 0 else np.nan
    return summarize_chain(fill_deltas(contracts, spot, day), spot, day, underlying)
