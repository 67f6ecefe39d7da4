"""middleware/ (security, rate_limits, headers, audit): per-IP rate limits (memory and Redis), the client address behind proxies,
security headers (a CSP that allows exactly the inline scripts a page serves), the audit log."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import logging
import re
import socket
import threading
import time
from datetime import UTC, datetime
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

from config.settings import SettingsError, load_settings
from middleware.redaction import REDACTED, redact_query, secret_looking
from middleware.request_classes import request_class
from tests.conftest import BACKENDS, REDIS_URL, collect, drop_backend, make_settings

ROUTER_OUTPUT = ".._pages_content.children..._pages_store.data.."


@pytest.fixture
def make_app(tmp_path):
    """``make_app(backend, **SPARTAN_env)`` → (dash app, settings); backends dropped afterwards."""
    import app as webapp

    made = []

    def make(backend: str = "sqlite", **env: str):
        settings = make_settings(tmp_path / f"app{len(made)}", backend, **env)
        made.append(settings)
        return webapp.create_app(settings), settings

    yield make
    for settings in made:
        drop_backend(settings)


def router_callback(pathname: str, search: str = "") -> dict:
    """The body Dash's renderer posts to render a page from its URL (the pages router)."""
    return {
        "output": ROUTER_OUTPUT,
        "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
        "inputs": [
            {"id": "_pages_location", "property": "pathname", "value": pathname},
            {"id": "_pages_location", "property": "search", "value": search},
        ],
        "changedPropIds": ["_pages_location.pathname"],
        "state": [],
    }


def directives(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in policy.split(";"))


def fields(record: logging.LogRecord) -> dict:
    keys = [
        "event",
        "kind",
        "accessed_at",
        "client_ip",
        "user_agent",
        "request_id",
        "method",
        "path",
        "query",
        "status",
        "bytes",
        "duration_ms",
        "dataset",
        "target",
        "output",
        "page",
        "page_query",
    ]
    return {k: record.__dict__[k] for k in keys if k in record.__dict__}


# --- rate limits ---------------------------------------------------------------------------------


def test_the_data_endpoints_answer_429_with_retry_after_past_their_limit(make_app, backend):
    import app as webapp

    dash_app, settings = make_app(backend, SPARTAN_RATE_LIMIT_API="3/minute")
    client = dash_app.server.test_client()
    for remaining in ("2", "1", "0"):
        ok = client.get("/api/system/status")
        assert ok.status_code == 200
        assert ok.headers["X-RateLimit-Limit"] == "3" and ok.headers["X-RateLimit-Remaining"] == remaining
        assert "Retry-After" not in ok.headers  # only where it means something
    # /api/* and /csv/* share one budget per client.
    refused = client.get("/csv/rates/curve.csv")
    assert refused.status_code == 429 and refused.mimetype == "application/json"
    body = refused.get_json()
    assert body["error"] == "rate limit exceeded" and body["limit"] == "3 per 1 minute"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert body["retry_after"] == int(refused.headers["Retry-After"])
    assert refused.headers["X-RateLimit-Remaining"] == "0"
    assert client.get("/api/system/status").status_code == 429

    # A second worker process on the same settings: with Redis it shares the exhausted budget;
    # embedded, each process counts for itself.
    other = webapp.create_app(settings).server.test_client()
    if settings.redis_url:
        import redis

        keys = redis.Redis.from_url(settings.redis_url).keys(f"{settings.cache_prefix}ratelimit:*")
        assert [k.decode() for k in keys] == [f"{settings.cache_prefix}ratelimit:LIMITER/127.0.0.1/api/3/1/minute"]
        assert other.get("/api/system/status").status_code == 429
    else:
        assert other.get("/api/system/status").status_code == 200


