"""What the web server does around every request, pages and API alike: security headers, rate
limits, the audit log (``middleware.security``) and request ids, access log and ``/metrics``
(``middleware.metrics``). app.py wires it onto the Dash app's Flask server.

It sits beside ``api/`` and ``pages/``, not inside either, because it serves both: it imports
``config`` and ``sql`` (the metrics read the stored state), never ``api``, ``pages`` or
``components`` (tests/unit/test_layering.py).
"""
