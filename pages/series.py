"""/series/<series_id>: one economic series (FRED, economic indicators) as the instrument_detail
panel, with a YoY % view for monthly and quarterly series (``?transform=yoy``); ``?dataset=``
picks the dataset when several hold the id. Unknown ids get an "unknown series" page."""

from __future__ import annotations

from functools import partial

import dash

from pages.panels.markets import detail_page, detail_title

dash.register_page(
    __name__,
    path_template="/series/<series_id>",
    name="Series",
    title=partial(detail_title, "series"),
    description="One economic series: chart, statistics and recent observations.",
    nav=False,
)


def layout(series_id: str | None = None, **query):
    return detail_page("series", series_id, query)