def test_a_views_own_retry_after_is_kept(make_app):
    from flask import Response

    dash_app, _ = make_app(SPARTAN_RATE_LIMIT_API="5/minute")
    busy = Response("{}", status=503, mimetype="application/json", headers={"Retry-After": "7"})
    dash_app.server.add_url_rule("/api/test-busy", "test_busy", lambda: busy)
    response = dash_app.server.test_client().get("/api/test-busy")
    assert response.status_code == 503 and response.headers["Retry-After"] == "7"
    assert response.headers["X-RateLimit-Remaining"] == "4"


def test_each_client_address_has_its_own_budget_and_an_ipv6_client_its_64(make_app):
    dash_app, _ = make_app(SPARTAN_RATE_LIMIT_API="2/minute")
    client = dash_app.server.test_client()

    def status(address: str) -> int:
        return client.get("/api/system/status", environ_overrides={"REMOTE_ADDR": address}).status_code

    assert [status("198.51.100.1") for _ in range(3)] == [200, 200, 429]
    assert status("198.51.100.2") == 200
    assert [status("2001:db8::1") for _ in range(2)] == [200, 200]
    assert status("2001:db8::ffff") == 429  # same /64: one machine, one budget
    assert status("2001:db8:0:1::1") == 200


def test_x_forwarded_for_counts_only_from_trusted_proxies(make_app, audit):
    direct, _ = make_app(SPARTAN_RATE_LIMIT_API="2/minute")
    client = direct.server.test_client()
    # Without trusted proxies, a client naming another address each time is still itself.
    spoofed = [
        client.get("/api/system/status", headers={"X-Forwarded-For": f"203.0.113.{n}"}).status_code for n in range(3)
    ]
    assert spoofed == [200, 200, 429]
    assert {r.client_ip for r in audit} == {"127.0.0.1"}

    audit.clear()
    proxied, _ = make_app(SPARTAN_RATE_LIMIT_API="2/minute", SPARTAN_TRUSTED_PROXIES="1")
    client = proxied.server.test_client()

    def via_proxy(forwarded_for: str) -> int:
        return client.get("/api/system/status", headers={"X-Forwarded-For": forwarded_for}).status_code

    assert [via_proxy("203.0.113.7"), via_proxy("203.0.113.7")] == [200, 200]
    # The proxy appends the address it saw; what the client wrote before it is not trusted.
    assert via_proxy("198.51.100.99, 203.0.113.7") == 429
    assert via_proxy("203.0.113.8") == 200
    assert [r.client_ip for r in audit] == ["203.0.113.7", "203.0.113.7", "203.0.113.7", "203.0.113.8"]


def test_pages_and_dash_callbacks_have_a_budget_of_their_own(make_app):
    dash_app, _ = make_app(SPARTAN_RATE_LIMIT_API="1/minute", SPARTAN_RATE_LIMIT_WEB="4/minute")
    client = dash_app.server.test_client()
    assert [client.get("/api/system/status").status_code for _ in range(2)] == [200, 429]
    # A page view: the page, its layout and dependencies, the router callback.
    assert client.get("/rates").status_code == 200
    assert client.get("/_dash-layout").status_code == 200
    assert client.get("/_dash-dependencies").status_code == 200
    assert client.post("/_dash-update-component", json=router_callback("/rates")).status_code == 200
    page = client.get("/rates")
    assert page.status_code == 429 and page.mimetype == "text/html"
    assert "Too many requests" in page.get_data(as_text=True)
    assert int(page.headers["Retry-After"]) >= 1
    callback = client.post("/_dash-update-component", json=router_callback("/rates"))
    assert callback.status_code == 429 and callback.mimetype == "text/plain"


