"""Per-source guards shared by every worker thread: rate limits, circuit breakers, API keys."""

from __future__ import annotations

import os
import threading
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime


class RateLimiter:
    """At most ``per_minute`` requests in any rolling 60 s, across threads (bursts allowed
    up to that count). Also counts requests per wall-clock minute for ``api_rate_limits``."""

    def __init__(self, per_minute: int | None, clock: Callable[[], float] = time.monotonic, sleep=time.sleep) -> None:
        self.per_minute = per_minute
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._sent: deque[float] = deque()
        self.windows: Counter[datetime] = Counter()

    def acquire(self) -> float:
        """Block until a request may go out; returns the seconds waited."""
        waited = 0.0
        while True:
            with self._lock:
                now = self._clock()
                while self._sent and now - self._sent[0] >= 60:
                    self._sent.popleft()
                if not self.per_minute or len(self._sent) < self.per_minute:
                    self._sent.append(now)
                    self.windows[datetime.now(UTC).replace(second=0, microsecond=0)] += 1
                    return waited
                wait = 60 - (now - self._sent[0])
            self._sleep(wait)
            waited += wait


@dataclass
class CircuitBreaker:
    """Opens after ``threshold`` consecutive failures; lets one probe through after ``cooldown``."""

    threshold: int = 3
    cooldown: float = 15 * 60
    clock: Callable[[], float] = time.monotonic
    failures: int = 0
    opened_at: float | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def is_open(self) -> bool:
        with self._lock:
            if self.opened_at is None:
                return False
            if self.clock() - self.opened_at >= self.cooldown:
                # Half-open: the next call is a probe; one more failure re-opens at once.
                self.opened_at = None
                self.failures = self.threshold - 1
                return False
            return True

    def record_success(self) -> None:
        with self._lock:
            self.failures, self.opened_at = 0, None

    def record_failure(self) -> None:
        with self._lock:
            self.failures += 1
            if self.failures >= self.threshold:
                self.opened_at = self.clock()


class KeyRing:
    """API keys from an env var such as ``SPARTAN_POLYGON_API_KEYS`` (comma-separated), used
    in rotation: ``rotate()`` moves to the next key after a 401/403/429 answer. Keys never
    leave this object except into a request; ``repr`` shows only how many there are.
    """

    def __init__(self, env_var: str, env: dict[str, str] | None = None) -> None:
        env = os.environ if env is None else env
        self.env_var = env_var
        self._keys = [k.strip() for k in env.get(self.env_var, "").split(",") if k.strip()]
        self._index = 0
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._keys)

    def __repr__(self) -> str:
        return f"KeyRing({self.env_var}, {len(self._keys)} key(s))"

    def current(self) -> str | None:
        with self._lock:
            return self._keys[self._index] if self._keys else None

    def hide(self, text: str) -> str:
        """``text`` with every key (and each half of a ``KEYID:SECRET`` key) masked: an error
        body may echo the key it refused, and error messages go to logs and the download log."""
        parts = {part for key in self._keys for part in (key, *key.split(":", 1)) if part}
        for part in sorted(parts, key=len, reverse=True):
            text = text.replace(part, "***")
        return text

    def rotate(self) -> str | None:
        with self._lock:
            if not self._keys:
                return None
            self._index = (self._index + 1) % len(self._keys)
            return self._keys[self._index]
