"""Stooq daily CSV (``/q/d/l/?s={symbol}&i=d``): indices (``^spx``), futures, FX, stocks."""

from __future__ import annotations

from datetime import date

import pandas as pd

from datasources.base import HttpRequest, ParseError, ProviderSpec, bars_frame
from datasources.wire import parse_days, read_csv_body


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


# stooq.pl answers in Polish in some locales (the same columns, the same order).
POLISH_HEADERS = {
    "Data": "Date",
    "Otwarcie": "Open",
    "Najwyzszy": "High",
    "Najnizszy": "Low",
    "Zamkniecie": "Close",
    "Wolumen": "Volume",
}


def parse_stooq_csv(body: bytes, symbol: str) -> pd.DataFrame:
    if body and body.strip().lower().startswith(b"no data"):
        raise ParseError(f"no data for {symbol}: {body.strip()[:60]!r}")
    raw = read_csv_body(body).rename(columns=POLISH_HEADERS)
    if "Close" not in raw.columns:
        raise ParseError(f"missing column Close in {list(raw.columns)[:8]}")
    days = parse_days(raw, "Date", "%Y-%m-%d")
    return bars_frame(symbol, days, raw.get("Open"), raw.get("High"), raw.get("Low"), raw["Close"], raw.get("Volume"))


PROVIDER = ProviderSpec("stooq", (StooqDailyConnector(),), rate_limit_per_minute=30)
