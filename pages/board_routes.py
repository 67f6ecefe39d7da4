"""The Flask routes of personal boards (with logins on: SPARTAN_AUTH=local or oidc):

- ``/boards``: the user's boards and the boards others shared, and a form to make one;
- ``/boards/<id>``: the board's Dash page (pages/boards.py) — answered here first, with a 404
  when the user may not read the board (another user's private board is no board at all);
- ``/boards/<id>.yaml``: the board as a dashboard file (pages/board_export.py);
- POST ``/boards/<id>/panels`` (move up/down, width, remove), ``/rename``, ``/share``, ``/delete``:
  the owner's changes; another user's shared board answers 403, a private one 404;
- ``/boards/pin?dashboard=…&panel=…``: every panel's "Pin": which board (or a new one).

Plain pages in the login's frame, every form with its CSRF token, as the watchlists'
(pages/watchlists.py). A panel of an admin-only dashboard is pinned by admins only.
With SPARTAN_AUTH=none the pages say that boards need logins.
"""

from __future__ import annotations

from flask import Flask, Response, redirect, request
from markupsafe import escape

from config.settings import Settings
from middleware.access import allowed, page_role
from middleware.auth import current_user
from middleware.login import csrf_field, csrf_ok, themed_page
from pages.board_export import board_file_id, board_yaml, dashboards
from pages.own_pages import error_notice, expired_notice, register_rules
from sql.boards import (
    WIDTHS,
    BoardError,
    NoSuchBoard,
    NotYourBoard,
    create_board,
    delete_board,
    get_board,
    list_boards,
    move_panel,
    pin_panel,
    rename_board,
    resize_panel,
    share_board,
    unpin_panel,
)
from sql.store import get_store
from sql.users import User

BACK = '<p class="text-center small"><a href="/boards">All boards</a> · <a href="/">The station</a></p>'

NO_BOARDS = '<p class="small">No boards yet: pin a panel from any dashboard (its Pin link), or make one here.</p>'
ROW = """<tr><td><a href="/boards/{id}">{name}</a></td><td>{whose}</td><td class="text-end">{panels}</td></tr>"""


def _page(body: str, title: str, status: int = 200) -> Response:
    return themed_page(body, title=title, status=status, wide=True)


def _table(rows: list[str], whose: str) -> str:
    return (
        f'<table class="table table-sm small"><thead><tr><th>Board</th><th>{whose}</th>'
        f'<th class="text-end">Panels</th></tr></thead><tbody>{"".join(rows)}</tbody></table>'
    )


def lists_page(user: User, notice: str = "", status: int = 200) -> Response:
    mine, shared = list_boards(get_store().engine, user.id)
    own = [
        ROW.format(id=b.id, name=escape(b.name), whose="shared read-only" if b.shared else "private", panels=n)
        for b, n in mine
    ]
    others = [ROW.format(id=b.id, name=escape(b.name), whose=escape(b.owner), panels=n) for b, n in shared]
    body = f"""{notice}<h2 class="h5">Your boards</h2>
{_table(own, "Shared") if own else NO_BOARDS}
<form method="post" action="/boards" class="account-section">{csrf_field()}
<label for="board-name" class="form-label">New board</label>
<input id="board-name" name="name" class="form-control mb-2" required maxlength="64" placeholder="Morning markets">
<button type="submit" class="btn btn-spartan">Make a board</button></form>
<h2 class="h5 mt-4">Shared with you</h2>
{_table(others, "Owner") if others else '<p class="small">No other user shares a board yet.</p>'}
<p class="text-center small"><a href="/">Back to the station</a> · <a href="/account">Account</a></p>"""
    return _page(body, "Boards", status)


def _refused(exc: BoardError) -> Response:
    if isinstance(exc, NoSuchBoard):
        return _page(error_notice("No such board of yours, nor one shared with you.") + BACK, "Board", 404)
    if isinstance(exc, NotYourBoard):
        return _page(error_notice(str(exc)) + BACK, "Board", 403)
    return _page(error_notice(str(exc)) + BACK, "Board", 400)


