"""The fetcher owns API-key rotation: a refused request is sent again, itself, with the next key
(for a connector of several requests that is not the first one), each key at most once; and
a source the catalog leaves without a rate limit or key variable gets its provider's."""

from __future__ import annotations

from datetime import date

import pytest

from config.catalog import Source
from datasources.base import FetchError, HttpRequest
from datasources.fetcher import Fetcher
from datasources.http import FetchResult
from datasources.registry import CONNECTORS, PROVIDERS
from tests.fixtures.server import MODULES

KEYS = "SPARTAN_TESTPAGED_API_KEYS"


def source(provider: str = "fred_api", auth_env: str | None = KEYS, rate: int | None = None) -> Source:
    return Source("paged", provider, "economic", "https://x", auth_env, rate, "")


class PagedClient:
    """Answers pages; ``refuse`` maps (page, key) to the status that refuses it."""

    def __init__(self, refuse: dict[tuple[str, str], int]) -> None:
        self.refuse = refuse
        self.sent: list[tuple[str, str]] = []

    def get(self, request: HttpRequest) -> FetchResult:
        page, key = request.params["page"], request.params["api_key"]
        self.sent.append((page, key))
        status = self.refuse.get((page, key))
        if status:
            raise FetchError(f"HTTP {status}", http_status=status)
        return FetchResult(f"page {page}".encode(), 200, 1.0, 1)


def pages(key: str | None) -> list[HttpRequest]:
    """Two requests of one instrument, as a paged connector builds them."""
    return [HttpRequest("https://x/obs", {"page": str(n), "api_key": key or ""}, key_param="api_key") for n in (1, 2)]


def test_the_refused_request_is_retried_with_the_next_key_not_the_first_request(monkeypatch):
    monkeypatch.setenv(KEYS, "k1,k2")
    client = PagedClient({("2", "k1"): 429})  # k1's quota runs out on the second page
    fetcher = Fetcher(client, {"paged": source()})
    bodies = [fetcher.fetch(source(), r).body for r in pages(fetcher.api_key("paged"))]
    assert bodies == [b"page 1", b"page 2"]
    assert client.sent == [("1", "k1"), ("2", "k1"), ("2", "k2")]
    assert fetcher.api_key("paged") == "k2"  # the next instrument starts with the good key


def test_every_key_refused_ends_in_the_error_after_each_key_once(monkeypatch):
    monkeypatch.setenv(KEYS, "k1,k2,k3")
    client = PagedClient({("1", k): 403 for k in ("k1", "k2", "k3")})
    fetcher = Fetcher(client, {"paged": source()})
    with pytest.raises(FetchError, match="HTTP 403"):
        fetcher.fetch(source(), pages("k1")[0])
    assert client.sent == [("1", "k1"), ("1", "k2"), ("1", "k3")]


@pytest.mark.parametrize("status", [404, 500])
def test_other_failures_are_not_retried_with_another_key(monkeypatch, status):
    monkeypatch.setenv(KEYS, "k1,k2")
    client = PagedClient({("1", "k1"): status})
    fetcher = Fetcher(client, {"paged": source()})
    with pytest.raises(FetchError):
        fetcher.fetch(source(), pages("k1")[0])
    assert client.sent == [("1", "k1")]


def test_a_key_another_worker_already_rotated_away_from_is_not_rotated_twice(monkeypatch):
    monkeypatch.setenv(KEYS, "k1,k2,k3")
    client = PagedClient({("1", "k1"): 401})
    fetcher = Fetcher(client, {"paged": source()})
    stale = pages("k1")[0]  # built before another worker's rotation to k2
    fetcher.keys["paged"].rotate()
    assert fetcher.fetch(source(), stale).body == b"page 1"
    assert client.sent == [("1", "k1"), ("1", "k2")]


def test_keyed_connectors_name_the_parameter_or_header_of_their_key():
    for name, spec in PROVIDERS.items():
        for connector, _env in spec.credentials.items():
            symbol = MODULES[name].SYMBOLS[connector]  # a symbol of the provider's own spelling
            requests = CONNECTORS[connector].build_requests("https://x", symbol, date(2026, 1, 2), "k3y-0123")
            assert requests, name
            for request in requests:
                assert request.takes_key and request.carried_key() == "k3y-0123", name
                assert request.with_key("other").carried_key() == "other"
                if request.key_param:
                    assert request.params[request.key_param] == "k3y-0123", name
                else:  # a header-borne key: in its headers, nowhere in the URL or the repr
                    assert any("k3y-0123" in request.headers[h] for h in request.key_headers), name
                    assert "k3y-0123" not in request.url + str(request.params) + repr(request), name


def test_a_source_without_limit_or_key_variable_gets_its_providers(monkeypatch):
    monkeypatch.setenv("SPARTAN_POLYGON_API_KEYS", "p1")
    bare = Source("poly", "polygon", "stocks", "https://x", None, None, "")
    fetcher = Fetcher(PagedClient({}), {"poly": bare}, rate_multiplier=2)
    assert fetcher.limiters["poly"].per_minute == 2 * PROVIDERS["polygon"].rate_limit_per_minute
    assert fetcher.auth_env(bare) == "SPARTAN_POLYGON_API_KEYS" and fetcher.api_key("poly") == "p1"
    catalogued = Source("poly", "polygon", "stocks", "https://x", "SPARTAN_OTHER_KEYS", 7, "")
    fetcher = Fetcher(PagedClient({}), {"poly": catalogued})
    assert fetcher.limiters["poly"].per_minute == 7 and fetcher.auth_env(catalogued) == "SPARTAN_OTHER_KEYS"
    assert not fetcher.is_configured(catalogued)  # SPARTAN_OTHER_KEYS is not set
