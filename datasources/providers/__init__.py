"""One module (or package) per provider, each declaring ``PROVIDER``: a ``ProviderSpec`` with
its connectors, the environment variables of its keys and its default rate limit.
``datasources.registry`` imports every module here; nothing else lists them."""