def _expired() -> Response:
    return _page(expired_notice() + BACK, "Board", 400)


def _panel_change(engine, board_id: int, user: User) -> None:
    """The board page's panel form: the button pressed (move, width or remove) says what."""
    form = request.form
    dashboard, panel = form.get("dashboard", ""), form.get("panel", "")
    if "move" in form:
        steps = {"up": -1, "down": 1}
        if form["move"] not in steps:
            raise BoardError("a panel moves up or down")
        move_panel(engine, board_id, user.id, dashboard, panel, steps[form["move"]])
    elif "width" in form:
        resize_panel(engine, board_id, user.id, dashboard, panel, form["width"])
    elif "remove" in form:
        unpin_panel(engine, board_id, user.id, dashboard, panel)
    else:
        raise BoardError("say what to change: move, width or remove")


def _views(serve_shell):
    engine = get_store().engine

    def lists() -> Response:
        user = current_user()
        if request.method == "GET":
            return lists_page(user)
        if not csrf_ok():
            return lists_page(user, expired_notice(), status=400)
        try:
            made = create_board(engine, user.id, request.form.get("name", ""))
        except BoardError as exc:
            return lists_page(user, error_notice(str(exc)), status=400)
        return redirect(f"/boards/{made.id}", 303)

    def one(board_id: int):
        try:
            get_board(engine, board_id, current_user().id)
        except BoardError as exc:
            return _refused(exc)
        return serve_shell()

    def export(board_id: int) -> Response:
        try:
            board = get_board(engine, board_id, current_user().id)
        except BoardError as exc:
            return _refused(exc)
        text = board_yaml(board)
        if text is None:
            return _page(error_notice("This board has no panels to export yet.") + BACK, "Board", 409)
        response = Response(text, mimetype="application/yaml")
        response.headers["Content-Disposition"] = f'attachment; filename="{board_file_id(board)}.yaml"'
        return response

    def change(action):
        def view(board_id: int) -> Response:
            if not csrf_ok():
                return _expired()
            try:
                action(board_id, current_user())
            except BoardError as exc:
                return _refused(exc)
            return redirect("/boards" if action is _delete else f"/boards/{board_id}", 303)

        return view

    def _rename(board_id: int, user: User) -> None:
        rename_board(engine, board_id, user.id, request.form.get("name", ""))

    def _share(board_id: int, user: User) -> None:
        wanted = request.form.get("shared", "")
        if wanted not in ("0", "1"):
            raise BoardError("shared is 1 (every signed-in user reads the board) or 0 (only you)")
        share_board(engine, board_id, user.id, wanted == "1")

    def _delete(board_id: int, user: User) -> None:
        delete_board(engine, board_id, user.id)

    return {
        "lists": lists,
        "one": one,
        "export": export,
        "panels": change(lambda board_id, user: _panel_change(engine, board_id, user)),
        "rename": change(_rename),
        "share": change(_share),
        "delete": change(_delete),
        "pin": pin_view(engine),
    }


PICK = """<h2 class="h5">Pin “{title}” of {dashboard}</h2>
<form method="post" action="/boards/pin" class="account-section">{csrf}
<input type="hidden" name="dashboard" value="{dashboard_id}"><input type="hidden" name="panel" value="{panel_id}">
{choose}<label for="board-new" class="form-label">{new_label}</label>
<input id="board-new" name="name" class="form-control mb-2" maxlength="64" placeholder="New board's name">
<label for="board-width" class="form-label">Width</label>
<select id="board-width" name="width" class="form-select mb-3">{widths}</select>
<button type="submit" class="btn btn-spartan">Pin</button></form>
<p class="text-center small"><a href="{back}">Back to {dashboard}</a> · <a href="/boards">Your boards</a></p>"""

CHOOSE = """<label for="board-pick" class="form-label">Board</label>
<select id="board-pick" name="board" class="form-select mb-3">{options}</select>"""


