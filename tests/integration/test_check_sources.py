"""`python -m jobs check-sources` against the local fixture server: one request per source of the
shipped catalog, each answer parsed; a provider whose format changed is a parse error with its
parser's message while the others stay ok; timeouts, refused connections and HTTP errors are
told apart; keyed sources without a key are "not configured"; ``--record`` keeps the answers
(keys redacted) as samples that the recorded-sample test then parses again."""

from __future__ import annotations

import io
import json
import os
import re
import socket
import subprocess
import sys

import pytest
from werkzeug import Request, Response

from config.catalog import load_catalog
from config.settings import load_settings
from datasources.base import ParseError
from datasources.registry import CONNECTORS
from jobs.check_sources import check_sources, recordings, verify_recording
from tests.conftest import ROOT, SHIPPED_CATALOG, make_settings
from tests.fixtures.server import respond

KEY = "polygon-secret-key-0123456789abcdef"
# Every keyed source of the shipped catalog: all their keys unset, then Polygon's set (its
# aggregates and its options snapshot share the key).
KEYED_SOURCES = {s.id: s.auth_env for s in load_catalog(load_settings({})).sources.values() if s.auth_env}
KEYED = set(KEYED_SOURCES.values())
POLYGON_KEYED = {s for s, env in KEYED_SOURCES.items() if env == "SPARTAN_POLYGON_API_KEYS"}
# Coinbase answering a shape it never sent (its candles wrapped in an object, as a new API version might).
CHANGED_COINBASE = json.dumps({"candles": [{"time": 1764892800, "low": 1, "high": 2, "open": 1, "close": 2}]})


@pytest.fixture
def keys(monkeypatch):
    for name in KEYED:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SPARTAN_POLYGON_API_KEYS", KEY)


def settings_for(tmp_path, httpserver, **extra):
    return make_settings(
        tmp_path,
        "sqlite",
        SPARTAN_SOURCES_FILE=SHIPPED_CATALOG,
        SPARTAN_BASE_URL_ALL=httpserver.url_for("/").rstrip("/"),
        SPARTAN_HTTP_TIMEOUT="60",  # a loaded machine; the timeout test sets its own
        **extra,
    )


def run_checks(settings, only=None, record_dir=None, timeout=None) -> tuple[int, dict[str, dict]]:
    out = io.StringIO()
    code = check_sources(load_catalog(settings), settings, only, timeout, record_dir, as_json=True, out=out)
    return code, {c["source"]: c for c in json.loads(out.getvalue())}


def serve(httpserver, changed: dict[str, Response] | None = None) -> None:
    def handler(request: Request) -> Response:
        for marker, answer in (changed or {}).items():
            if re.search(marker, request.path):
                return answer
        return respond(request)

    httpserver.expect_request(re.compile(".*")).respond_with_handler(handler)


