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
