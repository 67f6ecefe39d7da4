"""/series/<series_id>: one economic series (FRED, economic indicators) as the instrument_detail
panel, with a YoY % view for monthly and quarterly series (``?transform=yoy``); ``?dataset=``
picks the dataset when several hold the id. Unknown ids get an "unknown series" page
(pages/detail.py)."""

from __future__ import annotations

import dash

from pages.detail import detail_page_args

dash.register_page(
    __name__,
    **detail_page_args("series", "Series", "One economic series: chart, statistics and recent observations."),
)
