"""Building blocks of the Grafana dashboards (monitoring/grafana/boards.py): panels, queries and a
layout that places them on Grafana's 24-column grid, as plain dicts of Grafana's dashboard JSON
model (schema version 39, Grafana 10/11).

Every query names the provisioned Prometheus data source by its uid (DATASOURCE), so the boards
work without choosing a data source. Queries aggregate over the web replicas (``sum``, ``max``):
Prometheus scrapes each replica, and the stored state (data age, source health) is the same on
all of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# monitoring/grafana/provisioning/datasources/prometheus.yml gives the data source this uid.
DATASOURCE = {"type": "prometheus", "uid": "spartan-prometheus"}
SCHEMA_VERSION = 39
GRID_WIDTH = 24
PANEL_TYPES = frozenset({"timeseries", "stat", "table", "bargauge", "row"})


@dataclass(frozen=True)
class Query:
    """One PromQL expression of a panel. ``instant``: one value per series (stat, table, bar
    gauge) rather than a range (time series)."""

    expr: str
    legend: str = ""
    instant: bool = False


@dataclass
class Panel:
    title: str
    description: str
    queries: list[Query]
    kind: str = "timeseries"
    unit: str = "short"
    width: int = 12
    height: int = 8
    thresholds: list[tuple[float | None, str]] = field(default_factory=list)
    value_mappings: dict[str, str] = field(default_factory=dict)
    minimum: float | None = None
    maximum: float | None = None
    decimals: int | None = None

    def __post_init__(self) -> None:
        if self.kind not in PANEL_TYPES - {"row"}:
            raise ValueError(f"panel {self.title!r}: unknown type {self.kind!r}")
        if not self.queries:
            raise ValueError(f"panel {self.title!r}: no query")
        if not 1 <= self.width <= GRID_WIDTH:
            raise ValueError(f"panel {self.title!r}: width {self.width} not in 1..{GRID_WIDTH}")

    def to_json(self, panel_id: int, x: int, y: int) -> dict[str, Any]:
        targets = []
        for index, query in enumerate(self.queries):
            target = {
                "refId": chr(ord("A") + index),
                "datasource": DATASOURCE,
                "expr": query.expr,
                "legendFormat": query.legend or "__auto",
                "range": not query.instant,
                "instant": query.instant,
            }
            if self.kind == "table":
                target["format"] = "table"
            targets.append(target)
        defaults: dict[str, Any] = {"unit": self.unit}
        for key, value in (("min", self.minimum), ("max", self.maximum), ("decimals", self.decimals)):
            if value is not None:
                defaults[key] = value
        steps = [{"color": color, "value": value} for value, color in self.thresholds or [(None, "green")]]
        defaults["thresholds"] = {"mode": "absolute", "steps": steps}
        if self.value_mappings:
            defaults["mappings"] = [
                {
                    "type": "value",
                    "options": {
                        value: {"text": text, "index": index}
                        for index, (value, text) in enumerate(self.value_mappings.items())
                    },
                }
            ]
        if self.kind == "timeseries":
            defaults["custom"] = {"drawStyle": "line", "lineWidth": 1, "fillOpacity": 10, "showPoints": "never"}
        return {
            "id": panel_id,
            "type": self.kind,
            "title": self.title,
            "description": self.description,
            "datasource": DATASOURCE,
            "gridPos": {"h": self.height, "w": self.width, "x": x, "y": y},
            "targets": targets,
            "fieldConfig": {"defaults": defaults, "overrides": []},
            "options": self._options(),
        }

    def _options(self) -> dict[str, Any]:
        reduce = {"calcs": ["lastNotNull"], "fields": "", "values": False}
        if self.kind == "timeseries":
            return {
                "legend": {"displayMode": "table", "placement": "right", "showLegend": True, "calcs": ["lastNotNull"]},
                "tooltip": {"mode": "multi", "sort": "desc"},
            }
        if self.kind == "stat":
            return {"reduceOptions": reduce, "colorMode": "background", "graphMode": "none", "textMode": "auto"}
        if self.kind == "bargauge":
            return {"reduceOptions": reduce, "orientation": "horizontal", "displayMode": "basic", "showUnfilled": True}
        return {"showHeader": True, "cellHeight": "sm"}


@dataclass(frozen=True)
class Row:
    """A heading across the board; the panels after it belong to it."""

    title: str


def layout(items: list[Panel | Row]) -> list[dict[str, Any]]:
    """The panels in Grafana's JSON, ids from 1, placed left to right and wrapped at 24 columns
    (a row heading always starts a new line)."""
    panels: list[dict[str, Any]] = []
    x = y = line_height = 0
    for panel_id, item in enumerate(items, start=1):
        if isinstance(item, Row):
            y += line_height
            panels.append(
                {
                    "id": panel_id,
                    "type": "row",
                    "title": item.title,
                    "collapsed": False,
                    "gridPos": {"h": 1, "w": GRID_WIDTH, "x": 0, "y": y},
                    "panels": [],
                }
            )
            x, y, line_height = 0, y + 1, 0
            continue
        if x + item.width > GRID_WIDTH:
            x, y, line_height = 0, y + line_height, 0
        panels.append(item.to_json(panel_id, x, y))
        x += item.width
        line_height = max(line_height, item.height)
    return panels


def variable(name: str, label: str, metric: str, label_name: str) -> dict[str, Any]:
    """A multi-value template variable of a label's values, "All" matching every value."""
    query = f"label_values({metric}, {label_name})"
    return {
        "name": name,
        "label": label,
        "type": "query",
        "datasource": DATASOURCE,
        "query": {"query": query, "refId": f"{name}-values"},
        "definition": query,
        "refresh": 2,  # on time range change: new sources appear without reloading the board
        "multi": True,
        "includeAll": True,
        "allValue": ".*",
        "current": {"selected": True, "text": ["All"], "value": ["$__all"]},
        "sort": 1,
        "hide": 0,
    }


def dashboard(
    uid: str, title: str, description: str, items: list[Panel | Row], variables: list[dict] | None = None
) -> dict[str, Any]:
    """A whole dashboard: provisioned, so edits in the UI are not saved back (change the code)."""
    return {
        "uid": uid,
        "title": title,
        "description": description,
        "tags": ["spartan"],
        "timezone": "utc",
        "editable": False,
        "graphTooltip": 1,  # shared crosshair
        "refresh": "30s",
        "time": {"from": "now-6h", "to": "now"},
        "schemaVersion": SCHEMA_VERSION,
        "version": 1,
        "links": [{"type": "dashboards", "tags": ["spartan"], "asDropdown": False, "title": "Spartan boards"}],
        "annotations": {"list": []},
        "templating": {"list": variables or []},
        "panels": layout(items),
    }


def targets(board: dict[str, Any]) -> list[tuple[str, str]]:
    """Every (panel title, PromQL expression) of a board."""
    return [(panel["title"], target["expr"]) for panel in board["panels"] for target in panel.get("targets", [])]