def test_liveness_and_static_files_are_never_limited_nor_audited(make_app, audit):
    dash_app, _ = make_app(SPARTAN_RATE_LIMIT_API="1/minute", SPARTAN_RATE_LIMIT_WEB="1/minute")
    client = dash_app.server.test_client()
    html = client.get("/").get_data(as_text=True)
    suite = re.search(r'src="(/_dash-component-suites/[^"]+)"', html).group(1)
    audit.clear()
    for _ in range(4):
        for path in ("/health/live", "/assets/20-spartan.css", suite, "/_favicon.ico"):
            response = client.get(path)
            assert response.status_code != 429, path
            assert "X-RateLimit-Limit" not in response.headers, path
        assert client.get("/health/live").status_code == 200
        assert client.get("/assets/20-spartan.css").status_code == 200
    assert audit == []
    assert client.get("/rates").status_code == 429  # the web budget was spent by the first page


def test_probes_that_ask_the_database_have_a_budget_of_their_own_and_are_not_audited(make_app, audit):
    dash_app, _ = make_app(SPARTAN_RATE_LIMIT_PROBE="3/minute", SPARTAN_RATE_LIMIT_WEB="1/minute")
    client = dash_app.server.test_client()
    audit.clear()
    codes = [client.get(path).status_code for path in ("/health/ready", "/metrics", "/health", "/health/ready")]
    assert codes[:3] != [429] * 3 and codes[3] == 429
    assert client.get("/health/live").status_code == 200  # liveness is never limited
    assert audit == []
    assert client.get("/rates").status_code == 200  # the web budget is untouched


def test_rate_limits_can_be_switched_off_for_a_benchmark(make_app):
    dash_app, _ = make_app(SPARTAN_RATE_LIMIT_ENABLED="0", SPARTAN_RATE_LIMIT_API="1/minute")
    client = dash_app.server.test_client()
    responses = [client.get("/api/system/status") for _ in range(10)]
    assert {r.status_code for r in responses} == {200}
    assert all("X-RateLimit-Limit" not in r.headers for r in responses)
    assert dash_app.server.extensions["spartan_limiter"] is None


class Forwarder:
    """A TCP port in front of Redis whose link can be cut (connections are then closed as soon
    as they are made, as by a Redis that went away behind a proxy) and restored."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.up = threading.Event()
        self.up.set()
        self.open: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.up.is_set():
                client.close()
                continue
            upstream = socket.create_connection(self.target)
            self.open += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        self.up.clear()
        for s in self.open:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
        self.open.clear()

    def restore(self) -> None:
        self.up.set()

    def close(self) -> None:
        self.cut()
        self.listener.close()


@pytest.mark.parametrize("backend", BACKENDS[1:], indirect=True)  # needs the test Redis
def test_a_redis_that_cannot_be_reached_does_not_take_the_limiter_down(tmp_path, backend):
    """The limiter as init_app configures it, its Redis behind a link the test cuts: requests
    are served (and still limited, in memory) while Redis is gone, and counted in Redis again
    once it is back."""
    import redis
    from flask import Flask

    from middleware.rate_limits import rate_limits

    real = urlsplit(REDIS_URL)
    link = Forwarder(real.hostname, real.port or 6379)
    settings = make_settings(
        tmp_path,
        "postgres",
        SPARTAN_REDIS_URL=f"redis://127.0.0.1:{link.port}{real.path}",
        SPARTAN_RATE_LIMIT_API="3/minute",
    )
    server = Flask("limiter-under-test")
    server.add_url_rule("/api/data", "data", lambda: {"ok": True})
    rate_limits(server, settings)
    client = server.test_client()
    store = redis.Redis.from_url(REDIS_URL)
    key = f"{settings.cache_prefix}ratelimit:LIMITER/127.0.0.1/api/3/1/minute"
    warnings, logger = collect("flask-limiter")
    try:
        assert client.get("/api/data").status_code == 200
        assert int(store.get(key)) == 1

        link.cut()
        started = time.monotonic()
        served = [client.get("/api/data").status_code for _ in range(5)]
        assert time.monotonic() - started < 5
        # Served, and still limited: counted in this process's memory meanwhile.
        assert served == [200, 200, 200, 429, 429]
        assert any(
            r.levelno == logging.WARNING and "storage unreachable" in r.getMessage() for r in warnings.records
        ), warnings.records
        assert int(store.get(key)) == 1

        link.restore()  # after a short back-off the counts are in Redis again
        deadline = time.monotonic() + 60
        while int(store.get(key)) == 1 and time.monotonic() < deadline:
            client.get("/api/data")
            time.sleep(0.25)
        assert int(store.get(key)) == 2
        assert any("recovered" in r.getMessage() for r in warnings.records)
    finally:
        logger.removeHandler(warnings)
        link.close()
        store.delete(key)


# --- security headers ----------------------------------------------------------------------------


class Scripts(HTMLParser):
    """The <script> elements of a page as a browser parses them (comments are comments)."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=False)
        self.found: list[tuple[dict, str]] = []
        self._open: dict | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self._open = dict(attrs)
            self.found.append((self._open, ""))

    def handle_data(self, data):
        if self._open is not None:
            attrs, text = self.found[-1]
            self.found[-1] = (attrs, text + data)

    def handle_endtag(self, tag):
        if tag == "script":
            self._open = None


