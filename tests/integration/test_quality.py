"""Quality instead of rejection, end to end: the real CBOE VIX history (../shared/samples/real,
with its +50 % days) goes through the CBOE connector and the download run over a local HTTP
server, every row is written, the extreme days are flagged and checked against FRED's VIXCLS;
the flags table round-trips on SQLite and PostgreSQL (upsert, no duplicates, revisions close
flags); the Data quality page, the charts, CSV and API show them."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pandas as pd
import pytest
from sqlalchemy import func, select
from werkzeug import Response

from config.catalog import load_catalog
from jobs.pipeline import run_downloads
from sql import read
from sql.schema import data_quality, dataset_versions, download_log
from sql.store import configure
from sql.versions import publish_version
from sql.write import row_count, write_dataset
from tests.conftest import SHARED_SAMPLES, drop_backend, make_settings

VIX_CSV = SHARED_SAMPLES / "cboe" / "VIX_History_2026-03.csv"
STATION_CATALOG = __import__("pathlib").Path(__file__).resolve().parents[2] / "config" / "sources.yaml"
# FRED disagrees about one day (as a second provider might): that flag is disputed.
DISPUTED_DAY, FRED_VALUE = "2024-12-18", 20.0

CATALOG = """
sources:
  - {{id: cboe_indices, provider: cboe, category: volatility, base_url: '{base}', rate_limit_per_minute: 6000}}
  - {{id: fred_markets, provider: fred_bars, category: economic, base_url: '{base}', rate_limit_per_minute: 6000}}
quality:
  volatility_indicators: {{max_jump: {max_jump}, stale_bars: {stale_bars}, max_gap_days: {max_gap_days}}}
datasets:
  volatility_indicators:
    - {{key: VIX, label: CBOE Volatility Index, providers: [{{source: cboe_indices, symbol: VIX}}, {{source: fred_markets, symbol: VIXCLS}}]}}
"""


def real_vix() -> pd.DataFrame:
    if not VIX_CSV.exists():
        pytest.skip("../shared/samples/real is not present")
    return pd.read_csv(VIX_CSV, parse_dates=["DATE"], date_format="%m/%d/%Y")


def fred_body(vix: pd.DataFrame) -> str:
    """FRED's VIXCLS: the same closes (FRED takes them from CBOE), but one day that disagrees."""
    closes = vix.set_index("DATE")["CLOSE"].copy()
    closes[pd.Timestamp(DISPUTED_DAY)] = FRED_VALUE
    lines = [f"{d:%Y-%m-%d},{v:.2f}" for d, v in closes.items()]
    return "observation_date,VIXCLS\n" + "\n".join(lines) + "\n"


@pytest.fixture
def vix_run(tmp_path, backend, httpserver):
    """A migrated store whose catalog has the VIX from CBOE (the real file), then FRED."""
    from sql.migrate import upgrade

    vix = real_vix()
    httpserver.expect_request("/api/global/us_indices/daily_prices/VIX_History.csv").respond_with_data(
        VIX_CSV.read_bytes(), content_type="text/csv"
    )
    httpserver.expect_request("/graph/fredgraph.csv").respond_with_handler(
        lambda _r: Response(fred_body(vix), content_type="text/csv")
    )
    station = load_catalog(make_settings(tmp_path, backend), STATION_CATALOG).quality("volatility_indicators", "VIX")
    catalog_file = tmp_path / "sources.yaml"
    catalog_file.write_text(
        CATALOG.format(
            base=httpserver.url_for("").rstrip("/"),
            max_jump=station.max_jump,
            stale_bars=station.stale_bars,
            max_gap_days=station.max_gap_days,
        )
    )
    settings = make_settings(tmp_path, backend, SPARTAN_SOURCES_FILE=str(catalog_file))
    store = configure(settings)
    upgrade(settings, store.engine)
    yield store, load_catalog(settings), vix, httpserver
    store.engine.dispose()
    drop_backend(settings)


