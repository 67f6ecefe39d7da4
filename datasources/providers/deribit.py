"""Deribit (keyless): the DVOL crypto implied-volatility indices as daily bars, and the BTC/ETH
option chains summarised per expiry. Symbols: ``BTC``, ``ETH``."""

from __future__ import annotations

import pandas as pd

from datasources.base import HttpRequest, ParseError, ProviderSpec
from datasources.chains import first_number, numbers, summarize_named, utc_day
from datasources.wire import DAY_SECONDS, api_error, candle_rows, day_seconds, day_windows, load_json


class DeribitVolatilityConnector:
    """``/api/v2/public/get_volatility_index_data?currency=BTC&resolution=1D``: the DVOL index,
    ``result.data`` of ``[ts ms, open, high, low, close]`` between ``start_timestamp`` and
    ``end_timestamp`` (epoch ms). A long range comes back in parts (``continuation``: the
    ``end_timestamp`` of the next); ranges of 1000 days are asked for one by one instead, so
    each request is complete on its own. DVOL starts in March 2021."""

    provider = "deribit"
    kind = "bars"
    page_days = 1000

    def build_requests(self, base_url, symbol, since, api_key=None) -> list[HttpRequest]:
        return [
            HttpRequest(
                url=f"{base_url}/api/v2/public/get_volatility_index_data",
                params={
                    "currency": symbol,
                    "resolution": "1D",
                    "start_timestamp": str(day_seconds(first) * 1000),
                    "end_timestamp": str((day_seconds(last) + DAY_SECONDS) * 1000 - 1),
                },
            )
            for first, last in day_windows(since, self.page_days)
        ]

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        doc = load_json(body)
        if not isinstance(doc, dict) or "result" not in doc:
            error = doc.get("error") if isinstance(doc, dict) else {}
            raise api_error("Deribit", error or {}, "code", "message")
        rows = [[*r, None] for r in (doc["result"] or {}).get("data") or []]
        return candle_rows(rows, {"ts": 0, "open": 1, "high": 2, "low": 3, "close": 4, "volume": 5}, "ms", symbol)


def _result(body: bytes):
    doc = load_json(body)
    if not isinstance(doc, dict) or "result" not in doc:
        error = doc.get("error") if isinstance(doc, dict) else {}
        raise api_error("Deribit", error or {}, "code", "message")
    return doc["result"]


class DeribitOptionChainConnector:
    """A currency's whole option chain summarised per expiry (``kind = rows``). Two requests:
    ``/api/v2/public/get_book_summary_by_currency?currency=BTC&kind=option`` (per contract its
    ``instrument_name`` such as ``BTC-27DEC24-60000-C``, 24 h ``volume`` and ``open_interest``
    in coins, ``mark_iv`` in percent, ``underlying_price`` (the expiry's forward),
    ``estimated_delivery_price`` (the index) and ``creation_timestamp`` in ms) and
    ``/api/v2/public/get_index_price?index_name=btc_usd`` (``result.index_price``: the spot the
    ATM IV is read at). The book summary lists no greeks: deltas are the Black-76 deltas of the
    mark IVs. The book summary alone is read with its own index price."""

    provider = "deribit_options"
    kind = "rows"

    def build_requests(self, base_url, symbol, since, api_key=None) -> list[HttpRequest]:
        return [
            HttpRequest(
                url=f"{base_url}/api/v2/public/get_book_summary_by_currency",
                params={"currency": symbol.upper(), "kind": "option"},
            ),
            HttpRequest(
                url=f"{base_url}/api/v2/public/get_index_price", params={"index_name": f"{symbol.lower()}_usd"}
            ),
        ]

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        return self.parse_bodies([body], symbol)

    def parse_bodies(self, bodies: list[bytes], symbol: str) -> pd.DataFrame:
        summary = _result(bodies[0])
        if not isinstance(summary, list) or not summary:
            raise ParseError("Deribit: no option book summaries in result")
        quotes = pd.DataFrame.from_records([s for s in summary if isinstance(s, dict)])
        if "instrument_name" not in quotes:
            raise ParseError("Deribit: no instrument_name in the book summaries")
        index = _result(bodies[1]).get("index_price") if len(bodies) > 1 else None
        spot = first_number(index, numbers(quotes, "estimated_delivery_price").median())
        stamps = numbers(quotes, "creation_timestamp")
        day = utc_day(stamps.max() if stamps.notna().any() else None)
        frame = pd.DataFrame(
            {
                "name": quotes["instrument_name"],
                "volume": numbers(quotes, "volume"),
                "open_interest": numbers(quotes, "open_interest"),
                "iv": numbers(quotes, "mark_iv") / 100,
            }
        )
        return summarize_named(frame, spot, day, symbol.upper())


PROVIDER = ProviderSpec(
    "deribit", (DeribitVolatilityConnector(), DeribitOptionChainConnector()), rate_limit_per_minute=60
)
