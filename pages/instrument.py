"""/instrument/<symbol>: one instrument's chart, stats and recent rows (the instrument_detail
panel), from ``?dataset=`` when it holds the symbol, else the first catalog dataset that does.
Keys the catalog does not know get an "unknown symbol" page, never an error."""

from __future__ import annotations

from functools import partial

import dash

from pages.panels.markets import detail_page, detail_title

dash.register_page(
    __name__,
    path_template="/instrument/<symbol>",
    name="Instrument",
    title=partial(detail_title, "instrument"),
    description="One instrument: chart, statistics and recent observations.",
    nav=False,
)


def layout(symbol: str | None = None, **query):
    return detail_page("instrument", symbol, query)
