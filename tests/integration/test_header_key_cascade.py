"""Header-keyed stock sources in a cascade, over the pipeline: a keyless primary down, Tiingo
without a key "not configured", Alpaca's first key pair refused and rotated, the second serving;
an error body echoing a key reaches neither the download log nor the run's summary."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select
from werkzeug import Request, Response

from config.catalog import load_catalog
from jobs.pipeline import run_downloads
from sql.migrate import upgrade
from sql.schema import download_log
from sql.store import configure
from tests.conftest import drop_backend, make_settings
from tests.fixtures.server import respond

CATALOG = """
sources:
  - {id: yahoo_chart, provider: yahoo, category: stocks, base_url: "https://query1.finance.yahoo.com"}
  - {id: fmp, provider: fmp, category: stocks, base_url: "https://financialmodelingprep.com", auth_env: SPARTAN_TESTFMP_API_KEYS}
  - {id: tiingo, provider: tiingo, category: stocks, base_url: "https://api.tiingo.com", auth_env: SPARTAN_TESTTIINGO_API_KEYS}
  - {id: alpaca, provider: alpaca, category: stocks, base_url: "https://data.alpaca.markets", auth_env: SPARTAN_TESTALPACA_API_KEYS}
datasets:
  market_indices:
    - {key: SPY, label: SPDR S&P 500 ETF, providers: [{source: yahoo_chart, symbol: SPY}, {source: fmp, symbol: SPY}, {source: tiingo, symbol: SPY}, {source: alpaca, symbol: SPY}]}
"""
REVOKED, GOOD = "AKREVOKED:old-secret-111", "AKGOOD:new-secret-222"
FMP_KEY = "fmp-key-echoed-333"


@pytest.fixture
def cascade(tmp_path, backend, httpserver):
    (tmp_path / "catalog.yaml").write_text(CATALOG)
    settings = make_settings(
        tmp_path,
        backend,
        SPARTAN_SOURCES_FILE=str(tmp_path / "catalog.yaml"),
        SPARTAN_BASE_URL_ALL=httpserver.url_for("").rstrip("/"),
        SPARTAN_HTTP_RETRIES="0",
    )
    store = configure(settings)
    upgrade(settings, store.engine)
    yield store, settings
    store.engine.dispose()
    drop_backend(settings)


def test_header_keys_are_rotated_in_the_cascade_and_never_logged(cascade, httpserver, monkeypatch):
    store, settings = cascade
    monkeypatch.delenv("SPARTAN_TESTTIINGO_API_KEYS", raising=False)
    monkeypatch.setenv("SPARTAN_TESTFMP_API_KEYS", FMP_KEY)
    monkeypatch.setenv("SPARTAN_TESTALPACA_API_KEYS", f"{REVOKED},{GOOD}")

    def handler(request: Request) -> Response:
        if request.path.startswith("/v8/finance/chart/"):
            return Response("maintenance", status=503)
        if request.path == "/stable/historical-price-eod/full":  # an error body that echoes the key
            return Response(
                json.dumps({"Error Message": f"Invalid API KEY {FMP_KEY}"}), content_type="application/json"
            )
        if request.headers.get("APCA-API-KEY-ID") == "AKREVOKED":
            return Response('{"code": 40110000, "message": "request is not authorized"}', status=401)
        return respond(request)

    httpserver.expect_request(re.compile(".*")).respond_with_handler(handler)
    summary = run_downloads(store, load_catalog(settings), "preload")
    with store.engine.connect() as conn:
        served = set(conn.exec_driver_sql("SELECT DISTINCT source FROM market_indices").scalars())
        log = [dict(r._mapping) for r in conn.execute(select(download_log))]
    assert served == {"alpaca"}
    assert [a.status for a in summary.attempts] == ["failed", "failed", "not_configured", "ok"]
    sent = [r.headers.get("APCA-API-KEY-ID") for r, _ in httpserver.log if r.path.startswith("/v2/stocks/")]
    assert sent == ["AKREVOKED", "AKGOOD"]
    fmp_error = next(row["error"] for row in log if row["source_id"] == "fmp")
    assert "Invalid API KEY ***" in fmp_error
    shown = repr(log) + repr(summary.as_dict())
    assert not [s for s in (FMP_KEY, "old-secret-111", "new-secret-222", "AKREVOKED", "AKGOOD") if s in shown]
