"""A write's sources fitted to ``dataset_versions.source`` (64 characters): a dataset served by
many sources (economic_indicators: eight) no longer makes its write fail for the bookkeeping."""

from __future__ import annotations

from sql.schema import dataset_versions
from sql.versions import fit_sources

MANY = "bls,dbnomics,fiscal_data,fred_graph,imf_datamapper,nyfed_rates,world_bank"


def test_sources_that_fit_are_kept_as_they_are():
    assert fit_sources("binance,coinbase") == "binance,coinbase"
    assert fit_sources(None) is None


def test_too_many_sources_keep_the_first_names_and_count_the_rest():
    width = dataset_versions.c.source.type.length
    assert len(MANY) > width == 64
    fitted = fit_sources(MANY)
    assert fitted == "bls,dbnomics,fiscal_data,fred_graph,imf_datamapper,+2 more"
    assert len(fitted) <= width
    assert fit_sources("aaaa,bbbb,cccc", width=12) == "aaaa,+2 more"
