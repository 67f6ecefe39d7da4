"""Fetching for one download run: every request of every connector passes through here.

Per source: the catalog's rate limit (shared by all worker threads), a circuit breaker that
stops calling a source after repeated failures, API-key rotation; per run: one response per
distinct request, so instruments that share a file (a Treasury year, say) fetch it once.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future
from datetime import UTC, datetime

from config.catalog import Source
from datasources.base import FetchError, HttpRequest
from datasources.http import FetchResult, HttpClient
from datasources.limits import CircuitBreaker, KeyRing, RateLimiter

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
        self.limiters = {
            s.id: RateLimiter(
                max(1, int(s.rate_limit_per_minute * rate_multiplier)) if s.rate_limit_per_minute else None
            )
            for s in sources.values()
        }
        self.breakers = {s.id: CircuitBreaker(breaker_threshold, cooldown_s) for s in sources.values()}
        self.keys = {s.id: KeyRing(s.auth_env) for s in sources.values() if s.auth_env}
        self._responses: dict[tuple, Future] = {}
        self._lock = threading.Lock()

    def is_configured(self, source: Source) -> bool:
        """Keyless, or at least one key in its environment variable."""
        return not source.auth_env or bool(self.keys[source.id])

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

    def fetch(self, source: Source, request: HttpRequest) -> FetchResult:
        """The response to ``request``, fetched once per run even when several workers ask for
        it at the same moment (the first fetches, the others wait); failures count against the
        source once."""
        cache_key = (request.url, tuple(sorted(request.params.items())))
        with self._lock:
            pending = self._responses.get(cache_key)
            owner = pending is None
            if owner:
                pending = self._responses[cache_key] = Future()
        if not owner:
            return pending.result()  # raises the owner's FetchError, if that is how it ended
        breaker = self.breakers[source.id]
        try:
            self.limiters[source.id].acquire()
            result = self.client.get(request)
        except FetchError as exc:
            breaker.record_failure()
            pending.set_exception(exc)
            raise
        breaker.record_success()
        pending.set_result(result)
        return result

    def rotate_key(self, source_id: str, error: FetchError) -> bool:
        """After a rejected key, move to the next one; True when there is another to try."""
        ring = self.keys.get(source_id)
        if ring is None or error.http_status not in KEY_REJECTED or len(ring) < 2:
            return False
        ring.rotate()
        return True

    def usage(self) -> list[dict]:
        """Requests per source per minute in this run, for ``api_rate_limits``."""
        return [
            {"source_id": sid, "window_start": window, "requests": count, "limit_per_window": limiter.per_minute}
            for sid, limiter in self.limiters.items()
            for window, count in limiter.windows.items()
        ]