def _pinnable(user: User, dashboard_id: str, panel_id: str):
    """(dashboard, panel) if the dashboards have it and the user's role may see it, else None."""
    dashboard = dashboards().get(dashboard_id)
    spec = dashboard.panel(panel_id) if dashboard else None
    if spec is None or not allowed(user.role, page_role(dashboard.path)):
        return None
    return dashboard, spec


def _width_choice(width: int) -> int:
    return next((w for w in WIDTHS if w >= width), WIDTHS[-1])


def pick_page(user: User, dashboard_id: str, panel_id: str, notice: str = "", status: int = 200) -> Response:
    found = _pinnable(user, dashboard_id, panel_id)
    if found is None:
        return _page(notice + error_notice("No such panel on the station's dashboards.") + BACK, "Pin a panel", 404)
    dashboard, spec = found
    mine, _shared = list_boards(get_store().engine, user.id)
    options = "".join(f'<option value="{b.id}">{escape(b.name)}</option>' for b, _ in mine)
    options += '<option value="new">A new board (named below)</option>' if mine else ""
    default = _width_choice(spec.width)
    widths = "".join(
        f'<option value="{w}"{" selected" if w == default else ""}>{w} of 12 columns</option>' for w in WIDTHS
    )
    body = PICK.format(
        title=escape(spec.title or spec.id),
        dashboard=escape(dashboard.title),
        csrf=csrf_field(),
        dashboard_id=escape(dashboard.id),
        panel_id=escape(spec.id),
        choose=CHOOSE.format(options=options) if mine else "",
        new_label="or name a new one" if mine else "A new board",
        widths=widths,
        back=escape(f"{dashboard.path}#panel-{dashboard.id}-{spec.id}"),
    )
    return _page(notice + body, "Pin a panel", status)


def pin_view(engine):
    def pin() -> Response:
        user = current_user()
        if request.method == "GET":
            return pick_page(user, request.args.get("dashboard", ""), request.args.get("panel", ""))
        dashboard_id, panel_id = request.form.get("dashboard", ""), request.form.get("panel", "")
        if not csrf_ok():
            return pick_page(user, dashboard_id, panel_id, expired_notice(), status=400)
        if _pinnable(user, dashboard_id, panel_id) is None:
            return pick_page(user, dashboard_id, panel_id)  # the 404, before any board is made
        chosen = request.form.get("board", "new")
        try:
            if chosen.isdigit():
                board_id = int(chosen)
            else:
                board_id = create_board(engine, user.id, request.form.get("name", "")).id
            pin_panel(engine, board_id, user.id, dashboard_id, panel_id, request.form.get("width", "6"))
        except BoardError as exc:
            status = 404 if isinstance(exc, NoSuchBoard) else 403 if isinstance(exc, NotYourBoard) else 400
            return pick_page(user, dashboard_id, panel_id, error_notice(str(exc)), status=status)
        return redirect(f"/boards/{board_id}", 303)

    return pin


RULES = (
    ("/boards", "lists", ["GET", "POST"]),
    ("/boards/<int:board_id>", "one", ["GET"]),
    ("/boards/<int:board_id>.yaml", "export", ["GET"]),
    ("/boards/<int:board_id>/panels", "panels", ["POST"]),
    ("/boards/<int:board_id>/rename", "rename", ["POST"]),
    ("/boards/<int:board_id>/share", "share", ["POST"]),
    ("/boards/<int:board_id>/delete", "delete", ["POST"]),
    ("/boards/pin", "pin", ["GET", "POST"]),
)


def register(server: Flask, settings: Settings, shell_endpoint: str) -> None:
    """The board routes; ``shell_endpoint`` is Dash's catch-all view, which serves a board's
    page once the user may read it. With SPARTAN_AUTH=none, pages that say boards need logins."""

    def serve_shell() -> Response:
        return server.view_functions[shell_endpoint](path=request.path.lstrip("/"))

    register_rules(server, settings, "boards", RULES, lambda: _views(serve_shell))
