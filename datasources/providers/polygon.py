"""Polygon.io aggregates v2 (``/v2/aggs/ticker/{T}/range/1/day/{from}/{to}``), daily bars, and
the options chain snapshot (``/v3/snapshot/options/{underlying}``) summarised per expiry.
Needs a key (``SPARTAN_POLYGON_API_KEYS``, comma-separated, rotated when refused; the same keys
for both); without one its catalog entries are "not configured", never failures."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import numpy as np
import pandas as pd

from datasources.base import HttpRequest, ParseError, ProviderSpec, bars_frame
from datasources.chains import contracts_table, first_number, summarize_chain
from datasources.wire import backfill_start, load_json, require_fields


class PolygonAggregatesConnector:
    """``/v2/aggs/ticker/{T}/range/1/day/{from}/{to}``: ``results`` of ``{t ms, o, h, l, c, v}``."""

    provider = "polygon"
    kind = "bars"

    def build_requests(
        self, base_url: str, symbol: str, since: date | None, api_key: str | None = None
    ) -> list[HttpRequest]:
        start = backfill_start(since)
        end = datetime.now(UTC).date()
        params = {"adjusted": "true", "sort": "asc", "limit": "50000", "apiKey": api_key or ""}
        return [
            HttpRequest(
                url=f"{base_url}/v2/aggs/ticker/{symbol}/range/1/day/{start}/{end}", params=params, key_param="apiKey"
            )
        ]

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        doc = load_json(body)
        if not isinstance(doc, dict) or doc.get("status") not in ("OK", "DELAYED"):
            detail = (doc.get("error") or doc.get("message")) if isinstance(doc, dict) else None
            raise ParseError(
                f"Polygon error: {doc.get('status') if isinstance(doc, dict) else ''} {detail or ''}".strip()
            )
        rows = doc.get("results") or []
        require_fields(rows, ("t", "c"), "results")
        # Daily aggregates are stamped at the session's start in New York time: keep its date.
        days = pd.to_datetime([r["t"] for r in rows], unit="ms", utc=True).tz_convert("America/New_York").normalize()
        return bars_frame(
            symbol,
            days.tz_localize(None),
            [r.get("o") for r in rows],
            [r.get("h") for r in rows],
            [r.get("l") for r in rows],
            [r["c"] for r in rows],
            [r.get("v") for r in rows],
        )


def _polygon_doc(body: bytes) -> dict:
    doc = load_json(body)
    if not isinstance(doc, dict) or doc.get("status") not in ("OK", "DELAYED"):
        detail = (doc.get("error") or doc.get("message")) if isinstance(doc, dict) else None
        raise ParseError(f"Polygon error: {doc.get('status') if isinstance(doc, dict) else ''} {detail or ''}".strip())
    return doc


# Expiry windows (days from today) asked for one by one, calls and puts apart: a page holds at
# most 250 contracts, and the chain is read without following ``next_url`` (requests are built
# before any answer), so the windows keep most pages whole.
OPTION_WINDOWS = ((0, 2), (3, 7), (8, 16), (17, 35), (36, 75), (76, 200), (201, 1100))
OPTION_PAGE = 250


class PolygonOptionChainConnector:
    """``/v3/snapshot/options/{underlying}`` (``I:SPX`` for an index): per contract ``details``
    (``contract_type``, ``expiration_date``, ``strike_price``), ``day.volume``,
    ``open_interest``, ``implied_volatility`` (a fraction), ``greeks.delta`` and
    ``underlying_asset`` (``price``, ``last_updated`` in ns). Asked per expiry window and side,
    sorted by expiry, ``limit`` 250, read together (``parse_bodies``): a page that says more
    follow (``next_url``) may have cut its last expiry, which is left out rather than summarised
    half. Options plans only: a stocks-only key is refused (403) and the cascade moves on."""

    provider = "polygon_options"
    kind = "rows"

    def build_requests(self, base_url, symbol, since, api_key=None) -> list[HttpRequest]:
        today = datetime.now(UTC).date()
        return [
            HttpRequest(
                url=f"{base_url}/v3/snapshot/options/{symbol}",
                params={
                    "contract_type": side,
                    "expiration_date.gte": (today + timedelta(days=first)).isoformat(),
                    "expiration_date.lte": (today + timedelta(days=last)).isoformat(),
                    "sort": "expiration_date",
                    "order": "asc",
                    "limit": str(OPTION_PAGE),
                    "apiKey": api_key or "",
                },
                key_param="apiKey",
            )
            for first, last in OPTION_WINDOWS
            for side in ("call", "put")
        ]

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        return self.parse_bodies([body], symbol)

    def parse_bodies(self, bodies: list[bytes], symbol: str) -> pd.DataFrame:
        pages, spots, stamps, cut = [], [], [], set()
        for body in bodies:
            doc = _polygon_doc(body)
            results = [r for r in doc.get("results") or [] if isinstance(r, dict)]
            page = pd.DataFrame.from_records(
                [
                    {
                        "expiry": (r.get("details") or {}).get("expiration_date"),
                        "kind": {"call": "C", "put": "P"}.get((r.get("details") or {}).get("contract_type")),
                        "strike": (r.get("details") or {}).get("strike_price"),
                        "volume": (r.get("day") or {}).get("volume"),
                        "open_interest": r.get("open_interest"),
                        "iv": r.get("implied_volatility"),
                        "delta": (r.get("greeks") or {}).get("delta"),
                    }
                    for r in results
                ],
                columns=["expiry", "kind", "strike", "volume", "open_interest", "iv", "delta"],
            )
            if doc.get("next_url") and len(page):  # more follow: the last expiry may be cut
                cut.add(page["expiry"].max())
            pages.append(page)
            for r in results:
                asset = r.get("underlying_asset") or {}
                spots.append(asset.get("price"))
                stamps.append(asset.get("last_updated"))
        raw = pd.concat(pages, ignore_index=True)
        raw = raw[~raw["expiry"].isin(cut)]  # both sides of a cut expiry: never half a chain
        if raw.empty:
            raise ParseError(f"Polygon: no {symbol} option contracts in results")
        contracts = contracts_table(*(raw[c].to_numpy() for c in raw.columns))
        spot = first_number(pd.to_numeric(pd.Series(spots, dtype=object), errors="coerce").median())
        known = pd.to_numeric(pd.Series(stamps, dtype=object), errors="coerce").dropna()
        day = (
            pd.Timestamp(int(known.max()), unit="ns", tz="UTC").tz_convert("America/New_York").date()
            if len(known)
            else datetime.now(UTC).date()
        )
        underlying = symbol.split(":")[-1].upper()
        return summarize_chain(contracts, spot if np.isfinite(spot) else np.nan, day, underlying)


PROVIDER = ProviderSpec(
    "polygon",
    (PolygonAggregatesConnector(), PolygonOptionChainConnector()),
    rate_limit_per_minute=5,
    credentials={"polygon": "SPARTAN_POLYGON_API_KEYS", "polygon_options": "SPARTAN_POLYGON_API_KEYS"},
)
