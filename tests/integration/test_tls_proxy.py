"""The TLS proxy of compose (deploy/caddy/Caddyfile) for real: Caddy (Debian's) in front of a
running station, as the web runs in compose (one trusted proxy, Secure cookies): https with a
certificate of Caddy's own CA, HSTS once, http redirected, Caddy's and the server's names out of
the headers; a real domain with an email turns on ACME instead."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
import time

import pytest
import requests
from werkzeug.serving import make_server

from middleware.headers import HSTS
from tests.conftest import ROOT, free_port, make_settings, stop_process
from tests.integration.test_auth_routes import ADMIN_PASSWORD, csrf_of, local_env

CADDYFILE = ROOT / "deploy" / "caddy" / "Caddyfile"
CADDY = shutil.which("caddy")
pytestmark = pytest.mark.skipif(CADDY is None, reason="caddy is not installed (apt-get install caddy)")


def _caddy_env(tmp_path, **extra: str) -> dict[str, str]:
    home = tmp_path / "caddy-home"
    home.mkdir(exist_ok=True)
    return {
        "PATH": os.environ["PATH"],
        "HOME": str(home),
        "XDG_DATA_HOME": str(home),
        "XDG_CONFIG_HOME": str(home),
        **extra,
    }


def test_the_caddyfile_validates_with_a_local_ca_and_with_a_real_certificate(tmp_path):
    for extra in ({}, {"SPARTAN_DOMAIN": "station.example.org", "SPARTAN_TLS": "ops@example.org"}):
        env = _caddy_env(tmp_path, **extra)
        command = [CADDY, "validate", "--config", str(CADDYFILE), "--adapter", "caddyfile"]
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
    adapted = subprocess.run(
        [CADDY, "adapt", "--config", str(CADDYFILE), "--adapter", "caddyfile"],
        env=_caddy_env(tmp_path, SPARTAN_DOMAIN="station.example.org", SPARTAN_TLS="ops@example.org"),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    policies = json.loads(adapted.stdout)["apps"]["tls"]["automation"]["policies"]
    issuers = [(p["subjects"], i) for p in policies for i in p["issuers"]]
    assert (["station.example.org"], {"email": "ops@example.org", "module": "acme"}) in issuers


@pytest.fixture
def station(tmp_path):
    """The station as compose runs its web: logins on, one trusted proxy, Secure cookies."""
    import app as webapp

    env = local_env(SPARTAN_TRUSTED_PROXIES="1", SPARTAN_COOKIE_SECURE="1")
    app = webapp.create_app(make_settings(tmp_path / "station", "sqlite", **env))
    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server.server_port
    server.shutdown()
    thread.join(timeout=10)


def _start_caddy(tmp_path, station: int) -> tuple[subprocess.Popen, dict[str, str]] | None:
    """Caddy on free ports with the shipped Caddyfile, its upstream pointed at ``station``; None
    when a port was taken meanwhile (another process on this machine got it first)."""
    http_port, https_port, health_port = free_port(), free_port(), free_port()
    text = CADDYFILE.read_text()
    assert "dynamic a web 8888" in text and "http://127.0.0.1:2080" in text and "admin off" in text
    # The replicas are looked up by name as in compose: here the one station, as "localhost".
    text = text.replace("dynamic a web 8888", f"dynamic a localhost {station}")
    text = text.replace("http://127.0.0.1:2080", f"http://127.0.0.1:{health_port}")
    # Free ports, no HTTP/3 (UDP), and the local CA's root left out of this machine's trust store.
    globals_ = f"http_port {http_port}\n\thttps_port {https_port}\n\tskip_install_trust\n\tservers {{\n\t\tprotocols h1 h2\n\t}}"
    config = tmp_path / "Caddyfile"
    config.write_text(text.replace("admin off", f"admin off\n\t{globals_}"))
    log_path = tmp_path / "caddy.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [CADDY, "run", "--config", str(config), "--adapter", "caddyfile"],
            env=_caddy_env(tmp_path, SPARTAN_DOMAIN="localhost"),
            stdout=log,
            stderr=log,
        )
    root = tmp_path / "caddy-home" / "caddy" / "pki" / "authorities" / "local" / "root.crt"
    deadline = time.monotonic() + 30
    while process.poll() is None:
        try:
            if requests.get(f"http://127.0.0.1:{health_port}/", timeout=1).status_code == 200 and root.exists():
                urls = {"https": f"https://localhost:{https_port}", "http": f"http://localhost:{http_port}"}
                return process, {**urls, "ca": str(root)}
        except requests.ConnectionError:
            pass
        assert time.monotonic() < deadline, log_path.read_text()
        time.sleep(0.1)
    assert "address already in use" in log_path.read_text(), log_path.read_text()
    return None


@pytest.fixture
def proxy(tmp_path, station):
    for _ in range(3):
        started = _start_caddy(tmp_path, station)
        if started:
            break
    else:
        pytest.fail("no free ports for Caddy after 3 tries")
    process, urls = started
    yield urls
    stop_process(process)


def test_the_station_behind_caddy_speaks_https_with_hsts_and_secure_cookies(proxy, station):
    session = requests.Session()
    ca = proxy["ca"]  # the chain is checked: Caddy's local CA signed the certificate (per request:
    # REQUESTS_CA_BUNDLE in the environment would win over a session's verify)
    page = session.get(proxy["https"] + "/login", verify=ca, timeout=30)
    assert page.status_code == 200
    assert page.raw.headers.getlist("Strict-Transport-Security") == [HSTS]  # the web's, once
    assert "Server" not in page.headers
    done = session.post(
        proxy["https"] + "/login",
        data={"csrf_token": csrf_of(page.text), "username": "root", "password": ADMIN_PASSWORD},
        allow_redirects=False,
        verify=ca,
        timeout=30,
    )
    assert done.status_code in (302, 303)
    cookies = [c for c in done.raw.headers.getlist("Set-Cookie") if c.startswith("spartan_session=")]
    assert cookies and all("Secure" in c and "HttpOnly" in c for c in cookies), cookies
    # Redirects stay on https (the web sees X-Forwarded-Proto: https).
    assert done.headers["Location"].startswith(("/", proxy["https"])), done.headers["Location"]
    assert session.get(proxy["https"] + "/health/live", verify=ca, timeout=30).status_code == 200
    # Plain http is redirected to https by Caddy, the path kept.
    plain = requests.get(proxy["http"] + "/login", allow_redirects=False, timeout=30)
    assert plain.status_code == 308 and plain.headers["Location"].startswith("https://localhost")
    assert plain.headers["Location"].endswith("/login")
    # Straight to the web (no proxy, plain http): no HSTS, which only https may carry.
    direct = requests.get(f"http://127.0.0.1:{station}/login", timeout=30)
    assert direct.status_code == 200 and "Strict-Transport-Security" not in direct.headers
    # What the proxy tells it (X-Forwarded-Proto, one trusted hop) makes the request https to it.
    forwarded = requests.get(f"http://127.0.0.1:{station}/login", headers={"X-Forwarded-Proto": "https"}, timeout=30)
    assert forwarded.headers["Strict-Transport-Security"] == HSTS
