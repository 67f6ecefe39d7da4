"""The CoinGecko ``/api/v3/global`` snapshot read as daily observations of the crypto market.

Wire-format facts, from a real response (tests/fixtures/coingecko/global_2025-08-07.json, see its
PROVENANCE.md): ``{"data": {"total_market_cap": {"usd": …, <other currencies>}, "total_volume":
{…}, "market_cap_percentage": {"btc": 59.49, "eth": 11.84, … the ten largest coins, in %},
"market_cap_change_percentage_24h_usd": …, "updated_at": <unix seconds>}}``."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from datasources.base import ParseError
from datasources.providers.coingecko import CoinGeckoGlobalConnector

CONNECTOR = CoinGeckoGlobalConnector()
REAL = Path(__file__).parents[2] / "fixtures" / "coingecko" / "global_2025-08-07.json"


def test_the_real_snapshot_gives_each_figure_dated_by_updated_at():
    body = REAL.read_bytes()
    figures = {f: CONNECTOR.parse(body, f) for f in ("btc_dominance", "eth_dominance", "total_market_cap")}
    for figure, rows in figures.items():
        assert rows["series_id"].tolist() == [figure] and rows["date"].tolist() == [date(2025, 8, 7)]
    assert figures["btc_dominance"]["value"].iloc[0] == pytest.approx(59.48797574940049)
    assert figures["eth_dominance"]["value"].iloc[0] == pytest.approx(11.843395870201881)
    assert figures["total_market_cap"]["value"].iloc[0] == pytest.approx(3892540356263.406)


def test_stablecoins_are_tether_and_usd_coin_valued_from_their_shares():
    rows = CONNECTOR.parse(REAL.read_bytes(), "stablecoin_market_cap")
    expected = 3892540356263.406 * (4.2145482883856635 + 1.6630069273163086) / 100
    assert rows["value"].iloc[0] == pytest.approx(expected)
    assert 2.2e11 < expected < 2.4e11  # USDT ~164 bn + USDC ~65 bn in August 2025


def test_one_request_to_the_global_endpoint_and_unknown_figures_refused():
    (request,) = CONNECTOR.build_requests("https://api.coingecko.com", "btc_dominance", None)
    assert request.url == "https://api.coingecko.com/api/v3/global"
    with pytest.raises(ValueError, match="not a CoinGecko /global figure"):
        CONNECTOR.build_requests("https://api.coingecko.com", "doge_dominance", None)
    with pytest.raises(ParseError, match="unknown figure"):
        CONNECTOR.parse(REAL.read_bytes(), "doge_dominance")


@pytest.mark.parametrize(
    "doc, message",
    [
        ({"status": {"error_code": 429, "error_message": "You've exceeded the Rate Limit"}}, "no data"),
        ({"data": {"market_cap_percentage": {"btc": 59.5}}}, "no updated_at"),
        ([], "no data"),
    ],
)
def test_errors_and_truncated_bodies_are_parse_errors(doc, message):
    with pytest.raises(ParseError, match=message):
        CONNECTOR.parse(json.dumps(doc).encode(), "btc_dominance")
