"""``/account/users`` (admins only, middleware/access.py): the station's users and every user's
live API tokens, administered in the browser as ``python -m jobs users …`` does on the command
line. Server-rendered in the login's Spartan frame like ``/account``; every form is a POST with
its Flask-WTF CSRF token; the page is never cached.

Guard rails beyond sql/users.py's (the last enabled admin keeps their role and access): an admin
cannot remove, disable or demote themself here. A refusal is a notice on the page (400, 404 for
an unknown user or token), never a 500. Every action, done or refused, is one audit record
(``event: user_admin``) in the same sinks as the logins' (middleware/audit.py).

With SPARTAN_AUTH=oidc the provider makes the users and gives their role at every sign-in: the
page adds no user and sets no role then, but disables, enables and removes users and revokes
tokens alike."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from flask import Flask, Response, current_app, request
from markupsafe import escape

from config.settings import Settings
from middleware.audit import write_event
from middleware.auth import current_user
from middleware.login import EXPIRED, csrf_field, csrf_ok, themed_page
from middleware.redaction import clean
from sql.schema_users import ROLES
from sql.store import get_store
from sql.tokens import ApiToken, list_tokens, revoke_token
from sql.users import User, UserError, add_user, get_user, list_users, remove_user, set_disabled, set_role

PATH = "/account/users"
OIDC_PROVIDER = "spartan_admin_users_oidc"  # server.extensions: the provider's name with SPARTAN_AUTH=oidc
OIDC_NOTE = (
    "Users sign in with {name}: the station makes each at their first sign-in and sets their role from"
    " SPARTAN_OIDC_ADMINS and SPARTAN_OIDC_ADMIN_GROUPS at every sign-in, so neither is done here."
)
USER_ROW = """<tr><td><strong>{name}</strong>{you}</td><td>{role}</td><td>{state}</td><td>{created}</td>
<td>{last}</td><td>{tokens}</td><td>{forms}</td></tr>"""
ROLE_FORM = """<form method="post" action="{base}/role" class="d-flex gap-1 mb-1">{csrf}
<select name="role" class="form-select form-select-sm" aria-label="Role of {name}">{options}</select>
<button type="submit" class="btn btn-sm btn-quiet">Set role</button></form>"""
STATE_FORM = """<form method="post" action="{base}/{action}" class="mb-1">{csrf}
<button type="submit" class="btn btn-sm btn-quiet">{label}</button></form>"""
REMOVE_FORM = """<form method="post" action="{base}/remove" class="d-flex gap-1">{csrf}
<input name="confirm" class="form-control form-control-sm" required maxlength="64" autocomplete="off"
 placeholder="type {name} to remove" aria-label="Type {name} to remove them">
<button type="submit" class="btn btn-sm btn-quiet">Remove</button></form>"""
ADD_FORM = """<form method="post" action="{path}" class="account-section">{csrf}
<div class="mb-2"><label for="new-username" class="form-label">Username</label>
<input id="new-username" name="username" class="form-control" required maxlength="64" autocomplete="off"></div>
<div class="mb-2"><label for="new-role" class="form-label">Role</label>
<select id="new-role" name="role" class="form-select">{options}</select></div>
<div class="mb-2"><label for="new-password" class="form-label">Initial password (at least {min} characters)</label>
<input id="new-password" name="password" type="password" class="form-control" required minlength="{min}"
 maxlength="1024" autocomplete="new-password"></div>
<div class="mb-2"><label for="new-password2" class="form-label">The same password again</label>
<input id="new-password2" name="password2" type="password" class="form-control" required minlength="{min}"
 maxlength="1024" autocomplete="new-password"></div>
