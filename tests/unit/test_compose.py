"""docker-compose.yml: valid, and wired so the web starts only after the preload finished."""

from __future__ import annotations

import shutil
import subprocess

import pytest
import yaml

from tests.conftest import ROOT

COMPOSE = ROOT / "docker-compose.yml"


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


@pytest.mark.skipif(shutil.which("docker-compose") is None, reason="docker-compose is not installed")
def test_compose_file_is_valid():
    result = subprocess.run(
        ["docker-compose", "-f", str(COMPOSE), "config", "-q"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr


def test_web_waits_for_a_healthy_scheduler_which_is_healthy_after_the_preload(compose):
    services = compose["services"]
    assert set(services) == {"postgres", "redis", "scheduler", "web"}
    assert services["web"]["depends_on"]["scheduler"] == {"condition": "service_healthy"}
    assert services["scheduler"]["healthcheck"]["test"] == ["CMD", "python", "-m", "jobs", "status", "--wait-complete"]
    assert services["scheduler"]["command"] == ["python", "-m", "jobs", "scheduler"]
    for name in ("postgres", "redis", "web"):
        assert "healthcheck" in services[name]
    assert any(str(p).endswith(":8888") for p in services["web"]["ports"])


def test_passwords_come_from_the_environment(compose):
    postgres_password = compose["services"]["postgres"]["environment"]["POSTGRES_PASSWORD"]
    assert postgres_password.startswith("${POSTGRES_PASSWORD:-")
    for name in ("scheduler", "web"):
        url = compose["services"][name]["environment"]["SPARTAN_DATABASE_URL"]
        assert ":${POSTGRES_PASSWORD:-" in url
