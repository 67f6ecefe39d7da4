"""Stooq daily CSV (``/q/d/l/?s={symbol}&i=d``): indices (``^spx``), futures, FX, stocks."""

from __future__ import annotations

import io
from datetime import date

import pandas as pd

from datasources.base import HttpRequest, ParseError, bars_frame


class StooqDailyConnector:
    provider = "stooq"
    kind = "bars"

    def build_requests(
        self, base_url: str, symbol: str, since: date | None, api_key: str | None = None
    ) -> list[HttpRequest]:
        params = {"s": symbol, "i": "d"}
        if since is not None:
            params["d1"] = since.strftime("%Y%m%d")
        return [HttpRequest(url=f"{base_url}/q/d/l/", params=params)]

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        return parse_stooq_csv(body, symbol)


def parse_stooq_csv(body: bytes, symbol: str) -> pd.DataFrame:
    text = body.decode("utf-8", errors="replace").strip() if body else ""
    if not text:
        raise ParseError("empty body")
    if text.lower().startswith(("no data", "<")):
        raise ParseError(f"no data for {symbol}: {text[:60]!r}")
    try:
        raw = pd.read_csv(io.StringIO(text))
    except (pd.errors.ParserError, ValueError) as exc:
        raise ParseError(f"unreadable CSV: {exc}") from None
    missing = {"Date", "Close"} - set(raw.columns)
    if missing:
        raise ParseError(f"missing columns {sorted(missing)} in {list(raw.columns)[:8]}")
    days = pd.to_datetime(raw["Date"], format="%Y-%m-%d", errors="coerce")
    if days.isna().any():
        raise ParseError(f"unparseable date {raw.loc[days.isna(), 'Date'].iloc[0]!r}")
    return bars_frame(symbol, days, raw.get("Open"), raw.get("High"), raw.get("Low"), raw["Close"], raw.get("Volume"))