<button type="submit" class="btn btn-spartan">Add the user</button></form>"""
TOKEN_ROW = """<tr><td>{owner}</td><td>{name}</td><td><code>{prefix}…</code></td><td>{created}</td><td>{last}</td>
<td><form method="post" action="{path}/tokens/{id}/revoke">{csrf}
<button type="submit" class="btn btn-sm btn-quiet">Revoke</button></form></td></tr>"""  # noqa: S105 - HTML


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else "never"


def _notice(text: str, error: bool) -> str:
    if error:
        return f'<p class="login-error" role="alert">{escape(text)}</p>'
    return f'<p class="login-notice" role="status">{escape(text)}</p>'


def _options(selected: str) -> str:
    return "".join(f'<option value="{r}"{" selected" if r == selected else ""}>{r}</option>' for r in ROLES)


def _oidc_note() -> str | None:
    """With SPARTAN_AUTH=oidc, why no user is added and no role set here; None with local users."""
    name = current_app.extensions.get(OIDC_PROVIDER)
    return OIDC_NOTE.format(name=name) if name else None


def _user_row(user: User, me: User, live: int, csrf: str) -> str:
    base = f"{PATH}/{quote(user.username, safe='@')}"
    name = escape(user.username)
    forms = ""
    if user.id != me.id:  # nobody removes, disables or demotes themself here
        state = ("enable", "Enable") if user.disabled else ("disable", "Disable")
        role_form = (
            "" if _oidc_note() else ROLE_FORM.format(base=base, csrf=csrf, name=name, options=_options(user.role))
        )
        forms = (
            role_form
            + STATE_FORM.format(base=base, csrf=csrf, action=state[0], label=state[1])
            + REMOVE_FORM.format(base=base, csrf=csrf, name=name)
        )
    locked = user.locked_until is not None and user.locked_until > datetime.now(UTC)
    return USER_ROW.format(
        name=name,
        you=" (you)" if user.id == me.id else "",
        role=user.role,
        state="disabled" if user.disabled else "locked" if locked else "enabled",
        created=_when(user.created_at),
        last=_when(user.last_login_at),
        tokens=live,
        forms=forms or '<span class="small">your own account</span>',
    )


def _token_row(token: ApiToken, csrf: str) -> str:
    return TOKEN_ROW.format(
        owner=escape(token.username),
        name=escape(token.name),
        prefix=escape(token.prefix),
        created=_when(token.created_at),
        last=_when(token.last_used_at),
        path=PATH,
        id=token.id,
        csrf=csrf,
    )


def users_page(notice: str = "", status: int = 200) -> Response:
    from sql.users import MIN_PASSWORD_LENGTH

    me = current_user()
    engine = get_store().engine
    csrf = csrf_field()
    live = [t for t in list_tokens(engine) if t.revoked_at is None]
    counts: dict[str, int] = {}
    for token in live:
        counts[token.username] = counts.get(token.username, 0) + 1
    users = "".join(_user_row(u, me, counts.get(u.username, 0), csrf) for u in list_users(engine))
    tokens = "".join(_token_row(t, csrf) for t in live) or '<tr><td colspan="6">No live API tokens.</td></tr>'
    note = _oidc_note()
    adding = (
        f'<p class="small">{escape(note)}</p>'
        if note
        else ADD_FORM.format(path=PATH, csrf=csrf, options=_options("viewer"), min=MIN_PASSWORD_LENGTH)
    )
    body = f"""{notice}<p class="text-center">Users and API tokens of the station ·
