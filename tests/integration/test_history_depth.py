"""History depth and incremental refresh, end to end against the local provider server (SQLite,
and PostgreSQL + Redis when configured): a first load pages to five years and records per series
how deep it went and why; a refresh asks one page; a provider that always sends its whole
history (CBOE) has only its new rows and its revisions written, the revisions counted."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest
from sqlalchemy import select
from werkzeug import Request, Response

from config.catalog import load_catalog
from jobs.history import depth_start
from jobs.pipeline import run_downloads
from sql.schema import data_quality, download_log, instrument_history, table
from sql.store import configure
from tests.conftest import drop_backend, make_settings
from tests.fixtures.server import respond
from tests.fixtures.synthetic import LISTED

CATALOG = """
sources:
  - {id: binance, provider: binance, category: crypto, base_url: https://api.binance.com}
  - {id: kraken, provider: kraken, category: crypto, base_url: https://api.kraken.com}
  - {id: okx, provider: okx, category: crypto, base_url: https://www.okx.com}
  - {id: cboe_indices, provider: cboe, category: volatility, base_url: https://cdn.cboe.com}
quality:
  volatility_indicators: {max_jump: 0.5, stale_bars: 5, max_gap_days: 7}
datasets:
  crypto_prices:
    - {key: BTCUSD, label: Bitcoin, providers: [{source: binance, symbol: BTCUSDT}]}
    - {key: SUIUSD, label: Sui, providers: [{source: binance, symbol: SUIUSDT}]}
    - {key: ETHUSD, label: Ethereum, providers: [{source: kraken, symbol: ETHUSD}]}
    - {key: SOLUSD, label: Solana, providers: [{source: okx, symbol: SOL-USDT}]}
  volatility_indicators:
    - {key: VIX, label: CBOE VIX, providers: [{source: cboe_indices, symbol: VIX}]}
"""


class Provider:
    """The fixture server, with CBOE's VIX history revisable: ``revise[date] = close`` changes
    that day's close in every later response (as CBOE correcting a published value)."""

    def __init__(self) -> None:
        self.revise: dict[str, float] = {}

    def __call__(self, request: Request) -> Response:
        response = respond(request)
        if not (self.revise and request.path.endswith("/VIX_History.csv")):
            return response
        lines = response.get_data(as_text=True).splitlines()
        for i, line in enumerate(lines):
            day, *values = line.split(",")
            if day in self.revise:
                values[3] = f"{self.revise[day]:.2f}"
                lines[i] = ",".join([day, *values])
        return Response("\n".join(lines) + "\n", content_type="text/csv")


@pytest.fixture
def station(tmp_path, backend, httpserver):
    from sql.migrate import upgrade

    provider = Provider()
    httpserver.expect_request(re.compile(".*")).respond_with_handler(provider)
    path = tmp_path / "catalog.yaml"
    path.write_text(CATALOG)
    settings = make_settings(
        tmp_path, backend, SPARTAN_SOURCES_FILE=str(path), SPARTAN_BASE_URL_ALL=httpserver.url_for("").rstrip("/")
    )
    store = configure(settings)
    upgrade(settings, store.engine)
    yield store, load_catalog(settings), provider, httpserver
    store.engine.dispose()
    drop_backend(settings)


def requests_to(server, path: str) -> list:
    return [req for req, _ in server.log if req.path == path]


def bars(store, dataset: str, key: str) -> pd.DataFrame:
    tbl = table(dataset)
    with store.engine.connect() as conn:
        rows = conn.execute(select(tbl).where(tbl.c.symbol == key).order_by(tbl.c.ts)).mappings().all()
    frame = pd.DataFrame(rows)
    frame["day"] = pd.to_datetime(frame["ts"], utc=True).dt.date
    return frame


def depth(store) -> dict[str, dict]:
    with store.engine.connect() as conn:
        return {r["key"]: dict(r) for r in conn.execute(select(instrument_history)).mappings()}


def log(store) -> pd.DataFrame:
    with store.engine.connect() as conn:
        return pd.DataFrame(conn.execute(select(download_log).order_by(download_log.c.id)).mappings().all())


def test_a_first_load_pages_to_five_years_and_records_why_a_history_is_shorter(station):
    store, catalog, _provider, server = station
    summary = run_downloads(store, catalog, "preload")
    assert summary.failed_sources() == {}
    today = datetime.now(UTC).date()
    start = depth_start()
    assert start == today - timedelta(days=5 * 365 + 7)

    btc = bars(store, "crypto_prices", "BTCUSD")
    assert btc["day"].iloc[0] == start and btc["day"].iloc[-1] == today - timedelta(days=1)
    assert len(btc) == (today - start).days  # every day once: the two pages met without a gap or repeat
    klines = [r for r in requests_to(server, "/api/v3/klines") if r.args["symbol"] == "BTCUSDT"]
    assert len(klines) == 2
    assert len(requests_to(server, "/api/v5/market/history-candles")) == 19
    assert len(bars(store, "crypto_prices", "SOLUSD")) == (today - start).days

    records = depth(store)
    assert set(records) == {"BTCUSD", "SUIUSD", "ETHUSD", "SOLUSD", "VIX"}
    assert records["BTCUSD"]["depth_note"].startswith("full depth")
    assert records["VIX"]["depth_note"].startswith("full depth")  # CBOE's file holds all of it
    assert records["SUIUSD"]["depth_note"] == f"listed {LISTED['SUIUSD']} (the first bar binance has)"
    assert str(records["SUIUSD"]["provider_first"])[:10] == str(LISTED["SUIUSD"])
    assert records["ETHUSD"]["depth_note"] == "kraken serves the last 720 days only"
    assert all(str(r["requested_from"])[:10] == str(start) for r in records.values())
    assert bars(store, "crypto_prices", "SUIUSD")["day"].iloc[0] == LISTED["SUIUSD"]


def test_a_refresh_asks_one_page_and_writes_only_new_rows_and_the_providers_revisions(station):
    store, catalog, provider, server = station
    run_downloads(store, catalog, "preload")
    vix_before = bars(store, "volatility_indicators", "VIX")
    old = vix_before.iloc[-300]  # about fourteen months back: far before the refresh window
    revised_day = old["day"].strftime("%m/%d/%Y")
    provider.revise[revised_day] = round(old["close"] + 0.37, 2)
    server.clear_log()

    summary = run_downloads(store, catalog, "refresh")

    klines = requests_to(server, "/api/v3/klines")
    assert len(klines) == 2  # BTCUSDT and SUIUSDT: one page each
    since = pd.Timestamp(int(klines[0].args["startTime"]), unit="ms", tz="UTC").date()
    assert since == bars(store, "crypto_prices", "BTCUSD")["day"].iloc[-1] - timedelta(days=14)
    assert len(requests_to(server, "/api/v5/market/history-candles")) == 1
    assert len(requests_to(server, "/api/global/us_indices/daily_prices/VIX_History.csv")) == 1

    vix_after = bars(store, "volatility_indicators", "VIX")
    assert len(vix_after) == len(vix_before)
    changed = vix_after.set_index("day")["close"] != vix_before.set_index("day")["close"]
    assert list(changed[changed].index) == [old["day"]]
    assert vix_after.set_index("day").loc[old["day"], "close"] == pytest.approx(provider.revise[revised_day])
    # The unchanged history was not written again: only the revised row took the new fetch time.
    rewritten = vix_after.set_index("day")["fetched_at"] != vix_before.set_index("day")["fetched_at"]
    assert list(rewritten[rewritten].index) == [old["day"]]
    assert summary.rows_written["volatility_indicators"] == 1

    entry = log(store).query("run_kind == 'refresh' and instrument == 'VIX'").iloc[-1]
    assert entry["status"] == "ok" and entry["revised_rows"] == 1
    # Rows validated and written: the refresh window's (from since on) and the revision.
    window_rows = int((vix_before["day"] >= vix_before["day"].iloc[-1] - timedelta(days=14)).sum())
    assert entry["rows"] == window_rows + 1
    assert (log(store).query("run_kind == 'refresh' and instrument != 'VIX'")["revised_rows"] == 0).all()
    # The revision is judged apart from the window: the months between are no gap of the data.
    with store.engine.connect() as conn:
        rules = conn.execute(
            select(data_quality.c.rule).where(data_quality.c.key == "VIX", data_quality.c.rule == "gap")
        ).all()
    assert rules == []

    # The same body again: the revision is stored, nothing is revised, nothing written.
    again = run_downloads(store, catalog, "refresh")
    assert log(store).query("run_kind == 'refresh' and instrument == 'VIX'").iloc[-1]["revised_rows"] == 0
    assert again.rows_written["volatility_indicators"] == 0


def test_a_series_stored_without_its_depth_recorded_is_asked_once_for_the_full_depth(station):
    store, catalog, _provider, server = station
    run_downloads(store, catalog, "preload")
    with store.engine.begin() as conn:  # as a store filled before depths were recorded
        conn.execute(instrument_history.delete())
    server.clear_log()
    run_downloads(store, catalog, "refresh")
    # Kraken's history (720 days) is shorter than the depth and has no recorded reason: asked in
    # full once, which records it; BTC's five years need nothing more than the refresh page.
    kraken = requests_to(server, "/0/public/OHLC")
    assert len(kraken) == 1
    oldest_asked = pd.Timestamp(int(kraken[0].args["since"]), unit="s", tz="UTC").date()
    assert oldest_asked == datetime.now(UTC).date() - timedelta(days=720)
    assert set(depth(store)) == {"ETHUSD", "SUIUSD"}  # SUI too: listed within the five years
    assert len([r for r in requests_to(server, "/api/v3/klines") if r.args["symbol"] == "BTCUSDT"]) == 1
    server.clear_log()
    run_downloads(store, catalog, "refresh")
    since = pd.Timestamp(int(requests_to(server, "/0/public/OHLC")[0].args["since"]), unit="s", tz="UTC").date()
    assert since > datetime.now(UTC).date() - timedelta(days=20)  # recorded now: back to one recent page
