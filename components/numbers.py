"""How the station writes a number: one set of rules for KPIs, tables, tooltips, CSV and the API.

- Round first, then choose the sign and the colour: a change that rounds to zero is "0.00",
  never "-0.00" in red.
- Thousands separators everywhere ("+1,133.48").
- Decimals by instrument kind: indices, equities and commodities 2; FX 4, or 2 where the quote
  currency is a large unit (USDJPY 156.23); crypto by magnitude (BTC 87,000.00, XRP 2.1034,
  DOGE 0.15123); rates and spreads 2 with "%", and their changes in basis points ("+4 bp").

``assets/dashAgGridFunctions.js`` ``spartanNumber`` applies the same rounding and sign rule in
the browser (grids format there); ``tests/unit/test_numbers.py`` pins both. The significant
digits that CSV files and API bodies carry are config/csv_format.py's (pages and API share it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

# Datasets whose values are rates or spreads in percent: changes are read in basis points.
RATE_DATASETS = frozenset({"treasury_yields", "credit_spreads"})
KIND_BY_DATASET = {
    "market_indices": "index",
    "equities": "price",
    "commodities": "price",
    "forex_rates": "fx",
    "crypto_prices": "crypto",
    "volatility_indicators": "index",
    "sentiment_indicators": "index",
    **{name: "rate" for name in RATE_DATASETS},
}
# Quote currencies whose unit is small enough that a rate against them reads in the hundreds:
# quoted with 2 decimals (USDJPY 156.23, EURHUF 386.12), like the market does.
LARGE_UNIT_CURRENCIES = frozenset(
    {"JPY", "KRW", "HUF", "ISK", "IDR", "CLP", "COP", "INR", "PHP", "THB", "TWD", "RUB", "VND", "NGN", "PKR", "KZT"}
)
MAX_DECIMALS = 8
# Values of no known kind from this size on read as "214 k", "21.5 tn" (economic counts, dollars).
COMPACT_FROM = 100_000


@dataclass(frozen=True)
class NumberStyle:
    """How one instrument's values read: decimals, the unit after a level, how changes read."""

    decimals: int = 2
    unit: str = ""  # after a level: "%" for rates
    change: str = "level"  # "level": same decimals as the level; "bp": basis points
    compact: bool = False  # counts in the hundreds of thousands and up: "214 k", "3.2 bn"
    scale: float = 1.0  # the stored unit in ones: 1,000 for a series in thousands
    prefix: str = ""  # before the number: "$"

    def level(self, value: float | None) -> str:
        if value is None or not math.isfinite(value):
            return "—"
        text = compact(value * self.scale) if self.compact else format_number(value * self.scale, self.decimals)
        sign = "-" if text.startswith("-") else ""  # "-$1.8 tn", not "$-1.8 tn"
        return sign + self.prefix + text[len(sign) :] + self.unit

    def delta(self, change: float | None) -> str:
        """A change since the previous observation, signed: "+1,133.48", "+4 bp", "+12 k"."""
        if self.change == "bp":
            return format_bp(change)
        if change is None or not math.isfinite(change):
            return "—"
        if self.compact:
            text = compact(change * self.scale, sign=True)
        else:
            text = format_number(change * self.scale, self.decimals, sign=True)
        sign = text[0] if text[:1] in "+-" else ""
        return sign + self.prefix + text[len(sign) :] + self.unit

    def delta_direction(self, change: float | None) -> str:
        if self.change == "bp":
            return direction(None if change is None else 100 * change, 0)
        return direction(change, self.decimals)


def crypto_decimals(value: float | None) -> int:
    """Five significant digits, at least two decimals: 87,000.00, 135.42, 2.1034, 0.15123."""
    if value is None or not math.isfinite(value) or value == 0:
        return 2
    return min(MAX_DECIMALS, max(2, 4 - math.floor(math.log10(abs(value)))))


def fx_decimals(key: str | None) -> int:
    quote = (key or "")[3:6].upper() if key and len(key) >= 6 else ""
    return 2 if quote in LARGE_UNIT_CURRENCIES else 4


def currency_decimals(currency: str) -> int:
    """Decimals of an amount in ``currency`` (a column of the FX matrix)."""
    return 2 if currency.upper() in LARGE_UNIT_CURRENCIES else 4


# Catalog units (config/sources.yaml ``unit:``) in ones: "thousands" of persons → × 1,000.
UNIT_SCALES = {"thousands": 1e3, "millions": 1e6, "billions": 1e9, "trillions": 1e12}


