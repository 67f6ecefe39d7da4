"""Component trees as the browser ends up drawing them, for tests that read a page's JSON."""

from __future__ import annotations

import json

from plotly.utils import PlotlyJSONEncoder

from components.lazy import SPEC_ATTRIBUTE


def drawn(value):
    """``value`` (JSON-able) with every lazy part's placeholder (components/lazy.py) holding the
    component its ``data-spec`` attribute carries, as the page holds it once scrolled through."""
    if isinstance(value, list):
        return [drawn(v) for v in value]
    if not isinstance(value, dict):
        return value
    out = {k: drawn(v) for k, v in value.items()}
    props = out.get("props")
    if isinstance(props, dict) and isinstance(props.get(SPEC_ATTRIBUTE), str):
        props = dict(props)
        props["children"] = drawn(json.loads(props.pop(SPEC_ATTRIBUTE)))
        out["props"] = props
    return out


def page_json(value) -> str:
    """``value`` (components, figures…) as JSON, lazy parts drawn."""
    return json.dumps(drawn(json.loads(json.dumps(value, cls=PlotlyJSONEncoder))))
