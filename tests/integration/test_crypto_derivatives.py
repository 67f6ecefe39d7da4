"""``crypto_derivatives`` end to end: a download run through the futures cascade against the
local fixture server (Binance first; Bybit, then OKX when it fails), written idempotently; the
API's latest and history endpoints and the status row; and the ``crypto_derivatives`` panel on
stored rows and on an empty store (both backends)."""

from __future__ import annotations

import re
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from werkzeug import Response

from config.catalog import load_catalog
from tests.conftest import drop_backend, make_settings
from tests.fixtures.server import respond
from tests.integration.test_panels_analytics import context, data, only_figure, render, walk, write

CATALOG = """
sources:
  - {{id: binance_futures, provider: binance_futures, category: crypto, base_url: '{base}'}}
  - {{id: bybit_futures, provider: bybit_futures, category: crypto, base_url: '{base}'}}
  - {{id: okx_futures, provider: okx_futures, category: crypto, base_url: '{base}'}}
datasets:
  crypto_derivatives:
    - {{key: BTC, providers: [{{source: binance_futures, symbol: BTCUSDT}}, {{source: bybit_futures, symbol: BTCUSDT}}, {{source: okx_futures, symbol: BTC-USDT-SWAP}}]}}
    - {{key: ETH, providers: [{{source: binance_futures, symbol: ETHUSDT}}, {{source: bybit_futures, symbol: ETHUSDT}}, {{source: okx_futures, symbol: ETH-USDT-SWAP}}]}}
"""


def derivatives_store(tmp_path, backend, httpserver, failing: tuple[str, ...] = ()):
    from sql.migrate import upgrade
    from sql.store import configure

    def handler(request):
        if any(request.path.startswith(prefix) for prefix in failing):
            return Response("upstream exploded", status=502)
        return respond(request)

    httpserver.expect_request(re.compile(".*")).respond_with_handler(handler)
    path = tmp_path / "catalog.yaml"
    path.write_text(CATALOG.format(base=httpserver.url_for("").rstrip("/")))
    cfg = make_settings(tmp_path, backend, SPARTAN_SOURCES_FILE=str(path), SPARTAN_HTTP_RETRIES="0")
    store = configure(cfg)
    upgrade(cfg, store.engine)
    return store, cfg


def test_a_run_writes_a_row_a_day_from_binance_idempotently(tmp_path, backend, httpserver):
    from jobs.pipeline import run_downloads
    from sql import read
    from sql.write import row_count

    store, cfg = derivatives_store(tmp_path, backend, httpserver)
    try:
        catalog = load_catalog(cfg)
        summary = run_downloads(store, catalog, "preload")
        assert summary.failed_sources() == {} and summary.instruments_ok == 2
        rows = read.rows("crypto_derivatives")
        assert set(rows["symbol"]) == {"BTC", "ETH"} and set(rows["source"]) == {"binance_futures"}
        btc = rows[rows["symbol"] == "BTC"].sort_values("date")
        assert btc["date"].is_unique and len(btc) > 5 * 365
        # Full days carry three settlements; funding near 0.03 % a day; its annualised value x365.
        full = btc.iloc[:-1]
        assert (full["funding_periods"] == 3).all()
        assert full["funding_annualized"].to_numpy() == pytest.approx(full["funding_rate"].to_numpy() * 365)
        # Binance serves open interest for the last month only: older days have funding alone.
        with_oi = btc.dropna(subset=["open_interest"])
        assert 25 <= len(with_oi) <= 31 and (with_oi["open_interest_usd"] > 1e9).all()
        with store.engine.connect() as conn:
            first = row_count(conn, "crypto_derivatives")
        again = run_downloads(store, catalog, "refresh")
        assert again.failed_sources() == {} and again.rows_written.get("crypto_derivatives", 0) == 0
        with store.engine.connect() as conn:
            assert row_count(conn, "crypto_derivatives") == first == len(rows)
    finally:
        store.engine.dispose()
        drop_backend(cfg)


def test_the_cascade_moves_on_to_bybit_then_okx(tmp_path, backend, httpserver):
    from jobs.pipeline import run_downloads
    from sql import read

    store, cfg = derivatives_store(tmp_path, backend, httpserver, failing=("/fapi/", "/futures/", "/v5/"))
    try:
        summary = run_downloads(store, load_catalog(cfg), "preload")
        assert summary.instruments_ok == 2
        assert set(summary.failed_sources()) == {"binance_futures", "bybit_futures"}
        rows = read.rows("crypto_derivatives")
        assert set(rows["source"]) == {"okx_futures"}
        # OKX: open interest in dollars from 2024 on, funding for the last three months.
        assert pd.Timestamp(rows["date"].min()).date() == date(2024, 1, 1) and rows["open_interest_usd"].notna().all()
        funded = rows.dropna(subset=["funding_rate"])
        assert pd.Timestamp(funded["date"].min()).date() >= date.today() - timedelta(days=93)
    finally:
        store.engine.dispose()
        drop_backend(cfg)


