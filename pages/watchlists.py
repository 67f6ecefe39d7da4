"""``/watchlists`` (with logins: SPARTAN_AUTH=local or oidc): a signed-in user's own watchlists
of instruments and series — made, renamed and removed on ``/watchlists``, each one a page
``/watchlists/<id>`` of its items with their latest values and changes
(pages/watchlist_values.py), where items are added and taken off. ``/watchlists/add?key=…``
is the detail pages' "Add to watchlist".
Plain pages in the login's frame; every form carries its CSRF token; another user's list is
answered like a list that does not exist. With SPARTAN_AUTH=none the pages say what they need.

(Flask routes, no Dash page: Dash's page discovery passes over modules that never register one.)"""

from __future__ import annotations

from flask import Flask, Response, redirect, request
from markupsafe import escape

from config.settings import Settings
from middleware.auth import current_user
from middleware.login import csrf_field, csrf_ok, themed_page
from pages.own_pages import error_notice, expired_notice, register_rules
from pages.watchlist_values import Row, resolve, watchlist_rows
from sql import read
from sql.store import get_store
from sql.users import User
from sql.watchlists import (
    NoSuchWatchlist,
    Watchlist,
    WatchlistError,
    add_item,
    create_watchlist,
    delete_watchlist,
    get_watchlist,
    list_watchlists,
    remove_item,
    rename_watchlist,
)

STYLE = """<style>
  .watchlist-table td, .watchlist-table th { vertical-align: middle; }
  .watchlist-table .num { text-align: right; font-family: "Source Code Pro", monospace; }
  .watchlist-table .up { color: var(--success-green); }
  .watchlist-table .down { color: var(--danger-red-text); }
  .watchlist-inline { display: inline-flex; gap: .5rem; align-items: center; margin: 0; }
  .watchlist-inline .form-control, .watchlist-inline .form-select { width: auto; }
</style>"""

LIST_ROW = """<tr><td><a href="/watchlists/{id}">{name}</a></td><td class="num">{items}</td>
<td><form method="post" action="/watchlists/{id}/rename" class="watchlist-inline">{csrf}
<input name="name" class="form-control form-control-sm" required maxlength="64" value="{name}"
 aria-label="New name of {name}"><button type="submit" class="btn btn-quiet btn-sm">Rename</button></form></td>
<td><form method="post" action="/watchlists/{id}/delete" class="watchlist-inline">{csrf}
<button type="submit" class="btn btn-quiet btn-sm">Delete</button></form></td></tr>"""

ITEM_ROW = """<tr><td><a href="{href}">{label}</a>{code}</td><td class="num">{latest}</td>
<td class="num {direction}">{change}</td><td class="num {direction}">{change_pct}</td><td>{date}</td>
<td><form method="post" action="/watchlists/{id}/items/remove" class="watchlist-inline">{csrf}
<input type="hidden" name="kind" value="{kind}"><input type="hidden" name="key" value="{key}">
<button type="submit" class="btn btn-quiet btn-sm" aria-label="Remove {key}">Remove</button></form></td></tr>"""


def _page(body: str, title: str, status: int = 200) -> Response:
    return themed_page(STYLE + body, title=title, status=status, wide=True)


def lists_page(user: User, notice: str = "", status: int = 200) -> Response:
    csrf = csrf_field()
    lists = list_watchlists(get_store().engine, user.id)
    rows = "".join(LIST_ROW.format(id=w.id, name=escape(w.name), items=n, csrf=csrf) for w, n in lists)
    table = (
        '<table class="table table-sm small watchlist-table"><thead><tr><th>Watchlist</th>'
        f'<th class="num">Items</th><th></th><th></th></tr></thead><tbody>{rows}</tbody></table>'
        if rows
        else '<p class="small">No watchlists yet.</p>'
    )
    body = f"""{notice}<h2 class="h5">Your watchlists</h2>{table}
<form method="post" action="/watchlists" class="account-section">{csrf}
<label for="watchlist-name" class="form-label">New watchlist</label>
<input id="watchlist-name" name="name" class="form-control mb-2" required maxlength="64" placeholder="Rates I watch">
<button type="submit" class="btn btn-spartan">Make a watchlist</button></form>
<p class="text-center small"><a href="/">Back to the station</a> · <a href="/account">Account</a></p>"""
    return _page(body, "Watchlists", status)


