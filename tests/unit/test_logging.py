"""config/logging_setup.py: JSON lines with context and extra fields, request ids, run ids,
the text format, and no secrets in any line."""

from __future__ import annotations

import io
import json
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest

from config import logging_setup
from config.logging_setup import (
    log_context,
    make_handler,
    resolve_format,
    run_log_context,
    sanitize_request_id,
    setup_logging,
)
from config.settings import SettingsError, load_settings


@pytest.fixture
def capture():
    """A logger writing through the station's handler into a buffer; returns (logger, lines())."""
    buffers: dict[str, io.StringIO] = {}

    def make(fmt: str = "json"):
        buffer = io.StringIO()
        buffers[fmt] = buffer
        logger = logging.getLogger(f"spartan.test.{fmt}")
        logger.handlers[:] = [make_handler(fmt, stream=buffer)]
        logger.setLevel(logging.DEBUG)
        logger.propagate = False

        def lines() -> list[str]:
            return buffer.getvalue().splitlines()

        return logger, lines

    yield make
    for fmt in buffers:
        logging.getLogger(f"spartan.test.{fmt}").handlers[:] = []


@pytest.fixture
def restore_root():
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    logging.captureWarnings(False)


def test_a_json_line_has_utc_time_level_logger_message_and_the_extra_fields(capture):
    logger, lines = capture("json")
    before = datetime.now(UTC)
    logger.warning("refresh of %s took %.1fs", "fred", 2.5, extra={"dataset": "fred_series", "rows": 12})
    (line,) = lines()
    record = json.loads(line)
    assert list(record)[:5] == ["time", "level", "logger", "message", "pid"]
    assert record["level"] == "WARNING"
    assert record["logger"] == "spartan.test.json"
    assert record["message"] == "refresh of fred took 2.5s"
    assert record["dataset"] == "fred_series" and record["rows"] == 12
    assert record["time"].endswith("Z")
    stamp = datetime.fromisoformat(record["time"].replace("Z", "+00:00"))
    assert stamp.utcoffset() == timedelta(0)
    assert before - timedelta(seconds=1) <= stamp <= datetime.now(UTC) + timedelta(seconds=1)
    # No attribute of the LogRecord machinery leaks in.
    for internal in ("args", "msg", "levelno", "pathname", "funcName", "thread", "created"):
        assert internal not in record


def test_audit_style_extras_come_out_as_json_fields_and_cannot_replace_the_core_ones(capture):
    logger, lines = capture("json")
    audit = {
        "event": "data_access",
        "query": {"range": "1Y", "keys": ["SPX", "NDX"]},
        "status": 200,
        "bytes": None,
        "accessed_at": datetime(2026, 1, 2, tzinfo=UTC),
        "level": "spoofed",
    }
    logger.info("page GET /", extra=audit)
    record = json.loads(lines()[0])
    assert record["event"] == "data_access"
    assert record["query"] == {"range": "1Y", "keys": ["SPX", "NDX"]}
    assert record["status"] == 200 and record["bytes"] is None
    assert record["accessed_at"].startswith("2026-01-02T00:00:00")
    assert record["level"] == "INFO"


def test_an_exception_is_one_json_line_with_its_traceback(capture):
    logger, lines = capture("json")
    try:
        raise ValueError("bad frame")
    except ValueError:
        logger.exception("writing failed")
    (line,) = lines()
    record = json.loads(line)
    assert record["level"] == "ERROR" and record["message"] == "writing failed"
    assert "Traceback" in record["exc_info"] and "ValueError: bad frame" in record["exc_info"]


def test_context_fields_are_on_every_line_inside_the_block_and_gone_after(capture):
    logger, lines = capture("json")
    with log_context(request_id="req-1"):
        logger.info("one")
        logging.getLogger("spartan.test.json").info("two")  # another call site, same context
        assert logging_setup.current_request_id() == "req-1"
    logger.info("three")
    records = [json.loads(line) for line in lines()]
    assert [r.get("request_id") for r in records] == ["req-1", "req-1", None]
    assert logging_setup.current_request_id() is None