# --- the API and the status ---------------------------------------------------------------------


def stored_rows() -> pd.DataFrame:
    days = pd.date_range("2026-11-01", "2026-11-30").date
    frames = []
    for symbol, coins, price in (("BTC", 85_000.0, 90_000.0), ("ETH", 2_000_000.0, 3_000.0)):
        n = len(days)
        funding = np.linspace(0.02, 0.04, n)
        frames.append(
            pd.DataFrame(
                {
                    "symbol": symbol,
                    "date": days,
                    "funding_rate": funding,
                    "funding_annualized": funding * 365,
                    "funding_periods": 3,
                    "open_interest": coins,
                    "open_interest_usd": coins * price,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def test_the_api_serves_latest_and_history_and_the_status_lists_the_dataset(store, settings):
    import app as webapp

    write(store, "crypto_derivatives", stored_rows())
    client = webapp.create_app(settings, migrate=False).server.test_client()
    latest = client.get("/api/market/crypto-derivatives")
    assert latest.status_code == 200
    items = {i["symbol"]: i for i in latest.get_json()["items"]}
    assert set(items) == {"BTC", "ETH"} and items["BTC"]["date"].startswith("2026-11-30")
    assert items["BTC"]["funding_annualized"] == pytest.approx(0.04 * 365)
    assert items["BTC"]["open_interest_usd"] == pytest.approx(85_000 * 90_000)
    history = client.get("/api/market/crypto-derivatives/BTC?limit=5")
    assert history.status_code == 200 and history.get_json()["count"] == 5
    assert client.get("/api/market/crypto-derivatives/NOPE").status_code == 404
    csv = client.get("/api/market/crypto-derivatives/ETH?format=csv").get_data(as_text=True).splitlines()
    assert "funding_rate" in csv[0] and "open_interest_usd" in csv[0] and len(csv) == 31
    status = client.get("/api/system/status").get_json()
    row = next(d for d in status["datasets"] if d["dataset"] == "crypto_derivatives")
    assert row["rows"] == 60


# --- the panel ------------------------------------------------------------------------------------


def test_the_panel_draws_funding_or_open_interest_per_coin(store, settings):
    write(store, "crypto_derivatives", stored_rows())
    funding = context(settings, "crypto_derivatives", keys=["BTC", "ETH"], view="funding")
    fig = only_figure(render(funding))
    assert [t.name for t in fig.data] == ["BTC", "ETH"] and list(fig.data[0].y)[-1] == pytest.approx(0.04 * 365)
    frame = data(funding)
    assert list(frame.columns) == ["Date", "BTC Funding, annualised (%)", "ETH Funding, annualised (%)"]
    assert len(frame) == 30 and frame["Date"].iloc[-1] == "2026-11-30"
    interest = context(settings, "crypto_derivatives", keys=["BTC"], view="open_interest")
    fig = only_figure(render(interest))
    assert [t.name for t in fig.data] == ["BTC"] and list(fig.data[0].y)[-1] == pytest.approx(7.65)  # $bn
    latest = data(context(settings, "crypto_derivatives", keys=["ETH", "BTC"], view="latest"))
    assert latest["Coin"].tolist() == ["ETH", "BTC"] and set(latest["Date"]) == {"2026-11-30"}
    btc = latest.set_index("Coin").loc["BTC"]
    assert btc["Funding %"] == pytest.approx(0.04) and btc["Settlements"] == 3
    week = np.linspace(0.02, 0.04, 30)[-7:].mean() * 365
    assert btc["7-day annualised %"] == pytest.approx(week) and btc["Open interest (USD bn)"] == pytest.approx(7.65)
    grid = next(
        c for c in walk(render(context(settings, "crypto_derivatives", view="latest"))) if type(c).__name__ == "AgGrid"
    )
    assert len(grid.rowData) == 2 and [c["field"] for c in grid.columnDefs][:3] == ["Coin", "Date", "Funding %"]
    with pytest.raises(ValueError, match="view must be one of"):
        render(context(settings, "crypto_derivatives", view="nope"))


def test_the_panel_is_no_data_on_an_empty_store(store, settings):
    from pages.panels.base import NoData

    with pytest.raises(NoData):
        render(context(settings, "crypto_derivatives", keys=["BTC"]))
