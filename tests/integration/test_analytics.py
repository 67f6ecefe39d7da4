"""The analytics runner against a real store: inputs read back from the tables, one transaction
per analytic, recomputed only when an input changed, and the refresh runs it and warms the cache."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import func, select

from config.analytics import parse_analytics
from jobs.analytics import compute
from jobs.analytics.run import read_levels, run_analytics
from sql.schema import table
from sql.write import write_dataset

FETCHED = datetime(2026, 11, 20, tzinfo=UTC)
DAYS = pd.bdate_range("2025-06-02", periods=300)
CONFIG = parse_analytics(
    """
correlations:
  window_days: 60
  basket:
    - {dataset: market_indices, key: SPY}
    - {dataset: market_indices, key: XLK}
    - {dataset: treasury_yields, key: 10Y}
sector_rotation: {dataset: market_indices, benchmark: SPY, sectors: [XLK, XLE], ratio_window: 20, momentum_lag: 5}
market_breadth: {universes: [{id: TEST, dataset: equities}]}
sentiment:
  scores: [{dataset: sentiment_indicators, key: FEAR_GREED}]
  fear_high: [{dataset: sentiment_indicators, key: PUT_CALL_SPX_VOLUME}, {name: VIX_TERM_STRUCTURE}]
  term_structure: {dataset: volatility_indicators, front: VIX, back: VIX3M}
