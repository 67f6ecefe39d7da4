"""CBOE delayed option quotes (``/api/global/delayed_quotes/options/{_SPX|SPY}.json``) read as
the day's put/call ratios; ``option_chain.py`` reads the same body as a chain summary."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pandas as pd

from datasources.base import HttpRequest, ParseError
from datasources.wire import load_json, member


def _count(value) -> float:
    """A volume or open interest as a number; what is not one (missing, "n/a", < 0) counts 0."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return 0.0
    return number if number > 0 and number != float("inf") else 0.0


OPTION_SYMBOL = re.compile(r"^(?P<root>[A-Z]+)(?P<expiry>\d{6})(?P<kind>[CP])(?P<strike>\d{8})$")


class CboeOptionsPutCallConnector:
    """``/api/global/delayed_quotes/options/{_SPX|SPY}.json``: every listed option with its day's
    volume and open interest; parsed into the day's put/call ratios. Symbol:
    ``_SPX:volume`` or ``_SPX:open_interest``."""

    provider = "cboe_options"
    kind = "observations"

    def build_requests(
        self, base_url: str, symbol: str, since: date | None, api_key: str | None = None
    ) -> list[HttpRequest]:
        underlying = symbol.split(":", 1)[0]
        return [HttpRequest(url=f"{base_url}/api/global/delayed_quotes/options/{underlying}.json")]

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        measure = symbol.split(":", 1)[1]
        doc = load_json(body)
        options = member(member(doc, "data"), "options")
        if not isinstance(options, list) or not options:
            raise ParseError("no data.options in the response")
        totals = {"C": 0.0, "P": 0.0}
        for option in options:
            match = OPTION_SYMBOL.match(str(option.get("option", ""))) if isinstance(option, dict) else None
            if match:
                totals[match["kind"]] += _count(option.get(measure))
        if totals["C"] <= 0:
            raise ParseError(f"no call {measure}: cannot form a ratio")
        stamp = pd.Timestamp(doc.get("timestamp") or datetime.now(UTC).isoformat())
        day = (stamp.tz_localize("America/New_York") if stamp.tzinfo is None else stamp).date()
        return pd.DataFrame({"series_id": [symbol], "date": [day], "value": [round(totals["P"] / totals["C"], 4)]})
