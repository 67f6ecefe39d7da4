"""Panel types: how each kind of dashboard panel draws its data, and which rows its CSV holds.

A panel type registers three functions with ``@panel_type(name)`` (pages/panels/base.py), and the
dashboard-file options it takes (``options={"height": int, ...}``; any other is refused when the
dashboards load):

- ``reads(ctx) -> list[Read]``: what it reads, declared as data (sql/plans.py). The panel takes
  its rows through ``read.fetch`` of these; a page runs all its panels' reads merged, one query
  per dataset, before drawing them; the warmers run them after each change of the data;
- ``render(ctx) -> component``: the panel body, built server-side from the cache/database, so
  the first paint has data;
- ``data(ctx) -> DataFrame``: the rows behind it, with the column names the user sees (the
  panel's CSV action and ``/csv/<dashboard>/<panel>.csv`` serve exactly these).

One module a subject: ``core`` (kpis, latest_table, history, yield_curve; a history panel's
``shade`` and ``combine`` options in ``shading`` and ``combine``), ``cot``, ``derivatives``,
``equities`` (stocks, sector_treemap), ``fundamentals``, ``fx``, ``instrument``, ``markets``
(pair_history, basket_index), ``options``, ``performance`` (performance_matrix,
performance_bars, relative_history), ``screener``, ``system``, ``world`` (country_table) and
the ``analytics`` package; ``returns`` computes trailing changes. ``render_panel`` (base.py)
wraps the body in a card with its freshness badge and CSV/embed actions, and
turns an empty frame into a "no data yet" state and a database outage into a degraded state.
"""

from __future__ import annotations

# Register the panel types (imported for their side effect).
from pages.panels import (  # noqa: F401
    analytics,
    core,
    cot,
    derivatives,
    equities,
    fundamentals,
    fx,
    instrument,
    markets,
    options,
    performance,
    screener,
    system,
    world,
)

# The registry's names that code outside this package imports from ``pages.panels``
# (pages/panels/export.py); the rest import them from ``pages.panels.base``.
