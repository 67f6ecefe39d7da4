"""deploy/haproxy/haproxy.cfg is a configuration HAProxy accepts (``haproxy -c``), and says what
the station relies on: the client's address forwarded, replicas checked on /health/ready, the
answering replica named. tests/integration/test_scale_out.py runs it in front of two replicas."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

CONFIG = Path(__file__).resolve().parents[2] / "deploy" / "haproxy" / "haproxy.cfg"


@pytest.mark.skipif(shutil.which("haproxy") is None, reason="haproxy is not installed (apt-get install haproxy)")
def test_haproxy_accepts_the_shipped_configuration():
    env = os.environ | {"SPARTAN_BALANCER_PORT": "8080"}
    done = subprocess.run(["haproxy", "-c", "-f", str(CONFIG)], env=env, capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_configuration_forwards_the_client_checks_readiness_and_names_the_replica():
    lines = [line.strip() for line in CONFIG.read_text().splitlines() if not line.strip().startswith("#")]
    assert "option forwardfor" in lines
    assert "option httpchk GET /health/ready" in lines
    assert "http-response set-header X-Station-Replica %s" in lines
    templates = [line for line in lines if line.startswith("server-template ")]
    assert any(" check " in f"{t} " for t in templates) and any(" backup " in f"{t} " for t in templates)