def test_every_source_answers_and_parses_and_the_recordings_parse_again(tmp_path, httpserver, keys):
    serve(httpserver)
    settings = settings_for(tmp_path, httpserver)
    samples = tmp_path / "samples"
    code, checks = run_checks(settings, record_dir=samples)
    assert code == 0
    catalog = load_catalog(settings)
    assert set(checks) == set(catalog.sources)  # one check per source, CBOE's three endpoints included
    assert {"cboe_indices", "cboe_options", "cboe_option_chains"} <= set(checks)
    not_configured = {s for s, c in checks.items() if c["status"] == "not configured"}
    assert {"polygon", "polygon_options"} == POLYGON_KEYED
    assert not_configured == set(KEYED_SOURCES) - POLYGON_KEYED
    assert {"fred_api", "alphavantage", "twelvedata", "fixer"} <= not_configured
    assert checks["alphavantage"]["message"] == "SPARTAN_ALPHAVANTAGE_API_KEYS is not set"
    assert {"eia", "alphavantage_commodities"} <= not_configured  # the commodity sources' keys
    assert checks["eia"]["message"] == "SPARTAN_EIA_API_KEYS is not set"
    for source, check in checks.items():
        if source in not_configured:
            continue
        assert check["status"] == "ok", check
        assert check["rows"] > 0 and check["first_date"] <= check["last_date"], check
        assert check["latency_ms"] is not None and check["endpoint"].startswith("/")
        # Its representative: the first instrument of the catalog it serves.
        first = next(i for i in catalog.instruments if any(p.source == source for p in i.providers))
        assert (check["dataset"], check["instrument"]) == (first.dataset, first.key)
    assert checks["binance"]["endpoint"] == "/api/v3/klines"
    # A short recent range: the daily sources asked for days, not the five-year backfill.
    binance = next(r for r, _ in httpserver.log if r.path == "/api/v3/klines")
    assert "startTime" in binance.args

    # The recordings: a body and its metadata per configured source, the key nowhere.
    # One per request: a configured source's check asks once, or once per endpoint where one
    # instrument needs two (the futures sources: funding, then open interest).
    metas = recordings(samples)
    # Every configured source recorded (a source whose requests are parsed one by one, pages or
    # endpoints, records each; one read together records its parts under its last answer).
    sources = [json.loads(m.read_text())["source"] for m in metas]
    assert set(sources) == set(checks) - not_configured
    assert all(sources.count(s) == 2 for s in ("binance_futures", "bybit_futures", "okx_futures"))
    polygon = json.loads((samples / "polygon-1.meta.json").read_text())
    assert polygon["params"]["apiKey"] == "REDACTED" and "apiKey=REDACTED" in polygon["url"]
    assert {"source", "provider", "symbol", "status", "content_type", "fetched_at"} <= polygon.keys()
    assert polygon["content_type"].startswith("application/json") and polygon["status"] == "ok"
    assert not [p.name for p in samples.iterdir() if KEY.encode() in p.read_bytes()]
    assert all(len(verify_recording(m)) > 0 for m in metas)

    # The recorded-sample test, run as a user would run it over these recordings.
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "tests/unit/providers/test_recorded_samples.py",
        ],
        cwd=ROOT,
        env={**os.environ, "SPARTAN_RECORDED_SAMPLES": str(samples)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{len(metas)} passed" in result.stdout


def test_a_provider_whose_format_changed_is_a_parse_error_and_the_others_stay_ok(tmp_path, httpserver, keys):
    serve(httpserver, {r"^/products/[^/]+/candles$": Response(CHANGED_COINBASE, content_type="application/json")})
    samples = tmp_path / "samples"
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "SPARTAN_VAR_DIR": str(tmp_path / "var"),
        "SPARTAN_SOURCES_FILE": SHIPPED_CATALOG,
        "SPARTAN_BASE_URL_ALL": httpserver.url_for("/").rstrip("/"),
        "SPARTAN_LOG_LEVEL": "ERROR",
    }
    chosen = ["binance", "coinbase", "kraken", "cboe_indices", "fred_graph"]
    result = subprocess.run(
        [sys.executable, "-m", "jobs", "check-sources", "--record", str(samples)]
        + [arg for source in chosen for arg in ("--source", source)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 1, result.stdout + result.stderr  # a configured source failed
    with pytest.raises(ParseError) as expected:
        CONNECTORS["coinbase"].parse(CHANGED_COINBASE.encode(), "BTC-USD")
    rows = {line.split()[0]: line for line in result.stdout.splitlines()[1:] if line.strip()}
    assert set(chosen) <= set(rows)
    assert "parse error" in rows["coinbase"] and str(expected.value) in rows["coinbase"]
    assert all(" ok " in rows[source] for source in chosen if source != "coinbase")
    assert "4 ok, 1 parse error" in result.stdout
    # The changed body is kept: the recorded-sample check fails on it with the same message.
    meta = samples / "coinbase-1.meta.json"
    assert json.loads(meta.read_text())["status"] == "parse error"
    with pytest.raises(ParseError, match=re.escape(str(expected.value))):
        verify_recording(meta)
    assert len(verify_recording(samples / "binance-1.meta.json")) > 0


@pytest.fixture
def silent_port():
    """A port that accepts connections (the kernel's backlog) and never answers."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        yield sock.getsockname()[1]


def test_timeouts_refused_connections_and_http_errors_are_told_apart(tmp_path, httpserver, keys, silent_port):
    serve(httpserver, {r"^/api/v3/klines$": Response("maintenance", status=503)})
    settings = settings_for(
        tmp_path,
        httpserver,
        SPARTAN_BASE_URL_KRAKEN=f"http://127.0.0.1:{silent_port}",
        SPARTAN_BASE_URL_OKX="http://127.0.0.1:9",  # nothing listens on the discard port
    )
    code, checks = run_checks(settings, only=["binance", "kraken", "okx", "coinbase", "fred_api"], timeout=0.5)
    assert code == 1
    assert checks["binance"]["status"] == "http error" and checks["binance"]["message"] == "HTTP 503"
    assert checks["kraken"]["status"] == "timeout" and checks["kraken"]["message"] == "timed out after 0.5s"
    assert checks["okx"]["status"] == "connection error" and "connection refused" in checks["okx"]["message"]
    assert checks["coinbase"]["status"] == "ok"
    assert checks["fred_api"]["status"] == "not configured"
    assert len([r for r, _ in httpserver.log if r.path == "/api/v3/klines"]) == 1  # one request: no retries


def test_an_unknown_source_is_refused(tmp_path, httpserver, keys, capsys):
    settings = settings_for(tmp_path, httpserver)
    assert check_sources(load_catalog(settings), settings, ["no_such_source"], out=io.StringIO()) == 2
    assert "unknown source(s): no_such_source" in capsys.readouterr().err


HEADER_KEYS = {
    "SPARTAN_TIINGO_API_KEYS": "tiingo-token-0123456789",
    "SPARTAN_ALPACA_API_KEYS": "AKIDHEADER42:alpaca-secret-987",
}


def test_header_borne_keys_are_sent_and_never_shown(tmp_path, httpserver, keys, monkeypatch):
    """Tiingo's ``Authorization: Token`` and Alpaca's key-id / secret headers reach the server,
    and neither the output, nor a recording, nor an error message echoing the key shows them."""
    for name, value in HEADER_KEYS.items():
        monkeypatch.setenv(name, value)
    secrets = ["tiingo-token-0123456789", "AKIDHEADER42", "alpaca-secret-987"]
    echo = Response(json.dumps({"detail": "Error: token tiingo-token-0123456789 refused"}), status=200)
    serve(httpserver, {r"^/tiingo/daily/spy/prices$": echo})
    samples = tmp_path / "samples"
    out = io.StringIO()
    settings = settings_for(tmp_path, httpserver)
    code = check_sources(load_catalog(settings), settings, ["tiingo", "alpaca"], None, samples, as_json=True, out=out)
    checks = {c["source"]: c for c in json.loads(out.getvalue())}
    assert code == 1 and checks["alpaca"]["status"] == "ok" and checks["tiingo"]["status"] == "parse error"
    assert "REDACTED refused" in checks["tiingo"]["message"]
    sent = {r.path: r.headers for r, _ in httpserver.log}
    assert sent["/tiingo/daily/spy/prices"]["Authorization"] == "Token tiingo-token-0123456789"
    alpaca = sent["/v2/stocks/SPY/bars"]
    assert (alpaca["APCA-API-KEY-ID"], alpaca["APCA-API-SECRET-KEY"]) == ("AKIDHEADER42", "alpaca-secret-987")
    meta = json.loads((samples / "alpaca-1.meta.json").read_text())
    assert meta["headers"] == {"APCA-API-KEY-ID": "REDACTED", "APCA-API-SECRET-KEY": "REDACTED"}
    shown = out.getvalue() + "".join(p.read_text() for p in samples.iterdir())
    assert not [s for s in secrets if s in shown]
