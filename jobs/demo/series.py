"""Series built from others so that they agree (spreads from tenors, policy rates from one target
range, bond ETFs from the curve…), FRED copies of series drawn elsewhere, and the lookups the
generator answers every key with: its anchor, its decimals, whether it is an FX cross."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from jobs.demo.anchors_economy import (
    ECONOMY,
    FALLBACK,
    STATE_SERIES,
    STATES,
    WORLD_SERIES,
    _state_spec,
    _unit,
    _world_spec,
)
from jobs.demo.anchors_markets import COMMODITIES, CRYPTO, CURRENCIES, EQUITIES, INDICES, SENTIMENT, VOLATILITY
from jobs.demo.specs import TERM_SPREADS, W_THU, Spec, _backward_ar, years_to_end

if TYPE_CHECKING:
    from jobs.demo.generator import DemoSeries


def _price_decimals(level: float) -> int:
    """Prices to the cent (6,700.00; 470.00), below 1 to four significant digits (0.1500)."""
    return 2 if abs(level) >= 1 or level == 0 else 3 - math.floor(math.log10(abs(level)))


def _fx_decimals(rate: float) -> int:
    """Exchange rates as quoted: 1.1550, 156.123 (JPY), 1,465.12 (KRW)."""
    return 4 if rate < 20 else 3 if rate < 1000 else 2


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
    return amount / (340e6 * np.exp(0.005 * years_to_end(amount.index)))


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


# OECD 10-year government yields (monthly averages): each moves with the US 10-year by its
# beta, on a wander of its own (``_IRLT_<country>``, which carries its level late in 2025).
GLOBAL_10Y_BETAS = {
    "DE": 0.6, "GB": 0.8, "JP": 0.15, "FR": 0.6, "IT": 0.5, "ES": 0.55, "CA": 0.8, "AU": 0.8, "CH": 0.25,
}  # fmt: skip


def _global_10y(country: str) -> Callable[[DemoSeries], pd.Series]:
    def build(demo: DemoSeries) -> pd.Series:
        us = demo.monthly_mean(_tenor(demo, "10Y"))
        return demo.raw(f"_IRLT_{country}") + GLOBAL_10Y_BETAS[country] * (us - us.iloc[-1])

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
    "AAII_BEARISH": lambda demo: 100.0 - demo.values("AAII_BULLISH") - demo.values("AAII_NEUTRAL"),
    "AAII_BULL_BEAR_SPREAD": lambda demo: demo.values("AAII_BULLISH") - demo.values("AAII_BEARISH"),
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
    "IR3TIB01USM156N": lambda demo: demo.monthly_mean(_tenor(demo, "3M") + 0.05),  # 3-month interbank (OECD)
    "DFEDTARU": lambda demo: demo.policy(0.0),
    "DFEDTARL": lambda demo: demo.policy(-0.25),
    # Other central banks: the ECB's corridor (deposit, main refinancing +15 bp, marginal
    # lending +40 bp since September 2024), SONIA a few bp under Bank Rate, and the OECD's
    # monthly call-money rates of Japan, Canada and Australia at their policy rates
    "ECBDFR": lambda demo: demo.central_bank("ECB"),
    "ECBMRRFR": lambda demo: demo.central_bank("ECB") + 0.15,
    "ECBMLFR": lambda demo: demo.central_bank("ECB") + 0.40,
    "IUDSOIA": lambda demo: demo.central_bank("BOE") - 0.03,
    "IRSTCI01JPM156N": lambda demo: demo.monthly_mean(demo.central_bank("BOJ") - 0.02),
    "IRSTCI01CAM156N": lambda demo: demo.monthly_mean(demo.central_bank("BOC")),
    "IRSTCI01AUM156N": lambda demo: demo.monthly_mean(demo.central_bank("RBA") - 0.02),
    # 10-year government yields by country (OECD, monthly averages)
    "IRLTLT01USM156N": lambda demo: demo.monthly_mean(_tenor(demo, "10Y")),
    **{f"IRLTLT01{c}M156N": _global_10y(c) for c in GLOBAL_10Y_BETAS},
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
