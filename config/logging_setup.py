"""The one logging setup shared by the web and the sidecar.

Every line is one JSON object on stderr (``SPARTAN_LOG_FORMAT=json``; the default ``auto``
picks it whenever stderr is not a terminal, i.e. under Docker, systemd or gunicorn in the
background): ``time`` (UTC, ISO 8601), ``level``, ``logger``, ``message``, ``pid``, the fields
of the current context (``request_id`` during a web request, ``run_id``/``run_kind`` during a
sidecar run) and whatever the call passed as ``extra={…}``. ``SPARTAN_LOG_FORMAT=text`` (and
``auto`` on a terminal) prints the same as one readable line for development.

A terminal shows one line per request (the access line, ``spartan.access``): the audit trail
(``spartan.audit``) stays out of the text format, and goes to its file (middleware/audit.py). A
record logged with ``extra={PRINTED: True}`` says what the command already printed for the
person at the terminal (a run's summary): the text format leaves it out, JSON keeps it.

Connection-URL passwords and secret-looking query parameters are masked in every line.
"""

from __future__ import annotations

import logging
import re
import sys
import threading
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter

from config.settings import redact_url

LOG_FORMATS = ("auto", "json", "text")
NOISY_LOGGERS = ("urllib3", "apscheduler.executors", "werkzeug", "alembic.runtime.migration")

# Fields of the current request (web) or run (sidecar), added to every record logged in it.
_context: ContextVar[Mapping[str, Any]] = ContextVar("spartan_log_context", default=MappingProxyType({}))
# Fields of the process's current sidecar run. A run fans out over a thread pool whose
# threads do not inherit context variables; only one run at a time holds the jobs lock.
_process_context: dict[str, Any] = {}
_process_lock = threading.Lock()

# An incoming X-Request-ID is kept only when it is this: bounded, and safe in a header and a log.
_SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")
_SECRET_PARAM = re.compile(
    r"(?i)\b(api[_-]?key|apikey|access[_-]?token|token|password|passwd|secret|client[_-]?secret)=([^&\s\"']+)"
)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# The core keys of a JSON line; extras never overwrite them.
_CORE = ("time", "level", "logger", "message", "pid")
AUDIT_LOGGER = "spartan.audit"
PRINTED = "printed"  # an ``extra`` flag: the command printed this record's content already
_SKIP = set(RESERVED_ATTRS) | {"taskName", "color_message", PRINTED}


def new_id() -> str:
    return uuid.uuid4().hex


def sanitize_request_id(value: str | None) -> str | None:
    """``value`` when it is a sane id (1–128 of ``A-Z a-z 0-9 . _ : -``, the first a letter or
    digit), else None."""
    if value and _SAFE_ID.fullmatch(value):
        return value
    return None


def context_fields() -> dict[str, Any]:
    """The fields every record gets now: the process's run, overridden by the current context."""
    with _process_lock:
        fields = dict(_process_context)
    fields.update(_context.get())
    return fields


def current_request_id() -> str | None:
    return _context.get().get("request_id")


def bind(**fields: Any):
    """Add ``fields`` to the current context; returns the token for :func:`unbind`."""
    return _context.set({**_context.get(), **fields})


def unbind(token) -> None:
    try:
        _context.reset(token)
    except ValueError:  # reset from another context (should not happen): drop everything
        _context.set(MappingProxyType({}))


@contextmanager
def log_context(**fields: Any) -> Iterator[None]:
    """Every record logged inside the block (in this thread or task) carries ``fields``."""
    token = bind(**fields)
    try:
        yield
    finally:
        unbind(token)


@contextmanager
def run_log_context(kind: str, run_id: str | None = None) -> Iterator[str]:
    """A sidecar run: ``run_id`` and ``run_kind`` on every record of the process (its download
    threads included) until the block ends. Yields the run id."""
    run_id = run_id or new_id()
    fields = {"run_id": run_id, "run_kind": kind}
    with _process_lock:
        previous = dict(_process_context)
        _process_context.update(fields)
    try:
        with log_context(**fields):
            yield run_id
    finally:
        with _process_lock:
            _process_context.clear()
            _process_context.update(previous)


