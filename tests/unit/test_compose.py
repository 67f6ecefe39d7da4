"""docker-compose.yml: valid, wired so the web starts only after the preload finished, no secrets."""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest
import yaml

from config.catalog import load_catalog
from config.settings import load_settings
from tests.conftest import ROOT

COMPOSE = ROOT / "docker-compose.yml"
SERVICES = {
    "postgres",
    "redis",
    "migrate",
    "scheduler",
    "web",
    "proxy",
    "prometheus",
    "alertmanager",
    "node-exporter",
    "grafana",
}
# One-shot: runs to completion at every `up` (nothing to check the health of).
ONE_SHOT = {"migrate"}
# The database role of each service that connects (deploy/postgres/10-spartan-roles.sh).
ROLES = {"migrate": "owner", "scheduler": "sidecar", "web": "web"}
# `${NAME:-fallback}`, `${NAME:?message}` (required: compose stops with the message) or `${NAME}`
# and nothing else: the value comes from the environment / .env.
ENV_REFERENCE = re.compile(r"\$\{(?P<name>[A-Z0-9_]+)(?::-(?P<fallback>[^}]*)|:\?(?P<required>[^}]*))?\}")
# A secret key long enough for SPARTAN_AUTH=local, for `docker-compose config` to interpolate.
TEST_SECRET = "compose-test-secret-" + "k" * 32
TEST_GRAFANA_PASSWORD = "compose-test-grafana-password"
SECRET_NAME = re.compile(r"PASSWORD|SECRET|TOKEN|API_KEY", re.IGNORECASE)
# The password of a connection URL: scheme://user:PASSWORD@host
URL_PASSWORD = re.compile(r"://(?:\$\{[^}]*\}|[^:/@\s$]*):(?P<password>\$\{[^}]*\}|[^@\s]*)@")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


def _environment(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):  # the `- NAME=value` form
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {name: "" if value is None else str(value) for name, value in env.items()}


def _is_env_reference(value: str) -> bool:
    return ENV_REFERENCE.fullmatch(value) is not None


