"""Every provider the catalog uses is complete: a connector declared by a provider module
(``datasources/providers/<name>``), a fixture module of the same name whose routes answer what
each of its connectors asks for (``tests/fixtures/providers/<name>.py``), and a parser test
that imports each of its connector classes from it (``tests/unit/providers/test_<name>.py`` by
convention; any unit test module counts). See "Adding a provider" in the README."""

from __future__ import annotations

import ast
from datetime import date
from pathlib import Path
from types import ModuleType

import pytest
from werkzeug import Request
from werkzeug.test import EnvironBuilder

from config.catalog import load_catalog
from config.settings import load_settings
from datasources.registry import CONNECTORS, PROVIDER_OF
from tests.fixtures.server import MODULES

UNIT_TESTS = Path(__file__).resolve().parent


def imported_connectors(test_dir: Path) -> set[tuple[str, str]]:
    """``(provider module, class name)`` of every name a test module imports from a provider."""
    found = set()
    for path in test_dir.rglob("test_*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("datasources.providers."):
                provider = node.module.split(".")[2]
                found.update((provider, alias.name) for alias in node.names)
    return found


def fixture_owners(modules: dict[str, ModuleType], connector_name: str, symbol: str) -> list[set[str]]:
    """For each request the connector builds for ``symbol``: the fixture modules whose routes match it."""
    owners = []
    for request in CONNECTORS[connector_name].build_requests("http://fixture", symbol, date(2026, 1, 2), "key"):
        path = Request(EnvironBuilder(path=request.url.removeprefix("http://fixture")).get_environ()).path
        owners.append({name for name, m in modules.items() if any(p.search(path) for p, _ in m.ROUTES)})
    return owners


def layout_problems(providers: set[str], modules: dict[str, ModuleType], tested: set[tuple[str, str]]) -> list[str]:
    problems = []
    for provider in sorted(providers):
        if provider not in CONNECTORS:
            problems.append(f"{provider}: no connector in datasources/providers")
            continue
        module = PROVIDER_OF[provider].name
        fixture = modules.get(module)
        symbol = getattr(fixture, "SYMBOLS", {}).get(provider)
        if symbol is None:
            problems.append(f"{provider}: no sample symbol in tests/fixtures/providers/{module}.py")
        elif any(owners != {module} for owners in fixture_owners(modules, provider, symbol)):
            owners = [sorted(o) for o in fixture_owners(modules, provider, symbol)]
            problems.append(f"{provider}: its requests are answered by fixture modules {owners}, not {module} alone")
        if (module, type(CONNECTORS[provider]).__name__) not in tested:
            problems.append(f"{provider}: no unit test imports {type(CONNECTORS[provider]).__name__} from {module}")
    return problems


@pytest.fixture(scope="module")
def catalog_providers() -> set[str]:
    return {source.provider for source in load_catalog(load_settings({})).sources.values()}


def test_every_catalogued_provider_has_a_connector_a_fixture_route_and_a_parser_test(catalog_providers):
    assert layout_problems(catalog_providers | set(CONNECTORS), MODULES, imported_connectors(UNIT_TESTS)) == []


def test_the_check_names_what_is_missing(catalog_providers):
    tested = imported_connectors(UNIT_TESTS)
    assert layout_problems({"nowhere"}, MODULES, tested) == ["nowhere: no connector in datasources/providers"]
    without_stooq = {name: m for name, m in MODULES.items() if name != "stooq"}
    assert layout_problems({"stooq"}, without_stooq, tested) == [
        "stooq: no sample symbol in tests/fixtures/providers/stooq.py"
    ]
    yahoo_answers_stooq = dict(MODULES, yahoo=ModuleType("yahoo"))
    yahoo_answers_stooq["yahoo"].ROUTES = MODULES["yahoo"].ROUTES + MODULES["stooq"].ROUTES
    assert layout_problems({"stooq"}, yahoo_answers_stooq, tested) == [
        "stooq: its requests are answered by fixture modules [['stooq', 'yahoo']], not stooq alone"
    ]
    assert layout_problems({"stooq"}, MODULES, tested - {("stooq", "StooqDailyConnector")}) == [
        "stooq: no unit test imports StooqDailyConnector from stooq"
    ]
