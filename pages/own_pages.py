"""What the pages of each user's own station share (watchlists: pages/watchlists.py, boards:
pages/board_routes.py): plain pages in the login's frame, their error notice, and their routes,
which with SPARTAN_AUTH=none all answer a page saying they need the station's logins."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, Response
from markupsafe import escape

from config.settings import Settings
from middleware.login import EXPIRED, themed_page

NEEDS_LOGINS = """<p class="text-center">{what} belong to a user: they need the station's logins
(<code>SPARTAN_AUTH=local</code>, or <code>oidc</code>; see the README's "Users and access").</p>
<p class="text-center"><a href="/">Back to the station</a></p>"""


def error_notice(message: str) -> str:
    return f'<p class="login-error" role="alert">{escape(message)}</p>'


def expired_notice() -> str:
    """A form whose CSRF token expired (or never came): nothing was changed."""
    return error_notice(EXPIRED.replace("sign in", "try"))


def register_rules(
    server: Flask,
    settings: Settings,
    what: str,
    rules: tuple[tuple[str, str, list[str]], ...],
    make_views: Callable[[], dict[str, Callable]],
) -> None:
    """Each ``(rule, view name, methods)`` of ``rules`` as the endpoint ``<what>_<name>`` served by
    ``make_views()[name]``; with SPARTAN_AUTH=none every one answers that ``what`` needs logins."""

    def needs_logins(**_ignored) -> Response:
        return themed_page(NEEDS_LOGINS.format(what=what.capitalize()), title=what.capitalize(), status=404)

    views = make_views() if settings.auth != "none" else {}
    for rule, name, methods in rules:
        server.add_url_rule(rule, f"{what}_{name}", views.get(name, needs_logins), methods=methods)
