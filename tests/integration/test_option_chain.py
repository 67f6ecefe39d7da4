"""The SPX/SPY option-chain summary end to end: CBOE's wire format from the local fixture server,
a download run that fetches each underlying's file once for both the chain and the put/call
ratios and writes ``options_chain`` idempotently, the demo rows, and the ``option_chain`` panel
on hand-made rows and on an empty store (both backends)."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime

import numpy as np
import pandas as pd
import pytest
from plotly.utils import PlotlyJSONEncoder

from config.catalog import Instrument, load_catalog
from datasources.http import HttpClient
from datasources.providers.cboe.option_chain import CHAIN_COLUMNS, CboeOptionChainConnector
from datasources.providers.cboe.options import CboeOptionsPutCallConnector
from datasources.validate import validate_option_chain
from tests.conftest import SHIPPED_CATALOG, drop_backend, make_settings
from tests.fixtures.providers.cboe import OPTION_SPOTS
from tests.fixtures.server import respond
from tests.integration.test_panels_analytics import context, data, only_figure, render, walk, write


def as_json(component) -> str:
    return json.dumps(component, cls=PlotlyJSONEncoder, ensure_ascii=False)


# --- the connector over HTTP ------------------------------------------------------------------


def test_the_fixture_servers_chains_parse_into_a_plausible_summary(tmp_path, httpserver):
    httpserver.expect_request(re.compile(".*")).respond_with_handler(respond)
    client = HttpClient(make_settings(tmp_path, "sqlite", SPARTAN_HTTP_RETRIES="0"))
    base = httpserver.url_for("").rstrip("/")
    chain, put_call = CboeOptionChainConnector(), CboeOptionsPutCallConnector()
    for symbol in ("_SPX", "SPY"):
        (request,) = chain.build_requests(base, symbol, None)
        raw = client.get(request).body
        frame = validate_option_chain(chain.parse(raw, symbol), symbol)
        assert list(frame.columns) == CHAIN_COLUMNS and len(frame) >= 15
        assert frame["expiry"].is_monotonic_increasing and (frame["days_to_expiry"] >= 1).all()
        assert frame["days_to_expiry"].max() > 365  # LEAPS
        assert set(frame["underlying_price"]) == {OPTION_SPOTS[symbol]}
        assert frame["atm_iv"].between(5, 40).all() and frame["skew_25d"].notna().all()
        front = frame[frame["days_to_expiry"] <= 40]
        assert ((front["max_pain"] / OPTION_SPOTS[symbol] - 1).abs() < 0.05).all()
        ratio = put_call.parse(raw, f"{symbol}:volume")["value"].iloc[0]
        assert frame["put_volume"].sum() / frame["call_volume"].sum() == pytest.approx(ratio, abs=1e-4)


# --- a download run ---------------------------------------------------------------------------

CATALOG = """
sources:
  - {{id: cboe_options, provider: cboe_options, category: options, base_url: '{base}'}}
  - {{id: cboe_option_chains, provider: cboe_option_chain, category: options, base_url: '{base}'}}
datasets:
  sentiment_indicators:
    - {{key: PUT_CALL_SPX_VOLUME, providers: [{{source: cboe_options, symbol: '_SPX:volume'}}]}}
    - {{key: PUT_CALL_SPX_OI, providers: [{{source: cboe_options, symbol: '_SPX:open_interest'}}]}}
  options_chain:
    - {{key: SPX, providers: [{{source: cboe_option_chains, symbol: _SPX}}]}}
    - {{key: SPY, providers: [{{source: cboe_option_chains, symbol: SPY}}]}}
