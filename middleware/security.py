"""Web hardening, wired onto the Dash app's Flask server by ``init_app(app, settings)``:

- **Client address.** Behind ``SPARTAN_TRUSTED_PROXIES`` reverse proxies, werkzeug's ProxyFix
  takes the client address (and http/https) from that many ``X-Forwarded-For`` /
  ``X-Forwarded-Proto`` hops; with the default 0 those headers are ignored, so a client cannot
  choose the address it is limited and logged under.
- **Rate limits** per client address and request class: middleware/rate_limits.py, the classes
  in middleware/request_classes.py.
- **Security headers** on every response: middleware/headers.py.
- **Audit log**: one record per data access, secret-looking parameters redacted:
  middleware/audit.py, middleware/redaction.py.
"""

from __future__ import annotations

import dash
from werkzeug.middleware.proxy_fix import ProxyFix

from config.settings import Settings
from middleware import audit
from middleware.headers import remember_retry_after, security_headers
from middleware.rate_limits import rate_limits


def init_app(app: dash.Dash, settings: Settings) -> None:
    """Client address, rate limits, security headers and the audit log on ``app``'s server."""
    server = app.server
    if settings.trusted_proxies:
        n = settings.trusted_proxies
        server.wsgi_app = ProxyFix(server.wsgi_app, x_for=n, x_proto=n)  # type: ignore[method-assign]
    audit.install(server, settings)  # its before_request first: it times the whole request
    # Registered before the limiter's own after_request, so it runs after it (Flask runs them
    # in reverse) and has the last word on Retry-After.
    server.after_request(security_headers(app, settings))
    server.extensions["spartan_limiter"] = rate_limits(server, settings)
    # Registered after the limiter: runs before it. Also without a limiter, or a view's own
    # Retry-After (a 503's) would be dropped by security_headers.
    server.after_request(remember_retry_after())
