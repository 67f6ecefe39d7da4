"""The equities pages and the cross-asset matrix on five years of demo data: the sector treemap
and the stock grid (market value = close × diluted shares of the newest 10-K), the screener
(filters from the URL, in the page and its CSV alike), the sector performance bars and relative
history, and the performance matrix (rates in basis points) — each panel's CSV checked against
the stored rows, computed here independently of the panels."""

from __future__ import annotations

import json
from io import StringIO

import pandas as pd
import pytest

from tests.conftest import demo_settings
from tests.layouts import page_json


@pytest.fixture(scope="module")
def web(demo_root):
    import app as webapp

    return webapp.create_app(demo_settings(demo_root))


def csv(web, url: str) -> pd.DataFrame:
    response = web.server.test_client().get(url)
    assert response.status_code == 200, (url, response.get_data(as_text=True)[:200])
    return pd.read_csv(StringIO(response.get_data(as_text=True)), keep_default_na=False, na_values=[""])


def page(web, path: str, **query) -> str:
    import dash

    found = next(p for p in dash.page_registry.values() if p["path"] == path)
    with web.server.test_request_context(path, query_string=query):
        return page_json(found["layout"](**query))


def closes(dataset: str) -> dict[str, pd.Series]:
    from sql import read

    frame = read.observations(dataset)
    return {k: rows.set_index("date")["value"].astype(float) for k, rows in frame.groupby("key")}


def test_the_treemap_and_the_grid_size_stocks_by_close_times_diluted_shares(web):
    from sql import read

    body = page(web, "/equities")
    assert "No data yet" not in body and '"type": "treemap"' in body and "stock:AAPL" in body
    assert "sector:Information Technology" in body
    reports = read.rows("fundamentals").sort_values("date").groupby("symbol").tail(1).set_index("symbol")
    prices = closes("equities")
    grid = csv(web, "/csv/equities/stocks.csv").set_index("Symbol")
    assert len(grid) == 50 and grid.loc["XOM", "Sector"] == "Energy" and grid.loc["V", "Sector"] == "Financials"
    for key in ("AAPL", "BRK-B", "JPM"):
        shares = reports.loc[key, "diluted_shares"] * (1500 if key == "BRK-B" else 1)
        assert grid.loc[key, "Market value ($bn)"] == pytest.approx(prices[key].iloc[-1] * shares / 1e9, abs=0.051)
        assert grid.loc[key, "1D %"] == pytest.approx(
            100 * (prices[key].iloc[-1] / prices[key].iloc[-2] - 1), abs=0.006
        )
    assert 500 < grid.loc["BRK-B", "Market value ($bn)"] < 2000  # Class A equivalents counted as B shares
    assert grid["Market value ($bn)"].is_monotonic_decreasing  # largest first
    heat = csv(web, "/csv/equities/heatmap.csv")
    assert len(heat) == 50 and list(heat.columns) == [
        "Sector",
        "Company",
        "Symbol",
        "1D %",
        "Market value ($bn)",
        "Date",
    ]
    merged = heat.set_index("Symbol").join(grid, rsuffix="_grid")
    assert (merged["1D %"] == merged["1D %_grid"]).all()
    assert (merged["Market value ($bn)"] == merged["Market value ($bn)_grid"]).all()


