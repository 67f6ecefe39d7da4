"""The SMS route of Alertmanager (monitoring/alertmanager): critical alerts to an SMS gateway's
webhook beside the email, rendered from ALERT_SMS_WEBHOOK_URL / _TOKEN, checked by amtool (syntax
and routing), and delivered for real by Debian's Alertmanager to a local webhook."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from werkzeug import Request, Response

from tests.conftest import free_port
from tests.unit.test_monitoring_rules import AMTOOL, render_alertmanager, tool

ALERTMANAGER = shutil.which("prometheus-alertmanager") or shutil.which("alertmanager")
URL = "https://sms.example.net/alertmanager?account=station&x=a|b"
TOKEN = 's3cret&"token|'


def amtool(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([tool(AMTOOL, "prometheus-alertmanager"), *args], capture_output=True, text=True, timeout=300)


def routed(config: Path, *labels: str) -> list[str]:
    """The receivers amtool routes an alert with ``labels`` to, in order."""
    result = amtool("config", "routes", "test", f"--config.file={config}", *labels)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout.strip().split(",")


def test_critical_alerts_go_to_the_sms_webhook_and_by_email(tmp_path):
    result, out = render_alertmanager(
        tmp_path, ALERT_EMAIL_TO="ops@example.com", ALERT_SMS_WEBHOOK_URL=URL, ALERT_SMS_WEBHOOK_TOKEN=TOKEN
    )
    assert result.returncode == 0, result.stderr
    config_file = out / "alertmanager.yml"
    config = yaml.safe_load(config_file.read_text())
    receivers = {receiver["name"]: receiver for receiver in config["receivers"]}
    assert set(receivers) == {"email", "sms"}
    (webhook,) = receivers["sms"]["webhook_configs"]
    assert webhook["url"] == URL and webhook["send_resolved"] is False
    # The token is in a file of its own (mode 600), never in the config.
    credentials = Path(webhook["http_config"]["authorization"]["credentials_file"])
    assert webhook["http_config"]["authorization"]["type"] == "Bearer"
    assert credentials.read_text() == TOKEN and credentials.stat().st_mode & 0o077 == 0
    assert TOKEN not in config_file.read_text()
    check = amtool("check-config", str(config_file))
    assert check.returncode == 0, check.stdout + check.stderr
    assert routed(config_file, "alertname=SpartanDatabaseDown", "severity=critical") == ["sms", "email"]
    assert routed(config_file, "alertname=SpartanDatasetStale", "severity=warning") == ["email"]


def test_without_a_token_no_authorization_is_sent(tmp_path):
    result, out = render_alertmanager(tmp_path, ALERT_SMS_WEBHOOK_URL="http://sms-adapter:8080/hook")
    assert result.returncode == 0, result.stderr
    config = yaml.safe_load((out / "alertmanager.yml").read_text())
    sms = next(receiver for receiver in config["receivers"] if receiver["name"] == "sms")
    assert sms["webhook_configs"] == [{"url": "http://sms-adapter:8080/hook", "send_resolved": False, "max_alerts": 5}]
    check = amtool("check-config", str(out / "alertmanager.yml"))
    assert check.returncode == 0, check.stdout + check.stderr


def test_without_a_webhook_url_there_is_no_sms_route(tmp_path):
    result, out = render_alertmanager(tmp_path, ALERT_EMAIL_TO="ops@example.com")
    assert result.returncode == 0, result.stderr
    assert "ALERT_SMS_WEBHOOK_URL is not set" in result.stderr
    config_file = out / "alertmanager.yml"
    config = yaml.safe_load(config_file.read_text())
    assert [receiver["name"] for receiver in config["receivers"]] == ["email"]
    assert all(route["receiver"] == "email" for route in config["route"]["routes"])
    assert routed(config_file, "severity=critical") == ["email"]


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://sms.example.net/hook", "http:// or https://"),
        ("https://sms.example.net/a b", "spaces"),
        ("https://", ""),
    ],
    ids=["not-http", "space", "no-host"],
)
def test_a_bad_webhook_url_stops_the_start(tmp_path, url, message):
    result, _out = render_alertmanager(tmp_path, ALERT_SMS_WEBHOOK_URL=url)
    assert result.returncode == 2 and "ALERT_SMS_WEBHOOK_URL" in result.stderr and message in result.stderr


def test_a_real_alertmanager_posts_a_critical_alert_to_the_webhook(tmp_path, httpserver):
    """Debian's Alertmanager with the rendered config (group_wait shortened: the routing is under
    test, not the timing) delivers a critical alert to a local webhook, with the bearer token."""
    binary = tool(ALERTMANAGER, "prometheus-alertmanager")
    received: list[tuple[dict, str | None]] = []

    def hook(request: Request) -> Response:
        received.append((json.loads(request.get_data()), request.headers.get("Authorization")))
        return Response("ok")

    httpserver.expect_request("/sms", method="POST").respond_with_handler(hook)
    result, out = render_alertmanager(
        tmp_path, ALERT_SMS_WEBHOOK_URL=httpserver.url_for("/sms"), ALERT_SMS_WEBHOOK_TOKEN=TOKEN
    )
    assert result.returncode == 0, result.stderr
    config_file = out / "alertmanager.yml"
    rendered = config_file.read_text()
    assert rendered.count("group_wait: 30s") == 1
    config_file.write_text(rendered.replace("group_wait: 30s", "group_wait: 0s"))
    port = free_port()
    log = tmp_path / "alertmanager.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [binary, f"--config.file={config_file}", f"--storage.path={tmp_path / 'data'}"]
            + [f"--web.listen-address=127.0.0.1:{port}", "--cluster.listen-address="],  # no HA: no gossip to wait for
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    try:
        base = f"http://127.0.0.1:{port}"
        now = datetime.now(UTC)
        alert = {
            "labels": {"alertname": "SpartanDatabaseDown", "severity": "critical"},
            "annotations": {"summary": "database down"},
            "startsAt": now.isoformat(),
            "endsAt": (now + timedelta(minutes=5)).isoformat(),
        }
        deadline = time.monotonic() + 60
        posted = False
        while not received:
            assert process.poll() is None, log.read_text()[-3000:]
            assert time.monotonic() < deadline, "no webhook call\n" + log.read_text()[-3000:]
            if not posted:
                request = urllib.request.Request(
                    f"{base}/api/v2/alerts",
                    data=json.dumps([alert]).encode(),
                    headers={"Content-Type": "application/json"},
                    method="POST",
                )
                try:
                    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - local server
                        posted = response.status == 200
                except OSError:
                    pass  # not listening yet
            time.sleep(0.2)
    finally:
        process.terminate()
        process.wait(timeout=30)
    body, authorization = received[0]
    assert authorization == f"Bearer {TOKEN}"
    assert body["status"] == "firing" and body["receiver"] == "sms"
    assert [a["labels"]["alertname"] for a in body["alerts"]] == ["SpartanDatabaseDown"]
