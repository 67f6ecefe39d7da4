"""``SPARTAN_REDIS_URL``: one Redis server, or a Redis Sentinel deployment.

- ``redis://[[user]:password@]host[:port][/db]``, ``rediss://…`` (TLS) or ``unix:///path.sock``:
  one server, as redis-py reads it.
- ``redis+sentinel://[[user]:password@]host[:port][,host[:port]…]/service[/db]``: the master of
  ``service`` as the sentinels name it, found again after a failover. Port 26379 when left out;
  the password (if any) is sent to the sentinels and to the master alike, as the ``limits``
  library does. Every read and write goes to the master (a replica may lag behind, and the
  station reads back what it just wrote: locks, the page plans, API bodies).

The cache (sql/cache.py) and the rate limits (middleware/rate_limits.py) both read the URL
through :func:`parse_redis_url`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

PLAIN_SCHEMES = ("redis://", "rediss://", "unix://")
SENTINEL_SCHEME = "redis+sentinel://"
SENTINEL_PORT = 26379
_HOST = re.compile(r"^(?:\[(?P<ip6>[0-9A-Fa-f:.]+)\]|(?P<host>[A-Za-z0-9_.-]+))(?::(?P<port>\d{1,5}))?$")
_SERVICE = re.compile(r"^[A-Za-z0-9_.-]{1,128}$")


class RedisUrlError(ValueError):
    """SPARTAN_REDIS_URL is not a URL the station can use; the message says why."""


@dataclass(frozen=True)
class SentinelTarget:
    """Where the sentinels are and which master of theirs to use."""

    sentinels: tuple[tuple[str, int], ...]
    service: str
    db: int = 0
    username: str | None = None
    password: str | None = None

    def limits_uri(self) -> str:
        """The same deployment as the ``limits`` library spells it (no database in the path:
        ``db`` goes in its options)."""
        auth = ""
        if self.password is not None or self.username is not None:
            auth = f"{self.username or ''}:{self.password or ''}@"
        hosts = ",".join(f"[{h}]:{p}" if ":" in h else f"{h}:{p}" for h, p in self.sentinels)
        return f"{SENTINEL_SCHEME}{auth}{hosts}/{self.service}"


def is_sentinel(url: str | None) -> bool:
    return bool(url) and url.startswith(SENTINEL_SCHEME)


def parse_redis_url(url: str) -> str | SentinelTarget:
    """``url`` itself for one server; a :class:`SentinelTarget` for a Sentinel URL. Anything
    else is a :class:`RedisUrlError` naming what is wrong."""
    if url.startswith(PLAIN_SCHEMES):
        return url
    if not url.startswith(SENTINEL_SCHEME):
        raise RedisUrlError(
            "SPARTAN_REDIS_URL must be a redis://, rediss://, unix:// or redis+sentinel:// URL, "
            f"got {url.split('://', 1)[0]!r}://…"
        )
    rest = url[len(SENTINEL_SCHEME) :]
    if "?" in rest or "#" in rest:
        raise RedisUrlError("a redis+sentinel:// URL takes no query or fragment: …/service[/db]")
    location, _, path = rest.partition("/")
    username = password = None
    if "@" in location:
        auth, location = location.rsplit("@", 1)
        user, colon, secret = auth.partition(":")
        username = unquote(user) or None
        password = unquote(secret) if colon else None
    sentinels = []
    for part in location.split(","):
        match = _HOST.match(part.strip())
        if not match:
            raise RedisUrlError(f"redis+sentinel:// URL: {part.strip()!r} is not a host[:port]")
        port = int(match["port"] or SENTINEL_PORT)
        if not 0 < port < 65536:
            raise RedisUrlError(f"redis+sentinel:// URL: port {port} is out of range")
        sentinels.append((match["ip6"] or match["host"], port))
    segments = [s for s in path.split("/") if s]
    if not segments or len(segments) > 2:
        raise RedisUrlError("a redis+sentinel:// URL names the master's service after the hosts: …/mymaster[/db]")
    service = segments[0]
    if not _SERVICE.match(service):
        raise RedisUrlError(f"redis+sentinel:// URL: {service!r} is not a service name")
    db = 0
    if len(segments) == 2:
        if not segments[1].isdigit():
            raise RedisUrlError(f"redis+sentinel:// URL: the database must be a number, got {segments[1]!r}")
        db = int(segments[1])
    return SentinelTarget(tuple(sentinels), service, db, username, password)
