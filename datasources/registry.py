"""Which connector speaks for each ``provider`` named in the catalog."""

from __future__ import annotations

from datasources.base import Connector
from datasources.cboe import CboeIndexHistoryConnector
from datasources.cnn import CnnFearGreedConnector
from datasources.crypto import BinanceKlinesConnector, CoinGeckoMarketsConnector
from datasources.exchanges import (
    BitfinexCandlesConnector,
    BitstampOhlcConnector,
    BybitKlineConnector,
    CoinbaseCandlesConnector,
    CryptoComCandlesConnector,
    DeribitVolatilityConnector,
    GeminiCandlesConnector,
    KrakenOhlcConnector,
    KucoinCandlesConnector,
    OkxCandlesConnector,
)
from datasources.fred import FredCloseConnector, FredGraphConnector
from datasources.fx import EcbExrConnector, FrankfurterConnector
from datasources.keyed import AlphaVantageDailyConnector, FredApiConnector, PolygonAggregatesConnector
from datasources.official_stats import (
    BlsTimeseriesConnector,
    CboeOptionsPutCallConnector,
    EcbReferenceXmlConnector,
    ImfDataMapperConnector,
    NasdaqHistoricalConnector,
)
from datasources.option_chain import CboeOptionChainConnector
from datasources.public_data import (
    AlternativeMeFearGreedConnector,
    FiscalDataConnector,
    NyFedRatesConnector,
    OpenErApiConnector,
    WorldBankConnector,
)
from datasources.stooq import StooqDailyConnector
from datasources.treasury import TreasuryParYieldConnector
from datasources.yahoo import YahooChartConnector

CONNECTORS: dict[str, Connector] = {
    c.provider: c
    for c in (
        FredGraphConnector(),
        FredCloseConnector(),
        YahooChartConnector(),
        StooqDailyConnector(),
        CboeIndexHistoryConnector(),
        TreasuryParYieldConnector(),
        BinanceKlinesConnector(),
        CoinGeckoMarketsConnector(),
        FrankfurterConnector(),
        EcbExrConnector(),
        CnnFearGreedConnector(),
        KrakenOhlcConnector(),
        CoinbaseCandlesConnector(),
        BitstampOhlcConnector(),
        OkxCandlesConnector(),
        KucoinCandlesConnector(),
        BybitKlineConnector(),
        NyFedRatesConnector(),
        WorldBankConnector(),
        FiscalDataConnector(),
        AlternativeMeFearGreedConnector(),
        OpenErApiConnector(),
        GeminiCandlesConnector(),
        BitfinexCandlesConnector(),
        CryptoComCandlesConnector(),
        DeribitVolatilityConnector(),
        BlsTimeseriesConnector(),
        ImfDataMapperConnector(),
        EcbReferenceXmlConnector(),
        NasdaqHistoricalConnector(),
        CboeOptionsPutCallConnector(),
        CboeOptionChainConnector(),
        FredApiConnector(),
        PolygonAggregatesConnector(),
        AlphaVantageDailyConnector(),
    )
}
