"""The connector contract and the errors a download can end in."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Protocol

import pandas as pd

OBSERVATION_COLUMNS = ["series_id", "date", "value"]
BAR_COLUMNS = ["symbol", "ts", "open", "high", "low", "close", "volume"]


@dataclass(frozen=True)
class HttpRequest:
    """One GET. The API key, when the provider wants one, rides either in the query parameter
    ``key_param`` or in the headers of ``key_headers`` (header name → template: ``{key}`` the
    whole key, ``{key_id}`` / ``{secret}`` its two halves for a key given as ``KEYID:SECRET``).
    The fetcher puts the next key there when a key is refused. Headers and the key stay out of
    the request's repr, so a logged request never shows a header-borne key."""

    url: str
    params: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict, repr=False)
    key_param: str | None = None
    key_headers: dict[str, str] = field(default_factory=dict)
    key: str | None = field(default=None, repr=False)

    @property
    def takes_key(self) -> bool:
        return self.key_param is not None or bool(self.key_headers)

    def carried_key(self) -> str:
        """The key this request carries ("" when none)."""
        if self.key_param is not None:
            return self.params.get(self.key_param, "")
        return self.key or ""

    def with_key(self, key: str | None) -> HttpRequest:
        """The same request carrying ``key`` instead of its own (no key: no key header at all)."""
        if self.key_param is not None:
            return replace(self, params={**self.params, self.key_param: key or ""}, key=key)
        if not self.key_headers:
            raise ValueError(f"{self.url} takes no API key")
        headers = {k: v for k, v in self.headers.items() if k not in self.key_headers}
        return replace(self, headers={**headers, **key_header_values(self.key_headers, key)}, key=key)


def key_header_values(templates: dict[str, str], key: str | None) -> dict[str, str]:
    """The key headers of ``key`` (none without a key). ``{key_id}`` and ``{secret}`` are the
    parts before and after the first ``:`` of a key given as ``KEYID:SECRET``."""
    if not key:
        return {}
    key_id, _, secret = key.partition(":")
    return {name: template.format(key=key, key_id=key_id, secret=secret) for name, template in templates.items()}


def key_parts(key: str) -> list[str]:
    """``key`` and, for a ``KEYID:SECRET`` key, its two halves: every string that must never be
    shown (the longest first)."""
    parts = {key, *key.split(":", 1)} if ":" in key else {key}
    return sorted((p for p in parts if p), key=len, reverse=True)


class DownloadError(Exception):
    """A download that produced no usable data; ``http_status`` when the server answered."""

    def __init__(self, message: str, http_status: int | None = None) -> None:
        super().__init__(message)
        self.http_status = http_status


class FetchError(DownloadError):
    """The network or the server failed (timeout, refused, 5xx, 429, 4xx)."""


class FetchTimeout(FetchError):
    """The server did not answer within the client's timeout."""


class RateLimited(FetchError):
    """429 whose Retry-After is longer than the client is willing to wait."""

    def __init__(self, message: str, retry_after: float | None) -> None:
        super().__init__(message, http_status=429)
        self.retry_after = retry_after


class ParseError(DownloadError):
    """The server answered, but the body is not what the provider's format promises."""


class Connector(Protocol):
    """One provider's dataset: request building and parsing, both free of I/O.

    ``kind`` says what ``parse`` returns: ``"observations"`` (``series_id, date, value``),
    ``"bars"`` (``symbol, ts, open, high, low, close, volume``; ``ts`` UTC) or ``"rows"`` (the
    columns of its dataset's table, checked by that dataset's validator: an option-chain
    summary). ``build_requests`` returns every request one instrument needs (one, or one per
    page/year): each body is parsed on its own and the frames joined — unless the connector
    reads its requests together (``parse_bodies``, see ``reads_together``).
    """

    provider: str
    kind: str

    def build_requests(
        self, base_url: str, symbol: str, since: date | None, api_key: str | None = None
    ) -> list[HttpRequest]: ...

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame: ...


def reads_together(connector: Connector) -> bool:
    """Whether ``connector``'s requests answer one instrument together: a connector that needs
    several endpoints for one frame (an option chain's greeks from one, its volumes from
    another) has ``parse_bodies(bodies, symbol)``, given the bodies of every request of
    ``build_requests`` in their order, instead of a frame per body."""
    return callable(getattr(connector, "parse_bodies", None))


def parse_responses(connector: Connector, bodies: list[bytes], symbol: str) -> list[pd.DataFrame]:
    """The frames of the bodies answering ``connector.build_requests``, in order: one per body,
    or a single one of them all when the connector reads its requests together."""
    if reads_together(connector):
        return [connector.parse_bodies(list(bodies), symbol)]  # type: ignore[attr-defined]
    return [connector.parse(body, symbol) for body in bodies]


@dataclass(frozen=True)
class ProviderSpec:
    """What one provider module (``datasources/providers/<name>``) declares as ``PROVIDER``:
    its connectors (each answering for one catalog ``provider`` name), the environment
    variable holding the keys of each keyed connector, and the rate limit its sources get
    when the catalog sets none."""

    name: str
    connectors: tuple[Connector, ...]
    rate_limit_per_minute: int | None = None
    credentials: dict[str, str] = field(default_factory=dict)


def observations_frame(series_id: str, dates, values, labels=None) -> pd.DataFrame:
    """Observations by date, the last of a day's duplicates kept, rows without a value dropped
    (``label`` beside them when given)."""
    frame = pd.DataFrame(
        {"series_id": series_id, "date": pd.to_datetime(dates).date, "value": pd.to_numeric(values, errors="coerce")}
    )
    if labels is not None:
        frame["label"] = labels
    frame = frame.dropna(subset=["value"]).drop_duplicates(subset=["date"], keep="last")
    return frame.sort_values("date").reset_index(drop=True)


def bars_frame(symbol: str, ts, open_=None, high=None, low=None, close=None, volume=None) -> pd.DataFrame:
    """A canonical bar frame: UTC timestamps, float prices, rows without a close dropped."""
    stamps = pd.to_datetime(ts, utc=True)
    n = len(stamps)

    def column(values):
        return pd.to_numeric(pd.Series(values if values is not None else [None] * n), errors="coerce").astype(float)

    frame = pd.DataFrame(
        {
            "symbol": symbol,
            "ts": stamps,
            "open": column(open_).to_numpy(),
            "high": column(high).to_numpy(),
            "low": column(low).to_numpy(),
            "close": column(close).to_numpy(),
            "volume": column(volume).to_numpy(),
        }
    )
    return frame.dropna(subset=["close"]).reset_index(drop=True)[BAR_COLUMNS]
