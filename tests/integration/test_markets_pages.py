"""The Markets pages of world markets, commodities, currencies and crypto derivatives on five
years of demo data: each draws every panel with data, and the computed panels (pair_history,
basket_index) serve CSVs that agree with the stored prices they are computed from."""

from __future__ import annotations

import io
import math

import pandas as pd
import pytest

from tests.conftest import demo_settings
from tests.integration.test_dashboards import pages, render

PATHS = (
    "/world/europe",
    "/world/asia-pacific",
    "/world/emerging",
    "/commodities/metals",
    "/commodities/energy",
    "/commodities/agriculture",
    "/forex/dollar",
    "/forex/emerging",
    "/forex/carry",
    "/crypto/derivatives",
    "/crypto/market-structure",
)
DXY = {"EURUSD": -0.576, "USDJPY": 0.136, "GBPUSD": -0.119, "USDCAD": 0.091, "USDSEK": 0.042, "USDCHF": 0.036}


@pytest.fixture(scope="module")
def web(demo_root):
    import app as webapp

    return webapp.create_app(demo_settings(demo_root))


def csv(web, path: str) -> pd.DataFrame:
    response = web.server.test_client().get(path)
    assert response.status_code == 200, path
    return pd.read_csv(io.StringIO(response.get_data(as_text=True)), index_col="Date")


def test_every_markets_page_draws_every_panel_with_data(web):
    from config.dashboard_specs import load_dashboards

    boards = {b.path: b for b in load_dashboards().values()}
    registered = {p["path"]: p for p in pages()}
    for path in PATHS:
        board = boards[path]
        assert board.group == "Markets"
        body = render(web, registered[path])
        assert "Traceback" not in body and "No data yet" not in body, path
        for panel in board.panels:
            assert f"panel-{board.id}-{panel.id}" in body, (path, panel.id)


def test_the_ratio_and_spread_csvs_are_the_stored_prices_divided_and_subtracted(web):
    prices = csv(web, "/csv/commodities-energy/crude.csv?range=6M")  # WTI, Brent, OPEC (not rebased)
    spread = csv(web, "/csv/commodities-energy/wti-brent.csv?range=6M")["WTI − Brent"]
    both = prices[["WTI crude oil", "Brent crude oil"]].dropna()
    expected = (both["WTI crude oil"] - both["Brent crude oil"]).loc[spread.index]
    assert len(spread) > 100 and (spread - expected).abs().max() < 1e-6
    assert -12 < spread.median() < 2  # Brent over WTI, as in the market

    metals = csv(web, "/csv/commodities-metals/precious.csv?range=6M&rebase=0")
    ratio = csv(web, "/csv/commodities-metals/gold-silver.csv?range=6M")["Gold / silver"]
    assert (ratio - (metals["Gold"] / metals["Silver"]).loc[ratio.index]).abs().max() < 1e-4
    assert 60 < ratio.iloc[-1] < 100
    copper_gold = csv(web, "/csv/commodities-metals/copper-gold.csv?range=1M")["Copper / gold ×1000"]
    assert 0.5 < copper_gold.iloc[-1] < 3  # 4-5 $/lb over ~4,000 $/oz, times 1000


def test_rate_differentials_are_monthly_and_in_percentage_points(web):
    rates = csv(web, "/csv/forex-carry/rates.csv?range=5Y")
    spreads = csv(web, "/csv/forex-carry/majors.csv?range=5Y")
    assert len(spreads) <= 62  # monthly, not daily
    usd = rates["USD"]
    eur = rates["EUR"]
    assert (spreads["EUR − USD"] - (eur - usd).loc[spreads.index]).abs().max() < 1e-6
    assert (spreads["JPY − USD"] < 1).all()  # the yen yields less than the dollar


def test_the_dollar_index_is_the_ice_formula_on_the_stored_rates(web):
    index = csv(web, "/csv/forex-dollar/dxy.csv?range=3M").iloc[:, 0]
    majors = pd.concat(
        [
            csv(web, "/csv/forex-dollar/usd-base.csv?range=3M&rebase=0"),
            csv(web, "/csv/forex-dollar/usd-quote.csv?range=3M&rebase=0"),
        ],
        axis=1,
    )
    day = index.index[-1]
    names = {
        "EURUSD": "EUR/USD",
        "USDJPY": "USD/JPY",
        "GBPUSD": "GBP/USD",
        "USDCAD": "USD/CAD",
        "USDSEK": "USD/SEK",
        "USDCHF": "USD/CHF",
    }
    expected = 50.14348112 * math.prod(majors.loc[day, names[k]] ** w for k, w in DXY.items())
    assert index.loc[day] == pytest.approx(expected, rel=1e-6)
    assert 90 < index.iloc[-1] < 110  # DXY's late-2025 neighbourhood
