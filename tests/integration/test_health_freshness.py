"""/health and /api/system/status judge each dataset by its own freshness target (the catalog's
``freshness:``), with stored data of various ages, and give the age of the sidecar's last run;
/health stays a handful of small reads (no query per dataset)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pandas as pd
import pytest
from sqlalchemy import event

from sql.cache import REFRESH_LAST_RUN_KEY
from tests.conftest import drop_backend, make_settings

CATALOG = """
sources:
  - {id: src, provider: fred, category: economic, base_url: 'http://127.0.0.1:9'}
datasets:
  market_indices:
    - {key: SPX, providers: [{source: src, symbol: SPX}]}
  equities:
    - {key: AAPL, providers: [{source: src, symbol: AAPL}]}
  crypto_prices:
    - {key: BTCUSD, providers: [{source: src, symbol: BTC}]}
  treasury_yields:
    - {key: 10Y, providers: [{source: src, symbol: DGS10}]}
  economic_indicators:
    - {key: MONTHLY_OK, providers: [{source: src, symbol: A}]}
    - {key: QUARTERLY_LATE, providers: [{source: src, symbol: B}]}
    - {key: WB_ANNUAL, freshness: {frequency: annual, lag_days: 240}, providers: [{source: src, symbol: C}]}
    - {key: DISCONTINUED, freshness: {frequency: none}, providers: [{source: src, symbol: D}]}
    - {key: NEVER_STORED, providers: [{source: src, symbol: E}]}
freshness:
  datasets:
    market_indices: {frequency: daily, close: '16:00', timezone: America/New_York, grace_hours: 3}
    equities: {frequency: daily, close: '16:00', timezone: America/New_York, grace_hours: 3}
    crypto_prices: {frequency: daily, calendar: every_day, close: '24:00', timezone: UTC, grace_hours: 3}
    treasury_yields: {frequency: daily, close: '16:00', timezone: America/New_York, grace_hours: 27}
    economic_indicators: {frequency: inferred, grace_hours: 30}
"""


@pytest.fixture
def web(tmp_path, backend):
    import app as webapp

    path = tmp_path / "sources.yaml"
    path.write_text(CATALOG)
    settings = make_settings(tmp_path, backend, SPARTAN_SOURCES_FILE=str(path), SPARTAN_RATE_LIMIT_ENABLED="0")
    dash_app = webapp.create_app(settings)
    yield dash_app, settings
    drop_backend(settings)


def store(dataset: str, frame: pd.DataFrame) -> None:
    from sql.store import get_store
    from sql.versions import publish_version
    from sql.write import write_dataset

    frame = frame.assign(source="src", fetched_at=datetime.now(UTC))
    with get_store().engine.begin() as conn:
        _rows, version = write_dataset(conn, dataset, frame, "src")
    publish_version(dataset, version)


def bars(symbol: str, last: date, days: int = 10) -> pd.DataFrame:
    ts = pd.date_range(end=pd.Timestamp(last, tz="UTC"), periods=days, freq="D")
    return pd.DataFrame(
        {
            "symbol": symbol,
            "interval": "1d",
            "ts": ts,
            "open": 1.0,
            "high": 1.0,
            "low": 1.0,
            "close": 1.0,
            "volume": 1.0,
        }
    )


def observations(key: str, dates: list[date]) -> pd.DataFrame:
    return pd.DataFrame({"indicator_id": key, "country": "USA", "date": dates, "value": 1.0})


def fill(today: date) -> None:
    store("market_indices", bars("SPX", today))  # today's bar: fresh whatever the hour
    store("equities", bars("AAPL", today - timedelta(days=10)))  # ten days behind: stale
    store("crypto_prices", bars("BTCUSD", today - timedelta(days=3)))  # stale: trades every day
    last_month = today - timedelta(days=20)
    store(
        "economic_indicators",
        pd.concat(
            [
                observations("MONTHLY_OK", [last_month - timedelta(days=31), last_month]),  # monthly, 20 days
                observations("QUARTERLY_LATE", [date(today.year - 3, 1, 1), date(today.year - 3, 4, 1)]),
                observations("WB_ANNUAL", [date(today.year - 1, 1, 1)]),  # one observation, its own target
                observations("DISCONTINUED", [date(2020, 1, 1), date(2020, 2, 1)]),
            ]
        ),
    )


def test_health_counts_the_datasets_past_their_own_target(web):
    dash_app, _settings = web
    fill(datetime.now(UTC).date())
    client = dash_app.server.test_client()
    response = client.get("/health")
    assert response.status_code == 200
    data = response.get_json()["checks"]["preload"]
    # treasury_yields: nothing stored; economic_indicators: one quarterly series two years late.
    assert data["stale_datasets"] == ["equities", "crypto_prices", "treasury_yields", "economic_indicators"]
    assert data["datasets_stale"] == 4
    assert data["last_refresh_age_seconds"] is None  # the sidecar never ran

    status = client.get("/api/system/status").get_json()
    datasets = {d["dataset"]: d for d in status["datasets"]}
    assert sorted(status["datasets_past_target"]) == sorted(data["stale_datasets"])
    spx = datasets["market_indices"]
    assert spx["past_target"] is False and spx["frequency"] == "daily"
    assert "16:00 close (America/New_York)" in spx["freshness_target"]
    assert spx["min_latest_observation"] <= spx["latest_observation"]
    assert datasets["crypto_prices"]["past_target"] is True
    assert datasets["crypto_prices"]["min_latest_observation"] > datasets["crypto_prices"]["latest_observation"]
    economic = datasets["economic_indicators"]
    assert economic["frequency"] == "per series" and economic["past_target"] is True
    assert economic["series_judged"] == 4 and economic["series_missing"] == 1
    assert economic["series_past_target"] == 1 and economic["stale_series"] == ["QUARTERLY_LATE"]
    assert "2 series with targets of their own" in economic["freshness_target"]
    assert datasets["correlations"]["past_target"] is None  # computed, not catalogued: no target


def test_health_gives_the_age_of_the_sidecars_last_run(web):
    from sql.cache import cache
    from sql.sidecar import save_status

    dash_app, _settings = web
    fill(datetime.now(UTC).date())
    client = dash_app.server.test_client()
    now = datetime.now(UTC)
    # The cache lost refresh:last_run: its sidecar_status row says it.
    save_status("refresh", {"state": "complete", "finished_at": (now - timedelta(minutes=30)).isoformat()})
    age = client.get("/health").get_json()["checks"]["preload"]["last_refresh_age_seconds"]
    assert 30 * 60 <= age < 30 * 60 + 60
    cache.set(REFRESH_LAST_RUN_KEY, {"state": "complete", "finished_at": (now - timedelta(minutes=5)).isoformat()})
    age = client.get("/health").get_json()["checks"]["preload"]["last_refresh_age_seconds"]
    assert 5 * 60 <= age < 5 * 60 + 60


def test_health_reads_no_data_table_and_no_series_twice(web):
    from sql.store import get_store

    dash_app, _settings = web
    fill(datetime.now(UTC).date())
    client = dash_app.server.test_client()
    client.get("/health")  # the series' dates read once, then memoized on the versions
    statements: list[str] = []
    engine = get_store().engine

    def seen(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", seen)
    try:
        for _ in range(3):
            assert client.get("/health").status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert len(statements) <= 3 * 3, statements  # SELECT 1, the sidecar's rows: never one per dataset
    touched = " ".join(statements).lower()
    assert "series_stats" not in touched
    assert not any(f"from {name}" in touched for name in ("market_indices", "economic_indicators", "crypto_prices"))
