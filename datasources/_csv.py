"""Reading CSV bodies: every way one can be wrong becomes the connector's ParseError."""

from __future__ import annotations

import io

import pandas as pd

from datasources.base import ParseError


def read_csv_body(body: bytes, **read_csv_args) -> pd.DataFrame:
    """A CSV body as a frame; empty bodies, HTML error pages and unreadable text are ParseErrors."""
    if not body or not body.strip():
        raise ParseError("empty body")
    if body.lstrip()[:1] == b"<":
        raise ParseError("expected CSV, got HTML or XML (an error page?)")
    try:
        return pd.read_csv(io.BytesIO(body), **read_csv_args)
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
        raise ParseError(f"unreadable CSV: {exc}") from None


def parse_days(raw: pd.DataFrame, column: str, fmt: str) -> pd.Series:
    """``raw[column]`` as dates in ``fmt``; the first value that does not parse is named."""
    if column not in raw.columns:
        raise ParseError(f"no {column} column in {list(raw.columns)[:8]}")
    days = pd.to_datetime(raw[column], format=fmt, errors="coerce")
    if days.isna().any():
        raise ParseError(f"unparseable date {raw.loc[days.isna(), column].iloc[0]!r} in column {column}")
    return days
