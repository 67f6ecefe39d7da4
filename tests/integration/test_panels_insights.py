"""The panel types computed on the page from stored prices, chains and surveys — ``seasonality``,
``drawdown``, ``rolling_volatility``, ``drawdown_table``, ``ratio_history``,
``options_positioning``, ``options_history`` and ``positioning_extremes`` — on hand-made rows
(figures and CSV rows worked by hand), on an empty store, and their dashboards on demo data."""

from __future__ import annotations

import math
from datetime import UTC
from types import MappingProxyType

import numpy as np
import pandas as pd
import pytest

from components.view_state import parse_view
from config.dashboard_specs import Dashboard, PanelSpec
from tests.conftest import SHIPPED_CATALOG, demo_settings, drop_backend, make_settings
from tests.integration.test_option_chain import LATEST, WEEK_BEFORE, chain_rows
from tests.integration.test_panels_analytics import figures, render, write
from tests.layouts import page_json

INSIGHT_DASHBOARDS = (
    "seasonality",
    "options-smile",
    "drawdowns",
    "ratios",
    "options-positioning",
    "sentiment-positioning",
    "sector-risk",
)


@pytest.fixture
def settings(tmp_path, backend):
    """The conftest settings, with the shipped catalog (its instruments and labels)."""
    s = make_settings(tmp_path, backend, SPARTAN_SOURCES_FILE=SHIPPED_CATALOG)
    yield s
    drop_backend(s)


def context(settings, kind: str, dataset=None, keys=None, url=None, **options):
    from pages.panels.base import PanelContext

    spec = PanelSpec(
        id="p",
        type=kind,
        title="Panel",
        dataset=dataset,
        keys=tuple(keys) if keys else None,
        options=MappingProxyType(options),
    )
    board = Dashboard(id="t", title="Test", path="/t", group="Test", order=1, description="", panels=(spec,))
    return PanelContext(board, spec, url or parse_view({}), settings)


def data(ctx) -> pd.DataFrame:
    from pages.panels.base import panel_data

    return panel_data(ctx)


def bars(store, dataset: str, closes: dict[str, pd.Series]) -> None:
    frames = [
        pd.DataFrame({"symbol": key, "interval": "1d", "ts": values.index.tz_localize(UTC), "close": values.to_numpy()})
        for key, values in closes.items()
    ]
    write(store, dataset, pd.concat(frames, ignore_index=True))


def daily(start: str, values: list[float]) -> pd.Series:
    return pd.Series(values, index=pd.bdate_range(start, periods=len(values)), dtype=float)


# --- seasonality ------------------------------------------------------------------------------


def test_seasonality_is_each_months_return_by_year_with_the_average(store, settings):
    # Month ends: Nov-24 100, Dec-24 110, Jan-25 99, Feb-25 108.9 (and the newest close, March).
    days = pd.to_datetime(["2024-11-29", "2024-12-31", "2025-01-31", "2025-02-28", "2025-03-04"])
    bars(store, "market_indices", {"SPX": pd.Series([100.0, 110.0, 99.0, 108.9, 111.078], index=days)})
    ctx = context(settings, "seasonality", dataset="market_indices", default="SPX")
    rows = data(ctx).set_index("Year")
    assert list(rows.index) == ["2024", "2025", "Average", "Median", "Positive %"]
    assert set(rows["Symbol"]) == {"SPX"}
    assert rows.loc["2024", "Dec"] == pytest.approx(10.0) and math.isnan(rows.loc["2024", "Nov"])
    assert rows.loc["2025", "Jan"] == pytest.approx(-10.0)
    assert rows.loc["2025", "Feb"] == pytest.approx(10.0)
    assert rows.loc["2025", "Mar"] == pytest.approx(2.0)
    assert rows.loc["2025", "Year %"] == pytest.approx(100 * (111.078 / 110 - 1), abs=1e-4)
    assert rows.loc["Positive %", "Jan"] == 0 and rows.loc["Positive %", "Feb"] == 100
    heat = next(f for k, f in figures(render(ctx)).items() if k.endswith("heatmap"))
    trace = heat.data[0]
    assert trace.type == "heatmap" and trace.zmid == 0
    assert list(trace.y) == ["2025", "2024", "Average"]  # newest first, the average below
    z = np.asarray(trace.z, dtype=float)
    assert z[0][list(trace.x).index("Jan")] == pytest.approx(-10.0)
    assert z[2][list(trace.x).index("Dec")] == pytest.approx(10.0)


