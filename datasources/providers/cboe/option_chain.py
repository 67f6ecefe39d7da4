"""CBOE delayed option quotes read as a chain summary: per expiry, volume and open interest of
calls and puts, their ratios, the at-the-money implied volatility, the 25-delta skew and max pain.

The body is the one the put/call connector reads (``/api/global/delayed_quotes/options/_SPX.json``:
``timestamp``, ``data.current_price`` and ``data.options``, each option an OCC-style symbol such as
``SPXW261218C05000000`` with ``volume``, ``open_interest``, ``iv`` (a fraction) and ``delta``).
Both connectors ask for the same URL, so a run fetches each underlying's file once.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from datasources.base import HttpRequest, ParseError
from datasources.chains import CHAIN_COLUMNS, contracts_table, summarize_chain
from datasources.providers.cboe.options import OPTION_SYMBOL, CboeOptionsPutCallConnector
from datasources.wire import load_json, member

MARKET_TZ = "America/New_York"
__all__ = ["CHAIN_COLUMNS", "CboeOptionChainConnector", "contracts_frame", "snapshot_date"]


def snapshot_date(timestamp: object) -> date:
    """The US Eastern trade date of CBOE's ``timestamp`` (a naive time is Eastern); today's when
    the body has none."""
    if timestamp in (None, ""):
        return pd.Timestamp.now(tz=MARKET_TZ).date()
    try:
        stamp = pd.Timestamp(str(timestamp))
    except (ValueError, TypeError, OverflowError):
        stamp = pd.NaT
    if pd.isna(stamp):
        raise ParseError(f"unreadable timestamp {str(timestamp)[:40]!r}")
    stamp = stamp.tz_localize(MARKET_TZ) if stamp.tzinfo is None else stamp.tz_convert(MARKET_TZ)
    return stamp.date()


def contracts_frame(options: list, root: str) -> pd.DataFrame:
    """The options whose symbol is ``{root}…yymmdd[C|P]strike×1000`` (``SPX`` also takes
    ``SPXW``, ``VIX`` ``VIXW``), as ``expiry, kind, strike, volume, open_interest, iv, delta``
    (``datasources.chains.contracts_table``: what makes no sense becomes NaN)."""
    records = [o for o in options if isinstance(o, dict)]
    frame = pd.DataFrame.from_records(records) if records else pd.DataFrame()
    if "option" not in frame:
        raise ParseError("no option symbols in data.options")
    parts = frame["option"].astype(str).str.extract(OPTION_SYMBOL)
    expiry = pd.to_datetime(parts["expiry"], format="%y%m%d", errors="coerce")
    valid = parts["root"].fillna("").str.startswith(root) & expiry.notna()
    if not valid.any():
        raise ParseError(f"no {root} option symbols (ROOTyymmdd[C|P]strike) in data.options")
    frame, parts, expiry = frame[valid], parts[valid], expiry[valid]

    def field(name: str):
        return frame[name].to_numpy() if name in frame else None

    return contracts_table(
        expiry.to_numpy(),
        parts["kind"].to_numpy(),
        pd.to_numeric(parts["strike"], errors="coerce").to_numpy() / 1000,
        field("volume"),
        field("open_interest"),
        field("iv"),
        field("delta"),
    )


class CboeOptionChainConnector:
    """The delayed option chain of ``_SPX`` or ``SPY`` summarised per expiry (``kind = rows``:
    ``parse`` yields the ``options_chain`` table's columns)."""

    provider = "cboe_option_chain"
    kind = "rows"

    def build_requests(
        self, base_url: str, symbol: str, since: date | None, api_key: str | None = None
    ) -> list[HttpRequest]:
        # The very request of the put/call ratios: the run's fetcher serves both from one download.
        return CboeOptionsPutCallConnector().build_requests(base_url, symbol, since)

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        doc = load_json(body)
        data = member(doc, "data")
        options = data.get("options") if isinstance(data, dict) else None
        if not isinstance(options, list) or not options:
            raise ParseError("no data.options in the response")
        root = symbol.split(":", 1)[0].lstrip("_").upper()
        contracts = contracts_frame(options, root)
        spot = pd.to_numeric(pd.Series([data.get("current_price")]), errors="coerce").astype(float).iloc[0]
        spot = float(spot) if np.isfinite(spot) and spot > 0 else np.nan
        return summarize_chain(contracts, spot, snapshot_date(doc.get("timestamp")), root)
