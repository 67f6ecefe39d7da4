"""Crypto exchanges' public candle endpoints (keyless), each as daily bars.

Every exchange orders its candle arrays its own way; the parsers below name the positions.
Symbols are the exchange's own (``XBTUSD``, ``BTC-USD``, ``btcusd``, ``BTC-USDT``…).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pandas as pd

from datasources._json import load_json
from datasources.base import HttpRequest, ParseError, bars_frame


def _epoch(since: date | None, days_back: int = 1000) -> int:
    start = since or (datetime.now(UTC).date() - timedelta(days=days_back))
    return int(datetime.combine(start, time(), tzinfo=UTC).timestamp())


def _api_error(exchange: str, doc, code_key: str, message_key: str) -> ParseError:
    if isinstance(doc, dict):
        return ParseError(f"{exchange} error {doc.get(code_key)}: {doc.get(message_key)}")
    return ParseError(f"{exchange}: unexpected body")


def _rows(rows, positions: dict[str, int], unit: str, symbol: str) -> pd.DataFrame:
    """Array rows → bars, given where each field sits and the unit of the timestamp."""
    if not isinstance(rows, list) or any(
        not isinstance(r, list | tuple) or len(r) <= max(positions.values()) for r in rows
    ):
        raise ParseError("expected a list of candle arrays")
    column = {name: [r[i] for r in rows] for name, i in positions.items()}
    stamps = pd.to_datetime(pd.to_numeric(pd.Series(column["ts"])), unit=unit, utc=True)
    frame = bars_frame(symbol, stamps, column["open"], column["high"], column["low"], column["close"], column["volume"])
    return frame.sort_values("ts").drop_duplicates(subset=["ts"], keep="last").reset_index(drop=True)


class KrakenOhlcConnector:
    """``/0/public/OHLC?pair=XBTUSD&interval=1440``: ``[time, open, high, low, close, vwap, volume, count]``."""

    provider = "kraken"
    kind = "bars"

    def build_requests(self, base_url, symbol, since, api_key=None) -> list[HttpRequest]:
        params = {"pair": symbol, "interval": "1440", "since": str(_epoch(since, 720))}
        return [HttpRequest(url=f"{base_url}/0/public/OHLC", params=params)]

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        doc = load_json(body)
        if not isinstance(doc, dict) or doc.get("error"):
            raise ParseError(f"Kraken error: {doc.get('error') if isinstance(doc, dict) else 'not an object'}")
        series = [v for k, v in (doc.get("result") or {}).items() if k != "last"]
        if len(series) != 1:
            raise ParseError("expected one pair in result")
        positions = {"ts": 0, "open": 1, "high": 2, "low": 3, "close": 4, "volume": 6}
        return _rows(series[0], positions, "s", symbol)


class CoinbaseCandlesConnector:
    """``/products/BTC-USD/candles?granularity=86400``: ``[time, low, high, open, close, volume]``,
    newest first, at most 300 per request."""

    provider = "coinbase"
    kind = "bars"

    def build_requests(self, base_url, symbol, since, api_key=None) -> list[HttpRequest]:
        start = max(_epoch(since, 299), int(datetime.now(UTC).timestamp()) - 299 * 86400)
        params = {"granularity": "86400", "start": datetime.fromtimestamp(start, UTC).isoformat()}
        return [HttpRequest(url=f"{base_url}/products/{symbol}/candles", params=params)]

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        doc = load_json(body)
        if isinstance(doc, dict):
            raise ParseError(f"Coinbase error: {doc.get('message')}")
        return _rows(doc, {"ts": 0, "low": 1, "high": 2, "open": 3, "close": 4, "volume": 5}, "s", symbol)


class BitstampOhlcConnector:
    """``/api/v2/ohlc/btcusd/?step=86400&limit=1000``: ``data.ohlc`` objects with string values."""

    provider = "bitstamp"
    kind = "bars"

    def build_requests(self, base_url, symbol, since, api_key=None) -> list[HttpRequest]:
        params = {"step": "86400", "limit": "1000", "start": str(_epoch(since))}
        return [HttpRequest(url=f"{base_url}/api/v2/ohlc/{symbol}/", params=params)]

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        doc = load_json(body)
        candles = (doc.get("data") or {}).get("ohlc") if isinstance(doc, dict) else None
        if not isinstance(candles, list):
            raise ParseError(
                f"Bitstamp error: {doc.get('errors') or doc.get('reason') if isinstance(doc, dict) else doc}"
            )
        fields = ("timestamp", "open", "high", "low", "close", "volume")
        if any(not isinstance(c, dict) or not all(f in c for f in fields) for c in candles):
            raise ParseError("ohlc entries lack timestamp/open/high/low/close/volume")
        rows = [[c[f] for f in fields] for c in candles]
        return _rows(rows, {"ts": 0, "open": 1, "high": 2, "low": 3, "close": 4, "volume": 5}, "s", symbol)


class OkxCandlesConnector:
    """``/api/v5/market/history-candles?instId=BTC-USDT&bar=1Dutc``: ``[ts ms, o, h, l, c, vol, …]``."""

    provider = "okx"
    kind = "bars"

    def build_requests(self, base_url, symbol, since, api_key=None) -> list[HttpRequest]:
        return [
            HttpRequest(
                url=f"{base_url}/api/v5/market/history-candles",
                params={"instId": symbol, "bar": "1Dutc", "limit": "100"},
            )
        ]

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        doc = load_json(body)
        if not isinstance(doc, dict) or str(doc.get("code")) != "0":
            raise _api_error("OKX", doc, "code", "msg")
        return _rows(
            doc.get("data") or [], {"ts": 0, "open": 1, "high": 2, "low": 3, "close": 4, "volume": 5}, "ms", symbol
        )


class KucoinCandlesConnector:
    """``/api/v1/market/candles?type=1day&symbol=BTC-USDT``: ``[time s, open, close, high, low, volume, turnover]``
    (note: close before high and low)."""

    provider = "kucoin"
    kind = "bars"

    def build_requests(self, base_url, symbol, since, api_key=None) -> list[HttpRequest]:
        params = {"type": "1day", "symbol": symbol, "startAt": str(_epoch(since))}
        return [HttpRequest(url=f"{base_url}/api/v1/market/candles", params=params)]

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        doc = load_json(body)
        if not isinstance(doc, dict) or str(doc.get("code")) != "200000":
            raise _api_error("KuCoin", doc, "code", "msg")
        return _rows(
            doc.get("data") or [], {"ts": 0, "open": 1, "close": 2, "high": 3, "low": 4, "volume": 5}, "s", symbol
        )


class BybitKlineConnector:
    """``/v5/market/kline?category=spot&symbol=BTCUSDT&interval=D``: ``result.list`` of
    ``[start ms, open, high, low, close, volume, turnover]``, newest first."""

    provider = "bybit"
    kind = "bars"

    def build_requests(self, base_url, symbol, since, api_key=None) -> list[HttpRequest]:
        params = {
            "category": "spot",
            "symbol": symbol,
            "interval": "D",
            "limit": "1000",
            "start": str(_epoch(since) * 1000),
        }
        return [HttpRequest(url=f"{base_url}/v5/market/kline", params=params)]

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        doc = load_json(body)
        if not isinstance(doc, dict) or doc.get("retCode") != 0:
            raise _api_error("Bybit", doc, "retCode", "retMsg")
        rows = (doc.get("result") or {}).get("list") or []
        return _rows(rows, {"ts": 0, "open": 1, "high": 2, "low": 3, "close": 4, "volume": 5}, "ms", symbol)


class GeminiCandlesConnector:
    """``/v2/candles/btcusd/1day``: ``[time ms, open, high, low, close, volume]``, newest first."""

    provider = "gemini"
    kind = "bars"

    def build_requests(self, base_url, symbol, since, api_key=None) -> list[HttpRequest]:
        return [HttpRequest(url=f"{base_url}/v2/candles/{symbol}/1day")]

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        doc = load_json(body)
        if isinstance(doc, dict):
            raise _api_error("Gemini", doc, "reason", "message")
        return _rows(doc, {"ts": 0, "open": 1, "high": 2, "low": 3, "close": 4, "volume": 5}, "ms", symbol)


class BitfinexCandlesConnector:
    """``/v2/candles/trade:1D:tBTCUSD/hist?sort=1``: ``[MTS, OPEN, CLOSE, HIGH, LOW, VOLUME]``."""

    provider = "bitfinex"
    kind = "bars"

    def build_requests(self, base_url, symbol, since, api_key=None) -> list[HttpRequest]:
        params = {"limit": "10000", "sort": "1", "start": str(_epoch(since) * 1000)}
        return [HttpRequest(url=f"{base_url}/v2/candles/trade:1D:{symbol}/hist", params=params)]

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        doc = load_json(body)
        if isinstance(doc, list) and doc[:1] == ["error"]:
            raise ParseError(f"Bitfinex error {doc[1] if len(doc) > 1 else ''}: {doc[2] if len(doc) > 2 else ''}")
        return _rows(doc, {"ts": 0, "open": 1, "close": 2, "high": 3, "low": 4, "volume": 5}, "ms", symbol)


class CryptoComCandlesConnector:
    """``/exchange/v1/public/get-candlestick?instrument_name=BTC_USD&timeframe=1D``:
    ``result.data`` objects ``{t, o, h, l, c, v}``."""

    provider = "cryptocom"
    kind = "bars"

    def build_requests(self, base_url, symbol, since, api_key=None) -> list[HttpRequest]:
        params = {"instrument_name": symbol, "timeframe": "1D", "count": "300"}
        return [HttpRequest(url=f"{base_url}/exchange/v1/public/get-candlestick", params=params)]

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        doc = load_json(body)
        if not isinstance(doc, dict) or doc.get("code") != 0:
            raise _api_error("Crypto.com", doc, "code", "message")
        candles = (doc.get("result") or {}).get("data") or []
        if any(not isinstance(c, dict) or not all(k in c for k in "tohlcv") for c in candles):
            raise ParseError("candles lack t/o/h/l/c/v")
        rows = [[c["t"], c["o"], c["h"], c["l"], c["c"], c["v"]] for c in candles]
        return _rows(rows, {"ts": 0, "open": 1, "high": 2, "low": 3, "close": 4, "volume": 5}, "ms", symbol)


class DeribitVolatilityConnector:
    """``/api/v2/public/get_volatility_index_data?currency=BTC&resolution=1D``: the DVOL index,
    ``result.data`` of ``[ts ms, open, high, low, close]``."""

    provider = "deribit"
    kind = "bars"

    def build_requests(self, base_url, symbol, since, api_key=None) -> list[HttpRequest]:
        end_ms = int(datetime.now(UTC).timestamp() * 1000)
        params = {
            "currency": symbol,
            "resolution": "1D",
            "start_timestamp": str(_epoch(since) * 1000),
            "end_timestamp": str(end_ms),
        }
        return [HttpRequest(url=f"{base_url}/api/v2/public/get_volatility_index_data", params=params)]

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        doc = load_json(body)
        if not isinstance(doc, dict) or "result" not in doc:
            error = doc.get("error") if isinstance(doc, dict) else {}
            raise _api_error("Deribit", error or {}, "code", "message")
        rows = [[*r, None] for r in (doc["result"] or {}).get("data") or []]
        return _rows(rows, {"ts": 0, "open": 1, "high": 2, "low": 3, "close": 4, "volume": 5}, "ms", symbol)
