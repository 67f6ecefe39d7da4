"""Parsers of CoinGecko markets snapshot."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from datasources.base import ParseError
from datasources.providers.coingecko import parse_markets
from tests.unit.providers.bodies import sample


def test_coingecko_markets_snapshot():
    bars = parse_markets(json.loads(sample("coingecko/coins_markets_vs_usd_per_page5_2023-01-02.json")), "bitcoin")
    assert bars.iloc[0][["high", "low", "close", "volume"]].tolist() == [16759.71, 16554.8, 16730.75, 12892500366]
    assert bars["ts"].iloc[0] == pd.Timestamp("2023-01-02", tz="UTC")
    with pytest.raises(ParseError, match="'dogecoin' not in the response"):
        parse_markets(json.loads(sample("coingecko/coins_markets_vs_usd_per_page5_2023-01-02.json")), "dogecoin")
