"""Parts of a page drawn when they scroll into view: the first screen first.

A plotly chart costs the browser ~0.1 s to draw however few its points, an AG Grid ~0.1–0.4 s
(its code loads with the first grid). A page sends each such part as a placeholder of the part's
height carrying the part's component (type, namespace, props) as JSON in its ``data-spec``
attribute. The script ``assets/lazy-parts.js`` watches the placeholders; once one comes near the
viewport it parses that attribute and puts the component in the placeholder
(``dash_clientside.set_props``): no server round trip, the data came with the page, and no
callback either (a pattern-matching callback per part cost the renderer ~70 ms a page before
the first chart could start). An attribute rather than a ``dcc.Store`` per part: each store
reports itself to Dash when it mounts, and a page of six parts drew ~5 % later for it.

In an embed (``?embed=1``, ``/embed/…``) everything is drawn at once: a report frames it at its
full height and prints it.
"""

from __future__ import annotations

import flask
from dash import html
from dash._utils import to_json

EAGER_FLAG = "spartan_draw_everything"
SPEC_ATTRIBUTE = "data-spec"  # the part's component as JSON, on its placeholder


def draw_everything() -> None:
    """For the rest of this request, parts are drawn at once (an embed)."""
    if flask.has_request_context():
        setattr(flask.g, EAGER_FLAG, True)


def eager() -> bool:
    return flask.has_request_context() and bool(getattr(flask.g, EAGER_FLAG, False))


def lazy(part_id: str, component, kind: str, height: int | None, **attributes) -> html.Div:
    """``component`` drawn when its placeholder (``height`` px, ``kind`` "chart" or "grid") comes
    into view; at once when the request draws everything. ``attributes`` go on the placeholder."""
    if eager():
        return component
    payload = component.to_plotly_json()
    spec = {"type": payload["type"], "namespace": payload["namespace"], "props": payload["props"]}
    style = {"height": f"{height}px"} if height else {}
    return html.Div(
        html.Div(
            id={"type": "lazy-part", "index": part_id},
            className=f"lazy-part lazy-{kind}",
            style=style,
            **{SPEC_ATTRIBUTE: to_json(spec)},
            **attributes,
        ),
        className=f"lazy-frame lazy-{kind}-frame",
    )


# A panel whose top lies this far down the page (estimated) is sent with its whole body as one
# part, not only its charts and grids: a long page's KPI cards, captions and grid frames are
# hundreds of components the browser would build before the first screen is drawn (/options: 569
# components, 219 with the bodies below deferred; drawn ~8-13 % sooner).
DEFER_BELOW_PX = 1600
PANEL_CHROME_PX = 64  # a panel's title row, padding and the gap to the next
KPI_ROW_PX = 130
TEXT_LINE_PX = 24


def _height_of_style(props: dict) -> int | None:
    height = (props.get("style") or {}).get("height")
    if isinstance(height, str) and height.endswith("px"):
        return int(float(height[:-2]))
    return height if isinstance(height, int) else None


def estimated_height(component) -> int:
    """Roughly how tall ``component`` draws, in px: its parts' own heights (placeholders,
    charts, grids), KPI rows, and a line for each other leaf."""
    if component is None or isinstance(component, (str, int, float)):
        return 0
    if isinstance(component, (list, tuple)):
        return sum(estimated_height(c) for c in component)
    props = {name: getattr(component, name, None) for name in ("style", "className", "children")}
    own = _height_of_style(props)
    if own is not None:
        return own
    if "kpi-row" in str(props["className"] or ""):
        return KPI_ROW_PX
    children = props["children"]
    if children is None or isinstance(children, (str, int, float)):
        return TEXT_LINE_PX
    return estimated_height(children)


def defer_below(cards: list, widths: list[int]) -> list:
    """``cards`` (panels of a 12-column grid, ``widths`` columns each; a card's last child is its
    body) with the body of every panel that starts ``DEFER_BELOW_PX`` or more down the page drawn
    when it scrolls into view. At once when the request draws everything (an embed)."""
    if eager():
        return cards
    top = row_height = used = 0
    for card, width in zip(cards, widths, strict=True):
        if used + width > 12:  # the grid starts a new row
            top, row_height, used = top + row_height, 0, 0
        *head, body = card.children
        height = estimated_height(body)
        if top >= DEFER_BELOW_PX:
            card.children = [*head, lazy(f"body-{card.id}", body, "panel", height)]
        row_height, used = max(row_height, height + PANEL_CHROME_PX), used + width
    return cards
