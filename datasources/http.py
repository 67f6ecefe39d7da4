"""The shared HTTP client: the only code of the station that touches the network.

Connect/read timeouts, retries with exponential backoff and jitter on connection errors,
5xx and 429 (honouring ``Retry-After`` up to a ceiling), and a proper User-Agent.
"""

from __future__ import annotations

import logging
import random
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

import requests

from config.settings import Settings
from datasources.base import FetchError, FetchTimeout, HttpRequest, RateLimited

log = logging.getLogger(__name__)

USER_AGENT = "SpartanResearchStation/0.1 (+self-hosted market data; python-requests)"
RETRY_STATUSES = {429, 500, 502, 503, 504}
BACKOFF_BASE = 0.5


@dataclass(frozen=True)
class FetchResult:
    body: bytes
    http_status: int
    latency_ms: float
    attempts: int
    content_type: str | None = None


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _connection_reason(exc: requests.ConnectionError) -> str:
    """A short human reason: 'name resolution failed', 'connection refused', …"""
    text = str(exc).lower()
    if "name resolution" in text or "name or service not known" in text or "nodename nor servname" in text:
        return "name resolution failed (offline?)"
    if "refused" in text:
        return "connection refused"
    if "reset" in text:
        return "connection reset"
    return type(exc).__name__


class HttpClient:
    def __init__(self, settings: Settings, sleep=time.sleep) -> None:
        self.timeout = (min(5.0, settings.http_timeout), settings.http_timeout)
        self.retries = settings.http_retries
        self.max_retry_after = settings.http_max_retry_after
        self._sleep = sleep
        self.session = requests.Session()
        self.session.headers.update({"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate"})

    def _backoff(self, attempt: int) -> float:
        return BACKOFF_BASE * (2**attempt) + random.uniform(0, BACKOFF_BASE)  # noqa: S311  # nosec B311 # retry jitter, not crypto

    def get(self, request: HttpRequest) -> FetchResult:
        """GET ``request``; the body on 2xx, else :class:`FetchError` after the retries."""
        started = time.perf_counter()
        last_error: FetchError | None = None
        for attempt in range(self.retries + 1):
            wait = self._backoff(attempt)
            try:
                response = self.session.get(
                    request.url, params=request.params, headers=request.headers, timeout=self.timeout
                )
            except requests.Timeout:
                last_error = FetchTimeout(f"timed out after {self.timeout[1]:g}s")
            except requests.ConnectionError as exc:
                # Refused or unresolvable: retrying within seconds does not help. The cascade
                # moves to the next provider and the next hourly run tries again.
                raise FetchError(f"connection failed: {_connection_reason(exc)}") from None
            else:
                status = response.status_code
                if 200 <= status < 300:
                    latency = (time.perf_counter() - started) * 1000
                    return FetchResult(
                        response.content, status, latency, attempt + 1, response.headers.get("Content-Type")
                    )
                if status not in RETRY_STATUSES:
                    raise FetchError(f"HTTP {status}", http_status=status)
                last_error = FetchError(f"HTTP {status}", http_status=status)
                if status == 429:
                    retry_after = parse_retry_after(response.headers.get("Retry-After"))
                    if retry_after is not None and retry_after > self.max_retry_after:
                        raise RateLimited(f"HTTP 429, Retry-After {retry_after:.0f}s", retry_after)
                    last_error = RateLimited("HTTP 429", retry_after)
                    wait = retry_after if retry_after is not None else wait
            if attempt < self.retries:
                log.debug("retrying %s in %.2fs: %s", request.url, wait, last_error)
                self._sleep(wait)
        raise last_error or FetchError("no attempt was made")