def test_each_thread_keeps_its_own_request_id(capture):
    logger, lines = capture("json")
    barrier = threading.Barrier(2)

    def request(request_id: str) -> None:
        with log_context(request_id=request_id):
            barrier.wait()  # both contexts bound at once
            logger.info("serving %s", request_id)

    threads = [threading.Thread(target=request, args=(rid,)) for rid in ("a-1", "b-2")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    records = [json.loads(line) for line in lines()]
    assert {(r["message"], r["request_id"]) for r in records} == {("serving a-1", "a-1"), ("serving b-2", "b-2")}


def test_a_run_id_reaches_the_lines_of_the_runs_worker_threads(capture):
    logger, lines = capture("json")
    with run_log_context("refresh") as run_id, ThreadPoolExecutor(2) as pool:
        list(pool.map(lambda i: logger.info("download %d", i), range(3)))
    logger.info("after the run")
    records = [json.loads(line) for line in lines()]
    assert len(run_id) == 32
    assert [(r.get("run_id"), r.get("run_kind")) for r in records[:3]] == [(run_id, "refresh")] * 3
    assert "run_id" not in records[3] and "run_kind" not in records[3]


def test_an_explicit_extra_wins_over_the_context(capture):
    logger, lines = capture("json")
    with log_context(request_id="ctx"):
        logger.info("x", extra={"request_id": "explicit"})
    assert json.loads(lines()[0])["request_id"] == "explicit"


def test_passwords_and_keys_never_reach_a_line(capture):
    logger, lines = capture("json")
    text_logger, text_lines = capture("text")
    for log in (logger, text_logger):
        log.error(
            "cannot connect to %s; GET https://api.example.com/x?series=GDP&api_key=abc123SECRET&token=t0ps3cret",
            "postgresql://spartan:hunter2@db:5432/spartan",
            extra={"url": "redis://:redispass@cache:6379/0"},
        )
    output = "\n".join(lines() + text_lines())
    for secret in ("hunter2", "abc123SECRET", "t0ps3cret", "redispass"):
        assert secret not in output
    record = json.loads(lines()[0])
    assert "postgresql://spartan:***@db:5432/spartan" in record["message"]
    assert "api_key=***" in record["message"] and "series=GDP" in record["message"]
    assert record["url"] == "redis://:***@cache:6379/0"


def test_the_text_format_is_one_readable_line_with_the_context(capture):
    logger, lines = capture("text")
    with log_context(request_id="abc"):
        logger.info("served %s", "/rates", extra={"status": 200})
    (line,) = lines()
    assert " INFO spartan.test.text: served /rates" in line
    assert "request_id=abc" in line and "status=200" in line
    assert line[:24].endswith("Z")
    with pytest.raises(json.JSONDecodeError):
        json.loads(line)


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_auto_is_text_on_a_terminal_and_json_otherwise():
    assert resolve_format("auto", _Tty()) == "text"
    assert resolve_format("auto", io.StringIO()) == "json"
    assert resolve_format("json", _Tty()) == "json"
    assert resolve_format("text", io.StringIO()) == "text"
    with pytest.raises(ValueError):
        resolve_format("xml")


def test_setup_logging_makes_every_logger_and_warnings_write_json(capsys, restore_root):
    import warnings

    setup_logging("INFO", "json")
    logging.getLogger("sql.read").info("from a module")
    logging.getLogger("spartan.audit").info("audited", extra={"event": "data_access"})
    logging.getLogger("urllib3").info("quieted below WARNING")
    warnings.warn("an old API", DeprecationWarning, stacklevel=1)
    lines = capsys.readouterr().err.splitlines()
    records = [json.loads(line) for line in lines]  # every line is one JSON object
    assert [r["logger"] for r in records] == ["sql.read", "spartan.audit", "py.warnings"]
    assert records[1]["event"] == "data_access"
    assert "an old API" in records[2]["message"]


@pytest.mark.parametrize(
    ("value", "kept"),
    [
        ("abc-123", True),
        ("0f8e2c1a-4d2b-4c55-9d0b-3f3c1c2b7e6a", True),
        ("Root.1:5759e988_bd86", True),
        ("x" * 128, True),
        ("x" * 129, False),
        ("", False),
        (None, False),
        ("has space", False),
        ("new\nline", False),
        ("<script>", False),
        ("-leading-dash", False),
        ("ünïcode", False),
    ],
)
def test_an_incoming_request_id_is_kept_only_when_sane(value, kept):
    assert sanitize_request_id(value) == (value if kept else None)


def test_log_format_setting(tmp_path):
    base = {"SPARTAN_VAR_DIR": str(tmp_path)}
    assert load_settings(base).log_format == "auto"
    assert load_settings({**base, "SPARTAN_LOG_FORMAT": "JSON"}).log_format == "json"
    assert load_settings({**base, "SPARTAN_LOG_FORMAT": "text"}).log_format == "text"
    with pytest.raises(SettingsError, match="SPARTAN_LOG_FORMAT"):
        load_settings({**base, "SPARTAN_LOG_FORMAT": "xml"})