def stored_flags(store) -> pd.DataFrame:
    with store.engine.connect() as conn:
        frame = pd.DataFrame(conn.execute(select(data_quality).order_by(data_quality.c.date)).mappings().all())
    frame["date"] = frame["date"].map(lambda d: date.fromisoformat(str(d)[:10]))
    return frame


def test_the_real_vix_history_is_written_whole_with_its_extreme_days_flagged_and_checked(vix_run):
    store, catalog, vix, _server = vix_run
    assert catalog.quality("volatility_indicators", "VIX").max_jump == 0.5
    summary = run_downloads(store, catalog, "preload")
    with store.engine.connect() as conn:
        assert row_count(conn, "volatility_indicators") == len(vix)  # nothing rejected
        attempts = pd.DataFrame(conn.execute(select(download_log)).mappings().all())
        flag_count = conn.execute(
            select(dataset_versions.c.flag_count).where(dataset_versions.c.dataset == "volatility_indicators")
        ).scalar_one()
    assert summary.rows_written == {"volatility_indicators": len(vix)}
    assert list(attempts["status"]) == ["ok"] and list(attempts["source_id"]) == ["cboe_indices"]

    # The days the close moved more than 50 %, found here from the file itself.
    moves = vix["CLOSE"].pct_change().abs()
    extreme = {d.date() for d in vix.loc[moves > 0.5, "DATE"]}
    assert {date(2024, 8, 5), date(2025, 4, 4), date(2018, 2, 5)} <= extreme
    flags = stored_flags(store)
    jumps = flags[flags["rule"] == "jump"]
    assert set(jumps["date"]) == extreme
    assert len(flags) == flag_count
    assert set(flags["source"]) == {"cboe_indices"}

    # Checked against FRED's VIXCLS (one extra request): all confirmed but the day it disagrees.
    assert set(flags["second_source"]) == {"fred_markets"}
    disputed = jumps[jumps["status"] == "disputed"]
    assert list(disputed["date"]) == [date.fromisoformat(DISPUTED_DAY)]
    assert disputed["second_value"].item() == FRED_VALUE
    assert set(jumps.loc[jumps["status"] != "disputed", "status"]) == {"confirmed"}
    august = jumps.set_index("date").loc[date(2024, 8, 5)]
    assert august["value"] == 38.57 and august["second_value"] == 38.57
    assert august["detail"] == "close moved +65% in one bar (from 23.39 to 38.57)"


def test_a_second_run_updates_the_flags_without_duplicating_them(vix_run):
    store, catalog, _vix, server = vix_run
    run_downloads(store, catalog, "preload")
    first = stored_flags(store).set_index(["date", "rule"])
    server.clear_log()
    run_downloads(store, catalog, "preload")  # the same file again
    second = stored_flags(store).set_index(["date", "rule"])
    assert list(second.index) == list(first.index)
    assert (second["first_seen"] == first["first_seen"]).all()
    # The second run writes (and judges) only the rows from the stored tail on (jobs/history.py):
    # flags on older dates were not judged again, so they are kept as they were.
    assert (pd.to_datetime(second["last_seen"], utc=True) == pd.to_datetime(first["last_seen"], utc=True)).all()
    assert list(second["status"]) == list(first["status"])


def test_a_second_provider_that_fails_leaves_the_flags_unchecked_and_the_data_written(vix_run):
    store, catalog, vix, server = vix_run
    server.clear_all_handlers()
    server.expect_request("/api/global/us_indices/daily_prices/VIX_History.csv").respond_with_data(
        VIX_CSV.read_bytes(), content_type="text/csv"
    )
    server.expect_request("/graph/fredgraph.csv").respond_with_data("Service unavailable", status=503)
    summary = run_downloads(store, catalog, "preload")
    assert summary.rows_written == {"volatility_indicators": len(vix)}
    flags = stored_flags(store)
    assert set(flags["status"]) == {"unchecked"}
    assert flags["detail"].str.contains("not checked: fred_markets failed").all()


