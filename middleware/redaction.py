"""What of a request may go into a log record: control characters escaped, long values cut,
secret-looking query parameters (by name or by value: JWTs, bearer tokens, long opaque tokens)
replaced by ``[REDACTED]``."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from config.logging_setup import clip

VALUE_MAX = 200
MAX_PARAMS = 50
REDACTED = "[REDACTED]"
_SECRET_NAME = re.compile(
    r"pass(word|wd)?|pwd|secret|token|api[-_]?key|access[-_]?key|private[-_]?key|auth|session|cookie"
    r"|signature|credential|(^|[-_])(key|sig)$",
    re.IGNORECASE,
)
_JWT = re.compile(r"eyJ[\w-]{4,}\.[\w-]{4,}\.[\w-]*")
_OPAQUE = re.compile(r"[A-Za-z0-9+/=_.~-]{32,}")
_BEARER = re.compile(r"(bearer|basic|token)\s+\S+", re.IGNORECASE)


def clean(value: object, limit: int = VALUE_MAX) -> str:
    """Text safe for a log line: control characters escaped, at most ``limit`` characters."""
    return clip(value, limit)


def secret_looking(name: str, value: str) -> bool:
    """A parameter whose name or value looks like a credential."""
    if _SECRET_NAME.search(name):
        return True
    value = value.strip()
    if _JWT.search(value) or _BEARER.fullmatch(value):
        return True
    # A long opaque token: letters and digits mixed, no separators a list or a date would have.
    return bool(_OPAQUE.fullmatch(value) and re.search(r"\d", value) and re.search(r"[A-Za-z]", value))


def redact_query(args: Mapping[str, Any] | Any) -> dict[str, Any]:
    """The query parameters, secret-looking ones redacted, long values cut, at most 50 names."""
    out: dict[str, Any] = {}
    for name in list(args.keys())[:MAX_PARAMS]:
        values = args.getlist(name) if hasattr(args, "getlist") else [args[name]]
        cleaned = [REDACTED if secret_looking(name, str(v)) else clean(v) for v in values]
        out[clean(name, 64)] = cleaned[0] if len(cleaned) == 1 else cleaned
    return out
