"""Which connector speaks for each ``provider`` named in the catalog: collected from the
``PROVIDER`` declaration of every module (or package) in ``datasources.providers``."""

from __future__ import annotations

import importlib
import pkgutil

from datasources import providers
from datasources.base import Connector, ProviderSpec


def collect() -> dict[str, ProviderSpec]:
    """Every provider module's declaration, by module name; a module without one, or two
    connectors answering to one catalog name, is an error at import."""
    specs: dict[str, ProviderSpec] = {}
    for info in sorted(pkgutil.iter_modules(providers.__path__), key=lambda i: i.name):
        module = importlib.import_module(f"{providers.__name__}.{info.name}")
        spec = getattr(module, "PROVIDER", None)
        if not isinstance(spec, ProviderSpec):
            raise TypeError(f"{module.__name__} declares no PROVIDER = ProviderSpec(...)")
        if spec.name != info.name:
            raise ValueError(f"{module.__name__} declares provider {spec.name!r}: name it after its module")
        unknown = set(spec.credentials) - {c.provider for c in spec.connectors}
        if unknown:
            raise ValueError(f"{module.__name__}: credentials for connectors it does not have: {sorted(unknown)}")
        specs[spec.name] = spec
    return specs


PROVIDERS: dict[str, ProviderSpec] = collect()

# The catalog's ``provider`` names → their connector, and the provider module declaring it.
CONNECTORS: dict[str, Connector] = {}
PROVIDER_OF: dict[str, ProviderSpec] = {}
for _spec in PROVIDERS.values():
    for _connector in _spec.connectors:
        if _connector.provider in CONNECTORS:
            raise ValueError(
                f"connector {_connector.provider!r} declared by both {PROVIDER_OF[_connector.provider].name}"
                f" and {_spec.name}"
            )
        CONNECTORS[_connector.provider], PROVIDER_OF[_connector.provider] = _connector, _spec


def credentials_env(connector: str) -> str | None:
    """The environment variable of ``connector``'s API keys (None: keyless, or not a connector)."""
    spec = PROVIDER_OF.get(connector)
    return spec.credentials.get(connector) if spec else None


def default_rate_limit(connector: str) -> int | None:
    """Requests per minute ``connector``'s provider allows when the catalog sets no limit."""
    spec = PROVIDER_OF.get(connector)
    return spec.rate_limit_per_minute if spec else None
