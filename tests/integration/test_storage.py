"""Schema, migrations, the bulk upsert writer, dataset versions and cached readers — on
SQLite + file cache, and on PostgreSQL + Redis when the test services are configured."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pandas as pd
import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, select

from sql import read
from sql.migrate import alembic_config, current_revision, upgrade
from sql.schema import DATA_TABLES, EXTRA_TABLES, SYSTEM_TABLES, dataset_versions
from sql.versions import publish_version
from sql.write import WriteError, bump_version, row_count, upsert_frame, write_dataset

FETCHED = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def observations(n: int, value: float = 4.0, tenor: str = "10Y") -> pd.DataFrame:
    start = date(2026, 1, 1)
    return pd.DataFrame(
        {
            "tenor": tenor,
            "date": [start + timedelta(days=i) for i in range(n)],
            "value": [value + i / 100 for i in range(n)],
            "source": "fred_graph",
            "fetched_at": FETCHED,
        }
    )


def write(store, table: str, frame: pd.DataFrame, dataset: str | None = None) -> int:
    """Rows into ``table``; with ``dataset``, as the sidecar writes them (stats and version with
    the data, then published)."""
    with store.engine.begin() as conn:
        if not dataset:
            return upsert_frame(conn, table, frame)
        rows, version = write_dataset(conn, dataset, frame, "fred_graph")
    publish_version(dataset, version)
    return rows


def test_migration_creates_the_seeds_17_tables_and_ours_and_is_idempotent(store, settings):
    names = set(inspect(store.engine).get_table_names())
    assert set(DATA_TABLES) | set(SYSTEM_TABLES) <= names
    assert len(DATA_TABLES) + len(SYSTEM_TABLES) - len(EXTRA_TABLES) == 17
    assert "dataset_versions" in names
    upgrade(settings, store.engine)  # a second run changes nothing and does not fail
    head = ScriptDirectory.from_config(alembic_config(settings)).get_current_head()
    assert current_revision(store.engine, settings) == head


def test_postgres_tables_live_in_the_configured_schema(store, settings):
    if not settings.is_postgres:
        pytest.skip("schemas are a PostgreSQL notion")
    assert "treasury_yields" in inspect(store.engine).get_table_names(schema=settings.db_schema)


def test_upsert_is_idempotent(store):
    frame = observations(500)
    assert write(store, "treasury_yields", frame) == 500
    assert write(store, "treasury_yields", frame) == 0  # nothing changed: nothing rewritten
    with store.engine.connect() as conn:
        assert row_count(conn, "treasury_yields") == 500


def test_upsert_updates_changed_values_and_keeps_the_rest(store):
    write(store, "treasury_yields", observations(10))
    revised = observations(10)
    revised.loc[3, "value"] = 9.99
    assert write(store, "treasury_yields", revised) == 1
    with store.engine.connect() as conn:
        stored = pd.read_sql("SELECT date, value FROM treasury_yields ORDER BY date", conn)
    assert len(stored) == 10
    assert stored["value"].iloc[3] == pytest.approx(9.99)
    assert stored["value"].iloc[4] == pytest.approx(4.04)


def test_upsert_rejects_duplicate_keys_and_writes_nothing(store):
    frame = pd.concat([observations(5), observations(1)], ignore_index=True)
    with pytest.raises(WriteError, match="repeat a primary key"):
        write(store, "treasury_yields", frame)
    with store.engine.connect() as conn:
        assert row_count(conn, "treasury_yields") == 0


def test_upsert_rejects_missing_required_columns(store):
    with pytest.raises(WriteError, match="lacks required columns"):
        write(store, "treasury_yields", observations(3).drop(columns=["source"]))


def test_failed_transaction_leaves_no_partial_write(store):
    with pytest.raises(RuntimeError), store.engine.begin() as conn:
        upsert_frame(conn, "treasury_yields", observations(50))
        bump_version(conn, "treasury_yields", 50, "fred_graph")
        raise RuntimeError("crash between write and commit")
    with store.engine.connect() as conn:
        assert row_count(conn, "treasury_yields") == 0
        assert conn.execute(select(dataset_versions)).first() is None


def test_large_frame_round_trips_exactly(store):
    frame = pd.concat([observations(2000, tenor=t) for t in ("2Y", "5Y", "10Y")], ignore_index=True)
    assert write(store, "treasury_yields", frame) == 6000
    with store.engine.connect() as conn:
        stored = pd.read_sql("SELECT tenor, date, value FROM treasury_yields ORDER BY tenor, date", conn)
    assert len(stored) == 6000
    assert stored["value"].sum() == pytest.approx(frame["value"].sum())


def test_version_moves_only_when_rows_change(store):
    with store.engine.begin() as conn:
        first = bump_version(conn, "treasury_yields", 10, "fred_graph")
    with store.engine.begin() as conn:
        same = bump_version(conn, "treasury_yields", 0, "fred_graph")
    with store.engine.begin() as conn:
        moved = bump_version(conn, "treasury_yields", 3, "fred_graph")
    assert same == first
    assert moved > first


def test_readers_serve_from_cache_until_the_version_moves(store):
    write(store, "treasury_yields", observations(5), dataset="treasury_yields")
    first = read.observations("treasury_yields")
    assert list(first["value"]) == pytest.approx([4.0, 4.01, 4.02, 4.03, 4.04])

    # A write without a version bump is invisible to readers: they answer from the cache.
    write(store, "treasury_yields", observations(5, value=5.0))
    assert read.observations("treasury_yields")["value"].iloc[0] == pytest.approx(4.0)

    with store.engine.begin() as conn:
        version = bump_version(conn, "treasury_yields", 5, "fred_graph")
    publish_version("treasury_yields", version)
    assert read.observations("treasury_yields")["value"].iloc[0] == pytest.approx(5.0)


def test_reader_filters_by_key_and_start(store):
    frame = pd.concat([observations(30, tenor="2Y"), observations(30, value=4.5, tenor="10Y")], ignore_index=True)
    write(store, "treasury_yields", frame, dataset="treasury_yields")
    rows = read.observations("treasury_yields", ["2Y"], start=date(2026, 1, 21))
    assert set(rows["key"]) == {"2Y"}
    assert rows["date"].min() == pd.Timestamp("2026-01-21")
    assert len(rows) == 10
    assert read.latest_date("treasury_yields") == date(2026, 1, 30)
    two = read.last_two("treasury_yields")
    assert len(two) == 4


def test_dataset_status_counts_rows_and_names_sources(store):
    write(store, "treasury_yields", observations(7), dataset="treasury_yields")
    status = read.dataset_status().set_index("dataset")
    assert status.loc["treasury_yields", "rows"] == 7
    assert status.loc["treasury_yields", "instruments"] == 1
    assert status.loc["treasury_yields", "sources"] == "fred_graph"
    assert status.loc["treasury_yields", "last_update"].tzinfo is not None
    assert status.loc["credit_spreads", "rows"] == 0
    assert pd.isna(status.loc["credit_spreads", "last_update"])


def test_readers_on_an_empty_database_return_empty_frames(store):
    assert read.observations("credit_spreads").empty
    assert read.latest_date("credit_spreads") is None
    assert read.recent_observations("credit_spreads").empty
    assert read.source_health().empty


def test_unknown_dataset_is_a_clear_error(store):
    with pytest.raises(KeyError, match="unknown dataset 'bogus'"):
        read.observations("bogus")


def test_timestamps_and_nulls_round_trip_exactly(store):
    from sql.schema import health_status

    checked = datetime(2026, 11, 24, 13, 5, 7, 123456, tzinfo=UTC)
    row = {
        "source_id": "fred_graph",
        "state": "failing",
        "last_success_at": None,
        "last_failure_at": checked,
        "last_error": 'HTTP 500, "quoted", with a comma',
        "consecutive_failures": 3,
        "latency_ms": None,
        "checked_at": checked,
    }
    write(store, "health_status", pd.DataFrame([row]))
    with store.engine.connect() as conn:
        back = conn.execute(select(health_status)).mappings().one()
    assert back["last_success_at"] is None and back["latency_ms"] is None
    assert back["last_error"] == 'HTTP 500, "quoted", with a comma'
    stamp = back["checked_at"] if back["checked_at"].tzinfo else back["checked_at"].replace(tzinfo=UTC)
    assert stamp == checked


def test_the_migration_chain_builds_exactly_the_schema_in_sql_schema(store, settings):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from sql.schema import metadata

    with store.engine.connect() as conn:
        opts = {"version_table_schema": settings.db_schema} if settings.is_postgres else {}
        diffs = compare_metadata(MigrationContext.configure(conn, opts=opts), metadata)
    # Alembic's own bookkeeping table is not part of sql.schema.
    assert [d for d in diffs if not (d[0] == "remove_table" and d[1].name == "alembic_version")] == []


def test_the_sqlite_fast_path_stores_what_sqlalchemy_would(store, settings):
    """Rows bound through SQLAlchemy (as any other writer would) and through the upsert's
    vectorised path are the same rows: same keys, nothing rewritten, nothing duplicated."""
    import numpy as np

    bars = pd.DataFrame(
        {
            "symbol": "A",
            "interval": "1d",
            "ts": pd.DatetimeIndex(
                [pd.Timestamp("2026-01-02"), pd.Timestamp("2026-01-05 14:30:00.123456")]
            ).tz_localize(UTC),
            "open": [1.0, np.nan],
            "high": [2.0, 3.0],
            "low": [0.5, 0.4],
            "close": [1.5, 2.5],
            "volume": [np.nan, 100.0],
            "source": "x",
            "fetched_at": FETCHED,
        }
    )
    from sql.schema import table

    with store.engine.begin() as conn:
        conn.execute(table("market_indices").insert(), bars.astype(object).where(bars.notna(), None).to_dict("records"))
        conn.execute(table("treasury_yields").insert(), observations(3).astype(object).to_dict("records"))
    with store.engine.begin() as conn:
        assert upsert_frame(conn, "market_indices", bars) == 0
        assert upsert_frame(conn, "treasury_yields", observations(3)) == 0
        assert upsert_frame(conn, "treasury_yields", observations(3, value=5.0)) == 3
        assert row_count(conn, "market_indices") == 2 and row_count(conn, "treasury_yields") == 3
    stored = read.observations("market_indices")
    assert stored["date"].dt.strftime("%Y-%m-%d %H:%M:%S.%f").tolist()[1] == "2026-01-05 14:30:00.123456"


def test_a_long_bar_history_read_back_is_drawn_thinned(store):
    # Bars keep their stamps in a timestamptz column: PostgreSQL hands them back tz-aware, which
    # the chart's downsampler once refused (every thinned price chart failed on PostgreSQL only).
    from components.figures import history_figure

    days = pd.bdate_range("2020-01-01", periods=1_500, tz="UTC")
    bars = pd.DataFrame(
        {
            "symbol": "SPX",
            "interval": "1d",
            "ts": days,
            "open": None,
            "high": None,
            "low": None,
            "close": [4_000 + (i % 97) for i in range(len(days))],
            "volume": None,
            "source": "fred_graph",
            "fetched_at": FETCHED,
        }
    )
    write(store, "market_indices", bars, dataset="market_indices")
    frame = read.observations("market_indices", ["SPX"])
    assert len(frame) == 1_500
    fig = history_figure(frame, {}, "", max_points=600)
    xs = pd.Series(fig.data[0].x)
    assert len(xs) == 600 and xs.dtype.kind == "i"  # epoch ms, oldest first
    assert xs.iloc[0] == days[0].value // 10**6 and xs.is_monotonic_increasing


def test_integer_columns_given_as_floats_are_written_as_integers(store):
    """A frame put together from several (or with a gap) holds an integer column as floats;
    PostgreSQL's COPY refuses "2026.0" for an integer, so the writer sends whole numbers."""
    frame = pd.DataFrame(
        {
            "symbol": ["BTC", "BTC"],
            "date": [date(2026, 1, 1), date(2026, 1, 2)],
            "funding_rate": [0.03, None],
            "funding_annualized": [10.95, None],
            "funding_periods": [3.0, float("nan")],  # no funding that day: open interest alone
            "open_interest": [90_000.0, 91_000.0],
            "open_interest_usd": [None, None],
            "source": "binance_futures",
            "fetched_at": FETCHED,
        }
    )
    assert write(store, "crypto_derivatives", frame) == 2
    with store.engine.connect() as conn:
        stored = conn.exec_driver_sql("SELECT funding_periods FROM crypto_derivatives ORDER BY date").scalars().all()
    assert stored == [3, None] and isinstance(stored[0], int)
