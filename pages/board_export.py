"""A personal board as a dashboard file: the same YAML as config/dashboards/*.yaml, which
config/dashboard_specs.py loads — each pinned panel as its dashboard defines it (type, dataset,
keys, options), at the board's width and in the board's order. Dropped into config/dashboards/
it becomes a built-in dashboard at its own path.

A pin whose panel has left its dashboard is left out; a panel id that two pins share (``headline``
of two dashboards) is prefixed with its dashboard's id, as panel ids are unique in a file.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import yaml

from config.dashboard_specs import SCHEMA_VERSIONS, Dashboard, PanelSpec
from sql.boards import Board

ID_LENGTH = 48  # config/dashboard_specs.py's ids: a lower-case letter, then up to 47 of [a-z0-9_-]


def dashboards() -> dict[str, Dashboard]:
    """The built-in dashboards, by id. Imported when asked: pages/dashboards.py registers Dash
    pages as it loads, which app.py (importing the board routes) must not do before the app is made."""
    from pages.dashboards import DASHBOARDS

    return DASHBOARDS


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def board_file_id(board: Board) -> str:
    """The exported dashboard's id (and path): ``board-<id>-<name as a slug>``, 48 characters at most."""
    return f"board-{board.id}-{_slug(board.name)}"[:ID_LENGTH].rstrip("-_")


def _unique_id(spec: PanelSpec, dashboard_id: str, taken: set[str]) -> str:
    candidates = [spec.id, f"{dashboard_id}-{spec.id}"[:ID_LENGTH].rstrip("-_")]
    candidates += [f"{candidates[1][: ID_LENGTH - 4]}-{n}" for n in range(2, 1000)]
    found = next(c for c in candidates if c not in taken)
    taken.add(found)
    return found


def _flow(mapping: dict) -> str:
    """One mapping on one line, as the dashboard files write their panels."""
    return yaml.safe_dump(
        mapping, default_flow_style=True, sort_keys=False, width=1_000_000, allow_unicode=True
    ).strip()


def _panel(spec: PanelSpec, panel_id: str, width: int) -> dict:
    raw: dict = {"id": panel_id, "type": spec.type, "title": spec.title}
    if spec.dataset:
        raw["dataset"] = spec.dataset
    if spec.keys is not None:
        raw["keys"] = list(spec.keys)
    raw.update(dict(spec.options))
    raw["width"] = width
    return raw


def board_yaml(board: Board) -> str | None:
    """The board as a dashboard file; None when none of its pins is a panel of the dashboards."""
    taken: set[str] = set()
    lines = []
    for pin in board.pins:
        dashboard = dashboards().get(pin.dashboard_id)
        spec = dashboard.panel(pin.panel_id) if dashboard else None
        if spec is None:
            continue
        lines.append(f"  # from {dashboard.title} ({dashboard.path}), panel {spec.id}")
        lines.append(f"  - {_flow(_panel(spec, _unique_id(spec, pin.dashboard_id, taken), pin.width))}")
    if not lines:
        return None
    file_id = board_file_id(board)
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    head = {
        "schema_version": SCHEMA_VERSIONS[-1],
        "id": file_id,
        "title": board.name,
        "path": f"/{file_id}",
        "description": f"{board.owner}'s board “{board.name}”, exported from Spartan Research Station on {when}.",
    }
    header = yaml.safe_dump(head, sort_keys=False, width=1_000_000, allow_unicode=True)
    return f"# A personal board exported as a dashboard file (config/dashboards/*.yaml)\n{header}panels:\n" + (
        "\n".join(lines) + "\n"
    )
