"""LBMA precious-metal benchmark prices (``prices.lbma.org.uk/json/{series}.json``), keyless: the
whole history of one fixing in one file (gold since 1968), the ICE Benchmark Administration
auctions the LBMA publishes. Series: ``gold_am``, ``gold_pm``, ``silver``, ``platinum_am``,
``platinum_pm``, ``palladium_am``, ``palladium_pm``; each day's ``v`` holds the price in USD,
GBP and EUR per troy ounce (EUR null before 1999): this reads the USD price."""

from __future__ import annotations

from datetime import date

import pandas as pd

from datasources.base import HttpRequest, ParseError, ProviderSpec, bars_frame
from datasources.wire import describe, load_json

SERIES = ("gold_am", "gold_pm", "silver", "platinum_am", "platinum_pm", "palladium_am", "palladium_pm")
USD = 0  # position of the USD price in each day's ``v``


class LbmaFixingConnector:
    """``[{"is_cms_locked": 0, "d": "2024-01-02", "v": [2064.4, 1620.9, 1867.21]}, …]``, oldest
    first; a day whose USD price is null (a placeholder) is skipped, not read as zero."""

    provider = "lbma"
    kind = "bars"

    def build_requests(
        self, base_url: str, symbol: str, since: date | None, api_key: str | None = None
    ) -> list[HttpRequest]:
        if symbol not in SERIES:
            raise ValueError(f"not an LBMA price series ({', '.join(SERIES)}): {symbol!r}")
        return [HttpRequest(url=f"{base_url}/json/{symbol}.json")]

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        doc = load_json(body)
        if not isinstance(doc, list) or not doc:
            raise ParseError(f"LBMA: expected a non-empty list of days, got {describe(doc)}")
        if any(not isinstance(d, dict) or "d" not in d or not isinstance(d.get("v"), list) for d in doc):
            raise ParseError("LBMA: days lack d/v")
        try:
            stamps = pd.to_datetime([d["d"] for d in doc], format="%Y-%m-%d")
        except (TypeError, ValueError) as exc:
            raise ParseError(f"LBMA: unparseable date: {exc}") from None
        closes = [d["v"][USD] if d["v"] else None for d in doc]
        frame = bars_frame(symbol, stamps, close=closes)
        if frame.empty:
            raise ParseError("LBMA: no day with a USD price")
        return frame.sort_values("ts").drop_duplicates(subset=["ts"], keep="last").reset_index(drop=True)


PROVIDER = ProviderSpec("lbma", (LbmaFixingConnector(),), rate_limit_per_minute=30)
