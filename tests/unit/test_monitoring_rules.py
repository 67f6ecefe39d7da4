"""monitoring/: the Prometheus config and alert rules (promtool: syntax and rule unit tests),
the metric names the rules use (node-exporter's from a real node-exporter; the app's are checked
against a real /metrics scrape in tests/integration/test_metrics.py), and the Alertmanager
config rendered from the environment."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT

MONITORING = ROOT / "monitoring"
PROMETHEUS = MONITORING / "prometheus"
RULES = PROMETHEUS / "alerts.yml"
ALERTMANAGER = MONITORING / "alertmanager"
PROMTOOL = shutil.which("promtool")
AMTOOL = shutil.which("amtool")
NODE_EXPORTER = shutil.which("prometheus-node-exporter") or shutil.which("node_exporter")


def tool(path: str | None, package: str) -> str:
    """The tool's path; skipped where it is missing, but required in CI (.ci/run installs it)."""
    if path:
        return path
    if os.environ.get("CI"):
        pytest.fail(f"{package} is not installed but CI must run this check (see .ci/run)")
    pytest.skip(f"not installed: apt-get install {package}")


# Metrics Prometheus makes itself rather than scraping them.
PROMETHEUS_BUILTINS = {"up"}
_KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless", "bool", "offset"}
_KEYWORDS |= {"inf", "nan"}


def rules() -> list[dict]:
    groups = yaml.safe_load(RULES.read_text())["groups"]
    return [rule for group in groups for rule in group["rules"]]


def expr_metric_names(expr: str) -> set[str]:
    """The metric names a PromQL expression selects (not its functions, keywords or labels)."""
    stripped = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)  # string literals
    stripped = re.sub(r"\{[^}]*\}", "", stripped)  # label matchers
    stripped = re.sub(r"\[[^\]]*\]", "", stripped)  # range selectors
    stripped = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", stripped)
    names = set()
    for match in re.finditer(r"(?<![\w.])[A-Za-z_:][A-Za-z0-9_:]*", stripped):  # not inside 5m, 1e3
        word = match.group(0)
        if stripped[match.end() :].lstrip().startswith("(") or word.lower() in _KEYWORDS:
            continue  # a function or aggregation, or a keyword
        names.add(word)
    return names


def rule_metric_names() -> set[str]:
    return set().union(*(expr_metric_names(rule["expr"]) for rule in rules()))


def test_the_name_extraction_finds_metrics_and_only_metrics():
    expr = (
        'histogram_quantile(0.95, sum by (le) (rate(a_seconds_bucket{endpoint!="/x(y)"}[5m]))) > 1 '
        'and on() (max(up{job="w"}) == 1) or absent(b_total) unless c:rule offset 5m'
    )
    assert expr_metric_names(expr) == {"a_seconds_bucket", "up", "b_total", "c:rule"}
    assert expr_metric_names("time() - max(x_timestamp_seconds) > 2 * 3600") == {"x_timestamp_seconds"}
    assert expr_metric_names("rate(y_total[1h30m]) > 1e3") == {"y_total"}


def test_every_rule_is_complete_and_the_seed_alerts_are_there():
    seen = {}
    for rule in rules():
        assert set(rule) >= {"alert", "expr", "for", "labels", "annotations"}, rule.get("alert")
        assert rule["labels"]["severity"] in ("critical", "warning"), rule["alert"]
        assert rule["annotations"]["summary"] and rule["annotations"]["description"], rule["alert"]
        assert rule["alert"] not in seen, f"{rule['alert']} defined twice"
        seen[rule["alert"]] = rule
    # SEED "Monitoring & Alerts", plus freshness and the refresh.
    expected = {
        "SpartanDatabaseDown": "spartan_database_up",
        "SpartanDataSourcesFailing": "spartan_sources",
        "SpartanApiResponseTimeHigh": "spartan_http_request_duration_seconds_bucket",
        "SpartanDiskSpaceLow": "node_filesystem_avail_bytes",
        "SpartanMemoryHigh": "node_memory_MemAvailable_bytes",
        "SpartanDatasetStale": "spartan_dataset_age_seconds",
        "SpartanRefreshNotRunning": "spartan_sidecar_last_run_timestamp_seconds",
        "SpartanRefreshFailing": "spartan_sidecar_last_run_write_errors",
    }
    for alert, metric in expected.items():
        assert alert in seen, alert
        assert metric in expr_metric_names(seen[alert]["expr"]), alert
    assert "0.10" in seen["SpartanDataSourcesFailing"]["expr"]
    assert "histogram_quantile(0.95" in seen["SpartanApiResponseTimeHigh"]["expr"]
    assert "< 0.10" in seen["SpartanDiskSpaceLow"]["expr"] and "> 0.90" in seen["SpartanMemoryHigh"]["expr"]


