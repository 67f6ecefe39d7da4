"""``/boards/<id>``: a personal board (with logins on: SPARTAN_AUTH=local or oidc) — the panels a
user pinned from the built-in dashboards, drawn by the same panel types and in one batched read
as a dashboard page (``render_cards`` of pages/dashboards.py), each at the width its owner chose.

Its owner moves, resizes and takes off panels, renames, shares (read-only, to every signed-in
user) and deletes the board by plain POST forms with their CSRF token (pages/board_routes.py
answers them and the page's first GET, with a 404 for a board the user may not read). A panel
of an admin-only dashboard (the System group) shows only to admins, as its own page does.
"""

from __future__ import annotations

from dataclasses import replace

import dash
from dash import dcc, html
from flask_wtf.csrf import generate_csrf

from components.cards import empty_state
from components.view_state import ViewState, parse_view
from config.dashboard_specs import Dashboard
from middleware.access import allowed, page_role
from middleware.auth import current_user
from pages.dashboards import DASHBOARDS, failing_notice, render_cards, toolbar
from pages.panels.base import PanelContext
from sql import read
from sql.boards import WIDTHS, Board, NoSuchBoard, Pin, get_board
from sql.store import get_store
from sql.users import User

dash.register_page(
    __name__,
    path_template="/boards/<board_id>",
    name="Board",
    title="Board · Spartan Research Station",
    nav=False,
    layout_cacheable=False,  # a user's own page: never kept for another
)

NEEDS_LOGINS = "Boards belong to a user: they need the station's logins (SPARTAN_AUTH=local or oidc)."


def _csrf() -> html.Input:
    return dcc.Input(type="hidden", name="csrf_token", value=generate_csrf())


# Laid out inline: the station's Bootstrap is trimmed to the classes its pages use (purgecss).
ROW = {"display": "flex", "flexWrap": "wrap", "alignItems": "center", "gap": ".5rem", "margin": 0}


def _form(action: str, *children, class_name: str = "board-form") -> html.Form:
    return html.Form([_csrf(), *children], action=action, method="post", className=class_name, style=ROW)


def _button(label: str, name: str, value: str, title: str, active: bool = False) -> html.Button:
    return html.Button(
        label,
        type="submit",
        name=name,
        value=value,
        title=title,
        className="btn btn-quiet btn-sm" + (" active" if active else ""),
        **({"aria-pressed": "true"} if active else {}),
    )


def panel_controls(board: Board, pin: Pin, first: bool, last: bool) -> html.Form:
    """Up, down, the width choices and Remove: one form, the button pressed says which."""
    hidden = [
        dcc.Input(type="hidden", name="dashboard", value=pin.dashboard_id),
        dcc.Input(type="hidden", name="panel", value=pin.panel_id),
    ]
    moves = [
        *([] if first else [_button("↑", "move", "up", "Move up")]),
        *([] if last else [_button("↓", "move", "down", "Move down")]),
    ]
    widths = [_button(str(w), "width", str(w), f"{w} of 12 columns wide", active=w == pin.width) for w in WIDTHS]
    return _form(
        f"/boards/{board.id}/panels",
        *hidden,
        html.Div(moves, className="board-moves", role="group", style=ROW, **{"aria-label": "Order"}),
        html.Div([html.Span("Width", className="small"), *widths], role="group", style=ROW, **{"aria-label": "Width"}),
        _button("Remove", "remove", "1", "Take this panel off the board"),
        class_name="board-form board-panel-controls mt-2",
    )


def _missing(pin: Pin, why: str) -> html.Section:
    return html.Section(
        [
            html.H2(f"{pin.dashboard_id} / {pin.panel_id}", className="spartan-card-title"),
            empty_state("Not shown", why),
        ],
        className="spartan-card panel",
        id=f"panel-{pin.dashboard_id}-{pin.panel_id}",
        style={"gridColumn": f"span {pin.width}"},
    )