def _item_row(row: Row, watchlist: Watchlist, csrf: str) -> str:
    code = f" <code>{escape(row.key)}</code>" if row.label != row.key else ""
    label = escape(row.label) if row.known else f"{escape(row.key)} (no longer in the catalog)"
    return ITEM_ROW.format(
        href=escape(row.href),
        label=label,
        code=code if row.known else "",
        latest=escape(row.latest),
        change=escape(row.change),
        change_pct=escape(row.change_pct),
        direction=row.direction,
        date=row.date.isoformat() if row.date else "no data yet",
        id=watchlist.id,
        csrf=csrf,
        kind=escape(row.kind),
        key=escape(row.key),
    )


def watchlist_page(user: User, watchlist_id: int, notice: str = "", status: int = 200) -> Response:
    try:
        watchlist = get_watchlist(get_store().engine, watchlist_id, user.id)
    except NoSuchWatchlist:
        return _page(error_notice("No such watchlist of yours.") + _BACK, "Watchlist", 404)
    csrf = csrf_field()
    try:
        rows = "".join(_item_row(row, watchlist, csrf) for row in watchlist_rows(watchlist.items))
    except read.StorageUnavailable as exc:
        rows = f'<tr><td colspan="6">{escape(str(exc))}: values show again once the database answers.</td></tr>'
    table = (
        '<table class="table table-sm small watchlist-table"><thead><tr><th>Name</th><th class="num">Latest</th>'
        '<th class="num">Change</th><th class="num">% change</th><th>Date</th><th></th></tr></thead>'
        f"<tbody>{rows}</tbody></table>"
        if watchlist.items
        else '<p class="small">Nothing on this list yet: add a symbol or a FRED series id below.</p>'
    )
    body = f"""{notice}<h2 class="h5">{escape(watchlist.name)}</h2>{table}
<form method="post" action="/watchlists/{watchlist.id}/items" class="account-section">{csrf}
<label for="watchlist-key" class="form-label">Add an instrument or series</label>
<div class="watchlist-inline"><input id="watchlist-key" name="key" class="form-control" required maxlength="64"
 placeholder="SPX, EURUSD, DGS10"><button type="submit" class="btn btn-spartan">Add</button></div></form>
{_BACK}"""
    return _page(body, watchlist.name, status)


_BACK = '<p class="text-center small"><a href="/watchlists">All your watchlists</a> · <a href="/">The station</a></p>'


def _changed(watchlist_id: int, change) -> Response:
    """Run ``change`` on one of the user's lists after the CSRF check; back to its page."""
    user = current_user()
    if not csrf_ok():
        return watchlist_page(user, watchlist_id, expired_notice(), status=400)
    try:
        change(user)
    except NoSuchWatchlist:
        return _page(error_notice("No such watchlist of yours.") + _BACK, "Watchlist", 404)
    except WatchlistError as exc:
        return watchlist_page(user, watchlist_id, error_notice(str(exc)), status=400)
    return redirect(f"/watchlists/{watchlist_id}", 303)


def _not_in_catalog(key: str) -> str:
    return f"“{key.strip()[:64]}” is not in the station's catalog: nothing was added."


def _views():
    """The view functions; with SPARTAN_AUTH=none each one answers that watchlists need logins."""
    engine = get_store().engine

    def lists() -> Response:
        user = current_user()
        if request.method == "GET":
            return lists_page(user)
        if not csrf_ok():
            return lists_page(user, expired_notice(), status=400)
        try:
            made = create_watchlist(engine, user.id, request.form.get("name", ""))
        except WatchlistError as exc:
            return lists_page(user, error_notice(str(exc)), status=400)
        return redirect(f"/watchlists/{made.id}", 303)

    def one(watchlist_id: int) -> Response:
        return watchlist_page(current_user(), watchlist_id)

    def rename(watchlist_id: int) -> Response:
        user = current_user()
        if not csrf_ok():
            return lists_page(user, expired_notice(), status=400)
        try:
            rename_watchlist(engine, watchlist_id, user.id, request.form.get("name", ""))
        except NoSuchWatchlist:
            return lists_page(user, error_notice("No such watchlist of yours."), status=404)
        except WatchlistError as exc:
            return lists_page(user, error_notice(str(exc)), status=400)
        return redirect("/watchlists", 303)

    def delete(watchlist_id: int) -> Response:
        user = current_user()
        if not csrf_ok():
            return lists_page(user, expired_notice(), status=400)
        try:
            delete_watchlist(engine, watchlist_id, user.id)
        except NoSuchWatchlist:
            return lists_page(user, error_notice("No such watchlist of yours."), status=404)
        return redirect("/watchlists", 303)

    def add(watchlist_id: int) -> Response:
        def change(user: User) -> None:
            found = resolve(request.form.get("key", ""), request.form.get("kind", ""))
            if found is None:
                raise WatchlistError(_not_in_catalog(request.form.get("key", "")))
            add_item(engine, watchlist_id, user.id, *found)

        return _changed(watchlist_id, change)

    def remove(watchlist_id: int) -> Response:
        kind, key = request.form.get("kind", ""), request.form.get("key", "")
        return _changed(watchlist_id, lambda user: remove_item(engine, watchlist_id, user.id, kind, key))

    return {"lists": lists, "one": one, "rename": rename, "delete": delete, "add": add, "remove": remove}