def test_seasonality_follows_the_picked_instrument_and_is_no_data_when_empty(store, settings):
    from pages.panels.base import NoData

    ctx = context(settings, "seasonality", dataset="market_indices", default="SPX")
    with pytest.raises(NoData):
        data(ctx)
    days = pd.to_datetime(["2025-01-31", "2025-02-28"])
    bars(store, "market_indices", {"NDX": pd.Series([100.0, 95.0], index=days)})
    url = parse_view({"compare": "NDX"})
    picked = context(settings, "seasonality", dataset="market_indices", url=url, default="SPX", picker=True)
    rows = data(picked).set_index("Year")
    assert rows.loc["2025", "Feb"] == pytest.approx(-5.0) and set(rows["Symbol"]) == {"NDX"}
    with pytest.raises(NoData):  # without the picker a panel keeps its default (SPX: nothing stored)
        data(context(settings, "seasonality", dataset="market_indices", url=url, default="SPX"))


# --- drawdowns and volatility -----------------------------------------------------------------


def test_drawdown_and_its_table_across_datasets(store, settings):
    bars(store, "market_indices", {"SPX": daily("2026-01-05", [100, 120, 90, 130, 117])})
    bars(store, "commodities", {"GC": daily("2026-01-05", [50, 40, 45, 55, 60])})
    options = {"series": ["commodities:GC"], "windows": [2]}
    ctx = context(
        settings, "drawdown", dataset="market_indices", keys=["SPX"], url=parse_view({"range": "MAX"}), **options
    )
    rows = data(ctx)
    assert list(rows.columns) == ["Date", "SPX (% from peak)", "GC (% from peak)"]
    assert rows["SPX (% from peak)"].tolist() == pytest.approx([0, 0, -25, 0, -10])
    assert rows["GC (% from peak)"].tolist() == pytest.approx([0, -20, -10, 0, 0])
    table = data(context(settings, "drawdown_table", dataset="market_indices", keys=["SPX"], **options))
    spx = table.set_index("Symbol").loc["SPX"]
    assert spx["Max drawdown %"] == pytest.approx(-25.0) and spx["From peak %"] == pytest.approx(-10.0)
    assert (spx["Max DD peak"], spx["Max DD trough"], spx["Recovered"]) == ("2026-01-06", "2026-01-07", "2026-01-08")
    returns = np.diff(np.log([130.0, 117.0])), np.diff(np.log([90.0, 130.0]))
    expected = 100 * math.sqrt(252) * np.std([returns[1][0], returns[0][0]], ddof=1)
    assert spx["Vol 2d %"] == pytest.approx(expected, rel=1e-3)
    assert table.set_index("Symbol").loc["GC", "Recovered"] == "2026-01-08"


def test_rolling_volatility_draws_a_line_per_instrument_and_window(store, settings):
    closes = 100 * np.exp(np.cumsum(np.tile([0.01, -0.01], 20)))
    bars(store, "market_indices", {"SPX": daily("2026-01-05", list(closes))})
    ctx = context(settings, "rolling_volatility", dataset="market_indices", keys=["SPX"], windows=[5, 10])
    rows = data(ctx)
    assert list(rows.columns) == ["Date", "SPX 5d (% annualised)", "SPX 10d (% annualised)"]
    newest = rows.iloc[-1]
    returns = np.diff(np.log(closes))
    assert newest["SPX 5d (% annualised)"] == pytest.approx(
        100 * math.sqrt(252) * np.std(returns[-5:], ddof=1), rel=1e-3
    )
    (figure,) = figures(render(ctx)).values()
    assert [t.name for t in figure.data] == ["SPX 5d", "SPX 10d"]


def test_risk_panels_refuse_instruments_the_catalog_lacks(store, settings):
    from pages.panels.base import panel_reads

    ctx = context(settings, "drawdown", dataset="market_indices", keys=["SPX"], series=["commodities:NOPE"])
    assert panel_reads(ctx) == []  # broken options declare nothing and say so when drawn
    with pytest.raises(ValueError, match="commodities:NOPE"):
        data(ctx)


# --- ratios -----------------------------------------------------------------------------------


