"""Bank of Canada Valet API (keyless): the Bank's daily average exchange rates, each a series
``FX{CUR}CAD`` quoting CAD per one unit of the foreign currency (``FXUSDCAD`` is USD/CAD as
markets quote it, ``FXEURCAD`` EUR/CAD). Symbols are the series names."""

from __future__ import annotations

from datetime import date

import pandas as pd

from datasources.base import HttpRequest, ParseError, ProviderSpec, bars_frame
from datasources.wire import backfill_start, describe, load_json, member


class BankOfCanadaValetConnector:
    """``/valet/observations/{series}/json?start_date=``: ``observations`` of
    ``{"d": "2024-01-02", "FXUSDCAD": {"v": "1.3316"}}`` (values are strings), oldest first."""

    provider = "bank_of_canada"
    kind = "bars"

    def build_requests(
        self, base_url: str, symbol: str, since: date | None, api_key: str | None = None
    ) -> list[HttpRequest]:
        if not (symbol.startswith("FX") and symbol.endswith("CAD") and len(symbol) == 8):
            raise ValueError(f"not a Valet exchange-rate series like FXUSDCAD: {symbol!r}")
        params = {"start_date": backfill_start(since).isoformat()}
        return [HttpRequest(url=f"{base_url}/valet/observations/{symbol}/json", params=params)]

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        doc = load_json(body)
        observations = member(doc, "observations")
        if not isinstance(observations, list):
            message = member(doc, "message")
            raise ParseError(f"Bank of Canada: {message}" if message else f"no observations in {describe(doc)}")
        details = member(doc, "seriesDetail")
        if isinstance(details, dict) and symbol not in details:
            raise ParseError(f"{symbol} is not the series of the response")
        days, values = [], []
        for row in observations:
            if not isinstance(row, dict) or "d" not in row:
                raise ParseError(f"an observation without a date: {str(row)[:60]}")
            value = member(row.get(symbol), "v")
            if value is not None:  # a day the Bank published no rate
                days.append(row["d"])
                values.append(value)
        try:
            stamps = pd.to_datetime(days, format="%Y-%m-%d")
        except ValueError as exc:
            raise ParseError(f"unparseable date: {exc}") from None
        return bars_frame(symbol, stamps, close=values)


PROVIDER = ProviderSpec("bank_of_canada", (BankOfCanadaValetConnector(),), rate_limit_per_minute=60)
