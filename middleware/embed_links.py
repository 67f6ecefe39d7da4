"""Signed embed links (logins on: SPARTAN_AUTH=local or oidc): a link that opens one panel's embed
(``/embed/<dashboard>/<panel>``) or one dashboard's (``/<page>?embed=1``) without a session.

The link carries ``?token=…``: the link's id, the path it opens and its expiry, signed with
SPARTAN_SECRET_KEY (itsdangerous); its row in ``embed_links`` (sql/embed_links.py) says whether
it was revoked. The token admits that page, the Dash requests its page makes (layout,
dependencies, callbacks whose pathname is that page; they carry the token in their Referer, which
browsers send on same-origin requests) and the CSV and zoom routes of its panel (of its
dashboard's panels, for a dashboard): nothing else. Expired, altered or revoked tokens are
refused with a message saying which."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

from flask import Request, Response, current_app, g, jsonify
from itsdangerous import BadSignature, URLSafeSerializer
from markupsafe import escape

from config import dashboard_index
from config.dashboard_specs import Dashboard
from middleware import access
from middleware.request_classes import DASH_CALLBACK, DASH_LAYOUT
from sql.embed_links import EmbedLink, get_link
from sql.store import get_store

TOKEN_PARAM = "token"  # noqa: S105 - the query parameter's name, not a secret
SALT = "spartan-embed-link"
DASH_SKELETON = (DASH_LAYOUT, "/_dash-dependencies")
INVALID = "This embed link is not valid: it was altered or cut short. Ask whoever shared it for the whole link."


@dataclass(frozen=True)
class Target:
    """What a link opens: one panel (``panel`` set) or a whole dashboard."""

    board: Dashboard
    panel: str | None

    @property
    def path(self) -> str:
        return f"/embed/{self.board.id}/{self.panel}" if self.panel else self.board.path

    def names(self, dashboard: str) -> bool:
        return dashboard in (self.board.id, self.board.path.strip("/"))


def find_board(name: str) -> Dashboard | None:
    """The dashboard whose id, or else whose page path, is ``name``."""
    found = dashboard_index.board(name)
    if found is not None:
        return found
    path = "/" + name.strip("/")
    return next((b for b in dashboard_index.boards() if b.path.rstrip("/") == path.rstrip("/")), None)


def parse_target(path: str) -> Target | None:
    """The embed ``path`` names (``/embed/<dashboard>/<panel>`` or a dashboard's page), or None."""
    if path.startswith("/embed/"):
        name, _, panel = path[len("/embed/") :].rpartition("/")
        board = find_board(name)
        return Target(board, panel) if board is not None and board.panel(panel) is not None else None
    board = next((b for b in dashboard_index.boards() if b.path == path), None)
    return Target(board, None) if board is not None else None


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt=SALT)


def sign(link: EmbedLink) -> str:
    """The token of ``link``, for its URL's ``?token=``."""
    return _serializer().dumps([link.id, link.target, int(link.expires_at.timestamp())])


@dataclass(frozen=True)
class Verdict:
    """A request's embed token: admitted, or refused with ``message``."""

    link: EmbedLink | None
    message: str | None = None


def _verify(token: str) -> Verdict:
    try:
        payload = _serializer().loads(token)
    except BadSignature:
        return Verdict(None, INVALID)
    if not (isinstance(payload, list) and len(payload) == 3 and isinstance(payload[0], int)):
        return Verdict(None, INVALID)
    link = get_link(get_store().engine, payload[0])
    if link is None or link.target != payload[1]:
        return Verdict(None, INVALID)
    if link.revoked_at is not None or link.user_disabled:
        return Verdict(None, "This embed link was revoked. Ask whoever shared it for a new one.")
    expired = min(link.expires_at, datetime.fromtimestamp(payload[2], UTC))
    if expired <= datetime.now(UTC):
        return Verdict(None, f"This embed link expired on {expired:%Y-%m-%d %H:%M} UTC. Ask for a new one.")
    return Verdict(link)


def _referer(request: Request) -> tuple[str, dict[str, list[str]]] | None:
    if not request.referrer:
        return None
    url = urlsplit(request.referrer)
    return (url.path or "/", parse_qs(url.query)) if url.netloc == request.host else None


def _is_embed(target: Target, path: str, query: dict[str, list[str]]) -> bool:
    """Whether ``path?query`` is the embed of ``target`` (a dashboard's only with ``embed=1``)."""
    return path == target.path and (target.panel is not None or query.get("embed") == ["1"])


def _data_route(target: Target, path: str) -> bool:
    """A CSV or zoom route of the target's panel (of any of its dashboard's panels)."""
    for prefix, suffix in (("/csv/", ".csv"), ("/zoom/", ".json")):
        if path.startswith(prefix) and path.endswith(suffix):
            dashboard, _, panel = path[len(prefix) : -len(suffix)].partition("/")
            return target.names(dashboard) and (panel == target.panel if target.panel else bool(panel))
    return False


def _in_scope(target: Target, request: Request, page: tuple[str, dict] | None) -> bool:
    """Whether ``request`` is one the embed of ``target`` makes (``page``: the page it came from,
    None when the token came on the request itself)."""
    path = request.path
    if page is None:
        return _is_embed(target, path, parse_qs(request.query_string.decode("latin-1"))) or _data_route(target, path)
    if not _is_embed(target, *page):
        return False
    if path in DASH_SKELETON:
        return True
    if path == DASH_CALLBACK:
        return all(p == target.path for p in access.callback_pages(request))
    return _data_route(target, path)


def check(request: Request) -> Verdict | None:
    """The verdict on the embed token ``request`` carries (in its query, or its Referer's for the
    requests of an embed's page); None when it carries none."""
    page = None
    token = request.args.get(TOKEN_PARAM)
    if token is None:
        page = _referer(request)
        found = page[1].get(TOKEN_PARAM) if page else None
        if not found:
            return None
        token = found[0]
    verdict = _verify(token)
    if verdict.link is None:
        return verdict
    target = parse_target(verdict.link.target)
    if target is None:
        return Verdict(None, "This embed link names a dashboard or panel that no longer exists.")
    if not _in_scope(target, request, page):
        return Verdict(None, f"This embed link opens {verdict.link.target} only.")
    g.spartan_embed_link = verdict.link.id
    return verdict


def refusal(request: Request, message: str) -> Response:
    """The answer to a refused embed token: JSON for data and Dash requests, else a page."""
    if access.wants_json(request.path):
        response = jsonify({"error": message})
    else:
        from middleware.login import themed_page

        response = themed_page(f'<p class="login-error text-center" role="alert">{escape(message)}</p>', "Embed")
    response.status_code = 403
    return response
