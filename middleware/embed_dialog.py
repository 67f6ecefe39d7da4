"""The Embed dialog with logins on (``/account/embed``, SPARTAN_AUTH=local or oidc): a panel's "Embed" action leads
here, where a signed-in user picks this panel or its whole dashboard and how long the link
lives, and gets a signed link (middleware/embed_links.py) with the ``<iframe>`` to paste into a
report. A link opens only what its maker's role may see; the form carries its CSRF token."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlencode

from flask import Flask, Response, request
from markupsafe import escape

from middleware import access
from middleware.auth import current_user
from middleware.embed_links import TOKEN_PARAM, Target, find_board, sign
from middleware.login import EXPIRED, csrf_field, csrf_ok, themed_page
from sql.embed_links import create_link
from sql.store import get_store
from sql.users import User

LIFETIMES = (1, 7, 30, 90, 365)  # days a link may live, as the dialog offers them
DEFAULT_DAYS = 30
VIEW_PARAMS = ("range", "scale", "rebase", "compare")  # the view a link keeps (components/view_state.py)

PANEL_CHOICE = """<div><input type="radio" id="scope-panel" name="scope" value="panel" checked>
<label for="scope-panel">This panel</label></div>"""

FORM = """{notice}<p class="text-center">Embed {what} in a report:
a signed link opens it without a login, until it expires or is revoked.</p>
<form method="post" action="/account/embed" class="account-section">{csrf}
<input type="hidden" name="dashboard" value="{dashboard}"><input type="hidden" name="panel" value="{panel}">
<input type="hidden" name="view" value="{view}">
<fieldset class="mb-3"><legend class="form-label h6">What it opens</legend>
{panel_choice}<div><input type="radio" id="scope-dashboard" name="scope" value="dashboard"{dashboard_checked}>
<label for="scope-dashboard">The whole dashboard</label></div></fieldset>
<label for="embed-days" class="form-label">Expires after</label>
<select id="embed-days" name="days" class="form-select mb-3">{options}</select>
<button type="submit" class="btn btn-spartan">Make the link</button></form>
<p class="small text-center"><a href="{back}">Back to the dashboard</a> · <a href="/account">Account</a></p>"""

MADE = """<p class="login-notice" role="status">Embed link {id} made; it expires on {expires} UTC.</p>
<label for="embed-link" class="form-label">Link</label>
<input id="embed-link" class="form-control mb-2" readonly value="{url}">
<label for="embed-iframe" class="form-label">For a web page</label>
<textarea id="embed-iframe" class="form-control mb-2" readonly rows="3">{iframe}</textarea>
<p class="small">An admin lists and revokes links with <code>python -m jobs users embed list|revoke</code>.
<a href="{url}" target="_blank" rel="noopener">Open the embed</a></p>"""


def _error(message: str, status: int) -> Response:
    body = f'<p class="login-error" role="alert">{escape(message)}</p><p class="text-center"><a href="/">Back</a></p>'
    return themed_page(body, title="Embed", status=status)


def _view(source) -> str:
    """The view parameters of ``source`` (the request's args, or the form's saved view)."""
    return urlencode([(name, source[name]) for name in VIEW_PARAMS if source.get(name)])


def _target(user: User, dashboard: str, panel: str, scope: str) -> Target | Response:
    board = find_board(dashboard)
    if board is None or (panel and board.panel(panel) is None):
        return _error("No such dashboard or panel to embed.", 404)
    if scope != "dashboard" and not panel:
        return _error("Pick the panel to embed, or the whole dashboard.", 400)
    target = Target(board, panel if scope != "dashboard" else None)
    needed = access.page_role(target.path)
    if not access.allowed(user.role, needed):
        return _error(f"Embedding this needs the {needed} role.", 403)
    return target


def dialog() -> Response:
    user = current_user()
    dashboard, panel = request.args.get("dashboard", ""), request.args.get("panel", "")
    target = _target(user, dashboard, panel, "panel" if panel else "dashboard")
    if isinstance(target, Response):
        return target
    return _dialog(target, _view(request.args))


def _dialog(target: Target, view: str, notice: str = "", status: int = 200) -> Response:
    options = "".join(
        f'<option value="{days}"{" selected" if days == DEFAULT_DAYS else ""}>{days} {"day" if days == 1 else "days"}'
        "</option>"
        for days in LIFETIMES
    )
    spec = target.board.panel(target.panel or "")
    what = f"<strong>{escape(target.board.title)}</strong>"
    if spec is not None:
        what = f"<strong>{escape(spec.title)}</strong> of {what}"
    body = FORM.format(
        notice=notice,
        what=what,
        csrf=csrf_field(),
        dashboard=escape(target.board.id),
        panel=escape(target.panel or ""),
        view=escape(view),
        options=options,
        panel_choice=PANEL_CHOICE if target.panel else "",
        dashboard_checked="" if target.panel else " checked",
        back=escape(target.board.path + (f"?{view}" if view else "")),
    )
    return themed_page(body, title="Embed", status=status, wide=True)


def make_link() -> Response:
    user = current_user()
    form = request.form
    target = _target(user, form.get("dashboard", ""), form.get("panel", ""), form.get("scope", "panel"))
    if isinstance(target, Response):
        return target
    view = urlencode(_pairs(form.get("view", "")))
    if not csrf_ok():
        return _dialog(target, view, f'<p class="login-error" role="alert">{EXPIRED}</p>', status=400)
    days = form.get("days", str(DEFAULT_DAYS))
    if not days.isdigit() or int(days) not in LIFETIMES:
        return _dialog(target, view, '<p class="login-error" role="alert">Pick how long the link lives.</p>', 400)
    link = create_link(get_store().engine, user.id, target.path, datetime.now(UTC) + timedelta(days=int(days)))
    query = ([] if target.panel else [("embed", "1")]) + _pairs(view) + [(TOKEN_PARAM, sign(link))]
    url = request.host_url.rstrip("/") + target.path + "?" + urlencode(query)
    iframe = f'<iframe src="{url}" width="100%" height="420" style="border:0" loading="lazy"></iframe>'
    body = MADE.format(id=link.id, expires=f"{link.expires_at:%Y-%m-%d %H:%M}", url=escape(url), iframe=escape(iframe))
    return themed_page(body, title="Embed link", wide=True)


def _pairs(view: str) -> list[tuple[str, str]]:
    """The view parameters of a saved view query string."""
    return [(k, v) for k, v in parse_qsl(view) if k in VIEW_PARAMS]


def register(server: Flask) -> None:
    server.add_url_rule("/account/embed", "account_embed", dialog, methods=["GET"])
    server.add_url_rule("/account/embed", "account_embed_make", make_link, methods=["POST"])
