"""The REST API; it reads only from sql.read (the database and its cache) and config, never
from pages/ or components/ (tests/unit/test_layering.py).

``api.rest.init_app(app)`` puts it on the Dash app's server: the data endpoints
(``api.data``), ``/api/system/*`` (``api.system``), ``/health`` (``api.health``) and the
OpenAPI document ``/api/openapi.json``. The rest of the web uses only ``api.openapi`` (the
document and where it is served), its public surface.
"""
