"""Decoding JSON bodies into the connector's ParseError on any failure."""

from __future__ import annotations

import json

from datasources.base import ParseError


def load_json(body: bytes):
    if not body or not body.strip():
        raise ParseError("empty body")
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ParseError(f"not JSON: {exc}") from None
