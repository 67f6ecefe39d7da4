"""The connector contract and the errors a download can end in."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

import pandas as pd

OBSERVATION_COLUMNS = ["series_id", "date", "value"]


@dataclass(frozen=True)
class HttpRequest:
    url: str
    params: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)


class DownloadError(Exception):
    """A download that produced no usable data; ``http_status`` when the server answered."""

    def __init__(self, message: str, http_status: int | None = None) -> None:
        super().__init__(message)
        self.http_status = http_status


class FetchError(DownloadError):
    """The network or the server failed (timeout, refused, 5xx, 429, 4xx)."""


class RateLimited(FetchError):
    """429 whose Retry-After is longer than the client is willing to wait."""

    def __init__(self, message: str, retry_after: float | None) -> None:
        super().__init__(message, http_status=429)
        self.retry_after = retry_after


class ParseError(DownloadError):
    """The server answered, but the body is not what the provider's format promises."""


class Connector(Protocol):
    """One provider's dataset: request building and parsing, both free of I/O."""

    provider: str

    def build_request(self, base_url: str, symbol: str, since: date | None) -> HttpRequest: ...

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame: ...