def test_ratio_history_divides_on_common_dates_and_rebases_several(store, settings):
    bars(
        store, "market_indices", {"SPY": daily("2026-01-05", [600, 630, 660]), "TLT": daily("2026-01-05", [90, 90, 88])}
    )
    bars(store, "commodities", {"GC": daily("2026-01-05", [4000, 4200, 4400])})
    one = context(
        settings, "ratio_history", dataset="market_indices", ratios=[{"a": "SPY", "b": "TLT", "label": "SPY/TLT"}]
    )
    rows = data(one)
    assert list(rows.columns) == ["Date", "SPY/TLT"]
    assert rows["SPY/TLT"].tolist() == pytest.approx([600 / 90, 7.0, 7.5])
    both = context(settings, "ratio_history", dataset="market_indices", ratios=["SPY/TLT", "SPY/commodities:GC"])
    rows = data(both)
    assert list(rows.columns) == ["Date", "SPY / TLT (rebased to 100)", "SPY / GC (rebased to 100)"]
    assert rows.iloc[:, 2].tolist() == pytest.approx(
        [100.0, 100 * (630 / 4200) / (600 / 4000), 100 * (660 / 4400) / 0.15]
    )
    levels = context(
        settings,
        "ratio_history",
        dataset="market_indices",
        url=parse_view({"rebase": "0"}),
        ratios=["SPY/TLT", "SPY/commodities:GC"],
    )
    assert data(levels).iloc[-1, 2] == pytest.approx(0.15)
    (figure,) = figures(render(both)).values()
    assert [t.name for t in figure.data] == ["SPY / TLT", "SPY / GC"]


# --- options positioning ----------------------------------------------------------------------


def test_options_positioning_takes_each_underlyings_newest_snapshot(store, settings):
    from pages.panels.analytics.options_positioning import at_days

    write(store, "options_chain", chain_rows())
    table = data(context(settings, "options_positioning", dataset="options_chain")).set_index("Underlying")
    assert list(table.index) == ["SPX", "SPY"]  # the catalog's order
    spx = table.loc["SPX"]
    assert spx["Snapshot"] == LATEST.isoformat()
    # Whole chain on LATEST: puts 300+1500+2200+1000 over calls 100+1000+2000+900.
    assert spx["P/C volume"] == pytest.approx(5000 / 4000)
    assert spx["P/C OI"] == pytest.approx(143_000 / 141_000, abs=1e-4)
    # 30 days between the 11-day (15.5 %) and the 39-day (16.25 %) expiries, in total variance.
    iv30 = math.sqrt((15.5**2 * 11 + (30 - 11) / (39 - 11) * (16.25**2 * 39 - 15.5**2 * 11)) / 30)
    assert spx["ATM IV 30d %"] == pytest.approx(iv30, abs=1e-4)
    before = at_days(np.array([7.0, 11.0, 18.0, 46.0]), np.array([np.nan, 12.0, 13.5, 14.25]))
    assert spx["IV 1W change (pts)"] == pytest.approx(iv30 - before, abs=1e-3)
    assert spx["25Δ skew 30d (pts)"] == pytest.approx(4.0 + (30 - 11) / (39 - 11) * 1.0, abs=1e-4)
    # The front expiry is the first a week or more out: 21 Nov, max pain 5950 against 6000.
    assert spx["Front expiry"] == "2026-11-21" and spx["Max pain"] == 5950
    assert spx["Max pain vs spot %"] == pytest.approx(100 * (5950 / 6000 - 1), abs=1e-4)
    assert table.loc["SPY", "ATM IV 30d %"] == pytest.approx(iv30 + 9.0, abs=0.05)
    assert WEEK_BEFORE < LATEST


def test_options_history_is_one_figure_per_underlying_and_snapshot(store, settings):
    write(store, "options_chain", chain_rows())
    ctx = context(settings, "options_history", dataset="options_chain", keys=["SPX"], measure="put_call_volume")
    rows = data(ctx)
    assert list(rows.columns) == ["Date", "SPX"]
    assert rows["Date"].tolist() == ["2026-11-03", "2026-11-09", "2026-11-10"]
    assert rows["SPX"].iloc[1] == pytest.approx(1.0)  # the day before: call volume 1.25 times
    bad = context(settings, "options_history", dataset="options_chain", measure="gamma")
    with pytest.raises(ValueError, match="measure"):
        data(bad)