def _compose_config(tmp_path, **env: str) -> subprocess.CompletedProcess:
    """`docker-compose config -q` with only ``env`` (an empty env file: no .env of the checkout)."""
    empty = tmp_path / "empty.env"
    empty.write_text("")
    return subprocess.run(
        ["docker-compose", "--env-file", str(empty), "-f", "docker-compose.yml", "config", "-q"],
        cwd=ROOT,
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.skipif(shutil.which("docker-compose") is None, reason="the docker-compose binary is not installed")
def test_compose_file_is_valid(tmp_path):
    result = _compose_config(tmp_path, SPARTAN_SECRET_KEY=TEST_SECRET, GRAFANA_ADMIN_PASSWORD=TEST_GRAFANA_PASSWORD)
    assert result.returncode == 0, result.stderr


@pytest.mark.skipif(shutil.which("docker-compose") is None, reason="the docker-compose binary is not installed")
def test_compose_refuses_to_start_without_the_secret_key(tmp_path):
    result = _compose_config(tmp_path, GRAFANA_ADMIN_PASSWORD=TEST_GRAFANA_PASSWORD)
    assert result.returncode != 0 and "set SPARTAN_SECRET_KEY in .env" in result.stderr


@pytest.mark.skipif(shutil.which("docker-compose") is None, reason="the docker-compose binary is not installed")
def test_compose_refuses_to_start_without_a_grafana_admin_password(tmp_path):
    result = _compose_config(tmp_path, SPARTAN_SECRET_KEY=TEST_SECRET)
    assert result.returncode != 0 and "set GRAFANA_ADMIN_PASSWORD in .env" in result.stderr


def test_grafana_is_pinned_provisioned_read_only_and_on_the_loopback_only(compose):
    grafana = compose["services"]["grafana"]
    image = grafana["image"]
    assert image.startswith("grafana/grafana-oss:") and re.fullmatch(r"\d+\.\d+\.\d+", image.split(":")[1]), image
    assert "./monitoring/grafana/provisioning:/etc/grafana/provisioning:ro" in grafana["volumes"]
    provider = yaml.safe_load((ROOT / "monitoring/grafana/provisioning/dashboards/spartan.yml").read_text())
    (board_dir,) = (entry["options"]["path"] for entry in provider["providers"])
    assert f"./monitoring/grafana/dashboards:{board_dir}:ro" in grafana["volumes"]
    home = _environment(grafana)["GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"]
    assert (
        home.startswith(board_dir + "/") and (ROOT / "monitoring/grafana/dashboards" / home.rsplit("/", 1)[1]).is_file()
    )
    # Published on the host's loopback only; the backend network to reach Prometheus.
    assert [str(p) for p in grafana["ports"]] == ["127.0.0.1:${GRAFANA_PORT:-3000}:3000"]
    assert "backend" in grafana["networks"]
    env = _environment(grafana)
    password = ENV_REFERENCE.fullmatch(env["GF_SECURITY_ADMIN_PASSWORD"])
    assert password and password["name"] == "GRAFANA_ADMIN_PASSWORD" and password["required"]  # no default
    assert env["GF_USERS_ALLOW_SIGN_UP"] == "false" and env["GF_AUTH_ANONYMOUS_ENABLED"] == "false"
    datasources = yaml.safe_load((ROOT / "monitoring/grafana/provisioning/datasources/prometheus.yml").read_text())
    (prometheus,) = datasources["datasources"]
    assert prometheus["url"] == "http://prometheus:9090" and prometheus["type"] == "prometheus"


def test_web_and_scheduler_run_with_logins_on(compose):
    services = compose["services"]
    for name in ("web", "scheduler"):
        env = _environment(services[name])
        assert env["SPARTAN_AUTH"] == "local", name
        secret = ENV_REFERENCE.fullmatch(env["SPARTAN_SECRET_KEY"])
        assert secret and secret["name"] == "SPARTAN_SECRET_KEY" and secret["required"], name
    web = _environment(services["web"])
    assert web["SPARTAN_ADMIN_USER"] == "${SPARTAN_ADMIN_USER:-}"
    assert web["SPARTAN_ADMIN_PASSWORD"] == "${SPARTAN_ADMIN_PASSWORD:-}"
    assert "SPARTAN_ADMIN_PASSWORD" not in _environment(services["scheduler"])  # made by the web only


def test_prometheus_scrapes_metrics_from_the_internal_network_without_a_login(compose):
    (subnet,) = (entry["subnet"] for entry in compose["networks"]["backend"]["ipam"]["config"])
    assert _environment(compose["services"]["web"])["SPARTAN_METRICS_ALLOW"] == subnet
    assert compose["networks"]["backend"]["internal"] is True
    assert "backend" in compose["services"]["prometheus"]["networks"]


def test_the_services_exist_without_a_version_key(compose):
    assert set(compose["services"]) == SERVICES
    assert "version" not in compose  # the Compose specification has none


def test_web_waits_for_a_healthy_scheduler_which_is_healthy_after_the_preload(compose):
    services = compose["services"]
    web, scheduler = services["web"], services["scheduler"]
    assert web["depends_on"]["scheduler"] == {"condition": "service_healthy"}
    for name in ("postgres", "redis"):
        assert web["depends_on"][name] == {"condition": "service_healthy"}
        assert scheduler["depends_on"][name] == {"condition": "service_healthy"}
    assert scheduler["command"] == ["python", "-m", "jobs", "scheduler"]
    assert scheduler["healthcheck"]["test"] == ["CMD", "python", "-m", "jobs", "status", "--wait-complete"]
    assert "start_period" in scheduler["healthcheck"]  # a first preload takes minutes
    assert web["command"][:2] == ["gunicorn", "app:server"]
    assert "/health" in " ".join(web["healthcheck"]["test"])
    for name in SERVICES - ONE_SHOT:
        assert services[name]["healthcheck"]["test"], name


def test_web_and_scheduler_run_one_image_against_postgres_and_redis(compose):
    services = compose["services"]
    assert services["web"]["build"] == services["scheduler"]["build"]
    assert services["web"].get("image") == services["scheduler"].get("image")
    for name in ("web", "scheduler", "migrate"):
        assert services[name]["build"] == services["web"]["build"], name
        env = _environment(services[name])
        assert env["SPARTAN_DATABASE_URL"].startswith("postgresql://")
        assert env["SPARTAN_DATABASE_URL"].endswith("@postgres:5432/${POSTGRES_DB:-spartan}")
        assert env["SPARTAN_REDIS_URL"] == "redis://redis:6379/0"


def test_only_the_tls_proxy_is_published_and_the_web_is_on_internal_networks_only(compose):
    services = compose["services"]
    published = {name for name, service in services.items() if service.get("ports")}
    # Besides the proxy, only Grafana's port, on the host's loopback alone.
    assert published <= {"proxy", "grafana"} and "proxy" in published, published
    assert all(str(p).startswith("127.0.0.1:") for p in services.get("grafana", {}).get("ports", []))
    ports = [str(p) for p in services["proxy"]["ports"]]
    assert any(p.endswith(":443") for p in ports) and any(p.endswith(":80") for p in ports), ports
    assert services["proxy"]["image"].startswith("caddy:")
    assert "./deploy/caddy/Caddyfile:/etc/caddy/Caddyfile:ro" in services["proxy"]["volumes"]
    for network in services["web"]["networks"]:
        assert compose["networks"][network].get("internal") is True, network
    # The proxy reaches the web on a network of their own, and the internet (certificates) too.
    assert set(services["proxy"]["networks"]) == {"edge", "frontend"}
    assert "edge" in services["web"]["networks"] and "backend" not in services["proxy"]["networks"]


def test_the_web_believes_the_proxy_and_sets_secure_cookies(compose):
    web = _environment(compose["services"]["web"])
    assert web["SPARTAN_TRUSTED_PROXIES"] == "${SPARTAN_TRUSTED_PROXIES:-1}"
    assert web["SPARTAN_COOKIE_SECURE"] == "${SPARTAN_COOKIE_SECURE:-1}"
    proxy = _environment(compose["services"]["proxy"])
    assert proxy == {"SPARTAN_DOMAIN": "${SPARTAN_DOMAIN:-localhost}", "SPARTAN_TLS": "${SPARTAN_TLS:-internal}"}


def test_each_service_connects_as_its_own_role_and_migrate_runs_first(compose):
    services = compose["services"]
    postgres = _environment(services["postgres"])
    mounted = "./deploy/postgres/10-spartan-roles.sh:/docker-entrypoint-initdb.d/10-spartan-roles.sh:ro"
    assert mounted in services["postgres"]["volumes"]
    for name, role in ROLES.items():
        url = _environment(services[name])["SPARTAN_DATABASE_URL"]
        password = postgres[f"SPARTAN_DB_{role.upper()}_PASSWORD"]
        assert url.startswith(f"postgresql://spartan_{role}:{password}@"), (name, url)
        # The superuser's password stays with the postgres service.
        assert "POSTGRES_PASSWORD" not in str(services[name]), name
    assert services["migrate"]["command"] == ["python", "-m", "jobs", "roles", "--apply"]
    assert services["migrate"]["restart"] == "no"
    for name in ("web", "scheduler"):
        assert services[name]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}, name