def test_the_screener_takes_its_filters_from_the_url_in_page_and_csv(web):
    everything = csv(web, "/csv/screener/results.csv")
    assert len(everything) == 50
    screened = csv(web, "/csv/screener/results.csv?r3m_min=5&sma200=above&vol_max=60")
    expected = everything[
        (everything["3M %"] >= 5) & (everything["vs 200-day %"] > 0) & (everything["Volatility % (1Y)"] <= 60)
    ]
    assert 0 < len(screened) < 50 and sorted(screened["Symbol"]) == sorted(expected["Symbol"])
    body = page(web, "/equities/screener", r3m_min="5", sma200="above", vol_max="60")
    summary = f"{len(screened)} of 50 stocks pass: 3M return ≥ 5 %, Volatility ≤ 60 % (1Y, ann.), above the 200-day"
    assert json.dumps(summary)[1:-1] in body  # as the page's JSON writes it
    assert "/csv/screener/results.csv?r3m_min=5&vol_max=60&sma200=above" in body  # the CSV of this screen
    assert '"name": "r3m_min"' in body and '"value": 5.0' in body  # the form shows the filter
    energy = csv(web, "/csv/screener/results.csv?sector=Energy")
    assert set(energy["Symbol"]) == {"XOM", "CVX"}
    # The figures behind the filters, from the stored closes.
    prices = closes("equities")["MSFT"]
    row = everything.set_index("Symbol").loc["MSFT"]
    year = prices[prices.index > prices.index[-1] - pd.DateOffset(years=1)]
    assert row["From 52W high %"] == pytest.approx(100 * (prices.iloc[-1] / year.max() - 1), abs=0.006)
    assert row["vs 50-day %"] == pytest.approx(100 * (prices.iloc[-1] / prices.iloc[-50:].mean() - 1), abs=0.006)


def test_the_performance_matrix_has_every_class_with_rates_in_basis_points(web):
    body = page(web, "/performance")
    assert "No data yet" not in body and "spartanHeat" in body
    matrix = csv(web, "/csv/performance/matrix.csv")
    assert list(matrix.columns) == [
        "Class",
        "Asset",
        "Symbol",
        "Last",
        "1D",
        "1W",
        "1M",
        "3M",
        "YTD",
        "1Y",
        "Unit",
        "Date",
    ]
    assert list(dict.fromkeys(matrix["Class"]))[:2] == ["Indices", "Sectors"]
    assert {"FX", "Crypto", "Commodities", "Rates (bp)", "Credit spreads (bp)"} <= set(matrix["Class"])
    rows = matrix.set_index("Symbol")
    assert rows.loc["XLK", "Asset"] == "Information Technology"  # sector funds by their sector
    ten = closes("treasury_yields")["10Y"]
    assert rows.loc["10Y", "Unit"] == "bp"
    assert rows.loc["10Y", "1D"] == pytest.approx(100 * (ten.iloc[-1] - ten.iloc[-2]), abs=0.01)
    btc = closes("crypto_prices")["BTCUSD"]
    week = btc[btc.index <= btc.index[-1] - pd.DateOffset(weeks=1)].iloc[-1]
    assert rows.loc["BTCUSD", "1W"] == pytest.approx(100 * (btc.iloc[-1] / week - 1), abs=0.006)
    spx = closes("market_indices")["SPX"]
    ytd = spx[spx.index.year < spx.index[-1].year].iloc[-1]
    assert rows.loc["SPX", "YTD"] == pytest.approx(100 * (spx.iloc[-1] / ytd - 1), abs=0.006)


def test_sector_performance_bars_table_and_relative_history(web):
    body = page(web, "/equities/sectors", range="1Y")
    assert "No data yet" not in body and "relative to S&P 500, start = 100" in body
    bars = csv(web, "/csv/sectors/bars.csv")
    assert len(bars) == 12 and "Information Technology" in set(bars["Asset"])
    relative = csv(web, "/csv/sectors/relative.csv?range=1Y")
    assert (relative.iloc[0, 1:] == 100).all()
    index = closes("market_indices")
    start = pd.Timestamp(relative["Date"].iloc[0])
    energy, spx = index["XLE"], index["SPX"]
    expected = 100 * (energy.iloc[-1] / energy[start]) / (spx.iloc[-1] / spx[start])
    assert relative["Energy"].iloc[-1] == pytest.approx(expected, rel=1e-6)


def test_the_equities_group_holds_the_four_pages(web):
    from pages.dashboards import DASHBOARDS

    group = sorted((b.order, b.path) for b in DASHBOARDS.values() if b.group == "Equities")
    assert group == [
        (22, "/equities"),
        (23, "/equities/screener"),
        (24, "/equities/sectors"),
        (25, "/equities/fundamentals"),
    ]
    assert DASHBOARDS["performance"].group == "Markets" and DASHBOARDS["performance"].order == 19