"""
)


def path(seed: int, start: float, vol: float) -> np.ndarray:
    return start * np.exp(np.cumsum(np.random.default_rng(seed).normal(0, vol, len(DAYS))))


def bars(symbols: dict[str, np.ndarray]) -> pd.DataFrame:
    return pd.concat(
        [
            pd.DataFrame({"symbol": s, "interval": "1d", "ts": DAYS.tz_localize(UTC), "close": v})
            for s, v in symbols.items()
        ]
    ).assign(source="test", fetched_at=FETCHED)


def observations(key_column: str, series: dict[str, np.ndarray]) -> pd.DataFrame:
    return pd.concat([pd.DataFrame({key_column: k, "date": DAYS.date, "value": v}) for k, v in series.items()]).assign(
        source="test", fetched_at=FETCHED
    )


def write(store, dataset: str, frame: pd.DataFrame) -> None:
    with store.engine.begin() as conn:
        write_dataset(conn, dataset, frame, "test")


@pytest.fixture
def filled(store):
    write(
        store, "market_indices", bars({"SPY": path(1, 500, 0.01), "XLK": path(2, 200, 0.015), "XLE": path(3, 90, 0.02)})
    )
    write(store, "equities", bars({f"S{i}": path(10 + i, 100, 0.02) for i in range(5)}))
    write(store, "treasury_yields", observations("tenor", {"10Y": 4 + np.cumsum(np.full(len(DAYS), 0.001))}))
    write(
        store,
        "sentiment_indicators",
        observations(
            "indicator_id",
            {"FEAR_GREED": np.linspace(20, 80, len(DAYS)), "PUT_CALL_SPX_VOLUME": np.linspace(0.6, 1.2, len(DAYS))},
        ),
    )
    write(store, "volatility_indicators", bars({"VIX": path(4, 18, 0.05), "VIX3M": path(5, 20, 0.03)}))
    return store


def count(store, name: str) -> int:
    with store.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table(name))).scalar_one()


def test_every_analytic_is_computed_from_the_stored_inputs(filled):
    result = run_analytics(filled, config=CONFIG)
    assert result.errors == {}
    assert all(result.rows_written[name] > 0 for name in ("correlations", "sector_rotation", "market_breadth"))
    with filled.engine.connect() as conn:
        levels = read_levels(conn, "market_indices", ["SPY", "XLK"])
        stored = pd.read_sql(
            "SELECT date, value FROM correlations WHERE asset_a = 'SPY' AND asset_b = 'XLK' ORDER BY date", conn
        )
        composite = pd.read_sql("SELECT * FROM sentiment_indicators WHERE indicator_id = 'COMPOSITE'", conn)
        breadth = pd.read_sql("SELECT * FROM market_breadth ORDER BY date", conn)
    # The last stored correlation is the plain correlation of the last 60 daily returns.
    returns = levels.pct_change().iloc[-60:]
    assert stored["value"].iloc[-1] == pytest.approx(np.corrcoef(returns["SPY"], returns["XLK"])[0, 1])
    assert str(stored["date"].iloc[-1])[:10] == str(DAYS[-1].date())
    # One value a day from the 48th return on (a pair needs 80% of the 60-day window).
    assert len(stored) == (len(DAYS) - 1) - 48 + 1
    assert count(filled, "sector_rotation") > 0
    assert set(composite["label"]) <= {label for _, label in compute.SENTIMENT_LABELS}
    assert len(composite) > 200
    assert breadth[["advancers", "decliners", "unchanged"]].sum(axis=1).eq(5).all()
    with filled.engine.connect() as conn:
        ids = set(pd.read_sql("SELECT DISTINCT indicator_id FROM sentiment_indicators", conn)["indicator_id"])
    assert {"VIX_TERM_STRUCTURE", "COMPOSITE_FEAR_GREED", "COMPOSITE_PUT_CALL_SPX_VOLUME"} <= ids


def test_only_analytics_whose_inputs_changed_are_recomputed_and_only_recent_rows(filled):
    run_analytics(filled, config=CONFIG)
    nothing = run_analytics(filled, changed=set(), config=CONFIG)
    assert nothing.rows_written == {} and len(nothing.skipped) == 4
    # A late correction of one stock's last close moves market breadth, nothing else.
    write(filled, "equities", bars({"S0": path(10, 100, 0.02) * 1.5}).iloc[-1:])
    again = run_analytics(filled, changed={"equities"}, config=CONFIG)
    assert set(again.rows_written) == {"market_breadth"}
    assert 0 < again.rows_written["market_breadth"] <= 2


def test_an_empty_store_gives_empty_analytics_not_errors(store):
    result = run_analytics(store, config=CONFIG)
    assert result.errors == {}
    assert all(rows == 0 for rows in result.rows_written.values())


def test_a_refresh_computes_the_analytics_then_serves_the_hot_reads_from_the_cache(store, httpserver, monkeypatch):
    import app as webapp
    from config.catalog import load_catalog
    from jobs import commands
    from pages.warm import dashboard_plans
    from sql import memo, read, station
    from sql.store import get_store
    from tests.conftest import serve_fred

    settings = store.settings.__class__(**{**store.settings.__dict__, "fred_base_url": serve_fred(httpserver)})
    webapp.create_app(settings)  # the web: its pages' default reads, published for the sidecar
    plans = dashboard_plans()
    read.publish_page_plans(list(plans.values()))
    catalog = load_catalog(settings)  # the test catalog: Treasury yields and credit spreads from FRED
    assert commands.refresh(get_store(), catalog) == 0
    # The shipped basket's rates (2Y, 10Y, high-yield OAS) are what this catalog downloads.
    with get_store().engine.connect() as conn:
        pairs = set(pd.read_sql("SELECT DISTINCT asset_a, asset_b FROM correlations", conn).itertuples(index=False))
    assert pairs == {("2Y", "10Y"), ("2Y", "HY_OAS"), ("10Y", "HY_OAS")}

    def no_database(*_args, **_kwargs):
        raise AssertionError("a warmed read went to the database")

    memo.clear_local()  # what a web process finds in the shared cache, not the sidecar's memory
    monkeypatch.setattr(read, "frame_of", no_database)
    monkeypatch.setattr(station, "frame_of", no_database)
    assert not read.last_two("treasury_yields").empty
    assert not read.dataset_status().empty and not read.source_health().empty
    # The default views of the rates dashboard (config/dashboards/rates.yaml): curve and credit.
    with read.batch(plans["/rates"]) as queries:
        assert queries >= 2
        assert not read.fetch(plans["/rates"][0]).empty


def test_wide_analytics_tables_have_no_single_value_to_read_as_one(store):
    from sql import read

    with pytest.raises(ValueError, match="'sector_rotation' has no single value column"):
        read.last_two("sector_rotation")
