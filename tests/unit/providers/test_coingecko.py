"""Parsers of CoinGecko markets snapshot."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from datasources.base import ParseError
from datasources.providers.coingecko import CoinGeckoMarketsConnector, parse_markets
from tests.unit.providers.bodies import body, sample


def test_coingecko_markets_snapshot():
    bars = parse_markets(json.loads(sample("coingecko/coins_markets_vs_usd_per_page5_2023-01-02.json")), "bitcoin")
    assert bars.iloc[0][["high", "low", "close", "volume"]].tolist() == [16759.71, 16554.8, 16730.75, 12892500366]
    assert bars["ts"].iloc[0] == pd.Timestamp("2023-01-02", tz="UTC")
    with pytest.raises(ParseError, match="'dogecoin' not in the response"):
        parse_markets(json.loads(sample("coingecko/coins_markets_vs_usd_per_page5_2023-01-02.json")), "dogecoin")


def test_the_connector_asks_for_the_coin_in_usd():
    (request,) = CoinGeckoMarketsConnector().build_requests("https://g", "bitcoin", None)
    assert (request.url, request.params) == ("https://g/api/v3/coins/markets", {"vs_currency": "usd", "ids": "bitcoin"})
    coin = {"id": "bitcoin", "current_price": 100.0, "high_24h": 101.0, "low_24h": 99.0, "total_volume": 5.0,
            "last_updated": "2024-01-02T10:00:00.000Z"}  # fmt: skip
    assert CoinGeckoMarketsConnector().parse(body([coin]), "bitcoin")["close"].tolist() == [100.0]
