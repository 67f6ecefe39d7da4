"""config/analytics.yaml: the shipped file loads and names catalogued instruments; mistakes are clear."""

from __future__ import annotations

import pytest

from config.analytics import AnalyticsConfigError, load_analytics, parse_analytics
from config.catalog import load_catalog
from config.settings import load_settings


def test_the_shipped_analytics_refer_to_catalogued_instruments():
    config = load_analytics()
    catalog = load_catalog(load_settings({}))
    known = {(i.dataset, i.key) for i in catalog.instruments}
    refs = [*config.correlation_basket, *config.sentiment_scores, *config.sentiment_fear_high]
    assert all((r.dataset, r.key) in known for r in refs if r.dataset), refs
    assert {r.dataset for r in config.correlation_basket} >= {
        "market_indices",
        "commodities",
        "forex_rates",
        "crypto_prices",
        "treasury_yields",
    }
    assert len(config.rotation_sectors) == 11
    assert all((config.rotation_dataset, s) in known for s in (*config.rotation_sectors, config.rotation_benchmark))
    universe, dataset = config.breadth_universes[0]
    assert len(catalog.for_dataset(dataset)) >= 50
    dataset, front, back = config.term_structure
    assert {(dataset, front), (dataset, back)} <= known
    assert config.correlation_window == 60
    assert config.inputs() >= {"market_indices", "equities", "sentiment_indicators", "volatility_indicators"}


GOOD = """
correlations: {window_days: 20, basket: [{dataset: market_indices, key: SPX}]}
sector_rotation: {benchmark: SPY, sectors: [XLK]}
market_breadth: {universes: [{id: U, dataset: equities}]}
sentiment: {scores: [], fear_high: [{name: VIX_TERM_STRUCTURE}]}
"""


def test_defaults_fill_what_is_left_out():
    config = parse_analytics(GOOD)
    assert (config.rotation_dataset, config.rotation_ratio_window, config.rotation_momentum_lag) == (
        "market_indices",
        63,
        10,
    )
    assert config.term_structure is None
    assert config.sentiment_fear_high[0].dataset == ""


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[1, 2]", "must be a mapping of analytics"),
        ("a: [", "not valid YAML"),
        (GOOD.replace("window_days: 20", "window_days: 1"), "'window_days' must be an integer >= 2"),
        (GOOD.replace("{dataset: market_indices, key: SPX}", "SPX"), "needs 'dataset' and 'key'"),
        (GOOD.replace("sectors: [XLK]", "sectors: []"), "sectors must be a non-empty list"),
        (GOOD.replace("[{id: U, dataset: equities}]", "equities"), "universes must be a list"),
        (GOOD.replace("correlations:", "correlatoins:"), "'correlations' must be a mapping"),
    ],
)
def test_mistakes_name_the_part(text, message):
    with pytest.raises(AnalyticsConfigError, match=message):
        parse_analytics(text, "analytics.yaml")
