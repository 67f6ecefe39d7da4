"""The catalog holds at least the seed's number of sources in each of its six categories (issue 15:
stocks 18, forex 12, crypto 13, economic 8, commodities 5, options 7; 63 in all), each a source of
its own (distinct ids, each with a connector of its own provider, serving an instrument)."""

from __future__ import annotations

from collections import Counter

import pytest

from config.catalog import load_catalog
from config.settings import load_settings
from datasources.registry import CONNECTORS

MINIMUM = {"stocks": 18, "forex": 12, "crypto": 13, "economic": 8, "commodities": 5, "options": 7}


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(load_settings({}))


@pytest.fixture(scope="module")
def sources(catalog):
    return catalog.sources


@pytest.mark.parametrize(("category", "minimum"), sorted(MINIMUM.items()))
def test_the_catalog_has_the_seeds_number_of_sources(sources, category, minimum):
    counts = Counter(source.category for source in sources.values())
    assert counts[category] >= minimum, f"{category}: {counts[category]} sources, the seed has {minimum}"


@pytest.mark.parametrize("category", sorted(MINIMUM))
def test_each_counted_source_has_a_connector_and_serves_an_instrument(catalog, sources, category):
    used = {p.source for i in catalog.instruments for p in i.providers}
    mine = [s for s in sources.values() if s.category == category]
    assert all(s.provider in CONNECTORS for s in mine)
    assert [s.id for s in mine if s.id not in used] == []


def test_the_catalog_holds_at_least_the_seeds_63_sources(sources):
    assert len(sources) >= sum(MINIMUM.values()) == 63