def test_a_bug_in_judging_never_costs_the_download(vix_run, monkeypatch):
    import jobs.quality

    store, catalog, vix, _server = vix_run

    def broken(*_args):
        raise RuntimeError("a bug")

    monkeypatch.setattr(jobs.quality, "judge", broken)
    summary = run_downloads(store, catalog, "preload")
    assert summary.rows_written == {"volatility_indicators": len(vix)}
    with store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(data_quality)).scalar_one() == 0


# --- the table on both backends -------------------------------------------------------------------


def bars(closes: list[float], start: str = "2026-03-02") -> pd.DataFrame:
    stamps = pd.bdate_range(start, periods=len(closes), tz="UTC")
    return pd.DataFrame(
        {
            "symbol": "VIX",
            "interval": "1d",
            "ts": stamps,
            "open": closes,
            "high": closes,
            "low": closes,
            "close": closes,
            "volume": None,
            "source": "cboe_indices",
            "fetched_at": datetime.now(UTC),
        }
    )


def write(store, frame: pd.DataFrame) -> int:
    from config.catalog import Quality
    from datasources.quality import find

    flags, judged = find(frame, "symbol", "ts", "close", Quality(max_jump=0.5))
    with store.engine.begin() as conn:
        _rows, version = write_dataset(
            conn,
            "volatility_indicators",
            frame,
            "cboe_indices",
            flags=flags.assign(source="cboe_indices"),
            judged=judged,
        )
    publish_version("volatility_indicators", version)
    return version


def test_flags_round_trip_and_a_revised_row_closes_its_flag(store):
    v1 = write(store, bars([20.0, 21.0, 40.0, 41.0, 42.0]))
    with store.engine.connect() as conn:
        rows = conn.execute(select(data_quality)).mappings().all()
        assert (
            conn.execute(
                select(dataset_versions.c.flag_count).where(dataset_versions.c.dataset == "volatility_indicators")
            ).scalar_one()
            == 1
        )
    assert [(r["key"], str(r["date"])[:10], r["rule"], r["status"]) for r in rows] == [
        ("VIX", "2026-03-04", "jump", "open")
    ]
    assert rows[0]["value"] == 40.0 and rows[0]["source"] == "cboe_indices"
    # The same download again: one flag still, the version does not move (nothing changed).
    assert write(store, bars([20.0, 21.0, 40.0, 41.0, 42.0])) == v1
    with store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(data_quality)).scalar_one() == 1
    # The provider revised 2026-03-04 (a typo fixed): the rule no longer fires, the flag goes.
    v3 = write(store, bars([20.0, 21.0, 22.0, 23.0, 24.0]))
    assert v3 > v1
    with store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(data_quality)).scalar_one() == 0
        assert (
            conn.execute(
                select(dataset_versions.c.flag_count).where(dataset_versions.c.dataset == "volatility_indicators")
            ).scalar_one()
            == 0
        )


def test_a_flag_outside_what_was_judged_stays(store):
    write(store, bars([20.0, 21.0, 40.0, 41.0, 42.0]))
    # A refresh of the last two days only: it cannot judge 2026-03-04, so the flag stays.
    write(store, bars([41.0, 42.0], start="2026-03-05"))
    with store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(data_quality)).scalar_one() == 1


def test_readers_show_the_flags_once_there_are_some(store):
    from config.csv_format import with_quality

    assert read.quality_flags("volatility_indicators").empty
    write(store, bars([20.0, 21.0, 40.0, 41.0, 42.0]))
    flags = read.quality_flags("volatility_indicators", ["VIX"])
    assert list(flags["rule"]) == ["jump"] and flags["date"].iloc[0] == pd.Timestamp("2026-03-04")
    assert read.quality_flags("volatility_indicators", ["VIX9D"]).empty
    shown = with_quality(read.bars("volatility_indicators", "VIX"), flags, key="VIX")
    assert shown["quality"].tolist() == [None, None, "jump (open)", None, None]


