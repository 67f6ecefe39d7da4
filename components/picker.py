"""The instrument picker: a searchable dropdown whose change rewrites the URL's ``?compare=``
through a dcc.Location, so the pages router draws the chosen instrument server-side (the
instrument_detail panel uses it for one, the FRED explorer for several). Its callback is
registered per app by ``register_callbacks``; the component ids (``view-picker``,
``view-picker-location``) are part of the pages' contract with the browser."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

import dash
from dash import MATCH, Input, Output, State, dcc, html

from config import theme

PICKER = "view-picker"
PICKER_LOCATION = "view-picker-location"
# dcc.Dropdown (Dash 4) reads its colours from these variables; its menu renders inside the
# wrapper, so setting them here themes the whole control in the Spartan navy.
PICKER_THEME = {
    "--Dash-Fill-Inverse-Strong": theme.NAVY_DARK,
    "--Dash-Text-Strong": theme.TEXT,
    "--Dash-Text-Primary": theme.TEXT,
    "--Dash-Text-Weak": theme.TEXT_SECONDARY,
    "--Dash-Text-Disabled": "rgba(176, 184, 200, 0.7)",
    "--Dash-Stroke-Strong": "rgba(255, 255, 255, 0.18)",
    "--Dash-Stroke-Weak": "rgba(255, 255, 255, 0.08)",
    "--Dash-Fill-Interactive-Strong": theme.RED_LIGHT,
    "--Dash-Fill-Interactive-Weak": "rgba(224, 78, 78, 0.18)",
    "--Dash-Fill-Disabled": "rgba(255, 255, 255, 0.08)",
    "--Dash-Fill-Primary-Hover": "rgba(255, 255, 255, 0.06)",
    "--Dash-Fill-Primary-Active": "rgba(224, 78, 78, 0.25)",
    "color": theme.TEXT,
}


def picker(index: str, options: list[dict], value, multi: bool = False, max_items: int | None = None, **extra):
    """A searchable dropdown bound to the URL's ``?compare=`` (see ``register_callbacks``)."""
    return html.Div(
        [
            dcc.Location(id={"type": PICKER_LOCATION, "index": index}, refresh="callback-nav"),
            dcc.Dropdown(
                id={"type": PICKER, "index": index},
                options=options,
                value=value,
                multi=multi,
                clearable=multi,
                searchable=True,
                maxHeight=320,
                **({"optionHeight": 34} if not multi else {}),
                **extra,
            ),
            *([html.Small(f"Up to {max_items}.", className="text-secondary")] if max_items else []),
        ],
        className="view-picker mb-3",
        style={"maxWidth": "640px", **PICKER_THEME},
    )


def picker_search(value, search: str | None, max_items: int = 12) -> str:
    """The query string with ``compare`` set to the picked key(s), every other parameter kept."""
    keys = [value] if isinstance(value, str) else [str(v) for v in (value or [])]
    keys = [k for k in dict.fromkeys(keys) if k][:max_items]
    params = [(k, v) for k, v in parse_qsl((search or "").lstrip("?")) if k != "compare"]
    params.append(("compare", ",".join(keys)))
    return "?" + urlencode(params, safe=",")


def _on_pick(value, search):
    new = picker_search(value, search)
    return dash.no_update if new == (search or "") else new


def register_callbacks(app: dash.Dash) -> None:
    """The picker → URL callback, on ``app`` (not dash.callback's process-wide list)."""
    app.callback(
        Output({"type": PICKER_LOCATION, "index": MATCH}, "search"),
        Input({"type": PICKER, "index": MATCH}, "value"),
        State({"type": PICKER_LOCATION, "index": MATCH}, "search"),
        prevent_initial_call=True,
    )(_on_pick)
