"""The REST API; it reads only from sql.read (the database and its cache).

``api.rest.init_app(app)`` puts it on the Dash app's server: the data endpoints
(``api.data``), ``/api/system/*`` (``api.system``), ``/health`` (``api.health``) and the
OpenAPI document ``/api/openapi.json``.
"""
