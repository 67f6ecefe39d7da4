"""Panel types of the computed analytics, one module a subject: correlations, sector rotation,
breadth, sentiment and the VIX term structure (shared helpers in ``common``)."""

from pages.panels.analytics import breadth, correlations, rotation, sentiment, term_structure  # noqa: F401