def board_cards(board: Board, view: ViewState, user: User) -> tuple[list, list[PanelContext], list]:
    """(every pin's card in order, the contexts drawn, their reads): a pin whose panel left the
    dashboards, or which the user's role may not see, is a card that says so."""
    settings = read.current_settings()
    drawn: dict[int, PanelContext] = {}
    missing: dict[int, html.Section] = {}
    for at, pin in enumerate(board.pins):
        dashboard = DASHBOARDS.get(pin.dashboard_id)
        spec = dashboard.panel(pin.panel_id) if dashboard else None
        if spec is None:
            missing[at] = _missing(pin, "This panel is no longer on its dashboard.")
        elif not allowed(user.role, page_role(dashboard.path)):
            missing[at] = _missing(pin, f"This panel of {dashboard.title} is shown to admins only.")
        else:
            drawn[at] = PanelContext(dashboard, replace(spec, width=pin.width), view, settings)
    contexts = list(drawn.values())
    cards, reads = render_cards(contexts)
    by_place = dict(zip(drawn, cards, strict=True))
    ordered = [by_place.get(at) or missing[at] for at in range(len(board.pins))]
    if board.editable_by(user.id):
        for at, (card, pin) in enumerate(zip(ordered, board.pins, strict=True)):
            card.children = [*card.children, panel_controls(board, pin, at == 0, at == len(board.pins) - 1)]
    return ordered, contexts, reads


def owner_forms(board: Board) -> html.Div:
    """Rename, share or keep private, delete (the owner's)."""
    share = (
        _button("Make private", "shared", "0", "Only you see this board")
        if board.shared
        else _button("Share read-only", "shared", "1", "Every signed-in user may read this board")
    )
    return html.Div(
        [
            _form(
                f"/boards/{board.id}/rename",
                html.Label("Name", htmlFor="board-rename", className="small"),
                dcc.Input(
                    id="board-rename",
                    name="name",
                    value=board.name,
                    maxLength=64,
                    required=True,
                    className="form-control form-control-sm",
                    style={"width": "16rem"},
                ),
                _button("Rename", "rename", "1", "Rename this board"),
                class_name="board-form",
            ),
            _form(f"/boards/{board.id}/share", share),
            _form(
                f"/boards/{board.id}/delete",
                _button("Delete board", "delete", "1", "Delete this board (its panels stay on their dashboards)"),
            ),
        ],
        className="board-owner mb-3",
        style={**ROW, "gap": "1.5rem"},
    )


def _subtitle(board: Board, user: User) -> str:
    if board.editable_by(user.id):
        return "Your board, shared read-only with every signed-in user." if board.shared else "Your board, private."
    return f"{board.owner}'s board, shared read-only."


def view_toolbar(board: Board, view: ViewState, contexts: list[PanelContext]):
    """The dashboards' range, scale and rebasing links for the panels drawn, on this page's
    path (no Embed: a board is a user's, not a page to embed); None when no panel follows any."""
    page = Dashboard(
        id=f"board-{board.id}",
        title=board.name,
        path=f"/boards/{board.id}",
        group=None,
        order=0,
        description="",
        panels=tuple(ctx.spec for ctx in contexts),
    )
    bar = toolbar(page, view, embed=False)
    return bar if bar.children else None


def board_page(board: Board, view: ViewState, user: User) -> html.Div:
    cards, contexts, reads = board_cards(board, view, user)
    links = html.P(
        [
            dcc.Link("All boards", href="/boards"),
            " · ",
            html.A("Export as dashboard YAML", href=f"/boards/{board.id}.yaml"),
        ],
        className="small",
    )
    body = (
        html.Div(cards, className="panel-grid-12")
        if cards
        else empty_state("No panels yet", "Pin panels from any dashboard: the Pin link beside CSV and Embed.")
    )
    return html.Div(
        [
            html.H1(board.name, className="spartan-page-title"),
            html.P(_subtitle(board, user), className="spartan-subtitle"),
            links,
            *([owner_forms(board)] if board.editable_by(user.id) else []),
            failing_notice(contexts, reads) if contexts else None,
            view_toolbar(board, view, contexts),
            body,
        ],
        className=f"dashboard board board-{board.id}",
    )


def layout(board_id: str | None = None, **query) -> html.Div:
    user = current_user()
    if user is None:
        return html.Div([empty_state("Boards need logins", NEEDS_LOGINS)])
    try:
        board = get_board(get_store().engine, int(str(board_id)), user.id)
    except (ValueError, NoSuchBoard):
        return html.Div(
            [
                empty_state("No such board", "No board of yours, nor one shared with you, has this number."),
                dcc.Link("All boards", href="/boards"),
            ]
        )
    return board_page(board, parse_view(query), user)
