"""Binance (keyless): spot klines as daily bars (symbols ``BTCUSDT``), and the European options of
``eapi.binance.com`` summarised per expiry (symbols ``BTC``, ``ETH``, ``SOL``…)."""

from __future__ import annotations

from datetime import date

import pandas as pd

from datasources.base import HttpRequest, ParseError, ProviderSpec, bars_frame
from datasources.chains import first_number, numbers, summarize_named, utc_day
from datasources.wire import DAY_SECONDS, day_seconds, day_windows, load_json


class BinanceKlinesConnector:
    """``/api/v3/klines?symbol=BTCUSDT&interval=1d``: arrays of open time, O, H, L, C, volume…,
    oldest first, at most 1000 a request (``limit``), between ``startTime`` and ``endTime``
    (epoch milliseconds of the klines' open times): the history depth is two pages."""

    provider = "binance"
    kind = "bars"
    page_days = 1000

    def build_requests(
        self, base_url: str, symbol: str, since: date | None, api_key: str | None = None
    ) -> list[HttpRequest]:
        return [
            HttpRequest(
                url=f"{base_url}/api/v3/klines",
                params={
                    "symbol": symbol,
                    "interval": "1d",
                    "startTime": str(day_seconds(first) * 1000),
                    "endTime": str((day_seconds(last) + DAY_SECONDS) * 1000 - 1),
                    "limit": str(self.page_days),
                },
            )
            for first, last in day_windows(since, self.page_days)
        ]

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        return parse_klines(load_json(body), symbol)


def parse_klines(doc, symbol: str) -> pd.DataFrame:
    if isinstance(doc, dict):
        raise ParseError(f"Binance error {doc.get('code')}: {doc.get('msg')}")
    if not isinstance(doc, list) or any(not isinstance(k, list) or len(k) < 6 for k in doc):
        raise ParseError("expected a list of kline arrays")
    frame = pd.DataFrame([k[:6] for k in doc], columns=["open_ms", "open", "high", "low", "close", "volume"])
    stamps = pd.to_datetime(frame["open_ms"], unit="ms", utc=True)
    return bars_frame(symbol, stamps, frame["open"], frame["high"], frame["low"], frame["close"], frame["volume"])


def _options_list(body: bytes, what: str) -> pd.DataFrame:
    """An eapi answer: a JSON list of objects with a ``symbol``; an error is ``{code, msg}``."""
    doc = load_json(body)
    if isinstance(doc, dict):
        raise ParseError(f"Binance options error {doc.get('code')}: {doc.get('msg')}")
    frame = pd.DataFrame.from_records([r for r in doc if isinstance(r, dict)] if isinstance(doc, list) else [])
    if frame.empty or "symbol" not in frame:
        raise ParseError(f"Binance options: no {what}")
    return frame


class BinanceOptionChainConnector:
    """Every listed option (all underlyings: the coin's are kept) read from two endpoints together
    (``parse_bodies``): ``/eapi/v1/ticker`` (per ``symbol`` such as ``BTC-241227-60000-C`` the 24 h
    ``volume`` in contracts, ``exercisePrice`` — the underlying's index — and ``closeTime`` in
    ms) and ``/eapi/v1/mark`` (``markIV`` a fraction, ``delta``). Open interest is served per
    expiry only: not asked for, so no max pain. The ticker alone (``parse``) has no IVs."""

    provider = "binance_options"
    kind = "rows"

    def build_requests(self, base_url, symbol, since, api_key=None) -> list[HttpRequest]:
        return [HttpRequest(url=f"{base_url}/eapi/v1/ticker"), HttpRequest(url=f"{base_url}/eapi/v1/mark")]

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        return self.parse_bodies([body], symbol)

    def parse_bodies(self, bodies: list[bytes], symbol: str) -> pd.DataFrame:
        tickers = _options_list(bodies[0], "option tickers")
        quotes = pd.DataFrame({"name": tickers["symbol"], "volume": numbers(tickers, "volume")})
        if len(bodies) > 1:
            marks = _options_list(bodies[1], "option mark prices").drop_duplicates("symbol").set_index("symbol")
            quotes["iv"] = quotes["name"].map(numbers(marks, "markIV"))
            quotes["delta"] = quotes["name"].map(numbers(marks, "delta"))
        coin = symbol.upper()
        mine = tickers["symbol"].astype(str).str.startswith(f"{coin}-")
        spot = first_number(numbers(tickers[mine], "exercisePrice").median())
        stamps = numbers(tickers[mine], "closeTime")
        day = utc_day(stamps.max() if stamps.notna().any() else None)
        return summarize_named(quotes, spot, day, coin)


PROVIDER = ProviderSpec("binance", (BinanceKlinesConnector(), BinanceOptionChainConnector()), rate_limit_per_minute=600)