def inline_scripts(html: str) -> list[str]:
    """The inline scripts a browser would run: <script> without src, not a JSON data block."""
    return [
        text
        for attrs, text in Scripts(html).found
        if "src" not in attrs and attrs.get("type", "text/javascript") != "application/json"
    ]


def sha256(script: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode() + "'"


@pytest.mark.parametrize("path", ["/", "/rates?range=1Y", "/rates?embed=1", "/embed/rates/curve", "/api-docs"])
def test_the_page_policy_allows_exactly_the_inline_scripts_the_page_serves(make_app, path):
    dash_app, _ = make_app(SPARTAN_EMBED_ORIGINS="https://reports.example")
    response = dash_app.server.test_client().get(path)
    assert response.status_code == 200 and response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    scripts = inline_scripts(html)
    assert len(scripts) >= 2  # Dash's renderer and the clientside callbacks at least
    policy = directives(response)
    script_src = policy["script-src"].split()
    assert script_src[0] == "'self'"
    assert sorted(script_src[1:]) == sorted({sha256(s) for s in scripts})  # no more, no fewer
    assert not {"'unsafe-inline'", "'unsafe-eval'", "*", "data:", "http:", "https:"} & set(script_src)
    # Every script file comes from the station itself.
    sources = [attrs["src"] for attrs, _ in Scripts(html).found if "src" in attrs]
    assert sources and all(s.startswith("/") and not s.startswith("//") for s in sources), sources
    assert policy["default-src"] == "'self'"
    assert policy["style-src"] == "'self' 'unsafe-inline'"
    assert policy["img-src"] == "'self' data: blob:"
    assert policy["font-src"] == "'self' data:"
    assert policy["connect-src"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert policy["base-uri"] == "'self'" and policy["form-action"] == "'self'"
    if "embed" in path:
        assert policy["frame-ancestors"] == "'self' https://reports.example"
        assert "X-Frame-Options" not in response.headers
    else:
        assert policy["frame-ancestors"] == "'none'"
        assert response.headers["X-Frame-Options"] == "DENY"


def test_a_tampered_inline_script_would_not_run():
    from middleware.headers import document_policy

    policy = document_policy([sha256("var renderer = new DashRenderer();")], "'none'")
    assert sha256("var renderer = new DashRenderer();") in policy
    assert sha256("var renderer = new DashRenderer();alert(1)") not in policy


def test_data_responses_get_a_policy_that_loads_nothing(make_app):
    dash_app, _ = make_app()
    client = dash_app.server.test_client()
    for path in ("/api/system/status", "/csv/rates/curve.csv", "/health"):
        response = client.get(path)
        policy = directives(response)
        assert policy["default-src"] == "'none'" and policy["frame-ancestors"] == "'none'", path
        assert "script-src" not in policy
        assert response.headers["X-Frame-Options"] == "DENY"


def test_every_response_carries_the_hardening_headers_and_hsts_only_over_tls(make_app):
    dash_app, _ = make_app()
    client = dash_app.server.test_client()
    for path in ("/rates", "/api/system/status", "/assets/20-spartan.css"):
        response = client.get(path)
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
        permissions = response.headers["Permissions-Policy"]
        for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
            assert feature in permissions
        assert "Strict-Transport-Security" not in response.headers  # plain http
    tls = client.get("/rates", base_url="https://station.example")
    assert tls.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert tls.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    # Plain http on a LAN address: browsers ignore COOP there, and say so in the console.
    for host in ("192.0.2.10:8888", "station.lan"):
        assert "Cross-Origin-Opener-Policy" not in client.get("/rates", base_url=f"http://{host}").headers
    for host in ("127.0.0.1:8888", "[::1]:8888", "localhost"):
        assert client.get("/rates", base_url=f"http://{host}").headers["Cross-Origin-Opener-Policy"] == "same-origin"
    # A client claiming https in X-Forwarded-Proto is not believed without trusted proxies ...
    assert "Strict-Transport-Security" not in client.get("/rates", headers={"X-Forwarded-Proto": "https"}).headers
    # ... and is, from the proxy in front of the station.
    proxied, _ = make_app(SPARTAN_TRUSTED_PROXIES="1")
    behind = proxied.server.test_client().get("/rates", headers={"X-Forwarded-Proto": "https"})
    assert behind.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


# --- audit log -----------------------------------------------------------------------------------


def test_every_data_access_leaves_one_audit_record(make_app, audit):
    dash_app, _ = make_app()
    client = dash_app.server.test_client()
    before = datetime.now(UTC)
    agent = {"User-Agent": "Mozilla/5.0 (audit-test)", "X-Request-ID": "req-123"}
    api = client.get("/api/system/status?range=1Y&compare=SPX,NDX", headers=agent)
    client.get("/csv/rates/curve.csv?range=3M")
    client.get("/rates?range=1Y")
    assert client.post("/_dash-update-component", json=router_callback("/rates", "?range=5Y")).status_code == 200
    for quiet in ("/health", "/assets/20-spartan.css", "/_dash-layout", "/_dash-dependencies"):
        client.get(quiet)
    assert [r.kind for r in audit] == ["api", "csv", "page", "callback"]
    assert {r.name for r in audit} == {"spartan.audit"} and {r.levelno for r in audit} == {logging.INFO}

    first = fields(audit[0])
    assert datetime.fromisoformat(first.pop("accessed_at")) >= before.replace(microsecond=0)
    assert first.pop("duration_ms") >= 0
    assert first == {
        "event": "data_access",
        "kind": "api",
        "client_ip": "127.0.0.1",
        "user_agent": "Mozilla/5.0 (audit-test)",
        "request_id": "req-123",
        "method": "GET",
        "path": "/api/system/status",
        "query": {"range": "1Y", "compare": "SPX,NDX"},
        "status": api.status_code,  # whatever the endpoint makes of the parameters
        "bytes": len(api.data),
        "dataset": None,
    }
    assert audit[0].getMessage() == (
        f"api GET /api/system/status?range=1Y&compare=SPX,NDX -> {api.status_code} ({len(api.data)} bytes)"
        " client=127.0.0.1"
    )
    csv = fields(audit[1])
    assert csv["status"] == 404 and csv["dataset"] == "treasury_yields"  # empty database: no data yet
    assert csv["target"] == {"dashboard": "rates", "panel": "curve"} and csv["query"] == {"range": "3M"}
    page = fields(audit[2])
    assert page["path"] == "/rates" and page["status"] == 200
    assert set(page["dataset"].split(",")) == {"treasury_yields", "credit_spreads"}
    callback = fields(audit[3])
    assert callback["method"] == "POST" and callback["output"] == ROUTER_OUTPUT
    assert callback["page"] == "/rates" and callback["page_query"] == {"range": "5Y"}
    assert "treasury_yields" in callback["dataset"]


def test_a_layout_with_the_page_drawn_in_is_audited_as_that_page(make_app, audit):
    dash_app, _ = make_app()
    client = dash_app.server.test_client()
    client.get("/_dash-layout", headers={"Referer": "http://localhost/rates?range=5Y"})
    client.get("/_dash-layout", headers={"Referer": "http://localhost/no-such-page"})  # skeleton only
    (layout,) = audit
    record = fields(layout)
    assert record["kind"] == "layout" and record["path"] == "/_dash-layout"
    assert record["page"] == "/rates" and record["page_query"] == {"range": "5Y"}
    assert set(record["dataset"].split(",")) == {"treasury_yields", "credit_spreads"}


def test_audit_records_are_one_line_and_bounded(make_app, audit):
    dash_app, _ = make_app()
    client = dash_app.server.test_client()
    client.get("/api/system/status%0aforged%20record?x=a%0db", headers={"User-Agent": "A" * 5000})
    (record,) = audit
    assert "\n" not in record.getMessage() and "\r" not in record.getMessage()
    assert "\n" not in record.path and record.query == {"x": "a\\x0db"}
    assert len(record.user_agent) <= 200


SECRETS = ("S3KRIT-API-KEY-1", "S3KRIT-TOKEN-2", "S3KRIT-PASS-3", "S3KRIT-BEARER-4", "S3KRIT-COOKIE-5")
JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyIn0.c2lnbmF0dXJlLXNpZ25hdHVyZQ"


def test_audit_records_never_hold_secrets(make_app, audit, tmp_path):
    log_file = tmp_path / "audit" / "access.jsonl"
    dash_app, _ = make_app(SPARTAN_AUDIT_LOG=str(log_file))
    client = dash_app.server.test_client()
    client.set_cookie("session", SECRETS[4])
    query = f"api_key={SECRETS[0]}&token={SECRETS[1]}&password={SECRETS[2]}&range=1Y&note={JWT}"
    headers = {"Authorization": f"Bearer {SECRETS[3]}", "X-Api-Key": SECRETS[0]}
    client.get(f"/api/system/status?{query}", headers=headers)
    client.get(f"/csv/rates/curve.csv?{query}", headers=headers)
    client.get(f"/rates?{query}", headers=headers)
    client.post("/_dash-update-component", json=router_callback("/rates", f"?{query}"), headers=headers)
    assert len(audit) == 4
    written = log_file.read_text()
    for record in audit:
        text = json.dumps(record.__dict__, default=str) + record.getMessage()
        for secret in (*SECRETS, JWT):
            assert secret not in text, (secret, text)
    for secret in (*SECRETS, JWT):
        assert secret not in written
    api = fields(audit[0])
    assert api["query"] == {
        "api_key": REDACTED,
        "token": REDACTED,
        "password": REDACTED,
        "range": "1Y",
        "note": REDACTED,
    }
    assert fields(audit[3])["page_query"]["api_key"] == REDACTED


def test_the_audit_file_gets_one_json_line_per_record_appended(make_app, tmp_path):
    log_file = tmp_path / "audit.jsonl"
    log_file.write_text('{"earlier": "record"}\n')
    dash_app, _ = make_app(SPARTAN_AUDIT_LOG=str(log_file))
    client = dash_app.server.test_client()
    api = client.get("/api/system/status?range=1Y")
    client.get("/health")  # not a data access
    client.get("/rates")
    lines = log_file.read_text().splitlines()
    assert lines[0] == '{"earlier": "record"}'
    records = [json.loads(line) for line in lines[1:]]
    assert [(r["kind"], r["path"], r["status"]) for r in records] == [
        ("api", "/api/system/status", api.status_code),
        ("page", "/rates", 200),
    ]
    assert records[0]["query"] == {"range": "1Y"} and records[0]["accessed_at"].endswith("Z")

    fresh = tmp_path / "new" / "audit.jsonl"
    make_app(SPARTAN_AUDIT_LOG=str(fresh))
    assert fresh.exists() and fresh.stat().st_mode & 0o777 == 0o640


# --- pieces --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "value", "secret"),
    [
        ("api_key", "abc", True),
        ("apikey", "abc", True),
        ("X-Api-Key", "abc", True),
        ("access_token", "abc", True),
        ("password", "abc", True),
        ("client_secret", "abc", True),
        ("key", "abc", True),
        ("sig", "abc", True),
        ("session_id", "abc", True),
        ("note", JWT, True),
        ("q", "Bearer abcdef", True),
        ("q", "d41d8cd98f00b204e9800998ecf8427e", True),  # a long opaque token
        ("range", "1Y", False),
        ("compare", "SPX,NDX,^GSPC,BTC-USD,EURUSD=X", False),
        ("dataset", "market_indices", False),
        ("keys", "SPX", False),
        ("monkey", "SPX", False),
        ("scale", "log", False),
    ],
)
def test_secret_looking_parameters(name, value, secret):
    assert secret_looking(name, value) is secret


def test_redact_query_keeps_repeated_values_and_cuts_long_ones():
    from werkzeug.datastructures import MultiDict

    out = redact_query(MultiDict([("compare", "SPX"), ("compare", "NDX"), ("token", "x"), ("q", "z" * 500)]))
    assert out["compare"] == ["SPX", "NDX"] and out["token"] == REDACTED
    assert len(out["q"]) == 200


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/api/system/status", "api"),
        ("/csv/rates/curve.csv", "api"),
        ("/rates", "web"),
        ("/_dash-update-component", "web"),
        ("/embed/rates/curve", "web"),
        ("/api-docs", "web"),
        ("/health/live", "exempt"),
        ("/health", "probe"),
        ("/health/ready", "probe"),
        ("/metrics", "probe"),
        ("/assets/20-spartan.css", "exempt"),
        ("/_dash-component-suites/dash/dash-renderer/build/dash_renderer.v4.min.js", "exempt"),
    ],
)
def test_request_classes(path, kind):
    assert request_class(path) == kind


