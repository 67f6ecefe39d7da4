"""FRED series in the shipped catalog carry FRED's title and unit, not the series id again."""

from __future__ import annotations

import pytest

from config.catalog import Catalog, load_catalog
from config.settings import load_settings

# Series whose FRED title could not be established from a public source: their label stays the id.
TITLE_NOT_ESTABLISHED = {"HCOVACRATE"}


@pytest.fixture(scope="module")
def shipped() -> Catalog:
    return load_catalog(load_settings({}))


@pytest.fixture(scope="module")
def fred(shipped) -> dict:
    return {i.key: i for i in shipped.for_dataset("fred_series")}


def test_no_fred_series_is_labelled_with_its_own_id(fred):
    labelled_by_id = {key for key, inst in fred.items() if inst.label == key}
    assert labelled_by_id == TITLE_NOT_ESTABLISHED


def test_every_fred_series_has_a_unit(fred):
    assert len(fred) > 1000  # the listed series and the state families
    assert [key for key, inst in fred.items() if not inst.unit] == []


def test_rates_and_spreads_are_in_percent_and_every_economic_indicator_has_a_unit(shipped):
    for dataset in ("treasury_yields", "credit_spreads"):
        assert {i.unit for i in shipped.for_dataset(dataset)} == {"%"}, dataset
    assert [i.key for i in shipped.for_dataset("economic_indicators") if not i.unit] == []


@pytest.mark.parametrize(
    ("key", "label", "unit"),
    [
        ("AAA", "Moody's Seasoned Aaa Corporate Bond Yield", "%"),
        ("A191RL1Q225SBEA", "Real GDP, % change from preceding period (annualised)", "%"),
        ("BAMLH0A0HYM2", "ICE BofA US High Yield Index Option-Adjusted Spread", "%"),
        ("UNRATE", "Unemployment Rate", "%"),
        ("PAYEMS", "All Employees, Total Nonfarm", "thousands"),
        ("ICSA", "Initial Claims", "number"),
        ("CPIAUCSL", "Consumer Price Index for All Urban Consumers: All Items", "index, 1982-84=100"),
        ("INDPRO", "Industrial Production: Total Index", "index, 2017=100"),
        ("GDP", "Gross Domestic Product", "billions $"),
        ("GDPC1", "Real Gross Domestic Product", "billions of chained 2017 $"),
        ("RSAFS", "Advance Retail Sales: Retail Trade and Food Services", "millions $"),
        ("HOUST", "New Privately-Owned Housing Units Started: Total Units", "thousands of units"),
        ("DCOILWTICO", "Crude Oil Prices: West Texas Intermediate (WTI) - Cushing, Oklahoma", "$ per barrel"),
        ("DGS10", "Market Yield on U.S. Treasury Securities at 10-Year Constant Maturity", "%"),
        ("DEXUSEU", "U.S. Dollars to Euro Spot Exchange Rate", "USD per EUR"),
        ("SAHMREALTIME", "Real-time Sahm Rule Recession Indicator", "pp"),
        ("M2V", "Velocity of M2 Money Stock", "ratio"),
    ],
)
def test_fred_titles_and_units(fred, key, label, unit):
    assert (fred[key].label, fred[key].unit) == (label, unit)


def test_a_family_unit_reaches_every_state(fred):
    assert {fred[f"{code}UR"].unit for code in ("CA", "TX", "NY", "DC")} == {"%"}
    assert fred["CANA"].unit == "thousands"
    assert fred["TXSTHPI"].unit == "index, 1980 Q1=100"
