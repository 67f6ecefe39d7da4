"""/instrument/<symbol>: one instrument's chart, stats and recent rows (the instrument_detail
panel), from ``?dataset=`` when it holds the symbol, else the first catalog dataset that does.
Keys the catalog does not know get an "unknown symbol" page, never an error (pages/detail.py)."""

from __future__ import annotations

import dash

from pages.detail import detail_page_args

dash.register_page(
    __name__,
    **detail_page_args("instrument", "Instrument", "One instrument: chart, statistics and recent observations."),
)
