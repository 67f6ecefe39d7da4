"""Wire-format helpers every provider module shares: decoding JSON and CSV bodies, checking
their envelopes and rows, and turning candle arrays into bars. Every way a body can be wrong
ends in the connector's ``ParseError``."""

from __future__ import annotations

import io
import json
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta

import pandas as pd

from datasources.base import ParseError, bars_frame

# How far back a first download reaches when a provider takes a start date.
BACKFILL_DAYS = 5 * 365 + 7


def load_json(body: bytes):
    """A JSON body decoded; empty or undecodable bodies are ParseErrors."""
    if not body or not body.strip():
        raise ParseError("empty body")
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ParseError(f"not JSON: {exc}") from None


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


def member(doc, key: str):
    """``doc[key]`` when ``doc`` is an object that has it, else None (an envelope's field)."""
    return doc.get(key) if isinstance(doc, dict) else None


def describe(doc) -> str:
    """What a body that is not the expected shape holds, for an error message: its type and,
    for an object, its first keys."""
    if isinstance(doc, dict):
        keys = ", ".join(list(map(str, doc))[:6])
        return f"an object with {keys}" if keys else "an empty object"
    if isinstance(doc, list):
        return f"a list of {len(doc)}"
    return f"{type(doc).__name__} {str(doc)[:40]!r}"


def require_fields(rows: list, keys: Iterable[str], what: str) -> None:
    """Every row an object with every one of ``keys``; else ``"{what} lack a/b"``."""
    keys = tuple(keys)
    if any(not isinstance(r, dict) or any(k not in r for k in keys) for r in rows):
        raise ParseError(f"{what} lack {'/'.join(keys)}")


def api_error(provider: str, doc, code_key: str, message_key: str) -> ParseError:
    """A provider's error envelope (``{code, message}`` under its own names) as a ParseError."""
    if isinstance(doc, dict):
        return ParseError(f"{provider} error {doc.get(code_key)}: {doc.get(message_key)}")
    return ParseError(f"{provider}: unexpected body")


def backfill_start(since: date | None, days: int = BACKFILL_DAYS) -> date:
    """``since``, or ``days`` before today (UTC) for a first download."""
    return since or (datetime.now(UTC).date() - timedelta(days=days))


DAY_SECONDS = 86_400


def day_seconds(day: date) -> int:
    """Midnight UTC of ``day`` as seconds since the epoch."""
    return int(datetime.combine(day, time(), tzinfo=UTC).timestamp())


def day_windows(since: date | None, page_days: int, today: date | None = None) -> list[tuple[date, date]]:
    """The days from ``since`` (a first download: :data:`BACKFILL_DAYS` back, the history
    depth) to ``today`` (UTC), cut into consecutive ranges ``(first, last)`` of at most
    ``page_days`` days each, oldest first: one request per range for a provider that answers at
    most ``page_days`` daily candles a request. The ranges neither overlap nor leave a day out,
    so the pages join without a duplicate or a missing bar at their seams; a refresh (``since``
    a couple of weeks back) is one range."""
    if page_days < 1:
        raise ValueError(f"page_days must be >= 1, got {page_days}")
    first = backfill_start(since)
    last_day = today or datetime.now(UTC).date()
    windows = []
    while first <= last_day:
        last = min(first + timedelta(days=page_days - 1), last_day)
        windows.append((first, last))
        first = last + timedelta(days=1)
    return windows or [(last_day, last_day)]


def split_pair(symbol: str) -> tuple[str, str]:
    """``EURUSD`` → ``("EUR", "USD")`` (a pair quotes the second currency per one of the first)."""
    if len(symbol) != 6 or not symbol.isalpha():
        raise ValueError(f"not a currency pair like EURUSD: {symbol!r}")
    return symbol[:3].upper(), symbol[3:].upper()


