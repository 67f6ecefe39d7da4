"""EODHD's US options data (the UnicornBay options API of the EODHD marketplace), keyed
(``SPARTAN_EODHD_API_KEYS``, the key of EODHD's other APIs; ``api_token`` query parameter):
an underlying's contracts summarised per expiry. Symbols: ``AAPL``, ``SPY``…

Wire format: ``/api/mp/unicornbay/options/contracts?filter[underlying_symbol]=AAPL`` answers in
JSON:API style, ``{"meta": {"offset", "limit", "total"}, "data": [{"id", "type":
"options-contracts", "attributes": {...}}], "links": {"next": url | null}}``; the attributes
used: ``contract``, ``type`` (call/put), ``exp_date``, ``strike``, ``volume``,
``open_interest``, ``volatility`` (a fraction), ``delta``, ``bid``/``ask``/``last`` and
``tradetime``. Taken from EODHD's marketplace documentation and the typed clients that mirror it
(the attribute names of third-party TypeScript clients); no recorded answer was available.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd

from datasources.base import HttpRequest, ParseError, ProviderSpec
from datasources.chains import contracts_table, first_number, numbers, summarize_chain
from datasources.wire import load_json

PAGE = 1000  # the API's largest page
PAGES = 6  # offsets 0…5000: a large ETF chain within 400 days; pages past the end come back empty
HORIZON_DAYS = 400
FIELDS = "contract,type,exp_date,strike,volume,open_interest,volatility,delta,bid,ask,last,tradetime"


def _page(body: bytes) -> tuple[list[dict], bool]:
    """A page's contracts' attributes and whether more follow (``links.next``)."""
    doc = load_json(body)
    if not isinstance(doc, dict) or "data" not in doc:
        detail = (doc.get("errors") or doc.get("message") or doc.get("error")) if isinstance(doc, dict) else doc
        raise ParseError(f"EODHD options error: {str(detail)[:200]}")
    rows = [d.get("attributes") for d in doc.get("data") or [] if isinstance(d, dict)]
    return [r for r in rows if isinstance(r, dict)], bool((doc.get("links") or {}).get("next"))


def parity_spot(contracts: pd.DataFrame, prices: pd.Series) -> float:
    """The underlying's price read from put-call parity on the nearest expiry with both sides
    priced: the strike plus call minus put, where the call and the put are closest in price."""
    priced = contracts.assign(price=prices.to_numpy()).dropna(subset=["price"])
    for _expiry, chain in sorted(priced.groupby("expiry"), key=lambda item: item[0]):
        sides = chain.pivot_table(index="strike", columns="kind", values="price", aggfunc="mean")
        if {"C", "P"} <= set(sides.columns):
            both = sides.dropna()
            if len(both):
                gap = both["C"] - both["P"]
                strike = gap.abs().idxmin()
                return float(strike + gap[strike])
    return np.nan


class EodhdOptionChainConnector:
    """Pages of an underlying's contracts expiring within ``HORIZON_DAYS``, sorted by expiry and
    read together (``parse_bodies``). A page saying more follow may have cut its last expiry:
    that expiry is left out whole. The answer carries no underlying price: it is read from
    put-call parity (mid quotes, else last prices) on the nearest expiry."""

    provider = "eodhd_options"
    kind = "rows"

    def build_requests(self, base_url, symbol, since, api_key=None) -> list[HttpRequest]:
        today = datetime.now(UTC).date()
        return [
            HttpRequest(
                url=f"{base_url}/api/mp/unicornbay/options/contracts",
                params={
                    "filter[underlying_symbol]": symbol.upper(),
                    "filter[exp_date_from]": today.isoformat(),
                    "filter[exp_date_to]": (today + timedelta(days=HORIZON_DAYS)).isoformat(),
                    "fields[options-contracts]": FIELDS,
                    "sort": "exp_date",
                    "page[limit]": str(PAGE),
                    "page[offset]": str(PAGE * n),
                    "api_token": api_key or "",
                },
                key_param="api_token",
            )
            for n in range(PAGES)
        ]

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        return self.parse_bodies([body], symbol)

    def parse_bodies(self, bodies: list[bytes], symbol: str) -> pd.DataFrame:
        rows, cut = [], None
        for body in bodies:
            page, more = _page(body)
            rows.extend(page)
            if more and page and body is bodies[-1]:  # the last page asked for, and more follow
                cut = max(str(r.get("exp_date")) for r in page)
        raw = pd.DataFrame.from_records(rows)
        if raw.empty or "exp_date" not in raw:
            raise ParseError(f"EODHD: no {symbol} option contracts in data")
        if cut is not None:
            raw = raw[raw["exp_date"].astype(str) != cut]
        kinds = raw.get("type", pd.Series(index=raw.index, dtype=object)).astype(str).str.lower()
        raw = raw.assign(kind=kinds.map({"call": "C", "put": "P"}))

        def column(name: str):
            return raw[name].to_numpy() if name in raw else None

        contracts = contracts_table(
            raw["exp_date"].to_numpy(),
            raw["kind"].to_numpy(),
            column("strike"),
            column("volume"),
            column("open_interest"),
            column("volatility"),
            column("delta"),
        )
        numeric = {c: numbers(raw, c) for c in ("bid", "ask", "last", "strike")}
        mid = ((numeric["bid"] + numeric["ask"]) / 2).where((numeric["bid"] > 0) & (numeric["ask"] > 0))
        prices = mid.fillna(numeric["last"])
        valid = raw["kind"].notna() & pd.to_datetime(raw["exp_date"], errors="coerce").notna()
        valid &= numeric["strike"] > 0
        spot = first_number(parity_spot(contracts, prices[valid.to_numpy()].reset_index(drop=True)))
        stamps = pd.to_datetime(raw["tradetime"], errors="coerce").dropna() if "tradetime" in raw else []
        day = stamps.max().date() if len(stamps) else datetime.now(UTC).date()
        return summarize_chain(contracts, spot, day, symbol.upper())


PROVIDER = ProviderSpec(
    "eodhd_options",
    (EodhdOptionChainConnector(),),
    rate_limit_per_minute=60,
    credentials={"eodhd_options": "SPARTAN_EODHD_API_KEYS"},
)