PICK = """<h2 class="h5">Add {label} to a watchlist</h2>
<form method="post" action="/watchlists/add" class="account-section">{csrf}
<input type="hidden" name="kind" value="{kind}"><input type="hidden" name="key" value="{key}">
{choose}<label for="watchlist-new" class="form-label">{new_label}</label>
<input id="watchlist-new" name="name" class="form-control mb-2" maxlength="64" placeholder="New watchlist's name">
<button type="submit" class="btn btn-spartan">Add</button></form>
<p class="text-center small"><a href="{back}">Back to {label}</a> · <a href="/watchlists">Your watchlists</a></p>"""

CHOOSE = """<label for="watchlist-pick" class="form-label">Watchlist</label>
<select id="watchlist-pick" name="watchlist" class="form-select mb-3">{options}</select>"""


def pick_page(user: User, key: str, kind: str, notice: str = "", status: int = 200) -> Response:
    """ "Add to watchlist" from a detail page: which of the user's lists (or a new one)."""
    found = resolve(key, kind)
    if found is None:
        body = error_notice(_not_in_catalog(key)) + _BACK
        return _page(notice + body, "Add to watchlist", 404)
    kind, key = found
    lists = list_watchlists(get_store().engine, user.id)
    options = "".join(f'<option value="{w.id}">{escape(w.name)}</option>' for w, _ in lists)
    options += '<option value="new">A new watchlist (named below)</option>' if lists else ""
    body = PICK.format(
        label=escape(key),
        csrf=csrf_field(),
        kind=escape(kind),
        key=escape(key),
        choose=CHOOSE.format(options=options) if lists else "",
        new_label="or name a new one" if lists else "A new watchlist",
        back=escape(f"/{kind}/{key}"),
    )
    return _page(notice + body, "Add to watchlist", status)


def _pick_views():
    engine = get_store().engine

    def pick() -> Response:
        user = current_user()
        if request.method == "GET":
            return pick_page(user, request.args.get("key", ""), request.args.get("kind", ""))
        key, kind = request.form.get("key", ""), request.form.get("kind", "")
        if not csrf_ok():
            return pick_page(user, key, kind, expired_notice(), status=400)
        chosen = request.form.get("watchlist", "new")
        found = resolve(key, kind)
        if found is None:  # before any list is made
            return pick_page(user, key, kind)
        try:
            if chosen == "new" or not chosen.isdigit():
                watchlist_id = create_watchlist(engine, user.id, request.form.get("name", "")).id
            else:
                watchlist_id = int(chosen)
            add_item(engine, watchlist_id, user.id, *found)
        except NoSuchWatchlist:
            return pick_page(user, key, kind, error_notice("No such watchlist of yours."), status=404)
        except WatchlistError as exc:
            return pick_page(user, key, kind, error_notice(str(exc)), status=400)
        return redirect(f"/watchlists/{watchlist_id}", 303)

    return pick


RULES = (
    ("/watchlists", "lists", ["GET", "POST"]),
    ("/watchlists/<int:watchlist_id>", "one", ["GET"]),
    ("/watchlists/<int:watchlist_id>/rename", "rename", ["POST"]),
    ("/watchlists/<int:watchlist_id>/delete", "delete", ["POST"]),
    ("/watchlists/<int:watchlist_id>/items", "add", ["POST"]),
    ("/watchlists/<int:watchlist_id>/items/remove", "remove", ["POST"]),
    ("/watchlists/add", "pick", ["GET", "POST"]),
)


def register(server: Flask, settings: Settings) -> None:
    """The watchlist routes; with SPARTAN_AUTH=none, pages that say watchlists need logins."""
    register_rules(server, settings, "watchlists", RULES, lambda: {**_views(), "pick": _pick_views()})