def test_rules_use_only_metrics_of_the_app_node_exporter_or_prometheus():
    names = rule_metric_names()
    assert names, "no metric found in the rules"
    unknown = {n for n in names if not n.startswith(("spartan_", "node_")) and n not in PROMETHEUS_BUILTINS}
    assert unknown == set()


def test_prometheus_config_scrapes_the_compose_services_and_loads_the_rules():
    config = yaml.safe_load((PROMETHEUS / "prometheus.yml").read_text())
    assert config["rule_files"] == ["alerts.yml"]
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    web = jobs["spartan-web"]
    assert web["metrics_path"] == "/metrics"
    assert web["dns_sd_configs"][0]["names"] == ["web"] and web["dns_sd_configs"][0]["port"] == 8888
    assert jobs["node"]["static_configs"][0]["targets"] == ["node-exporter:9100"]
    targets = config["alerting"]["alertmanagers"][0]["static_configs"][0]["targets"]
    assert targets == ["alertmanager:9093"]
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    assert {"web", "node-exporter", "alertmanager", "prometheus"} <= set(compose)


@pytest.mark.parametrize(
    "args",
    [
        ["check", "rules", "alerts.yml"],
        ["check", "config", "prometheus.yml"],
        ["test", "rules", "alerts_test.yml"],
    ],
    ids=["check-rules", "check-config", "rule-unit-tests"],
)
def test_promtool(args):
    promtool = tool(PROMTOOL, "prometheus")
    result = subprocess.run([promtool, *args], cwd=PROMETHEUS, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout + result.stderr


def test_the_rule_unit_tests_fail_when_a_threshold_moves(tmp_path):
    """The promtool tests are not vacuous: 10 % failing sources must not fire, so >= breaks them."""
    promtool = tool(PROMTOOL, "prometheus")
    copy = tmp_path / "prometheus"
    shutil.copytree(PROMETHEUS, copy)
    rules_file = copy / "alerts.yml"
    rules_file.write_text(rules_file.read_text().replace(") > 0.10", ") >= 0.10"))
    result = subprocess.run(
        [promtool, "test", "rules", "alerts_test.yml"], cwd=copy, capture_output=True, text=True, timeout=300
    )
    assert result.returncode != 0
    assert "SpartanDataSourcesFailing" in result.stdout + result.stderr


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_node_metrics_of_the_rules_are_exported_by_a_real_node_exporter():
    node_exporter = tool(NODE_EXPORTER, "prometheus-node-exporter")
    port = _free_port()
    process = subprocess.Popen(
        [node_exporter, f"--web.listen-address=127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120  # a loaded machine starts it slowly
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=30) as response:  # noqa: S310
                    body = response.read().decode()
                break
            except OSError:
                assert time.monotonic() < deadline, "node-exporter did not come up"
                time.sleep(0.2)
    finally:
        process.terminate()
        process.wait(timeout=60)
    exported = {line.split("{")[0].split(" ")[0] for line in body.splitlines() if line and not line.startswith("#")}
    used = {name for name in rule_metric_names() if name.startswith("node_")}
    assert used == {
        "node_filesystem_avail_bytes",
        "node_filesystem_size_bytes",
        "node_filesystem_readonly",
        "node_memory_MemAvailable_bytes",
        "node_memory_MemTotal_bytes",
    }
    assert used <= exported


# --- Alertmanager --------------------------------------------------------------------------------


def render_alertmanager(tmp_path: Path, **env: str) -> tuple[subprocess.CompletedProcess, Path]:
    out = tmp_path / "rendered"
    result = subprocess.run(
        ["sh", str(ALERTMANAGER / "entrypoint.sh"), "--storage.path=/alertmanager"],
        env={
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "ALERTMANAGER_TEMPLATE": str(ALERTMANAGER / "alertmanager.yml.tmpl"),
            "ALERTMANAGER_RENDER_DIR": str(out),
            "ALERTMANAGER_BIN": "echo",  # prints the command it would exec
            **env,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    return result, out


def test_alertmanager_config_is_rendered_from_the_environment(tmp_path):
    password = 'p@ss|&"w\\rd'
    result, out = render_alertmanager(
        tmp_path,
        ALERT_EMAIL_TO="ops@example.com, oncall@example.com",
        ALERT_EMAIL_FROM='Spartan "station" <alerts@example.com>',
        ALERT_SMTP_SMARTHOST="smtp.example.com:587",
        ALERT_SMTP_USERNAME="alerts|&user",
        ALERT_SMTP_PASSWORD=password,
    )
    assert result.returncode == 0, result.stderr
    config_file = out / "alertmanager.yml"
    assert result.stdout.split() == [f"--config.file={config_file}", "--storage.path=/alertmanager"]
    config = yaml.safe_load(config_file.read_text())
    smtp = config["global"]
    assert smtp["smtp_smarthost"] == "smtp.example.com:587"
    assert smtp["smtp_from"] == 'Spartan "station" <alerts@example.com>'
    assert smtp["smtp_auth_username"] == "alerts|&user"
    assert smtp["smtp_require_tls"] is True
    # The password is in a file of its own (mode 600), never in the config.
    assert password not in config_file.read_text()
    assert Path(smtp["smtp_auth_password_file"]).read_text() == password
    assert Path(smtp["smtp_auth_password_file"]).stat().st_mode & 0o077 == 0
    (receiver,) = config["receivers"]
    assert config["route"]["receiver"] == receiver["name"]
    assert receiver["email_configs"] == [{"to": "ops@example.com, oncall@example.com", "send_resolved": True}]
    amtool = tool(AMTOOL, "prometheus-alertmanager")
    check = subprocess.run([amtool, "check-config", str(config_file)], capture_output=True, text=True, timeout=300)
    assert check.returncode == 0, check.stdout + check.stderr


def test_without_a_recipient_alerts_are_kept_but_not_emailed(tmp_path):
    result, out = render_alertmanager(tmp_path)
    assert result.returncode == 0, result.stderr
    assert "ALERT_EMAIL_TO is not set" in result.stderr
    config = yaml.safe_load((out / "alertmanager.yml").read_text())
    assert config["receivers"] == [{"name": "email"}]
    amtool = tool(AMTOOL, "prometheus-alertmanager")
    check = subprocess.run(
        [amtool, "check-config", str(out / "alertmanager.yml")], capture_output=True, text=True, timeout=300
    )
    assert check.returncode == 0, check.stdout + check.stderr


def test_a_bad_tls_setting_stops_the_start(tmp_path):
    result, _out = render_alertmanager(tmp_path, ALERT_EMAIL_TO="ops@example.com", ALERT_SMTP_REQUIRE_TLS="maybe")
    assert result.returncode == 2 and "ALERT_SMTP_REQUIRE_TLS" in result.stderr


def test_the_repository_holds_no_address_host_or_password_for_alerts():
    template = (ALERTMANAGER / "alertmanager.yml.tmpl").read_text()
    for placeholder in (
        "${ALERT_EMAIL_TO}",
        "${ALERT_EMAIL_FROM}",
        "${ALERT_SMTP_SMARTHOST}",
        "${ALERT_SMTP_USERNAME}",
    ):
        assert placeholder in template
    assert "smtp_auth_password:" not in template  # only the _file variant
    assert not re.search(r"[\w.+-]+@[\w-]+\.[\w.]+", template)  # no e-mail address