def clip(value: object, limit: int = 200) -> str:
    """``value`` as text for one log line: control characters escaped (a newline cannot start a
    forged line), at most ``limit`` characters (a 100 KB value is not logged whole)."""
    text = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", str(value))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def redact(text: str) -> str:
    """Mask connection-URL passwords and secret query parameters in ``text``."""
    if "=" not in text and "@" not in text:
        return text
    return _SECRET_PARAM.sub(r"\1=***", redact_url(text) or text)


def _redact_value(value: Any) -> Any:
    return redact(value) if isinstance(value, str) else value


class ContextFilter(logging.Filter):
    """Puts the context's fields on each record (an ``extra`` of the call wins)."""

    def filter(self, record: logging.LogRecord) -> bool:
        for key, value in context_fields().items():
            if not hasattr(record, key):
                setattr(record, key, value)
        return True


def _utc_iso(created: float) -> str:
    return datetime.fromtimestamp(created, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _extras(record: logging.LogRecord) -> dict[str, Any]:
    return {k: v for k, v in record.__dict__.items() if k not in _SKIP and not k.startswith("_") and k not in _CORE}


class SpartanJsonFormatter(JsonFormatter):
    """One JSON object per record: the core keys, then context fields and ``extra`` fields."""

    def __init__(self) -> None:
        super().__init__(reserved_attrs=sorted(_SKIP), json_ensure_ascii=False)

    def add_fields(self, log_data: dict[str, Any], record: logging.LogRecord, message_dict: dict[str, Any]) -> None:
        super().add_fields(log_data, record, message_dict)  # extras, exc_info, stack_info
        core = {
            "time": _utc_iso(record.created),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.message),
            "pid": record.process,
        }
        rest = {k: _redact_value(v) for k, v in log_data.items() if k not in _CORE}
        log_data.clear()
        log_data.update(core)
        log_data.update(rest)


class SpartanTextFormatter(logging.Formatter):
    """``2026-01-02T03:04:05.678Z INFO logger: message  key=value …`` for a terminal."""

    def format(self, record: logging.LogRecord) -> str:
        record.message = record.getMessage()
        line = f"{_utc_iso(record.created)} {record.levelname} {record.name}: {redact(record.message)}"
        extras = _extras(record)
        if extras:
            line += "  " + " ".join(f"{k}={_redact_value(v)}" for k, v in extras.items())
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line += "\n" + redact(record.exc_text)
        if record.stack_info:
            line += "\n" + self.formatStack(record.stack_info)
        return line


def resolve_format(fmt: str = "auto", stream=None) -> str:
    """``json`` or ``text``: ``auto`` is text on a terminal, JSON otherwise."""
    if fmt not in LOG_FORMATS:
        raise ValueError(f"log format must be one of {', '.join(LOG_FORMATS)}, got {fmt!r}")
    if fmt != "auto":
        return fmt
    stream = stream or sys.stderr
    try:
        return "text" if stream.isatty() else "json"
    except (AttributeError, ValueError):
        return "json"


def make_formatter(fmt: str = "auto", stream=None) -> logging.Formatter:
    return SpartanTextFormatter() if resolve_format(fmt, stream) == "text" else SpartanJsonFormatter()


class TerminalFilter(logging.Filter):
    """What a person at a terminal does not need twice: the audit record of a request whose
    access line is shown, and records of what the command printed itself."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.name != AUDIT_LOGGER and not getattr(record, PRINTED, False)


def make_handler(fmt: str = "auto", stream=None) -> logging.Handler:
    """A stderr handler with the station's formatter and context filter (and, in the text
    format, the terminal's filter)."""
    stream = stream or sys.stderr
    handler = logging.StreamHandler(stream)
    handler.setFormatter(make_formatter(fmt, stream))
    handler.addFilter(ContextFilter())
    if resolve_format(fmt, stream) == "text":
        handler.addFilter(TerminalFilter())
    return handler


def setup_logging(level: str = "INFO", fmt: str = "auto") -> None:
    """Log to stderr (JSON or text, see the module doc); quiet the chatty libraries."""
    root = logging.getLogger()
    root.handlers[:] = [make_handler(fmt)]
    root.setLevel(level)
    for noisy in NOISY_LOGGERS:
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
    # Warnings become records too (one format on stderr). Off first: a second set-up in one
    # process (another app, a test) re-hooks whatever shows warnings now.
    logging.captureWarnings(False)
    logging.captureWarnings(True)
