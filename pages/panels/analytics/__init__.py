"""Panel types of the computed analytics, one module a subject: correlations, sector rotation,
breadth, sentiment and the VIX term structure (shared helpers in ``common``); and those computed
on the page from stored prices: seasonality, drawdowns and volatility (``risk``), intermarket
ratios (measures in ``measures``, cross-dataset instrument references in ``refs``), positioning
extremes (AAII, COT), options positioning across every stored chain and volatility smiles."""

from pages.panels.analytics import (  # noqa: F401
    breadth,
    correlations,
    options_positioning,
    positioning,
    ratios,
    risk,
    rotation,
    seasonality,
    sentiment,
    smile,
    term_structure,
)