"""


@pytest.fixture
def chain_store(tmp_path, backend, httpserver):
    from sql.migrate import upgrade
    from sql.store import configure

    httpserver.expect_request(re.compile(".*")).respond_with_handler(respond)
    path = tmp_path / "catalog.yaml"
    path.write_text(CATALOG.format(base=httpserver.url_for("").rstrip("/")))
    settings = make_settings(tmp_path, backend, SPARTAN_SOURCES_FILE=str(path))
    store = configure(settings)
    upgrade(settings, store.engine)
    yield store, load_catalog(settings)
    store.engine.dispose()
    drop_backend(settings)


def test_a_run_fetches_each_chain_once_and_writes_it_idempotently(chain_store, httpserver):
    from jobs.pipeline import run_downloads
    from sql import read
    from sql.write import row_count

    store, catalog = chain_store
    summary = run_downloads(store, catalog, "preload")
    assert summary.failed_sources() == {} and summary.instruments_ok == 4
    paths = [r.path for r, _ in httpserver.log]
    assert sorted(paths) == [
        "/api/global/delayed_quotes/options/SPY.json",
        "/api/global/delayed_quotes/options/_SPX.json",
    ]

    rows = read.rows("options_chain")
    assert set(rows["underlying"]) == {"SPX", "SPY"} and set(rows["source"]) == {"cboe_option_chains"}
    spx = rows[rows["underlying"] == "SPX"]
    assert set(spx["underlying_price"]) == {OPTION_SPOTS["_SPX"]}
    ratio = read.observations("sentiment_indicators", ["PUT_CALL_SPX_VOLUME"])["value"].iloc[-1]
    assert spx["put_volume"].sum() / spx["call_volume"].sum() == pytest.approx(ratio, abs=1e-4)
    with store.engine.connect() as conn:
        first = row_count(conn, "options_chain")

    again = run_downloads(store, catalog, "refresh")
    assert again.rows_written["options_chain"] == 0  # the same snapshot: nothing rewritten
    with store.engine.connect() as conn:
        assert row_count(conn, "options_chain") == first == len(rows)


# --- demo rows --------------------------------------------------------------------------------


def test_demo_chains_are_valid_rows_near_the_demo_spot_and_vix():
    from jobs.demo.seed import demo_frame, demo_path
    from jobs.demo.specs import CHAIN_SNAPSHOTS

    days = pd.bdate_range("2026-06-01", "2026-11-24")
    frame = demo_frame("options_chain", Instrument("options_chain", "SPX", "SPX", ()), days, datetime.now(UTC))
    assert sorted(set(frame["date"])) == [d.date() for d in days[-CHAIN_SNAPSHOTS:]]
    assert validate_option_chain(frame, "SPX") is frame and not frame.duplicated(["date", "expiry"]).any()
    spot = demo_path("SPX", days, "market_indices")[-1]
    vix = demo_path("VIX", days)[-1]
    latest = frame[frame["date"] == days[-1].date()]
    assert latest["underlying_price"].iloc[0] == pytest.approx(spot, abs=0.01)
    month = latest[latest["days_to_expiry"].between(20, 40)]
    assert (month["atm_iv"] - vix).abs().max() < 0.25 * vix
    assert set(frame["source"]) == {"demo"}
    # The chain agrees with the demo's put/call series of the same underlying.
    for measure, key in (("volume", "PUT_CALL_SPX_VOLUME"), ("open_interest", "PUT_CALL_SPX_OI")):
        ratio = latest[f"put_{measure}"].sum() / latest[f"call_{measure}"].sum()
        assert ratio == pytest.approx(demo_path(key, days)[-1], abs=1e-3)


# --- the panel --------------------------------------------------------------------------------


@pytest.fixture
def settings(tmp_path, backend):
    s = make_settings(tmp_path, backend, SPARTAN_SOURCES_FILE=SHIPPED_CATALOG)
    yield s
    drop_backend(s)


LATEST, DAY_BEFORE, WEEK_BEFORE = date(2026, 11, 10), date(2026, 11, 9), date(2026, 11, 3)
EXPIRIES = [date(2026, 11, 10), date(2026, 11, 14), date(2026, 11, 21), date(2026, 12, 19)]
# Per expiry on LATEST: call/put volume, call/put open interest, ATM IV, 25Δ skew, max pain.
FIGURES = [
    (100, 300, 1_000, 1_000, np.nan, np.nan, 6000),
    (1_000, 1_500, 10_000, 12_000, 14.0, 3.0, 5990),
    (2_000, 2_200, 50_000, 60_000, 15.5, 4.0, 5950),
    (900, 1_000, 80_000, 70_000, 16.25, 5.0, 6100),
]


def snapshot(day: date, underlying: str = "SPX", spot: float = 6000.0, iv_shift: float = 0.0, volume=1.0):
    rows = []
    for expiry, (cv, pv, coi, poi, iv, skew, pain) in zip(EXPIRIES, FIGURES, strict=True):
        if expiry < day:
            continue
        rows.append(
            {
                "underlying": underlying,
                "date": day,
                "expiry": expiry,
                "days_to_expiry": (expiry - day).days,
                "underlying_price": spot,
                "contracts": 100,
                "call_volume": cv * volume,
                "put_volume": pv,
                "call_open_interest": coi,
                "put_open_interest": poi,
                "put_call_volume": round(pv / (cv * volume), 4),
                "put_call_oi": round(poi / coi, 4),
                "atm_iv": iv + iv_shift,
                "skew_25d": skew,
                "max_pain": pain,
            }
        )
    return pd.DataFrame(rows)


def chain_rows() -> pd.DataFrame:
    return pd.concat(
        [
            snapshot(LATEST),
            snapshot(DAY_BEFORE, iv_shift=-0.5, volume=1.25),  # P/C volume 1.0 the day before
            snapshot(WEEK_BEFORE, iv_shift=-2.0),
            snapshot(LATEST, underlying="SPY", spot=600.0, iv_shift=9.0),
        ],
        ignore_index=True,
    )


def test_the_panel_shows_the_newest_snapshot_of_its_underlying(store, settings):
    write(store, "options_chain", chain_rows())
    ctx = context(settings, "option_chain", keys=["SPX"])

    frame = data(ctx)
    assert list(frame.columns) == [
        "Expiry",
        "Days",
        "Call volume",
        "Put volume",
        "P/C volume",
        "Call OI",
        "Put OI",
        "P/C OI",
        "ATM IV %",
        "25Δ skew (pts)",
        "Max pain",
        "Max pain vs spot %",
        "Contracts",
        "Spot",
        "Snapshot",
        "Source",
    ]
    assert list(frame["Expiry"]) == [e.isoformat() for e in EXPIRIES] and list(frame["Days"]) == [0, 4, 11, 39]
    assert set(frame["Snapshot"]) == {"2026-11-10"} and set(frame["Spot"]) == {6000.0}  # not SPY's
    assert list(frame["ATM IV %"])[1:] == [14.0, 15.5, 16.25] and np.isnan(frame["ATM IV %"].iloc[0])
    assert frame["Max pain vs spot %"].tolist() == pytest.approx([0.0, -0.1667, -0.8333, 1.6667], abs=1e-4)
    assert frame["P/C OI"].iloc[2] == pytest.approx(1.2)

    body = render(ctx)
    text = as_json(body)
    # Whole chain: puts 5,000 / calls 4,000 by volume (1.00 the day before); 143,000 / 141,000 by OI.
    assert '"1.25"' in text and '"+0.25 (+25.00%)"' in text and '"1.01"' in text
    # The front month: the first expiry at least 7 days out (11-21), 0.5 points up on the day.
    assert '"15.50%"' in text and '"+0.50 pp"' in text and "expiry 2026-11-21 · 11 days" in text
    assert '"5,950"' in text and "spot 6,000.00 (-0.83 %)" in text and '"+4.00 pts"' in text

    fig = only_figure(body)
    assert fig.layout.xaxis.type == "log"
    latest, before = fig.data
    assert latest.name == "Latest (2026-11-10)" and before.name == "1W before (2026-11-03)"
    assert list(latest.x) == [4, 11, 39] and list(latest.y) == [14.0, 15.5, 16.25]  # nothing expiring today
    assert list(before.y) == [12.0, 13.5, 14.25]

    grid = next(c for c in walk(body) if type(c).__name__ == "AgGrid")
    # The snapshot's constants in the grid's caption, not as columns of repeats (they stay in the CSV).
    assert [c["field"] for c in grid.columnDefs] == list(frame.columns)[:-3]
    assert "Snapshot 2026-11-10 · spot 6,000.00 · test · 4 expiries" in text
    assert len(grid.rowData) == 4 and grid.rowData[0]["ATM IV %"] is None
    assert grid.csvExportParams["fileName"] == "spartan-t-p.csv"

    later = as_json(render(context(settings, "option_chain", keys=["SPX"], front_days=30)))
    assert '"16.25%"' in later and "expiry 2026-12-19 · 39 days" in later
    spy = data(context(settings, "option_chain", keys=["SPY"]))
    assert set(spy["Spot"]) == {600.0} and spy["ATM IV %"].iloc[1] == 23.0


def test_one_snapshot_draws_one_line_and_no_changes(store, settings):
    write(store, "options_chain", snapshot(LATEST))
    body = render(context(settings, "option_chain"))  # no keys: the first catalogued underlying (SPX)
    assert [t.name for t in only_figure(body).data] == ["Latest (2026-11-10)"]
    text = as_json(body)
    assert '"1.25"' in text and "kpi-change" not in text


def test_the_panel_is_no_data_on_an_empty_store_or_without_its_underlying(store, settings):
    from pages.panels.base import NoData

    ctx = context(settings, "option_chain", keys=["SPX"])
    with pytest.raises(NoData):
        render(ctx)
    with pytest.raises(NoData):
        data(ctx)
    write(store, "options_chain", snapshot(LATEST, underlying="SPY"))
    with pytest.raises(NoData, match="No SPX option chain stored yet"):
        render(ctx)
    with pytest.raises(ValueError, match="one underlying"):
        data(context(settings, "option_chain", keys=["SPX", "SPY"]))


def test_the_csv_route_serves_the_rows_the_grid_shows(store, settings):
    import app as webapp

    write(store, "options_chain", chain_rows())
    client = webapp.create_app(settings, migrate=False).server.test_client()
    response = client.get("/csv/options/spx-chain.csv")
    assert response.status_code == 200 and "spartan-options-spx-chain.csv" in response.headers["Content-Disposition"]
    lines = response.get_data(as_text=True).splitlines()
    assert lines[0].startswith("Expiry,Days,Call volume,Put volume,P/C volume,Call OI,Put OI,P/C OI,ATM IV %")
    assert len(lines) == 1 + len(EXPIRIES)
    assert lines[3] == "2026-11-21,11,2000,2200,1.1,50000,60000,1.2,15.5,4.0,5950.0,-0.8333,100,6000.0,2026-11-10,test"