<a href="/account">Your account</a> · <a href="/">Back to the station</a></p>
<h2 class="h6 mt-4">Users</h2>
<div class="table-responsive"><table class="table table-sm small"><thead><tr><th>User</th><th>Role</th>
<th>State</th><th>Created</th><th>Last login</th><th>Live tokens</th><th></th></tr></thead>
<tbody>{users}</tbody></table></div>
<h2 class="h6 mt-4">Add a user</h2>
{adding}
<h2 class="h6 mt-4">Live API tokens</h2>
<div class="table-responsive"><table class="table table-sm small"><thead><tr><th>Owner</th><th>Name</th>
<th>Starts</th><th>Created</th><th>Last used</th><th></th></tr></thead>
<tbody>{tokens}</tbody></table></div>"""
    return themed_page(body, title="Users and tokens", status=status, wide="wider")


def _audit(action: str, target: str, outcome: str, reason: str | None = None, **extra: Any) -> None:
    me = current_user()
    record: dict[str, Any] = {
        "event": "user_admin",
        "action": action,
        "target": clean(target, 64),
        "outcome": outcome,
        "reason": reason,
        "accessed_at": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "client_ip": request.remote_addr,
        "user_id": me.id if me else None,
        "user": me.username if me else None,
        **extra,
    }
    message = f"user_admin {action} {record['target']} {outcome} by={record['user']} client={record['client_ip']}"
    write_event(record, message)


def _refuse(action: str, target: str, reason: str, status: int = 400) -> Response:
    _audit(action, target, "refused", reason)
    return users_page(_notice(reason, error=True), status=status)


def _done(action: str, target: str, message: str, **extra: Any) -> Response:
    _audit(action, target, "done", **extra)
    return users_page(_notice(message, error=False))


def _target(action: str, username: str) -> tuple[User | None, Response | None]:
    """The user an action is about, or the refusal: a bad form, an unknown user, oneself."""
    if not csrf_ok():
        return None, _refuse(action, username, EXPIRED)
    user = get_user(get_store().engine, username)
    if user is None:
        return None, _refuse(action, username, f"There is no user {username!r}.", status=404)
    if user.id == current_user().id:
        return None, _refuse(action, username, "You cannot do that to your own account: ask another admin.")
    return user, None


def add() -> Response:
    username = request.form.get("username", "")[:256]
    if not csrf_ok():
        return _refuse("add", username, EXPIRED)
    if _oidc_note():
        return _refuse("add", username, _oidc_note())
    role = request.form.get("role", "viewer")
    password = request.form.get("password", "")
    if password != request.form.get("password2", ""):
        return _refuse("add", username, "The two passwords differ.")
    try:
        user = add_user(get_store().engine, username, password, role)
    except UserError as exc:
        return _refuse("add", username, f"Not added: {exc}.")
    return _done("add", user.username, f"User {user.username} added ({user.role}).", role=user.role)


def change_role(username: str) -> Response:
    user, refused = _target("role", username)
    if refused is not None:
        return refused
    if _oidc_note():
        return _refuse("role", user.username, _oidc_note())
    role = request.form.get("role", "")
    try:
        set_role(get_store().engine, user.username, role)
    except UserError as exc:
        return _refuse("role", user.username, f"Role not changed: {exc}.")
    return _done("role", user.username, f"{user.username} is {role} now.", role=role, was=user.role)


def _set_state(username: str, disabled: bool) -> Response:
    action = "disable" if disabled else "enable"
    user, refused = _target(action, username)
    if refused is not None:
        return refused
    try:
        set_disabled(get_store().engine, user.username, disabled)
    except UserError as exc:
        return _refuse(action, user.username, f"Not {action}d: {exc}.")
    more = ": their sessions are ended and their tokens stop working" if disabled else ""
    return _done(action, user.username, f"{user.username} is {action}d{more}.")


def disable(username: str) -> Response:
    return _set_state(username, True)


def enable(username: str) -> Response:
    return _set_state(username, False)


def remove(username: str) -> Response:
    user, refused = _target("remove", username)
    if refused is not None:
        return refused
    if request.form.get("confirm", "").strip().lower() != user.username:
        return _refuse("remove", user.username, f"Type the username {user.username} to confirm the removal.")
    try:
        remove_user(get_store().engine, user.username)
    except UserError as exc:
        return _refuse("remove", user.username, f"Not removed: {exc}.")
    return _done("remove", user.username, f"User {user.username} removed, with their tokens, boards and watchlists.")


def revoke(token_id: int) -> Response:
    if not csrf_ok():
        return _refuse("revoke_token", str(token_id), EXPIRED)
    owner = next((t.username for t in list_tokens(get_store().engine) if t.id == token_id), None)
    try:
        revoke_token(get_store().engine, token_id)
    except UserError:
        return _refuse("revoke_token", str(token_id), f"There is no live token {token_id}.", status=404)
    return _done("revoke_token", str(token_id), f"Token {token_id} of {owner} revoked.", owner=owner)


def register(server: Flask, settings: Settings) -> None:
    server.extensions[OIDC_PROVIDER] = settings.oidc_provider_name if settings.auth == "oidc" else None
    server.add_url_rule(PATH, "admin_users", users_page, methods=["GET"])
    server.add_url_rule(PATH, "admin_users_add", add, methods=["POST"])
    server.add_url_rule(f"{PATH}/tokens/<int:token_id>/revoke", "admin_users_revoke_token", revoke, methods=["POST"])
    for name, view in (("role", change_role), ("disable", disable), ("enable", enable), ("remove", remove)):
        server.add_url_rule(f"{PATH}/<username>/{name}", f"admin_users_{name}", view, methods=["POST"])