def candle_rows(rows, positions: dict[str, int], unit: str, symbol: str) -> pd.DataFrame:
    """Candle arrays → bars, given where each field sits and the unit of the timestamp
    (exchanges each order their arrays their own way)."""
    if not isinstance(rows, list) or any(
        not isinstance(r, list | tuple) or len(r) <= max(positions.values()) for r in rows
    ):
        raise ParseError("expected a list of candle arrays")
    column = {name: [r[i] for r in rows] for name, i in positions.items()}
    numbers = pd.to_numeric(pd.Series(column["ts"], dtype=object), errors="coerce")
    if numbers.isna().any():
        raise ParseError("a candle's timestamp is not a number")
    stamps = pd.to_datetime(numbers, unit=unit, utc=True)
    frame = bars_frame(symbol, stamps, column["open"], column["high"], column["low"], column["close"], column["volume"])
    return frame.sort_values("ts").drop_duplicates(subset=["ts"], keep="last").reset_index(drop=True)


# How far back a one-day-per-request endpoint is asked (a request per day: older history is the
# time-series sources' to give).
SNAPSHOT_MAX_DAYS = 31


def snapshot_days(since: date | None, max_days: int = SNAPSHOT_MAX_DAYS, today: date | None = None) -> list[date]:
    """The weekdays (UTC) to ask a one-day-per-request rates endpoint for, oldest first: from
    ``since`` (a first download: ``max_days`` back) to ``today``, but never more than ``max_days``
    back; at least ``today``."""
    last = today or datetime.now(UTC).date()
    first = last - timedelta(days=max_days - 1)
    if since is not None:
        first = max(since, first)
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    return [d for d in days if d.weekday() < 5] or [last]


def fixed_base_days(provider: str, required: str, symbol: str, since: date | None) -> list[date]:
    """The days to ask a one-day-per-request rates endpoint that quotes per ``required`` only (a
    free plan's single base) for ``symbol``: :func:`snapshot_days`; a pair of another base is a
    catalog mistake, refused before any request."""
    base, _quote = split_pair(symbol)
    if base != required:
        raise ValueError(f"{provider} (free plan) quotes per {required}, not per {base}")
    return snapshot_days(since)


def day_rate_bar(symbol: str, day: str, rates: dict, key: str) -> pd.DataFrame:
    """The close-only bar of one day's rate ``rates[key]`` (``day`` as ``YYYY-MM-DD``)."""
    if key not in rates:
        raise ParseError(f"{key} not among the quoted currencies")
    try:
        stamp = pd.to_datetime([day], format="%Y-%m-%d")
    except (TypeError, ValueError) as exc:
        raise ParseError(f"unparseable date: {exc}") from None
    return bars_frame(symbol, stamp, close=[rates[key]])


def record_bars(
    rows,
    symbol: str,
    stamp: str,
    fields: tuple[str | None, ...] = ("open", "high", "low", "close", "volume"),
    what: str = "rows",
    session_tz: str | None = None,
) -> pd.DataFrame:
    """Daily bars from a list of objects, one a day: ``stamp`` the key of its date (or time),
    ``fields`` the keys of open, high, low, close and volume (None: not sent). A time is the day
    it falls on in UTC, or with ``session_tz`` the day of the session in that zone (a New York
    session stamped at 04:00/05:00 UTC). Oldest first, the last of a day's duplicates kept."""
    if not isinstance(rows, list):
        raise ParseError(f"expected a list of {what}, got {describe(rows)}")
    close = fields[3]
    require_fields(rows, (stamp, close), what)
    try:
        stamps = pd.to_datetime([str(r[stamp]) for r in rows], utc=True, format="ISO8601")
    except (TypeError, ValueError) as exc:
        raise ParseError(f"unparseable {stamp}: {exc}") from None
    stamps = stamps.tz_convert(session_tz) if session_tz else stamps
    days = stamps.normalize().tz_localize(None)

    def column(key):
        return [r.get(key) for r in rows] if key else None

    frame = bars_frame(symbol, days, *(column(key) for key in fields))
    return frame.sort_values("ts").drop_duplicates(subset=["ts"], keep="last").reset_index(drop=True)