def test_security_settings_defaults_and_validation(tmp_path):
    s = load_settings({})
    assert s.rate_limit_enabled is True
    assert (s.rate_limit_api, s.rate_limit_web) == ("120/minute,2000/hour", "600/minute,10000/hour")
    assert s.trusted_proxies == 0 and s.audit_log is None
    custom = load_settings(
        {
            "SPARTAN_RATE_LIMIT_ENABLED": "false",
            "SPARTAN_RATE_LIMIT_API": "10/second",
            "SPARTAN_RATE_LIMIT_WEB": "off",
            "SPARTAN_TRUSTED_PROXIES": "2",
            "SPARTAN_AUDIT_LOG": str(tmp_path / "audit.jsonl"),
        }
    )
    assert custom.rate_limit_enabled is False and custom.rate_limit_api == "10/second"
    assert custom.rate_limit_web == "" and custom.trusted_proxies == 2
    assert custom.audit_log == tmp_path / "audit.jsonl"
    for env in (
        {"SPARTAN_RATE_LIMIT_API": "lots"},
        {"SPARTAN_RATE_LIMIT_WEB": "10 per fortnight"},
        {"SPARTAN_RATE_LIMIT_ENABLED": "maybe"},
        {"SPARTAN_TRUSTED_PROXIES": "-1"},
        {"SPARTAN_TRUSTED_PROXIES": "many"},
    ):
        with pytest.raises(SettingsError, match=next(iter(env))):
            load_settings(env)
