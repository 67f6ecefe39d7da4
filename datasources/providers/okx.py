"""OKX public data (keyless): history candles as daily bars (UTC days; symbols ``BTC-USDT``), and
the BTC/ETH option chains summarised per expiry (symbols ``BTC``, ``ETH``)."""

from __future__ import annotations

import pandas as pd

from datasources.base import HttpRequest, ParseError, ProviderSpec
from datasources.chains import first_number, numbers, summarize_named, utc_day
from datasources.wire import DAY_SECONDS, api_error, candle_rows, day_seconds, day_windows, load_json


class OkxCandlesConnector:
    """``/api/v5/market/history-candles?instId=BTC-USDT&bar=1Dutc``: ``[ts ms, o, h, l, c, vol, …]``,
    newest first, ``limit`` candles a request (100 by default). Its cursors are timestamps:
    ``after`` returns candles older than it, ``before`` newer than it; both together bound a
    range. A range of 100 days a request: the history depth is 19 of them."""

    provider = "okx"
    kind = "bars"
    page_days = 100

    def build_requests(self, base_url, symbol, since, api_key=None) -> list[HttpRequest]:
        return [
            HttpRequest(
                url=f"{base_url}/api/v5/market/history-candles",
                params={
                    "instId": symbol,
                    "bar": "1Dutc",
                    "limit": str(self.page_days),
                    # Exclusive cursors: older than the day after ``last``, newer than just before ``first``.
                    "after": str((day_seconds(last) + DAY_SECONDS) * 1000),
                    "before": str(day_seconds(first) * 1000 - 1),
                },
            )
            for first, last in day_windows(since, self.page_days)
        ]

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        doc = load_json(body)
        if not isinstance(doc, dict) or str(doc.get("code")) != "0":
            raise api_error("OKX", doc, "code", "msg")
        return candle_rows(
            doc.get("data") or [], {"ts": 0, "open": 1, "high": 2, "low": 3, "close": 4, "volume": 5}, "ms", symbol
        )


def _data(body: bytes, what: str) -> pd.DataFrame:
    """The ``data`` rows of an OKX answer (``code`` "0"), as a frame with an ``instId``."""
    doc = load_json(body)
    if not isinstance(doc, dict) or str(doc.get("code")) != "0":
        raise api_error("OKX", doc, "code", "msg")
    frame = pd.DataFrame.from_records([r for r in doc.get("data") or [] if isinstance(r, dict)])
    if frame.empty or "instId" not in frame:
        raise ParseError(f"OKX: no {what} in data")
    return frame


class OkxOptionChainConnector:
    """An underlying's option chain (``BTC`` → ``BTC-USD``) summarised per expiry (``kind =
    rows``), from four public endpoints read together (``parse_bodies``), each answering
    ``{"code": "0", "data": [...]}`` with string values:

    1. ``/api/v5/public/opt-summary?uly=BTC-USD``: per ``instId`` (``BTC-USD-241227-60000-C``)
       its greeks: ``markVol`` (IV, a fraction), ``deltaBS`` (the Black-Scholes delta; ``delta``
       is the coin-margined one), ``fwdPx`` and ``ts`` (ms);
    2. ``/api/v5/market/tickers?instType=OPTION&uly=BTC-USD``: 24 h volume, ``volCcy24h`` in coins;
    3. ``/api/v5/public/open-interest?instType=OPTION&uly=BTC-USD``: ``oiCcy`` in coins;
    4. ``/api/v5/market/index-tickers?instId=BTC-USD``: the index ``idxPx`` (the spot).

    The greeks alone (``parse``) make a chain without volumes or open interest, at the median
    forward."""

    provider = "okx_options"
    kind = "rows"

    def build_requests(self, base_url, symbol, since, api_key=None) -> list[HttpRequest]:
        family = f"{symbol.upper()}-USD"
        return [
            HttpRequest(url=f"{base_url}/api/v5/public/opt-summary", params={"uly": family}),
            HttpRequest(url=f"{base_url}/api/v5/market/tickers", params={"instType": "OPTION", "uly": family}),
            HttpRequest(url=f"{base_url}/api/v5/public/open-interest", params={"instType": "OPTION", "uly": family}),
            HttpRequest(url=f"{base_url}/api/v5/market/index-tickers", params={"instId": family}),
        ]

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        return self.parse_bodies([body], symbol)

    def parse_bodies(self, bodies: list[bytes], symbol: str) -> pd.DataFrame:
        greeks = _data(bodies[0], "option summaries")
        quotes = pd.DataFrame(
            {
                "name": greeks["instId"],
                "iv": numbers(greeks, "markVol"),
                "delta": numbers(greeks, "deltaBS"),
            }
        )
        spot = numbers(greeks, "fwdPx").median()
        if len(bodies) >= 4:
            tickers = _data(bodies[1], "option tickers").set_index("instId")
            interest = _data(bodies[2], "open interest").set_index("instId")
            volume = numbers(tickers, "volCcy24h")
            oi = numbers(interest, "oiCcy")
            quotes["volume"] = quotes["name"].map(volume[~volume.index.duplicated()])
            quotes["open_interest"] = quotes["name"].map(oi[~oi.index.duplicated()])
            spot = first_number(numbers(_data(bodies[3], "index tickers"), "idxPx").iloc[0], spot)
        stamps = numbers(greeks, "ts")
        day = utc_day(stamps.max() if stamps.notna().any() else None)
        return summarize_named(quotes, first_number(spot), day, symbol.upper())


PROVIDER = ProviderSpec("okx", (OkxCandlesConnector(), OkxOptionChainConnector()), rate_limit_per_minute=600)
