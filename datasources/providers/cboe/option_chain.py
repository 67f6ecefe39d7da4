"""CBOE delayed option quotes read as a chain summary: per expiry, volume and open interest of
calls and puts, their ratios, the at-the-money implied volatility, the 25-delta skew and max pain.

The body is the one the put/call connector reads (``/api/global/delayed_quotes/options/_SPX.json``:
``timestamp``, ``data.current_price`` and ``data.options``, each option an OCC-style symbol such as
``SPXW261218C05000000`` with ``volume``, ``open_interest``, ``iv`` (a fraction) and ``delta``).
Both connectors ask for the same URL, so a run fetches each underlying's file once.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date

import numpy as np
import pandas as pd

from datasources.base import HttpRequest, ParseError
from datasources.providers.cboe.options import OPTION_SYMBOL, CboeOptionsPutCallConnector
from datasources.wire import load_json, member

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
]
# A row's figures (everything but its keys and counts); all of them are ≥ 0 but the skew.
CHAIN_FIGURES = [c for c in CHAIN_COLUMNS if c not in ("underlying", "date", "expiry", "days_to_expiry", "contracts")]
NON_NEGATIVE_FIGURES = [c for c in CHAIN_FIGURES if c != "skew_25d"]
SKEW_DELTA = 0.25
MARKET_TZ = "America/New_York"


def snapshot_date(timestamp: object) -> date:
    """The US Eastern trade date of CBOE's ``timestamp`` (a naive time is Eastern); today's when
    the body has none."""
    if timestamp in (None, ""):
        return pd.Timestamp.now(tz=MARKET_TZ).date()
    try:
        stamp = pd.Timestamp(str(timestamp))
    except (ValueError, TypeError, OverflowError):
        stamp = pd.NaT
    if pd.isna(stamp):
        raise ParseError(f"unreadable timestamp {str(timestamp)[:40]!r}")
    stamp = stamp.tz_localize(MARKET_TZ) if stamp.tzinfo is None else stamp.tz_convert(MARKET_TZ)
    return stamp.date()


def _numbers(frame: pd.DataFrame, column: str) -> pd.Series:
    """A field of every option as floats; missing, unreadable or infinite values as NaN."""
    if column not in frame:
        return pd.Series(np.nan, index=frame.index, dtype=float)
    values = pd.to_numeric(frame[column], errors="coerce").astype(float)
    return values.where(np.isfinite(values))


def contracts_frame(options: list, root: str) -> pd.DataFrame:
    """The options whose symbol is ``{root}…yymmdd[C|P]strike×1000`` (``SPX`` also takes
    ``SPXW``), as ``expiry, kind, strike, volume, open_interest, iv, delta``. Values that make
    no sense (negative volume, IV ≤ 0 — CBOE's mark for "none" — or |delta| > 1) become NaN."""
    records = [o for o in options if isinstance(o, dict)]
    frame = pd.DataFrame.from_records(records) if records else pd.DataFrame()
    if "option" not in frame:
        raise ParseError("no option symbols in data.options")
    parts = frame["option"].astype(str).str.extract(OPTION_SYMBOL)
    expiry = pd.to_datetime(parts["expiry"], format="%y%m%d", errors="coerce")
    valid = parts["root"].fillna("").str.startswith(root) & expiry.notna()
    if not valid.any():
        raise ParseError(f"no {root} option symbols (ROOTyymmdd[C|P]strike) in data.options")
    volume, interest = _numbers(frame, "volume"), _numbers(frame, "open_interest")
    iv, delta = _numbers(frame, "iv"), _numbers(frame, "delta")
    contracts = pd.DataFrame(
        {
            "expiry": expiry.dt.date,
            "kind": parts["kind"],
            "strike": pd.to_numeric(parts["strike"], errors="coerce") / 1000,
            "volume": volume.where(volume >= 0),
            "open_interest": interest.where(interest >= 0),
            "iv": iv.where(iv > 0),
            "delta": delta.where(delta.abs() <= 1),
        }
    )
    return contracts[valid].reset_index(drop=True)


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
            }
        )
    frame = pd.DataFrame(rows, columns=CHAIN_COLUMNS)
    return frame.astype({c: float for c in CHAIN_COLUMNS[4:] if c != "contracts"})


class CboeOptionChainConnector:
    """The delayed option chain of ``_SPX`` or ``SPY`` summarised per expiry (``kind = rows``:
    ``parse`` yields the ``options_chain`` table's columns)."""

    provider = "cboe_option_chain"
    kind = "rows"

    def build_requests(
        self, base_url: str, symbol: str, since: date | None, api_key: str | None = None
    ) -> list[HttpRequest]:
        # The very request of the put/call ratios: the run's fetcher serves both from one download.
        return CboeOptionsPutCallConnector().build_requests(base_url, symbol, since)

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        doc = load_json(body)
        data = member(doc, "data")
        options = data.get("options") if isinstance(data, dict) else None
        if not isinstance(options, list) or not options:
            raise ParseError("no data.options in the response")
        root = symbol.split(":", 1)[0].lstrip("_").upper()
        contracts = contracts_frame(options, root)
        spot = pd.to_numeric(pd.Series([data.get("current_price")]), errors="coerce").astype(float).iloc[0]
        spot = float(spot) if np.isfinite(spot) and spot > 0 else np.nan
        return summarize_chain(contracts, spot, snapshot_date(doc.get("timestamp")), root)
