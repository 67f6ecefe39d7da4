"""The layers of the code, one direction each, read from the import statements of every module
(top-level and function-level imports alike, so a lazy import cannot hide a dependency):

- ``config`` imports nothing of the station; ``sql`` only ``config``;
- the web (``app``, ``pages``, ``components``, ``api``, ``middleware``) never imports
  ``datasources`` or ``jobs`` (tests/integration/test_web.py checks the same at run time);
- ``api`` never imports ``pages`` or ``components``: the REST API does not load the UI;
- ``pages`` import of ``api`` only its public surface (``api.openapi``);
- ``components`` read ``sql`` only through named readers (``sql.preload_status``) and import
  neither ``pages``, ``api`` nor ``middleware``;
- ``middleware`` (it serves pages and API alike) imports neither ``api``, ``pages`` nor
  ``components``.

Each rule is also run on an import that breaks it, so a rule that can no longer fail fails here.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("api", "components", "config", "datasources", "jobs", "middleware", "pages", "sql")
STATION = (*PACKAGES, "app")
WEB = ("app", "api", "components", "middleware", "pages")

# What a layer may not import: (importer layer, imported layer, allowed modules of it, why).
RULES = (
    ("config", STATION, (), "config is the base layer: settings, catalog, dashboard definitions"),
    ("sql", ("api", "app", "components", "datasources", "jobs", "middleware", "pages"), (), "sql serves web and jobs"),
    *((web, ("datasources", "jobs"), (), "the web never reaches the outside world") for web in WEB),
    ("api", ("pages", "components", "app"), (), "the REST API does not load the UI"),
    ("pages", ("api",), ("api.openapi",), "pages use the API's public surface only"),
    ("components", ("sql",), ("sql.preload_status",), "components read sql through named readers only"),
    ("components", ("pages", "api", "middleware", "app"), (), "components are the UI's building blocks"),
    ("middleware", ("api", "pages", "components", "app"), (), "middleware serves pages and API alike"),
)


def layer(module: str) -> str:
    return module.split(".")[0]


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def is_module(name: str) -> bool:
    path = ROOT.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def imports_of(source: str, module: str, is_package: bool = False) -> set[str]:
    """The station modules ``source`` (the code of ``module``) imports: ``from api import rest``
    is ``api.rest`` when that is a module, ``api`` otherwise; relative imports resolved."""
    found: set[str] = set()
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, *([base] if base else [])])
            for alias in node.names:
                full = f"{base}.{alias.name}"
                found.add(full if is_module(full) else base)
    return {name for name in found if layer(name) in STATION}


def broken_rules(importer: str, imported: str) -> list[str]:
    """The rules that ``importer`` importing ``imported`` breaks (empty when it is allowed)."""
    broken = []
    for source, targets, allowed, why in RULES:
        if layer(importer) != source or layer(imported) not in targets or layer(imported) == source:
            continue
        if any(imported == ok or imported.startswith(ok + ".") for ok in allowed):
            continue
        broken.append(f"{importer} imports {imported}: {why}")
    return broken


def station_modules() -> dict[str, Path]:
    files = [ROOT / "app.py"]
    for package in PACKAGES:
        files += [p for p in (ROOT / package).rglob("*.py") if "migrations" not in p.parts]
    return {module_name(path): path for path in files}


def test_every_module_keeps_to_its_layer():
    modules = station_modules()
    assert {"api.rest", "pages.api_docs", "components.preload", "middleware.security"} <= modules.keys()
    broken = []
    for module, path in sorted(modules.items()):
        for imported in sorted(imports_of(path.read_text(), module, path.name == "__init__.py")):
            broken += broken_rules(module, imported)
    assert broken == []


@pytest.mark.parametrize(
    ("importer", "imported"),
    [
        ("api.formats", "pages.panels.export"),  # the API's CSV loading every panel type
        ("api.frames", "components.numbers"),
        ("pages.api_docs", "api.rest"),  # an API internal
        ("pages.api_docs", "api"),
        ("components.preload", "sql.read"),  # sql, not through a named reader
        ("components.preload", "sql.sidecar"),
        ("components.grid", "pages.dashboards"),
        ("middleware.audit", "api.errors"),
        ("middleware.metrics", "pages.warm"),
        ("app", "jobs.status"),
        ("pages.dashboards", "datasources.http"),
        ("api.data", "jobs"),
        ("sql.read", "components.catalog"),
        ("config.settings", "sql.store"),
    ],
)
def test_each_rule_refuses_an_import_that_breaks_it(importer, imported):
    assert broken_rules(importer, imported)


@pytest.mark.parametrize(
    ("importer", "imported"),
    [
        ("pages.api_docs", "api.openapi"),
        ("components.preload", "sql.preload_status"),
        ("components.view_state", "config.dashboard_specs"),
        ("api.frames", "config.catalog_index"),
        ("middleware.station_metrics", "sql.read"),
        ("jobs.pipeline", "datasources.http"),
        ("app", "pages.panels.export"),
    ],
)
def test_the_rules_allow_the_named_surfaces(importer, imported):
    assert broken_rules(importer, imported) == []


def test_imports_are_read_as_modules_wherever_they_are_written():
    source = (
        "from api import rest\n"
        "from api.openapi import OPENAPI_PATH\n"
        "def lazy():\n"
        "    import pages.panels.markets\n"
        "    from sql import read as r\n"
        "from . import cards\n"
        "from .numbers import significant\n"
        "import pandas\n"
    )
    found = imports_of(source, "components.preload")
    assert found == {
        "api.rest",
        "api.openapi",
        "pages.panels.markets",
        "sql.read",
        "components.cards",
        "components.numbers",
    }
    assert [rule for name in sorted(found) for rule in broken_rules("components.preload", name)]


def test_the_api_loads_without_the_ui():
    """At run time too: building the REST API on a bare Flask app imports no page, component or
    middleware module (app.py puts them together)."""
    code = (
        "import sys; from flask import Flask; from api import rest; rest.init_app(Flask('bare'));"
        "print(','.join(sorted(m for m in sys.modules if m.split('.')[0] in ('pages', 'components', 'middleware', 'dash'))))"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""
