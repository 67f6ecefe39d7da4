"""``/account`` (SPARTAN_AUTH=local): the signed-in user's own page, in the login's Spartan frame:
their API tokens (made here and shown once, revoked here) and the sign-out button. Forms carry
Flask-WTF CSRF tokens; the page is never cached."""

from __future__ import annotations

from flask import Flask, Response, redirect, request
from markupsafe import escape

from middleware.auth import current_user
from middleware.login import EXPIRED, csrf_field, csrf_ok, themed_page
from sql.store import get_store
from sql.tokens import ApiToken, create_token, list_tokens, revoke_token
from sql.users import User, UserError

SHOWN_ONCE = """<p class="login-notice" role="status">New token "{name}": copy it now, it is shown this once.</p>
<pre class="account-token">{token}</pre>"""

ROW = """<tr><td>{name}</td><td><code>{prefix}…</code></td><td>{last}</td><td>{action}</td></tr>"""

REVOKE = """<form method="post" action="/account/tokens/{id}/revoke">{csrf}
<button type="submit" class="btn btn-quiet">Revoke</button></form>"""


def _row(token: ApiToken, csrf: str) -> str:
    last = token.last_used_at.strftime("%Y-%m-%d %H:%M UTC") if token.last_used_at else "never"
    action = "revoked" if token.revoked_at else REVOKE.format(id=token.id, csrf=csrf)
    return ROW.format(name=escape(token.name), prefix=escape(token.prefix), last=last, action=action)


def account_page(user: User, notice: str = "", status: int = 200) -> Response:
    csrf = csrf_field()
    tokens = list_tokens(get_store().engine, user.username)
    rows = "".join(_row(t, csrf) for t in tokens) or '<tr><td colspan="4">No API tokens yet.</td></tr>'
    admin = ' · <a href="/account/users">Users and tokens</a>' if user.role == "admin" else ""
    body = f"""{notice}<p class="text-center">Signed in as <strong>{escape(user.username)}</strong> ({user.role}).
<a href="/">Back to the station</a> · <a href="/watchlists">Your watchlists</a> ·
<a href="/boards">Your boards</a>{admin}</p>
<h2 class="h6 mt-4">API tokens</h2>
<p class="small">Send one as <code>Authorization: Bearer …</code> to read the data API and CSV as you.</p>
<table class="table table-sm small"><thead><tr><th>Name</th><th>Starts</th><th>Last used</th><th></th></tr>
</thead><tbody>{rows}</tbody></table>
<form method="post" action="/account/tokens" class="account-section">{csrf}
<label for="token-name" class="form-label">New token for</label>
<input id="token-name" name="name" class="form-control mb-2" required maxlength="64" placeholder="monthly report">
<button type="submit" class="btn btn-spartan">Make a token</button></form>
<form method="post" action="/logout">{csrf}<button type="submit" class="btn btn-quiet">Sign out</button>
</form>"""
    return themed_page(body, title="Account", status=status, wide=True)


def account() -> Response:
    return account_page(current_user())


def make_token() -> Response:
    user = current_user()
    if not csrf_ok():
        return account_page(user, f'<p class="login-error" role="alert">{EXPIRED}</p>', status=400)
    try:
        record, token = create_token(get_store().engine, user.username, request.form.get("name", ""))
    except UserError as exc:
        return account_page(user, f'<p class="login-error" role="alert">{escape(str(exc))}</p>', status=400)
    return account_page(user, SHOWN_ONCE.format(name=escape(record.name), token=escape(token)))


def revoke(token_id: int) -> Response:
    user = current_user()
    if not csrf_ok():
        return account_page(user, f'<p class="login-error" role="alert">{EXPIRED}</p>', status=400)
    try:
        revoke_token(get_store().engine, token_id, user_id=user.id)
    except UserError:
        return account_page(user, '<p class="login-error" role="alert">No such token of yours.</p>', status=404)
    return redirect("/account", 303)


def register(server: Flask) -> None:
    server.add_url_rule("/account", "account", account, methods=["GET"])
    server.add_url_rule("/account/tokens", "account_make_token", make_token, methods=["POST"])
    server.add_url_rule("/account/tokens/<int:token_id>/revoke", "account_revoke_token", revoke, methods=["POST"])