def test_postgres_and_redis_are_not_published(compose):
    for name in ("postgres", "redis"):
        assert "ports" not in compose["services"][name], name


def test_no_service_holds_a_literal_password_or_key(compose):
    for name, service in compose["services"].items():
        for var, value in _environment(service).items():
            if SECRET_NAME.search(var):
                assert _is_env_reference(value), f"{name}.{var} is not taken from the environment: {value!r}"
                if "API_KEY" in var.upper():
                    # Keys pass through with no fallback at all.
                    assert value == f"${{{var}:-}}", f"{name}.{var} must be ${{{var}:-}}"
            for match in URL_PASSWORD.finditer(value):
                password = match["password"]
                assert _is_env_reference(password), f"{name}.{var} carries a literal password"
    # Anywhere else in the file (commands, health checks): no user:password@ outside ${...}.
    for match in URL_PASSWORD.finditer(COMPOSE.read_text()):
        assert _is_env_reference(match["password"]), match.group(0)


def test_the_only_password_fallbacks_are_marked_dev_only(compose):
    names = ("POSTGRES_PASSWORD", *(f"SPARTAN_DB_{role.upper()}_PASSWORD" for role in ROLES.values()))
    for name in names:
        fallbacks = {m["fallback"] for m in ENV_REFERENCE.finditer(COMPOSE.read_text()) if m["name"] == name}
        assert fallbacks, f"{name} is not used"
        for fallback in fallbacks:
            assert fallback is None or "dev-only" in fallback, fallback
        # The postgres service (which makes the role) and the URL of its user use one value.
        assert len(fallbacks) == 1, (name, fallbacks)


