"""The catalog that ships: what the seed asks of it, and where it is read from."""

from __future__ import annotations

from pathlib import Path

from config.catalog import load_catalog
from config.settings import load_settings


def test_the_shipped_catalog_covers_what_the_seed_asks():
    catalog = load_catalog(load_settings({}))
    counts = {name: len(catalog.for_dataset(name)) for name in catalog.datasets()}
    assert counts["market_indices"] >= 50
    assert counts["commodities"] >= 20
    assert counts["forex_rates"] >= 40
    assert counts["crypto_prices"] >= 30
    assert counts["economic_indicators"] >= 100
    assert {i.key for i in catalog.for_dataset("treasury_yields")} >= {"1M", "3M", "6M", "1Y", "2Y", "5Y", "10Y", "30Y"}
    assert {i.key for i in catalog.for_dataset("credit_spreads")} >= {"HY_OAS", "IG_OAS", "BBB_OAS"}
    assert {i.key for i in catalog.for_dataset("volatility_indicators")} >= {"VIX", "VVIX", "SKEW", "MOVE"}
    # Fallback cascades: most market instruments have a second provider.
    for name in (
        "market_indices",
        "commodities",
        "forex_rates",
        "crypto_prices",
        "treasury_yields",
        "volatility_indicators",
    ):
        instruments = catalog.for_dataset(name)
        with_fallback = sum(len(i.providers) >= 2 for i in instruments)
        assert len({p.source for i in instruments for p in i.providers}) >= 2, name
        assert with_fallback / len(instruments) >= 0.7, name


GOOD = """
sources:
  - {id: s1, provider: fred, category: economic, base_url: "https://x"}
datasets:
  treasury_yields:
    - {key: 10Y, providers: [{source: s1, symbol: DGS10}]}
"""


def test_catalog_file_path_comes_from_settings(tmp_path: Path):
    (tmp_path / "mine.yaml").write_text(GOOD)
    catalog = load_catalog(load_settings({"SPARTAN_SOURCES_FILE": str(tmp_path / "mine.yaml")}))
    assert [i.key for i in catalog.instruments] == ["10Y"]
