"""Security headers on every response: a Content-Security-Policy that allows Dash's inline
scripts by their hashes (no ``'unsafe-eval'``, no ``'unsafe-inline'`` script), framing only of
embed pages by the origins of ``SPARTAN_EMBED_ORIGINS``, HSTS over TLS, nosniff, Referrer-Policy,
Permissions-Policy, Cross-Origin-Opener-Policy (where browsers apply it); and the last word on
``Retry-After`` (a 429's, or the view's own)."""

from __future__ import annotations

import ipaddress

import dash
from flask import Response, current_app, g, request

from config.settings import Settings

HSTS = "max-age=31536000; includeSubDomains"
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=()"
)
# Responses that are not HTML documents (JSON, CSV, files) load nothing.
NON_DOCUMENT_POLICY = "default-src 'none'; base-uri 'none'; form-action 'none'"


def is_embed_request() -> bool:
    """An embed request: ``?embed=1`` on any page, or an ``/embed/…`` panel page."""
    return request.args.get("embed") == "1" or request.path.startswith("/embed/")


def trustworthy_origin() -> bool:
    """Whether browsers treat the request's origin as potentially trustworthy: https, or a
    loopback host (``localhost``, 127.0.0.0/8, ``::1``)."""
    if request.is_secure:
        return True
    host = request.host
    host = host[1:].split("]", 1)[0] if host.startswith("[") else host.rsplit(":", 1)[0]
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def frame_ancestors(settings: Settings) -> str:
    if is_embed_request():
        # The station itself and the origins named in SPARTAN_EMBED_ORIGINS may frame an embed page.
        return " ".join(("'self'", *settings.embed_origins))
    return "'none'"


def document_policy(
    script_hashes: list[str] | tuple[str, ...], ancestors: str, form_targets: tuple[str, ...] = ()
) -> str:
    """The CSP of an HTML page: Dash's inline scripts by hash, everything else from the station.

    Styles allow 'unsafe-inline': plotly.js and AG Grid set style attributes and inject
    <style> elements at run time. Scripts never do; no 'unsafe-eval' either. ``form_targets``:
    other origins a form's answer may redirect to (browsers apply form-action to redirects):
    the OpenID provider's, where the Sign out form's answer sends the browser.
    """
    directives = {
        "default-src": "'self'",
        "script-src": " ".join(("'self'", *script_hashes)),
        "style-src": "'self' 'unsafe-inline'",
        "img-src": "'self' data: blob:",
        "font-src": "'self' data:",
        "connect-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": " ".join(("'self'", *form_targets)),
        "frame-ancestors": ancestors,
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def security_headers(app: dash.Dash, settings: Settings):
    def add_headers(response: Response) -> Response:
        headers = response.headers
        ancestors = frame_ancestors(settings)
        if response.mimetype == "text/html":
            # Computed per page: the hashes of exactly the inline scripts Dash's index just served.
            provider = current_app.extensions.get("spartan_oidc")
            targets = provider.form_targets() if provider is not None else ()
            policy = document_policy(app.csp_hashes(), ancestors, targets)
        else:
            policy = f"{NON_DOCUMENT_POLICY}; frame-ancestors {ancestors}"
        headers.setdefault("Content-Security-Policy", policy)
        if ancestors == "'none'":
            headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if trustworthy_origin():
            # Elsewhere (plain http on a LAN address) browsers ignore it, with a console error.
            headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if request.is_secure:  # with trusted proxies, X-Forwarded-Proto: https counts
            headers.setdefault("Strict-Transport-Security", HSTS)
        # flask-limiter puts its Retry-After on every response: keep it on a 429 only, and
        # whatever the view itself said (a 503's) everywhere else.
        if response.status_code == 429 and g.get("spartan_retry_after"):
            headers["Retry-After"] = str(g.spartan_retry_after)
        elif g.get("spartan_view_retry_after"):
            headers["Retry-After"] = g.spartan_view_retry_after
        else:
            headers.pop("Retry-After", None)
        return response

    return add_headers


def remember_retry_after():
    """Runs before flask-limiter's after_request: notes the view's own Retry-After."""

    def remember(response: Response) -> Response:
        g.spartan_view_retry_after = response.headers.get("Retry-After")
        return response

    return remember