# --- where flags are seen: the Data quality page, charts, CSV, API ---------------------------------


@pytest.fixture
def flagged_web(tmp_path, backend):
    """The web over a store holding VIX bars with one flagged day (2026-03-04)."""
    import app as webapp
    from tests.conftest import SHIPPED_CATALOG

    settings = make_settings(tmp_path, backend, SPARTAN_SOURCES_FILE=SHIPPED_CATALOG, SPARTAN_RATE_LIMIT_ENABLED="0")
    dash_app = webapp.create_app(settings)
    from sql.store import get_store

    write(get_store(), bars([20.0, 21.0, 40.0, 41.0, 42.0]))
    yield dash_app
    drop_backend(settings)


def page_body(dash_app, path: str) -> str:
    """The page at ``path`` (query string and all) as the router lays it out."""
    from tests.integration.test_detail_pages import render

    return render(dash_app, path)


def test_the_data_quality_page_lists_the_flags_with_csv_and_embed(flagged_web):
    body = page_body(flagged_web, "/data-quality")
    assert "Open quality flags" in body and "Volatility" in body
    assert "close moved +90% in one bar (from 21 to 40)" in body
    assert "/instrument/VIX?dataset=volatility_indicators" in body
    client = flagged_web.server.test_client()
    lines = client.get("/csv/data-quality/flags.csv").get_data(as_text=True).splitlines()
    assert lines[0].startswith("Dataset,Instrument,Date,Rule,Status,Value,Source")
    assert lines[1].startswith("Volatility,VIX,2026-03-04,jump,open,40.0,cboe_indices")
    assert client.get("/embed/data-quality/flags").status_code == 200
    shell = client.get("/data-quality").get_data(as_text=True)
    assert ">System</summary>" in shell and 'href="/data-quality"' in shell  # in the navbar's System menu


def test_a_chart_marks_the_flagged_points_and_only_then(flagged_web):
    import plotly.graph_objects as go

    from components.figures import flag_markers

    detail = page_body(flagged_web, "/instrument/VIX?dataset=volatility_indicators&range=MAX")
    assert "Quality flags" in detail and "jump (open)" in detail
    frame = pd.DataFrame({"key": "VIX", "date": pd.bdate_range("2026-03-02", periods=5), "value": [20, 21, 40, 41, 42]})
    flags = read.quality_flags("volatility_indicators")
    marks = flag_markers(frame, flags, {"VIX": "CBOE Volatility Index"})
    assert isinstance(marks, go.Scatter) and list(marks.y) == [40.0]
    assert marks.customdata[0] == "CBOE Volatility Index: jump (open) — close moved +90% in one bar (from 21 to 40)"
    assert flag_markers(frame, flags.iloc[0:0]) is None
    assert flag_markers(frame.assign(key="VIX9D"), flags) is None  # flags of another series


def test_csv_and_api_rows_carry_their_quality(flagged_web):
    client = flagged_web.server.test_client()
    csv = client.get("/csv/instrument/VIX.csv?dataset=volatility_indicators&range=MAX").get_data(as_text=True)
    header, *rows = csv.splitlines()
    assert header.endswith(",Source,Quality")
    assert [r.rsplit(",", 1)[1] for r in rows] == ["", "", "jump (open)", "", ""]
    history = client.get("/api/market/volatility/VIX").get_json()
    assert [item["quality"] for item in history["items"]] == [None, None, "jump (open)", None, None]
    weekly = client.get("/api/market/volatility/VIX?interval=weekly").get_json()
    assert [item["quality"] for item in weekly["items"]] == ["jump (open)"]
    latest = client.get("/api/market/volatility?symbols=VIX").get_json()
    assert latest["items"][0]["quality"] is None
