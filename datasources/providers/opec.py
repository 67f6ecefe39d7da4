"""OPEC Reference Basket (ORB) daily price, keyless: ``opec.org/basket/basketDayArchives.xml``,
every published day since 2003 in one XML file (USD per barrel). Parsed with defusedxml."""

from __future__ import annotations

from datetime import date

import pandas as pd
from defusedxml import DefusedXmlException, ElementTree

from datasources.base import HttpRequest, ParseError, ProviderSpec, bars_frame

SYMBOLS = ("ORB",)


class OpecBasketConnector:
    """``<Basket xmlns="http://tempuri.org/basketDayArchives.xsd"><BasketList data="2026-08-25"
    val="90.28"/>…</Basket>``: entries are matched by local name (the namespace is a placeholder
    URI that may change)."""

    provider = "opec"
    kind = "bars"

    def build_requests(
        self, base_url: str, symbol: str, since: date | None, api_key: str | None = None
    ) -> list[HttpRequest]:
        if symbol not in SYMBOLS:
            raise ValueError(f"OPEC publishes the reference basket only (ORB), not {symbol!r}")
        return [HttpRequest(url=f"{base_url}/basket/basketDayArchives.xml")]

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        if not body or not body.strip():
            raise ParseError("empty body")
        try:
            root = ElementTree.fromstring(body)
        except (ElementTree.ParseError, DefusedXmlException, ValueError) as exc:
            raise ParseError(f"OPEC: not XML: {exc}") from None
        entries = [e for e in root.iter() if isinstance(e.tag, str) and e.tag.rsplit("}", 1)[-1] == "BasketList"]
        if not entries:
            raise ParseError(f"OPEC: no BasketList entries under <{root.tag}>")
        if any("data" not in e.attrib or "val" not in e.attrib for e in entries):
            raise ParseError("OPEC: BasketList entries lack data/val")
        try:
            stamps = pd.to_datetime([e.attrib["data"] for e in entries], format="%Y-%m-%d")
        except (TypeError, ValueError) as exc:
            raise ParseError(f"OPEC: unparseable date: {exc}") from None
        frame = bars_frame(symbol, stamps, close=[e.attrib["val"] for e in entries])
        if frame.empty:
            raise ParseError("OPEC: no day with a price")
        return frame.sort_values("ts").drop_duplicates(subset=["ts"], keep="last").reset_index(drop=True)


PROVIDER = ProviderSpec("opec", (OpecBasketConnector(),), rate_limit_per_minute=10)
