"""The demo generator: :class:`DemoSeries` draws every series of one window of days from its
anchor, sharing factors, the Treasury curve, the policy rate and the credit chain."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from jobs.demo.anchors_markets import EURDKK
from jobs.demo.series import ALIASES, DERIVED, TENOR_KEYS, _fallback, _fx_pair, decimals_for, spec_for
from jobs.demo.specs import Spec, _backward_ar
from sql.transforms import tenor_months

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


# Other central banks' policy rates late in 2025 (%) and the lowest each went: ECB deposit
# facility, Bank of England Bank Rate, Bank of Japan, Bank of Canada, Reserve Bank of Australia.
CENTRAL_BANKS = {
    "ECB": (2.00, -0.50),
    "BOE": (4.00, 0.10),
    "BOJ": (0.50, -0.10),
    "BOC": (2.25, 0.25),
    "RBA": (3.60, 0.10),
}


def policy_steps(path: np.ndarray, end: float, floor: float) -> np.ndarray:
    """A policy rate that ends at ``end`` and, going back meeting by meeting, moved in 25 bp
    steps (up to 75 bp, never below ``floor``) to follow ``path`` wherever it had strayed more
    than 30 bp from the rate: flat between decisions, as a policy rate is."""
    n = len(path)
    out = np.empty(n)
    current = end
    for i in range(n - 1, -1, -1):
        out[i] = current
        if (n - 1 - i) % MEETING_SPACING == 10 and abs(path[i] - current) > 0.3:
            # Before this meeting the rate stood nearer where the path was.
            current = max(floor, current + max(-0.75, min(0.75, round(path[i] * 4) / 4 - current)))
    return out


# --- the generator ---------------------------------------------------------------------------

PER_YEAR = {"W": 52, "MS": 12, "QS": 4, "YS": 1}
# How long after a period ends its value is published: a demo month, quarter or year appears
# once it would have (October's payrolls in early November, a quarter's GDP a month later).
PUBLICATION_LAG = {"W": 5, "MS": 45, "QS": 120, "YS": 425}


def _freq_class(freq: str) -> str:
    return "W" if freq.startswith("W") else freq


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
        if code == "HKD":  # kept inside the 7.75–7.85 band by reflection: a clip would sit on its edge for weeks
            values = 7.75 + np.abs(values - 7.75)
            values = 7.85 - np.abs(7.85 - values)
        return values

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
        """The top of the fed funds target range: POLICY_UPPER at the end, stepped back from
        there to follow the short rate (:func:`policy_steps`)."""
        if "upper" not in self._blocks:
            self._blocks["upper"] = policy_steps(self.raw("_SHORT").to_numpy() + 0.07, POLICY_UPPER, 0.25)
        return self._blocks["upper"]  # type: ignore[return-value]

    def central_bank(self, key: str) -> pd.Series:
        """A central bank's policy rate (``CENTRAL_BANKS``: its end level and floor), stepped
        to follow the wander of its latent path ``_<key>``."""
        if key not in self._blocks:
            end, floor = CENTRAL_BANKS[key]
            self._blocks[key] = pd.Series(policy_steps(self.raw(f"_{key}").to_numpy(), end, floor), index=self.days)
        return self._blocks[key]  # type: ignore[return-value]

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
