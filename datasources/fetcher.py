"""Fetching for one download run: every request of every connector passes through here.

Per source: the catalog's rate limit (or its provider's default; shared by all worker
threads), a circuit breaker that stops calling a source after repeated failures, API-key
rotation (a refused request is sent again, itself, with the next key); per run: one response
per distinct request, so instruments that share a file (a Treasury year, say) fetch it once.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future
from datetime import UTC, datetime

from config.catalog import Source
from datasources.base import FetchError, HttpRequest
from datasources.http import FetchResult, HttpClient
from datasources.limits import CircuitBreaker, KeyRing, RateLimiter
from datasources.registry import credentials_env, default_rate_limit

KEY_REJECTED = {401, 403, 429}


class Fetcher:
    def __init__(
        self,
        client: HttpClient,
        sources: dict[str, Source],
        rate_multiplier: float = 1.0,
        breaker_threshold: int = 3,
        cooldown_s: float = 900,
    ) -> None:
        self.client = client
        rates = {s.id: s.rate_limit_per_minute or default_rate_limit(s.provider) for s in sources.values()}
        self.limiters = {
            sid: RateLimiter(max(1, int(rate * rate_multiplier)) if rate else None) for sid, rate in rates.items()
        }
        self.breakers = {s.id: CircuitBreaker(breaker_threshold, cooldown_s) for s in sources.values()}
        self.keys = {s.id: KeyRing(env) for s in sources.values() if (env := self.auth_env(s))}
        self._responses: dict[tuple, Future] = {}
        self._lock = threading.Lock()

    @staticmethod
    def auth_env(source: Source) -> str | None:
        """The environment variable of the source's keys: the catalog's, else its provider's."""
        return source.auth_env or credentials_env(source.provider)

    def is_configured(self, source: Source) -> bool:
        """Keyless, or at least one key in its environment variable."""
        return source.id not in self.keys or bool(self.keys[source.id])

    def circuit_open(self, source_id: str) -> bool:
        return self.breakers[source_id].is_open

    def restore_circuit(self, source_id: str, consecutive_failures: int, last_failure_at: datetime | None) -> None:
        """Carry a breaker over from ``health_status``: a source that kept failing recently
        stays skipped until its cooldown has passed since the last failure."""
        breaker = self.breakers.get(source_id)
        if breaker is None or last_failure_at is None or consecutive_failures < breaker.threshold:
            return
        if last_failure_at.tzinfo is None:
            last_failure_at = last_failure_at.replace(tzinfo=UTC)
        elapsed = (datetime.now(UTC) - last_failure_at).total_seconds()
        if elapsed < breaker.cooldown:
            breaker.failures = consecutive_failures
            breaker.opened_at = breaker.clock() - elapsed

    def api_key(self, source_id: str) -> str | None:
        ring = self.keys.get(source_id)
        return ring.current() if ring else None

    def hide_keys(self, source_id: str, text: str) -> str:
        """``text`` (an error message) with the source's keys masked."""
        ring = self.keys.get(source_id)
        return ring.hide(text) if ring else text

    def fetch(self, source: Source, request: HttpRequest) -> FetchResult:
        """The response to ``request``, fetched once per run even when several workers ask for
        it at the same moment (the first fetches, the others wait); failures count against the
        source once. A request whose key is refused (401/403/429) is sent again with the next
        key, each key at most once; the response answers the request as first asked."""
        cache_key = (request.url, tuple(sorted(request.params.items())))
        with self._lock:
            pending = self._responses.get(cache_key)
            owner = pending is None
            if owner:
                pending = self._responses[cache_key] = Future()
        if not owner:
            return pending.result()  # raises the owner's FetchError, if that is how it ended
        try:
            result = self._get(source, request)
        except FetchError as exc:
            pending.set_exception(exc)
            raise
        pending.set_result(result)
        return result

    def _get(self, source: Source, request: HttpRequest) -> FetchResult:
        """``request`` sent, and sent again with each other key while its key is refused."""
        breaker, ring = self.breakers[source.id], self.keys.get(source.id)
        tried: set[str] = set()
        while True:
            try:
                self.limiters[source.id].acquire()
                result = self.client.get(request)
            except FetchError as exc:
                breaker.record_failure()
                if ring is None or not request.takes_key or exc.http_status not in KEY_REJECTED:
                    raise
                refused = request.carried_key()
                tried.add(refused)
                if ring.current() == refused:  # another worker may have moved on already
                    ring.rotate()
                key = ring.current()
                if key is None or key in tried:
                    raise
                request = request.with_key(key)
                continue
            breaker.record_success()
            return result

    def usage(self) -> list[dict]:
        """Requests per source per minute in this run, for ``api_rate_limits``."""
        return [
            {"source_id": sid, "window_start": window, "requests": count, "limit_per_window": limiter.per_minute}
            for sid, limiter in self.limiters.items()
            for window, count in limiter.windows.items()
        ]
