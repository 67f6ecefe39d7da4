"""The README lists every dashboard, with its path and title (its "Every dashboard" tables)."""

from __future__ import annotations

import re
from pathlib import Path

from config.dashboard_specs import load_dashboards

README = Path(__file__).resolve().parents[2] / "README.md"


def listed() -> dict[str, str]:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("### Every dashboard") : text.index("## The read path")]
    return {path: title.strip() for title, path in re.findall(r"^\| ([^|]+) \| `([^`]+)` \|", section, re.M)}


def test_the_readme_lists_every_dashboard_by_its_path_and_title():
    boards = {board.path: board.title for board in load_dashboards().values()}
    assert len(boards) >= 48
    assert listed() == boards


def test_the_readme_counts_them():
    assert f"{len(load_dashboards())} dashboards in `config/dashboards/`" in README.read_text(encoding="utf-8")