def test_volatility_smile_draws_one_line_per_chosen_expiry(store, settings):
    from pages.panels.base import NoData

    rows = chain_rows()
    ctx = context(settings, "volatility_smile", dataset="options_chain", default="SPX", tenors=[10, 40])
    write(store, "options_chain", rows)
    with pytest.raises(NoData, match="no smile yet"):  # rows stored before smiles were kept
        render(ctx)
    smile = {"iv_90": 20.0, "iv_95": 17.0, "iv_97_5": 16.0, "iv_102_5": 15.0, "iv_105": 14.5, "iv_110": 14.0}
    write(store, "options_chain", rows.assign(**smile))
    table = data(ctx)
    latest = table[table["Snapshot"] == LATEST.isoformat()]
    assert list(latest["Expiry"]) == ["2026-11-10", "2026-11-14", "2026-11-21", "2026-12-19"]
    assert latest["90%"].tolist() == [20.0] * 4 and latest["100%"].iloc[2] == 15.5  # the ATM IV
    assert set(table["Snapshot"]) == {LATEST.isoformat()} and set(table["Underlying"]) == {"SPX"}
    (figure,) = figures(render(ctx)).values()
    # 10 and 40 days: the 11-day (21 Nov) and the 39-day (19 Dec) expiries; none today.
    assert [t.name for t in figure.data] == ["2026-11-21 (11 d)", "2026-12-19 (39 d)"]
    assert list(figure.data[0].x) == [90, 95, 97.5, 100, 102.5, 105, 110]
    assert list(figure.data[1].y) == [20.0, 17.0, 16.0, 16.25, 15.0, 14.5, 14.0]
    url = parse_view({"compare": "SPY"})
    picked = context(settings, "volatility_smile", dataset="options_chain", url=url, default="SPX", picker=True)
    assert set(data(picked)["Underlying"]) == {"SPY"}
    fixed = context(settings, "volatility_smile", dataset="options_chain", url=url, default="SPX")
    assert set(data(fixed)["Underlying"]) == {"SPX"}  # the pick is the picker panel's alone


# --- positioning extremes ---------------------------------------------------------------------


def test_positioning_extremes_rank_each_gauge_in_its_own_history(store, settings):
    weeks = pd.date_range("2026-01-01", periods=10, freq="7D")
    spread = [10, -5, 0, 20, 15, 5, -10, 25, 30, 35]  # the newest is the highest
    write(
        store,
        "sentiment_indicators",
        pd.DataFrame({"indicator_id": "AAII_BULL_BEAR_SPREAD", "date": weeks.date, "value": spread}),
    )
    net = [-100.0, 0.0, 100.0, 50.0]
    cot = pd.DataFrame(
        {
            "market": "ES",
            "date": pd.date_range("2026-02-03", periods=4, freq="7D").date,
            "open_interest": 1000.0,
            "noncomm_net": net,
        }
    )
    write(store, "cot_positions", cot)
    ctx = context(settings, "positioning_extremes", sentiment=["AAII_BULL_BEAR_SPREAD"], cot=["ES"])
    table = data(ctx).set_index("Group")
    survey = table.loc["AAII survey"]
    assert survey["Latest"] == 35 and survey["Change"] == 5 and survey["Percentile"] == 100
    assert survey["Range position"] == 100 and survey["Extreme"] == "top decile"
    es = table.loc["COT speculators"]
    assert es["Latest"] == pytest.approx(5.0) and es["Range position"] == pytest.approx(75.0)
    assert es["Percentile"] == pytest.approx(75.0) and es["Extreme"] == ""


# --- the dashboards ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_web(demo_root):
    import app as webapp

    settings = demo_settings(demo_root)
    return webapp.create_app(settings), settings


@pytest.mark.parametrize("board_id", INSIGHT_DASHBOARDS)
def test_the_dashboards_draw_every_panel_with_demo_data(demo_web, board_id):
    from pages.dashboards import DASHBOARDS, layout_for

    dash_app, _ = demo_web
    board = DASHBOARDS[board_id]
    with dash_app.server.test_request_context(board.path):
        body = page_json(layout_for(board_id))
    assert "No data yet" not in body and "Traceback" not in body
    client = dash_app.server.test_client()
    for panel in board.panels:
        answer = client.get(f"/csv/{board.id}/{panel.id}.csv")
        assert answer.status_code == 200, panel.id
        lines = answer.data.decode().splitlines()
        assert len(lines) >= 2, (board.id, panel.id)