def test_the_web_gets_no_api_keys(compose):
    assert not [var for var in _environment(compose["services"]["web"]) if "API_KEY" in var]


def test_the_scheduler_gets_the_key_variable_of_every_keyed_source_of_the_catalog(compose):
    wanted = {s.auth_env for s in load_catalog(load_settings({})).sources.values() if s.auth_env}
    given = _environment(compose["services"]["scheduler"])
    assert wanted and wanted <= set(given), sorted(wanted - set(given))
    assert all(_is_env_reference(given[name]) for name in wanted)


def test_monitoring_runs_on_the_internal_network_with_the_repository_configs(compose):
    services = compose["services"]
    for name in ("prometheus", "alertmanager", "node-exporter"):
        assert "ports" not in services[name], name  # nothing published
        assert "backend" in services[name]["networks"], name
    # Prometheus and node-exporter have no route out; Alertmanager needs one to the SMTP server.
    assert services["prometheus"]["networks"] == ["backend"]
    assert services["node-exporter"]["networks"] == ["backend"]
    assert compose["networks"]["backend"]["internal"] is True
    assert "./monitoring/prometheus:/etc/prometheus:ro" in services["prometheus"]["volumes"]
    assert "./monitoring/alertmanager:/etc/alertmanager:ro" in services["alertmanager"]["volumes"]
    assert services["alertmanager"]["entrypoint"] == ["/bin/sh", "/etc/alertmanager/entrypoint.sh"]
    # The web runs with the gunicorn config that sets up multiprocess metrics.
    command = services["web"]["command"]
    assert command[command.index("--config") + 1] == "config/gunicorn.conf.py"
    for name in ("prometheus", "alertmanager", "node-exporter"):
        image = services[name]["image"]
        assert ":" in image and not image.endswith(":latest"), image  # pinned


def test_the_scheduler_writes_its_daily_backups_into_a_named_volume(compose):
    scheduler = compose["services"]["scheduler"]
    target = _environment(scheduler)["SPARTAN_BACKUP_DIR"]
    assert target.startswith("/") and f"backups:{target}" in scheduler["volumes"]
    assert "backups" in compose["volumes"]
    assert "volumes" not in compose["services"]["web"]  # the web never writes backups


def test_the_web_runs_replicas_that_the_proxy_and_prometheus_find_by_name(compose):
    from tests.conftest import ROOT

    assert compose["services"]["web"]["deploy"]["replicas"] == "${SPARTAN_WEB_REPLICAS:-2}"
    caddyfile = (ROOT / "deploy" / "caddy" / "Caddyfile").read_text()
    assert "dynamic a web 8888" in caddyfile and "lb_policy round_robin" in caddyfile
    prometheus = (ROOT / "monitoring" / "prometheus" / "prometheus.yml").read_text()
    assert "dns_sd_configs:\n      - names: [web]" in prometheus
