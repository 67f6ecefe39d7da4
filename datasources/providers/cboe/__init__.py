"""CBOE (``cdn.cboe.com``, keyless): index history CSVs, and the delayed option quotes read two
ways, as put/call ratios and as a per-expiry chain summary (one download serves both)."""

from __future__ import annotations

from datasources.base import ProviderSpec
from datasources.providers.cboe.indices import CboeIndexHistoryConnector
from datasources.providers.cboe.option_chain import CboeOptionChainConnector
from datasources.providers.cboe.options import CboeOptionsPutCallConnector

PROVIDER = ProviderSpec(
    "cboe",
    (CboeIndexHistoryConnector(), CboeOptionsPutCallConnector(), CboeOptionChainConnector()),
    rate_limit_per_minute=30,
)
