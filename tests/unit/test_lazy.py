"""Parts of a page drawn as they scroll into view (components/lazy.py): the height estimate of a
panel's body and which panels' bodies are deferred."""

from __future__ import annotations

import json

import dash_ag_grid as dag
from dash import dcc, html

from components import lazy
from components.lazy import DEFER_BELOW_PX, PANEL_CHROME_PX, defer_below, estimated_height
from components.lazy import lazy as lazy_part


def card(name: str, body) -> html.Section:
    return html.Section([html.H2(name), body], id=f"panel-{name}")


def chart(height: int) -> html.Div:
    return lazy_part(f"c{height}", dcc.Graph(id=f"g{height}", style={"height": f"{height}px"}), "chart", height)


def test_a_body_is_as_tall_as_its_parts_kpi_rows_and_lines():
    body = html.Div([html.Div("kpis", className="kpi-row mb-2"), chart(340), html.P("caption"), chart(200)])
    assert estimated_height(body) == lazy.KPI_ROW_PX + 340 + lazy.TEXT_LINE_PX + 200
    grid = dag.AgGrid(id="g", style={"height": "560px", "width": "100%"})
    assert estimated_height(html.Div([grid, None, "text"])) == 560


def test_bodies_below_the_first_screens_are_deferred_in_rows_of_twelve_columns():
    tall = DEFER_BELOW_PX // 2  # two rows of these and the third starts past the line
    cards = [card(f"p{i}", html.Div(chart(tall))) for i in range(6)]
    widths = [12, 6, 6, 12, 6, 6]  # rows: p0 | p1 p2 | p3 | p4 p5
    bodies = [c.children[-1] for c in cards]
    out = defer_below(cards, widths)
    drawn = [c.children[-1] is body for c, body in zip(out, bodies, strict=True)]
    assert drawn == [True, True, True, False, False, False]  # p3 starts at 2 × (tall + chrome)
    assert 2 * (tall + PANEL_CHROME_PX) >= DEFER_BELOW_PX
    placeholder = out[3].children[-1].children
    assert placeholder.id == {"type": "lazy-part", "index": "body-panel-p3"}
    assert "lazy-panel" in placeholder.className and placeholder.style == {"height": f"{tall}px"}
    spec = json.loads(getattr(placeholder, lazy.SPEC_ATTRIBUTE))
    assert spec["type"] == "Div" and spec["props"]["children"]["props"]["className"].startswith("lazy-frame")
    assert out[3].children[0].children == "p3"  # the title stays: the reader sees what is coming


def test_an_embed_draws_every_body_at_once():
    from flask import Flask

    cards = [card(f"p{i}", html.Div(chart(DEFER_BELOW_PX))) for i in range(3)]
    bodies = [c.children[-1] for c in cards]
    with Flask("t").test_request_context("/embed/x"):
        lazy.draw_everything()
        out = defer_below(cards, [12, 12, 12])
    assert [c.children[-1] for c in out] == bodies
