"""CBOE (``cdn.cboe.com``, keyless): index history CSVs, the delayed option quotes read two
ways, as put/call ratios and as a per-expiry chain summary (one download serves both), and the
delayed-quotes daily charts and quote snapshots of stocks, ETFs and indices."""

from __future__ import annotations

from datasources.base import ProviderSpec
from datasources.providers.cboe.charts import CboeChartsConnector, CboeQuoteConnector
from datasources.providers.cboe.indices import CboeIndexHistoryConnector
from datasources.providers.cboe.option_chain import CboeOptionChainConnector
from datasources.providers.cboe.options import CboeOptionsPutCallConnector

PROVIDER = ProviderSpec(
    "cboe",
    (
        CboeIndexHistoryConnector(),
        CboeOptionsPutCallConnector(),
        CboeOptionChainConnector(),
        CboeChartsConnector(),
        CboeQuoteConnector(),
    ),
    rate_limit_per_minute=30,
)
