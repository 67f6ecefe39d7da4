"""Trailing performance (pages/panels/returns.py) and the computations of the equities and
performance panels that need no database: the screener's filters, the treemap's weights, the
share counts behind market values, the matrix's colour scale, the screener's URL state."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from components.view_state import ViewState, parse_view
from pages.panels.equities import share_counts, weighted_return
from pages.panels.performance import heat_scale
from pages.panels.returns import (
    annualised_volatility,
    base_value,
    change_table,
    stock_metrics,
    trailing_changes,
)
from pages.panels.screener import apply_screen


def series(values, start="2025-12-24", freq="B") -> pd.Series:
    return pd.Series(np.asarray(values, dtype=float), index=pd.date_range(start, periods=len(values), freq=freq))


def test_the_base_of_each_period():
    s = series(range(1, 151))  # business days from 2025-12-24 to July 2026
    assert base_value(s, "1D") == 149.0
    assert base_value(s, "YTD") == s[s.index <= "2025-12-31"].iloc[-1] == 6.0  # last close of 2025
    newest = s.index[-1]
    assert base_value(s, "1M") == s[s.index <= newest - pd.DateOffset(months=1)].iloc[-1]
    assert math.isnan(base_value(s, "1Y"))  # the series does not reach a year back
    assert math.isnan(base_value(s.iloc[:1], "1D")) and math.isnan(base_value(s.iloc[:0], "1W"))


def test_changes_in_percent_or_as_differences():
    s = series([100, 110, 121])
    changes = trailing_changes(s, ("1D", "1W"))
    assert changes["1D"] == pytest.approx(10.0) and changes["1W"] is None
    assert trailing_changes(series([4.0, 4.25]), ("1D",), how="diff") == {"1D": pytest.approx(0.25)}
    assert trailing_changes(series([0.0, 1.0]), ("1D",)) == {"1D": None}  # no change from zero


def test_volatility_is_the_years_returns_annualised():
    s = series([100, 101, 99, 102, 100])
    returns = s.pct_change().dropna()
    assert annualised_volatility(s) == pytest.approx(returns.std(ddof=1) * math.sqrt(5) * 100)
    assert annualised_volatility(series([100, 101])) is None


def frame(values: dict[str, list[float]], start="2025-06-02") -> pd.DataFrame:
    parts = [
        pd.DataFrame({"key": key, "date": pd.bdate_range(start, periods=len(v)), "value": v})
        for key, v in values.items()
    ]
    return pd.concat(parts, ignore_index=True)


def test_change_table_measures_each_series_from_its_own_newest_date():
    rows = frame({"A": [100.0] * 30 + [110.0], "B": [50.0] * 20 + [40.0]})
    table = change_table(rows, ("1D", "1W")).set_index("key")
    assert table.loc["A", "1D"] == pytest.approx(10.0) and table.loc["B", "1D"] == pytest.approx(-20.0)
    assert table.loc["A", "date"] > table.loc["B", "date"]
    assert change_table(rows.iloc[:0]).empty


def test_stock_metrics_52_week_range_moving_averages_and_distance():
    closes = list(np.linspace(100, 200, 260)) + [180.0]  # a year up, then a fall from the high
    row = stock_metrics(frame({"X": closes})).set_index("key").loc["X"]
    assert row["high_52w"] == pytest.approx(200.0) and row["from_high"] == pytest.approx(-10.0)
    assert row["from_low"] == pytest.approx(100 * (180 / row["low_52w"] - 1))
    assert row["sma50"] == pytest.approx(np.mean(closes[-50:]))
    assert row["vs_sma200"] == pytest.approx(100 * (180 / np.mean(closes[-200:]) - 1))
    short = stock_metrics(frame({"Y": [10.0, 11.0, 12.0]})).set_index("key").loc["Y"]
    assert math.isnan(short["sma50"]) and math.isnan(short["vs_sma200"])  # too short a history


SCREEN_TABLE = pd.DataFrame(
    {
        "key": ["A", "B", "C", "D"],
        "sector": ["Energy", "Financials", "Energy", "Health Care"],
        "1M": [5.0, -3.0, 12.0, np.nan],
        "3M": [10.0, 1.0, 25.0, 4.0],
        "YTD": [20.0, -5.0, 30.0, 1.0],
        "from_high": [-2.0, -20.0, -6.0, 0.0],
        "from_low": [40.0, 3.0, 50.0, 10.0],
        "vs_sma50": [1.0, -2.0, 3.0, np.nan],
        "vs_sma200": [5.0, -1.0, -0.5, 2.0],
        "vol": [18.0, 30.0, 45.0, 22.0],
    }
)


@pytest.mark.parametrize(
    ("screen", "passed"),
    [
        ((), ["A", "B", "C", "D"]),
        ((("r1m_min", "5"),), ["A", "C"]),  # D's 1M is unknown: it does not pass
        ((("r1m_max", "0"),), ["B"]),
        ((("r3m_min", "4"), ("r3m_max", "20")), ["A", "D"]),
        ((("ytd_min", "25"),), ["C"]),
        ((("high_within", "5"),), ["A", "D"]),
        ((("high_within", "-5"),), ["A", "D"]),  # a distance either way round
        ((("low_within", "10"),), ["B", "D"]),
        ((("vol_min", "20"), ("vol_max", "40")), ["B", "D"]),
        ((("sma50", "above"),), ["A", "C"]),
        ((("sma200", "below"),), ["B", "C"]),
        ((("sector", "Energy"), ("sma200", "above")), ["A"]),
    ],
)
def test_the_screeners_filters(screen, passed):
    assert apply_screen(SCREEN_TABLE, screen)["key"].tolist() == passed


def test_the_screen_lives_in_the_url_canonical_and_cleaned():
    view = parse_view({"r3m_min": "10.0", "sma200": "ABOVE", "sector": "health care", "vol_max": ["25"]})
    assert view.screen == (("r3m_min", "10"), ("vol_max", "25"), ("sma200", "above"), ("sector", "Health Care"))
    assert view.query() == "?r3m_min=10&vol_max=25&sma200=above&sector=Health+Care"
    assert parse_view({k: v for k, v in [("r3m_min", "10"), ("range", "1Y")]}).query() == "?range=1Y&r3m_min=10"
    garbage = {"r1m_min": "<script>", "ytd_max": "nan", "vol_min": "1e9", "sma50": "sideways", "sector": "Tech"}
    assert parse_view(garbage).screen == () and parse_view({"r1m_min": ""}) == ViewState()


def test_market_value_weights_and_share_counts():
    returns, weights = pd.Series([1.0, -1.0, 5.0]), pd.Series([3.0, 1.0, np.nan])
    assert weighted_return(returns, weights) == pytest.approx(0.5)
    assert math.isnan(weighted_return(returns, pd.Series([np.nan] * 3)))
    reports = pd.DataFrame(
        {
            "symbol": ["AAPL", "AAPL", "BRK-B"],
            "date": pd.to_datetime(["2024-09-28", "2025-09-27", "2025-12-31"]),
            "diluted_shares": [15.4e9, 15.0e9, 1.44e6],
        }
    )
    shares = share_counts(reports)
    assert shares["AAPL"] == 15.0e9  # the newest fiscal year
    assert shares["BRK-B"] == pytest.approx(1.44e6 * 1500)  # Class A equivalents in B shares
    assert share_counts(pd.DataFrame()).empty


def test_a_matrix_columns_colour_scale_has_a_floor():
    assert heat_scale(pd.Series([0.1, -0.2, 0.3]), "%") == 1.0
    assert heat_scale(pd.Series(np.linspace(-20, 20, 41)), "%") == pytest.approx(18.0)
    assert heat_scale(pd.Series([2.0, -3.0]), "bp") == 5.0
    assert heat_scale(pd.Series([], dtype=float), "bp") == 5.0


def test_a_screen_in_words():
    from pages.panels.screener import describe_screen

    screen = (("r3m_min", "10"), ("high_within", "5"), ("sma200", "above"), ("sector", "Energy"))
    assert (
        describe_screen(screen) == "3M return ≥ 10 %, Within 5 % of 52W high, above the 200-day average, sector Energy"
    )
    assert describe_screen(()) == ""
