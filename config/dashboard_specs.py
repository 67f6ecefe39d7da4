"""Dashboards defined as data: ``config/dashboards/*.yaml``, one dashboard a file.

    schema_version: 1               # the layout of this file (the loader refuses one it does not know)
    id: commodities                 # unique; also the CSV/embed route segment
    title: Commodities
    path: /commodities              # unique URL path
    group: Markets                  # navbar menu (none: a link of its own)
    order: 30                       # position in its group
    description: One line under the title.
    panels:
      - {id: energy, type: history, title: Energy, dataset: commodities, keys: [CL, BZ, NG], width: 6}

A panel names a registered panel type (components/panels) and, where it draws stored data, a
dataset and optionally its instrument keys; any other field is an option of its type (``unit``,
``decimals``, ``days``, ``rebase``…). Each panel type declares the options it takes (``options=`` of
``@panel_type``, pages/panels/base.py); ``check_panel_options`` refuses any other, naming the file
and the panel. Adding a dashboard of existing panel types needs no Python.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from config.catalog import SAFE_LOADER

DASHBOARDS_DIR = Path(__file__).resolve().parent / "dashboards"
_ID = re.compile(r"^[a-z][a-z0-9_-]{0,47}$")
_PATH = re.compile(r"^/[a-z0-9/_-]*$")
PANEL_FIELDS = {"id", "type", "title", "dataset", "keys", "width"}
# The dashboard file layouts this loader reads (``schema_version``); the newest is written.
SCHEMA_VERSIONS = (1,)
# What a panel type accepts: option name → the YAML type(s) of its value.
OptionSchema = Mapping[str, type | tuple[type, ...]]


# The range a history panel shows unless the URL asks for another, and the days each spans.
DEFAULT_RANGE = "5Y"
RANGE_DAYS = {"1M": 31, "3M": 92, "6M": 183, "1Y": 366, "5Y": 5 * 365 + 2}
# A year-on-year transform reads this much more history before the range's first date.
YOY_LOOKBACK_DAYS = 400


def range_start(range_: str, newest: date) -> date | None:
    """The first date of ``range_`` counted back from the newest observation (None: all of it)."""
    if range_ == "MAX":
        return None
    if range_ == "YTD":
        return date(newest.year, 1, 1)
    return newest - timedelta(days=RANGE_DAYS[range_])


def history_read_start(range_: str, newest: date, transform: str | None = None) -> date | None:
    """The first date a history panel reads: the range's, earlier for a year-on-year transform.
    Pages draw with it and the sidecar warms with it, so both ask for the same cache key."""
    start = range_start(range_, newest)
    if transform == "yoy" and start is not None:
        start = start - timedelta(days=YOY_LOOKBACK_DAYS)
    return start


class DashboardError(ValueError):
    """A dashboard file is malformed; the message names the file and the part."""


@dataclass(frozen=True)
class PanelSpec:
    id: str
    type: str
    title: str
    dataset: str | None = None
    keys: tuple[str, ...] | None = None
    width: int = 12  # of a 12-column row
    options: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))

    def option(self, name: str, default: Any = None) -> Any:
        return self.options.get(name, default)


@dataclass(frozen=True)
class Dashboard:
    id: str
    title: str
    path: str
    group: str | None
    order: int
    description: str
    panels: tuple[PanelSpec, ...]
    source_file: str = ""
    toolbar: bool = True  # the range/scale/rebase links (off for pages without history charts)
    redirect_from: tuple[str, ...] = ()  # old paths that now lead here (a permanent redirect)

    def panel(self, panel_id: str) -> PanelSpec | None:
        return next((p for p in self.panels if p.id == panel_id), None)


def _panel(raw: object, where: str) -> PanelSpec:
    if not isinstance(raw, dict):
        raise DashboardError(f"{where}: each panel must be a mapping, got {raw!r}")
    for name in ("id", "type"):
        if not isinstance(raw.get(name), str) or not raw[name]:
            raise DashboardError(f"{where}: a panel needs a '{name}'")
    if not _ID.match(raw["id"]):
        raise DashboardError(f"{where}: panel id {raw['id']!r} must be lower-case letters, digits, - or _")
    keys = raw.get("keys")
    if keys is not None and (not isinstance(keys, list) or not all(isinstance(k, str | int) for k in keys)):
        raise DashboardError(f"{where}: panel {raw['id']!r}: 'keys' must be a list of instrument keys")
    width = raw.get("width", 12)
    if not isinstance(width, int) or not 1 <= width <= 12:
        raise DashboardError(f"{where}: panel {raw['id']!r}: 'width' must be 1..12")
    dataset = raw.get("dataset")
    if dataset is not None and not isinstance(dataset, str):
        raise DashboardError(f"{where}: panel {raw['id']!r}: 'dataset' must be a dataset name")
    empty = [k for k, v in raw.items() if v is None]
    if empty:
        # In a flow mapping an unquoted comma ends the value: "title: A (b, c)" leaves "c)" as
        # an option without a value and the title cut short.
        raise DashboardError(
            f"{where}: panel {raw['id']!r}: {empty} without a value (a comma in an unquoted title? quote it)"
        )
    return PanelSpec(
        id=raw["id"],
        type=raw["type"],
        title=str(raw.get("title") or ""),
        dataset=dataset,
        keys=tuple(str(k) for k in keys) if keys is not None else None,
        width=width,
        options=MappingProxyType({k: v for k, v in raw.items() if k not in PANEL_FIELDS}),
    )


def parse_dashboard(text: str, where: str = "dashboard.yaml") -> Dashboard:
    try:
        doc = yaml.load(text, Loader=SAFE_LOADER)  # noqa: S506  # nosec B506 # SAFE_LOADER is a safe loader
    except yaml.YAMLError as exc:
        raise DashboardError(f"{where}: not valid YAML: {exc}") from None
    if not isinstance(doc, dict):
        raise DashboardError(f"{where}: must be a mapping with id, title, path and panels")
    version = doc.get("schema_version")
    if version is None:
        raise DashboardError(f"{where}: needs 'schema_version: {SCHEMA_VERSIONS[-1]}'")
    if isinstance(version, bool) or version not in SCHEMA_VERSIONS:
        known = ", ".join(map(str, SCHEMA_VERSIONS))
        raise DashboardError(f"{where}: schema_version {version!r} is not one this station reads ({known})")
    for name in ("id", "title", "path"):
        if not isinstance(doc.get(name), str) or not doc[name]:
            raise DashboardError(f"{where}: needs a '{name}'")
    if not _ID.match(doc["id"]):
        raise DashboardError(f"{where}: id {doc['id']!r} must be lower-case letters, digits, - or _")
    if not _PATH.match(doc["path"]):
        raise DashboardError(f"{where}: path {doc['path']!r} must be an absolute lower-case URL path")
    panels = doc.get("panels")
    if not isinstance(panels, list) or not panels:
        raise DashboardError(f"{where}: 'panels' must be a non-empty list")
    specs = tuple(_panel(p, where) for p in panels)
    ids = [p.id for p in specs]
    if len(set(ids)) != len(ids):
        raise DashboardError(f"{where}: panel ids repeat: {sorted({i for i in ids if ids.count(i) > 1})}")
    redirect_from = doc.get("redirect_from") or []
    if not isinstance(redirect_from, list) or not all(isinstance(p, str) and _PATH.match(p) for p in redirect_from):
        raise DashboardError(f"{where}: 'redirect_from' must be a list of absolute lower-case URL paths")
    order = doc.get("order", 100)
    if not isinstance(order, int):
        raise DashboardError(f"{where}: 'order' must be an integer")
    return Dashboard(
        id=doc["id"],
        title=doc["title"],
        path=doc["path"],
        group=str(doc["group"]) if doc.get("group") else None,
        order=order,
        description=str(doc.get("description") or ""),
        panels=specs,
        source_file=where,
        toolbar=bool(doc.get("toolbar", True)),
        redirect_from=tuple(redirect_from),
    )


def _type_names(expected: type | tuple[type, ...]) -> str:
    kinds = expected if isinstance(expected, tuple) else (expected,)
    return " or ".join(k.__name__ for k in kinds)


def _fits(value: object, expected: type | tuple[type, ...]) -> bool:
    kinds = expected if isinstance(expected, tuple) else (expected,)
    if isinstance(value, bool) and bool not in kinds:
        return False  # YAML's true/false is no number
    return isinstance(value, kinds)


def check_panel_options(board: Dashboard, schemas: Mapping[str, OptionSchema]) -> None:
    """Every panel of ``board`` passes only options its type declares (``schemas``: panel type →
    its options), each of the declared type; a ``DashboardError`` names the file and the panel.
    Panel types ``schemas`` does not know are left to the caller."""
    for spec in board.panels:
        accepted = schemas.get(spec.type)
        if accepted is None:
            continue
        where = f"{board.source_file}: panel {spec.id!r} ({spec.type})"
        unknown = sorted(set(spec.options) - set(accepted))
        if unknown:
            takes = ", ".join(sorted(accepted)) or "no options"
            raise DashboardError(f"{where}: unknown option(s) {', '.join(unknown)}; {spec.type} takes {takes}")
        for name, value in spec.options.items():
            if not _fits(value, accepted[name]):
                raise DashboardError(f"{where}: option {name!r} must be {_type_names(accepted[name])}, got {value!r}")


def load_dashboards(folder: Path = DASHBOARDS_DIR) -> dict[str, Dashboard]:
    """Every dashboard of ``folder``, by id, in (group order, order, title)."""
    found: dict[str, Dashboard] = {}
    paths: dict[str, str] = {}
    for file in sorted(folder.glob("*.yaml")):
        board = parse_dashboard(file.read_text(), file.name)
        if board.id in found:
            raise DashboardError(f"{file.name}: id {board.id!r} is also used by {found[board.id].source_file}")
        for path in (board.path, *board.redirect_from):
            if path in paths:
                raise DashboardError(f"{file.name}: path {path!r} is also used by {paths[path]}")
            paths[path] = file.name
        found[board.id] = board
    return dict(sorted(found.items(), key=lambda item: (item[1].order, item[1].title)))
