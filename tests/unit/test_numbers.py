"""The station's number rules (components/numbers.py) and the KPI card that shows them."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from components.cards import fitted_value, kpi, period_label
from components.numbers import (
    NumberStyle,
    compact,
    crypto_decimals,
    currency_decimals,
    direction,
    format_bp,
    format_number,
    format_pct,
    rounded,
    style_for,
)


def texts(component) -> list[str]:
    """The text of every leaf of a Dash component tree, in order."""
    out = []

    def walk(node):
        children = getattr(node, "children", node)
        if isinstance(children, str):
            out.append(children)
        elif isinstance(children, list | tuple):
            for child in children:
                walk(child)
        elif children is not None and children is not node:
            walk(children)

    walk(component)
    return out


@pytest.mark.parametrize(
    ("value", "decimals", "sign", "expected"),
    [
        (1133.475, 2, True, "+1,133.48"),
        (1133.48, 2, False, "1,133.48"),
        (-1133.475, 2, True, "-1,133.48"),
        (-0.001, 2, True, "0.00"),  # rounds to zero: no sign, no negative zero
        (-0.004999, 2, False, "0.00"),
        (0.005, 2, True, "+0.01"),  # half away from zero
        (-0.005, 2, True, "-0.01"),
        (29528.33, 2, False, "29,528.33"),
        (1_234_567.891, 0, False, "1,234,568"),
        (None, 2, False, "—"),
        (math.nan, 2, False, "—"),
    ],
)
def test_format_number_rounds_first_then_signs(value, decimals, sign, expected):
    assert format_number(value, decimals, sign=sign) == expected


def test_rounded_never_gives_negative_zero():
    assert math.copysign(1, rounded(-0.0001, 2)) == 1
    assert rounded(-0.0049, 2) == 0
    assert rounded(2.675, 2) == 2.68  # half away from zero, whatever the binary representation


def test_changes_of_rates_read_in_basis_points():
    assert format_bp(0.04) == "+4 bp"
    assert format_bp(-0.125) == "-13 bp"
    assert format_bp(0.004) == "0 bp"
    assert format_bp(-0.004) == "0 bp"
    style = style_for("treasury_yields", "10Y", 4.05)
    assert style.level(4.05) == "4.05%"
    assert style.delta(0.04) == "+4 bp"
    assert style.delta_direction(-0.004) == ""  # -0.4 bp shows as 0 bp: neither red nor green
    assert style_for("credit_spreads", "HY_OAS", 3.1).change == "bp"


@pytest.mark.parametrize(
    ("dataset", "key", "value", "decimals"),
    [
        ("market_indices", "SPX", 6712.3, 2),
        ("market_indices", "N225", 48_512.1, 2),
        ("commodities", "GC", 4050.2, 2),
        ("forex_rates", "EURUSD", 1.1551, 4),
        ("forex_rates", "GBPUSD", 1.31, 4),
        ("forex_rates", "USDJPY", 156.23, 2),
        ("forex_rates", "EURJPY", 180.1, 2),
        ("crypto_prices", "BTCUSD", 87_000.0, 2),
        ("crypto_prices", "SOLUSD", 135.42, 2),
        ("crypto_prices", "XRPUSD", 2.1034, 4),
        ("crypto_prices", "DOGEUSD", 0.15123, 5),
        ("crypto_prices", "SHIBUSD", 0.00001234, 8),
        ("treasury_yields", "2Y", 3.51, 2),
    ],
)
def test_decimals_by_instrument_kind(dataset, key, value, decimals):
    assert style_for(dataset, key, value).decimals == decimals


def test_fx_matrix_columns_have_one_precision_per_currency():
    # The JPY column read 156.00 / 88.1400 / 21.9718: one precision per quote currency.
    assert currency_decimals("JPY") == 2
    assert currency_decimals("EUR") == currency_decimals("usd") == 4


def test_crypto_keeps_five_significant_digits():
    assert crypto_decimals(87_000) == 2
    assert crypto_decimals(2.1) == 4
    assert crypto_decimals(0.0) == 2
    assert format_number(0.151234, crypto_decimals(0.151234)) == "0.15123"


def test_large_economic_counts_read_compact():
    assert compact(214_000) == "214 k"
    assert compact(3_215_000_000) == "3.2 bn"
    assert compact(-12_400, sign=True) == "-12.4 k"
    assert compact(12_000, sign=True) == "+12 k"
    assert compact(999_960) == "1 m"
    assert compact(500) == "500"
    claims = style_for("fred_series", "ICSA", 214_000)
    assert claims.compact and claims.level(214_000) == "214 k"
    assert style_for("fred_series", "UNRATE", 4.4).level(4.4) == "4.40"


def test_direction_follows_the_number_as_shown():
    assert direction(0.004, 2) == ""
    assert direction(-0.006, 2) == "down"
    assert direction(0.006, 2) == "up"
    assert direction(None) == direction(math.nan) == ""
    assert format_pct(-0.001) == "0.00%"
    assert format_pct(1.234) == "+1.23%"


def test_kpi_shows_unit_change_and_percent_without_negative_zero():
    card = kpi("S&P 500", 6712.34, change=-0.001, as_of=pd.Timestamp("2025-12-01"), style=NumberStyle(2))
    shown = texts(card)
    assert "6,712.34" in shown
    change = next(t for t in shown if "%" in t)
    assert change == "0.00 (0.00%)"
    assert "-" not in change
    assert card.children[2].className == "kpi-change"  # neither up nor down

    card = kpi("S&P 500", 6712.34, change=1133.475, style=NumberStyle(2))
    assert "+1,133.48 (+20.32%)" in texts(card)
    assert card.children[2].className == "kpi-change up"

    # From a negative or zero base a percent change says nothing: the change alone.
    assert texts(kpi("CFNAI", -0.1, change=-0.15, style=NumberStyle(3)))[1:3] == ["-0.100", "-0.150"]
    assert texts(kpi("Deficit", -1700.0, change=75.0, style=NumberStyle(1)))[2] == "+75.0"


def test_rate_kpi_changes_in_basis_points():
    card = kpi("US 10Y yield", 4.09, change=0.04, style=style_for("treasury_yields", "10Y", 4.09))
    assert texts(card)[1:3] == ["4.09%", "+4 bp"]


def test_percent_kpi_changes_in_percentage_points():
    card = kpi("Unemployment rate", 4.4, "%", 0.1, decimals=1)
    assert texts(card)[1:3] == ["4.4%", "+0.1 pp"]


def test_kpi_period_follows_the_series_frequency():
    assert period_label(pd.Timestamp("2025-10-01"), pd.Timestamp("2025-09-01")) == "Oct 2025"
    assert period_label(pd.Timestamp("2025-07-01"), pd.Timestamp("2025-04-01")) == "Q3 2025"
    assert period_label(pd.Timestamp("2025-01-01"), pd.Timestamp("2024-01-01")) == "2025"  # a fiscal year
    assert period_label(pd.Timestamp("2025-11-22"), pd.Timestamp("2025-11-15")) == "week of 2025-11-22"
    assert period_label(pd.Timestamp("2025-12-02"), pd.Timestamp("2025-12-01")) == "as of 2025-12-02"
    assert period_label(pd.Timestamp("2025-12-02")) == "as of 2025-12-02"


def test_kpi_value_size_shrinks_with_its_length():
    short, long = fitted_value("4.05%"), fitted_value("129,644,300.25")
    size = lambda c: float(c.children.style["fontSize"].split(",")[1].removesuffix("cqi)"))  # noqa: E731
    assert size(long) < size(short)
    # ~0.62 em a monospace digit: the text's width stays within the card (100 cqi).
    assert size(long) * 0.62 * len("129,644,300.25") <= 100


def test_output_carries_no_binary_noise():
    from api.formats import plain
    from config.csv_format import significant, significant_frame

    assert significant(0.0035999999999996035) == 0.0036
    assert significant(87012.34) == 87012.34
    assert significant(0.00001234) == 0.00001234
    assert plain(0.1 + 0.2) == 0.3
    frame = significant_frame(pd.DataFrame({"v": [1.1 * 3, math.nan], "n": [1, 2]}))
    assert frame["v"].iloc[0] == 3.3 and math.isnan(frame["v"].iloc[1]) and frame["n"].tolist() == [1, 2]


def test_catalog_units_give_economic_series_their_unit():
    payrolls = style_for("fred_series", "PAYEMS", 159_600, "thousands")
    assert (payrolls.level(159_600), payrolls.delta(50)) == ("159.6 m", "+50 k")
    assert style_for("fred_series", "GDP", 29_400, "billions $").level(29_400) == "$29.4 tn"
    oil = style_for("fred_series", "DCOILWTICO", 61.2, "$ per barrel")
    assert (oil.level(61.2), oil.delta(-1.25)) == ("$61.20", "-$1.25")
    deficit = style_for("fred_series", "FYFSD", -1_775_000, "millions $")
    assert (deficit.level(-1_775_000), deficit.level(-1e-9)) == ("-$1.8 tn", "$0")  # the sign before the $
    assert style_for("fred_series", "ICSA", 214_000, "number").level(214_000) == "214 k"
    assert style_for("fred_series", "CPIAUCSL", 320.5, "index, 1982-84=100").level(320.5) == "320.50"
    # Market kinds keep their own rules whatever the catalog says.
    assert style_for("treasury_yields", "10Y", 4.1, "%").change == "bp"
    card = kpi("Unemployment rate", 4.4, change=0.1, style=style_for("fred_series", "UNRATE", 4.4, "%"))
    assert texts(card)[1:3] == ["4.40%", "+0.10 pp"]
