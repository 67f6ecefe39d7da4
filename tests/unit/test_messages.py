"""What the station says when something is missing or failing: the failing-sources line, the
"no data yet" state, the preload's progress in a terminal, and a terminal's log lines."""

from __future__ import annotations

import io
import json
import logging

import pandas as pd
import pytest

from components.cards import empty_state, failing_sources_notice
from config.logging_setup import PRINTED, make_handler
from jobs.progress import RunProgress


def texts(component) -> list[str]:
    """Every string in a component tree, in order."""
    if isinstance(component, str):
        return [component]
    if isinstance(component, list | tuple):
        return [t for child in component for t in texts(child)]
    children = getattr(component, "children", None)
    return texts(children) if children is not None else []


def health(rows: list[tuple[str, str, str | None]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["source_id", "state", "last_error"])


REFUSED = "FetchError: connection failed: name resolution failed"


def test_many_unreachable_sources_are_one_line_with_the_error_told_once():
    sources = [f"source_{i:02d}" for i in range(23)]
    notice = failing_sources_notice(
        health([(s, "failing" if i % 2 else "circuit_open", REFUSED) for i, s in enumerate(sources)]),
        details_href="/system#panel-system-sources",
    )
    line = "".join(texts(notice))
    assert line == "23 sources unreachable (offline?): source_00, source_01, source_02 and 20 more · details"
    assert notice.title.count(REFUSED) == 1  # grouped by error: the tooltip tells it once
    assert notice.title == f"{REFUSED}: {', '.join(sources)}"
    link = notice.children[-1]
    assert link.href == "/system#panel-system-sources" and link.children == "details"
    assert "text-truncate" in notice.className  # one line, whatever the width


def test_other_errors_say_failing_and_each_error_once():
    notice = failing_sources_notice(
        health(
            [
                ("a", "failing", "FetchError: HTTP 500"),
                ("b", "failing", REFUSED),
                ("c", "failing", "FetchError: HTTP 500"),
                ("d", "ok", None),
                ("e", "not_used_yet", None),
            ]
        )
    )
    assert "".join(texts(notice)) == "3 sources failing: a, b, c"  # no link without a details page
    assert notice.title.splitlines() == ["FetchError: HTTP 500: a, c", f"{REFUSED}: b"]


def test_one_source_is_singular_and_all_working_is_no_notice():
    one = failing_sources_notice(health([("fred_graph", "failing", "FetchError: timed out after 20s")]))
    assert "".join(texts(one)) == "1 source unreachable (offline?): fred_graph"
    assert failing_sources_notice(health([("a", "ok", None), ("b", "degraded", "x")])) is None
    assert failing_sources_notice(health([])) is None


def test_no_data_states_say_how_to_get_demo_data():
    text = " ".join(texts(empty_state("No data yet", "Nothing stored for these instruments yet.")))
    assert "python -m jobs demo" in text and "python -m jobs demo --remove" in text
    assert "python -m jobs demo" in " ".join(texts(empty_state()))
    assert "python -m jobs demo" not in " ".join(texts(empty_state("No such panel", "Wrong link.")))
    assert "python -m jobs demo" in " ".join(texts(empty_state("Nothing here", "", hint=True)))


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_progress_off_a_terminal_is_a_plain_line_now_and_then_and_one_at_the_end():
    out, clock = io.StringIO(), Clock()
    progress = RunProgress(1000, stream=out, every_seconds=10, clock=clock)
    for done in range(1, 1001):
        clock.now = done * 0.05  # 50 s in all: a line every 10 s
        progress.update(done, 1000, 3 if done > 500 else 0, f"market_indices/X{done}")
    progress.close()
    progress.close()  # once only
    lines = out.getvalue().splitlines()
    assert "\r" not in out.getvalue()
    assert lines[0] == "preload: 1/1000 instruments (0%)"
    assert len(lines) == 6 and lines[-1] == "preload: 1000/1000 instruments (100%) in 50.0s, 3 sources failing"


def test_progress_on_a_terminal_is_one_bar_redrawn_in_place_with_log_lines_above_it(monkeypatch):
    out = FakeTerminal()
    monkeypatch.setenv("COLUMNS", "100")
    root = logging.getLogger()
    handler = make_handler("text", stream=out)
    root.addHandler(handler)
    try:
        with RunProgress(50, stream=out) as progress:
            assert progress.terminal
            for done in range(1, 51):
                progress.update(done, 50, 1, "treasury_yields/10Y")
                if done == 25:
                    logging.getLogger("spartan.test.progress").warning("half way")
        assert handler.stream is out  # the log's stream is given back
    finally:
        root.removeHandler(handler)
    text = out.getvalue()
    assert "\r" in text and "1 source failing" in text and "50/50" in text
    lines = text.split("\n")
    # The log line is a line of its own (the bar cleared before it, redrawn after it), and
    # the bar ends with one newline: nothing else breaks lines.
    (logged,) = [line for line in lines if "half way" in line]
    # what stays on the screen of that line (after its last carriage return) is the log line
    assert logged.split("\r")[-1].startswith("20") and "half way" in logged.split("\r")[-1]
    assert len([line for line in lines if line.strip()]) == 2


def test_progress_disabled_prints_nothing():
    out = io.StringIO()
    with RunProgress(10, stream=out, enabled=False) as progress:
        progress.update(10, 10, 0)
    assert out.getvalue() == ""


def test_a_terminal_shows_no_audit_record_and_nothing_the_command_printed():
    text, json_out = io.StringIO(), io.StringIO()
    logger = logging.getLogger("spartan.test.terminal")
    audit = logging.getLogger("spartan.audit")
    handlers = [make_handler("text", stream=text), make_handler("json", stream=json_out)]
    for h in handlers:
        logger.addHandler(h)
        audit.addHandler(h)
    logger.setLevel(logging.INFO)
    audit_level = audit.level
    audit.setLevel(logging.INFO)  # as middleware/audit.py sets it
    try:
        logging.getLogger("spartan.test.terminal").info("GET /rates 200 3.0ms")
        audit.info("page GET /rates -> 200", extra={"event": "data_access", "path": "/rates"})
        logger.warning("source x failed: boom", extra={PRINTED: True})
    finally:
        for h in handlers:
            logger.removeHandler(h)
            audit.removeHandler(h)
        audit.setLevel(audit_level)
    assert [line.split(" ", 2)[2] for line in text.getvalue().splitlines()] == [
        "spartan.test.terminal: GET /rates 200 3.0ms"
    ]
    records = [json.loads(line) for line in json_out.getvalue().splitlines()]
    assert [r["logger"] for r in records] == ["spartan.test.terminal", "spartan.audit", "spartan.test.terminal"]
    assert records[1]["event"] == "data_access" and all(PRINTED not in r for r in records)


@pytest.mark.parametrize(("name", "dataset"), [("/embed/indices/headline", "market_indices")])
def test_the_audit_names_the_dataset_of_an_embed_by_its_page_path(name, dataset):
    from middleware.audit import _Datasets

    datasets = _Datasets()
    assert datasets.for_page(name) == dataset
    assert datasets.for_page("/embed/global-indices/headline") == dataset
    assert datasets.for_page("/embed/economy/inflation/headline") == "fred_series"
    assert datasets.for_page("/embed/nope/headline") is None
