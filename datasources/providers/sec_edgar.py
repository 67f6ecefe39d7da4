"""SEC EDGAR XBRL company facts (``data.sec.gov/api/xbrl/companyfacts/CIK##########.json``),
keyless: every fact a company has filed, per taxonomy and concept. This reads the headline
figures of its annual reports (10-K, 10-K/A; 20-F for foreign filers) into one ``fundamentals``
row per fiscal year. The SEC asks every client to name itself: requests carry the User-Agent in
``SPARTAN_SEC_USER_AGENT`` ("Company admin@example.com"), else the station's own."""

from __future__ import annotations

import os
import re
from datetime import date

import pandas as pd

from datasources.base import HttpRequest, ParseError, ProviderSpec
from datasources.http import USER_AGENT
from datasources.wire import describe, load_json, member

USER_AGENT_ENV = "SPARTAN_SEC_USER_AGENT"
ANNUAL_FORMS = ("10-K", "10-K/A", "20-F", "20-F/A", "40-F")
YEARS = 10  # fiscal years kept, newest first
# A fiscal year's flows span about a year (52/53-week years included).
YEAR_DAYS = (350, 380)
# Per column: the us-gaap concepts that may carry it, in order of preference, and the unit.
DURATION = {
    "revenue": (
        ("Revenues", "RevenueFromContractWithCustomerExcludingAssessedTax", "SalesRevenueNet",
         "RevenueFromContractWithCustomerIncludingAssessedTax"),
        "USD",
    ),
    "operating_income": (("OperatingIncomeLoss",), "USD"),
    "net_income": (("NetIncomeLoss", "ProfitLoss"), "USD"),
    "eps_diluted": (("EarningsPerShareDiluted",), "USD/shares"),
    "diluted_shares": (("WeightedAverageNumberOfDilutedSharesOutstanding",), "shares"),
    "operating_cash_flow": (("NetCashProvidedByUsedInOperatingActivities",), "USD"),
}  # fmt: skip
INSTANT = {
    "cash": (("CashAndCashEquivalentsAtCarryingValue",), "USD"),
    "assets": (("Assets",), "USD"),
    "liabilities": (("Liabilities",), "USD"),
    "equity": (("StockholdersEquity", "StockholdersEquityIncludingPortionAttributableToNoncontrollingInterest"), "USD"),
}
COLUMNS = ["date", "fiscal_year", "form", "filed", *DURATION, *INSTANT]


def cik_of(symbol: str) -> str:
    """``CIK0000320193`` or ``320193`` → ``0000320193`` (ten digits, as the URL wants)."""
    digits = symbol.upper().removeprefix("CIK")
    if not re.fullmatch(r"\d{1,10}", digits):
        raise ValueError(f"not a SEC CIK like CIK0000320193: {symbol!r}")
    return digits.zfill(10)


def _annual(facts: list, duration: bool) -> dict[str, dict]:
    """The annual-report facts of one concept by period end, the newest filing of each end
    winning (a restatement in a later report replaces the first figure)."""
    best: dict[str, dict] = {}
    for fact in facts:
        if not isinstance(fact, dict) or fact.get("form") not in ANNUAL_FORMS or "end" not in fact or "val" not in fact:
            continue
        if duration:
            try:
                days = (date.fromisoformat(fact["end"]) - date.fromisoformat(fact.get("start", ""))).days
            except (TypeError, ValueError):
                continue
            if not YEAR_DAYS[0] <= days <= YEAR_DAYS[1]:
                continue  # a quarter or a half reported inside the annual report
        current = best.get(fact["end"])
        if current is None or str(fact.get("filed", "")) >= str(current.get("filed", "")):
            best[fact["end"]] = fact
    return best


class SecCompanyFactsConnector:
    """``{"cik": 320193, "entityName": "Apple Inc.", "facts": {"dei": {…}, "us-gaap":
    {"NetIncomeLoss": {"label", "description", "units": {"USD": [{"start", "end", "val", "accn",
    "fy", "fp", "form", "filed", "frame"}, …]}}, …}}}``. A fiscal year is a period end that has
    revenue, net income or assets in an annual report; its other columns are empty where the
    company reports no such concept (banks have no operating income line)."""

    provider = "sec_edgar"
    kind = "rows"

    def build_requests(
        self, base_url: str, symbol: str, since: date | None, api_key: str | None = None
    ) -> list[HttpRequest]:
        agent = os.environ.get(USER_AGENT_ENV, "").strip() or USER_AGENT
        return [
            HttpRequest(
                url=f"{base_url}/api/xbrl/companyfacts/CIK{cik_of(symbol)}.json",
                headers={"User-Agent": agent, "Accept": "application/json"},
            )
        ]

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        doc = load_json(body)
        facts = member(member(doc, "facts"), "us-gaap")
        if not isinstance(facts, dict):
            message = member(doc, "message") or member(doc, "error")
            raise ParseError(f"SEC EDGAR: {message}" if message else f"SEC EDGAR: no us-gaap facts in {describe(doc)}")
        columns: dict[str, dict[str, dict]] = {}
        for group, duration in ((DURATION, True), (INSTANT, False)):
            for column, (concepts, unit) in group.items():
                merged: dict[str, dict] = {}
                for concept in concepts:  # a preferred concept's year wins over a fallback's
                    units = member(member(facts, concept), "units")
                    for end, fact in _annual(member(units, unit) or [], duration).items():
                        merged.setdefault(end, fact)
                columns[column] = merged
        ends = sorted(set(columns["revenue"]) | set(columns["net_income"]) | set(columns["assets"]), reverse=True)
        rows = []
        for end in ends[:YEARS]:
            source = next(columns[c][end] for c in ("revenue", "net_income", "assets") if end in columns[c])
            row = {"date": end, "fiscal_year": int(end[:4]), "form": source.get("form"), "filed": source.get("filed")}
            row |= {c: columns[c][end]["val"] if end in columns[c] else None for c in [*DURATION, *INSTANT]}
            rows.append(row)
        frame = pd.DataFrame(rows, columns=COLUMNS)
        if frame.empty:
            raise ParseError(f"SEC EDGAR: no annual-report figures for {symbol}")
        try:
            frame["date"] = pd.to_datetime(frame["date"], format="%Y-%m-%d").dt.date
            filed = pd.to_datetime(frame["filed"], format="%Y-%m-%d", errors="coerce")
            frame["filed"] = [d.date() if pd.notna(d) else None for d in filed]
        except (TypeError, ValueError) as exc:
            raise ParseError(f"SEC EDGAR: unparseable period end: {exc}") from None
        numbers = [*DURATION, *INSTANT]
        frame[numbers] = frame[numbers].apply(pd.to_numeric, errors="coerce").astype(float)
        return frame.sort_values("date").reset_index(drop=True)


PROVIDER = ProviderSpec("sec_edgar", (SecCompanyFactsConnector(),), rate_limit_per_minute=300)
