"""The reads behind each dashboard's first paint. Pages draw these; the sidecar warms exactly
these cache keys right after each refresh, so the first view after a refresh is a cache hit."""

from __future__ import annotations

from dataclasses import dataclass

FIVE_YEARS = 5 * 365


@dataclass(frozen=True)
class ChartRead:
    """``days`` of ``keys`` (None: every instrument) of ``dataset``, up to its newest date."""

    dataset: str
    keys: tuple[str, ...] | None
    days: int


DEFAULT_CHARTS: dict[str, ChartRead] = {
    "rates.curve": ChartRead("treasury_yields", None, 400),
    "rates.term_spread": ChartRead("credit_spreads", ("T10Y2Y",), FIVE_YEARS),
    "rates.credit": ChartRead("credit_spreads", ("BBB_OAS", "HY_OAS"), FIVE_YEARS),
}