def style_for_unit(unit: str, value: float | None) -> NumberStyle | None:
    """The style a catalog unit implies: "%" → "4.40%"; "thousands" (payrolls 159,600) →
    "159.6 m"; "billions $" → "$29.4 tn"; "$ per barrel" → "$61.20"; None for other units."""
    words = unit.split()
    if unit in ("%", "pp"):
        return NumberStyle(2, "%" if unit == "%" else " pp")
    if words and words[0] in UNIT_SCALES:
        dollars = "$" in words
        return NumberStyle(0, compact=True, scale=UNIT_SCALES[words[0]], prefix="$" if dollars else "")
    if unit in ("number", "units", "persons"):
        big = value is not None and math.isfinite(value) and abs(value) >= COMPACT_FROM
        return NumberStyle(0, compact=big)
    if unit == "$" or unit.startswith("$ per"):
        big = value is not None and math.isfinite(value) and abs(value) >= COMPACT_FROM
        return NumberStyle(2, compact=big, prefix="$")
    return None


def style_for(
    dataset: str | None, key: str | None = None, value: float | None = None, unit: str | None = None
) -> NumberStyle:
    """The number style of one instrument of ``dataset`` (``value``: a typical level, for kinds
    whose decimals follow the magnitude; ``unit``: the catalog's unit of the instrument)."""
    kind = KIND_BY_DATASET.get(dataset or "", "")
    by_unit = style_for_unit(unit, value) if unit and kind not in ("rate", "fx", "crypto") else None
    if by_unit is not None:
        return by_unit
    if kind == "rate":
        return NumberStyle(2, "%", "bp")
    if kind == "fx":
        return NumberStyle(fx_decimals(key))
    if kind == "crypto":
        return NumberStyle(crypto_decimals(value))
    if kind in ("index", "price"):
        return NumberStyle(2)
    big = value is not None and math.isfinite(value) and abs(value) >= COMPACT_FROM
    return NumberStyle(magnitude_decimals(value), compact=big)


def magnitude_decimals(value: float | None) -> int:
    """For values of no known kind: 2 decimals, more below 1 (0.0123), none past a million."""
    if value is None or not math.isfinite(value):
        return 2
    size = abs(value)
    if size >= 10_000:
        return 0
    if size >= 1 or size == 0:
        return 2
    return min(MAX_DECIMALS, max(2, 2 - math.floor(math.log10(size))))


def rounded(value: float, decimals: int) -> float:
    """``value`` rounded half away from zero as it is written (1133.475 → 1133.48, although the
    binary double is a hair below), and never a negative zero."""
    if not math.isfinite(value):
        return value
    out = float(Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP))
    return out + 0.0 if out == 0 else out  # -0.0 + 0.0 is 0.0


def format_number(value: float | None, decimals: int = 2, sign: bool = False, unit: str = "") -> str:
    """``1133.475`` → "1,133.48" (``sign``: "+1,133.48"); None or NaN → "—"; never "-0.00"."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    value = rounded(float(value), decimals)
    text = f"{value:{'+' if sign and value != 0 else ''},.{decimals}f}"
    return text + unit


def format_pct(value: float | None, decimals: int = 2, sign: bool = True) -> str:
    """A percentage change: "+0.45%"."""
    return format_number(value, decimals, sign=sign, unit="%")


def format_bp(change_in_percent_points: float | None) -> str:
    """A change of a rate given in percentage points, in basis points: 0.04 → "+4 bp"."""
    if change_in_percent_points is None or not math.isfinite(change_in_percent_points):
        return "—"
    return format_number(100 * change_in_percent_points, 0, sign=True) + " bp"


def direction(change: float | None, decimals: int = 2) -> str:
    """ "up", "down" or "" for a change as it is shown (rounded to ``decimals``)."""
    if change is None or not math.isfinite(change):
        return ""
    value = rounded(float(change), decimals)
    return "up" if value > 0 else "down" if value < 0 else ""


def compact(value: float | None, decimals: int = 1, sign: bool = False) -> str:
    """Large counts in thousands/millions/billions: 214,000 → "214 k", 3.2e9 → "3.2 bn"
    (``sign``: "+12 k"); trailing zeros dropped, never "-0"."""
    if value is None or not math.isfinite(value):
        return "—"
    plus = "+" if sign else ""
    for size, suffix in ((1e12, " tn"), (1e9, " bn"), (1e6, " m"), (1e3, " k")):
        scaled = rounded(value / size, decimals)
        if abs(scaled) >= 1:
            text = f"{scaled:{plus},.{decimals}f}"
            return (text.rstrip("0").rstrip(".") if decimals else text) + suffix
    return format_number(value, 0, sign=sign)
