"""Detail pages and the system/market panel types: the FX cross-rate matrix, one instrument's
detail (panel, /instrument/<symbol>, /series/<id>), the FRED explorer, and the data-source
health / download log / dataset status panels — on stored rows and on an empty store, and
with hostile query strings."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta
from types import MappingProxyType

import numpy as np
import pandas as pd
import pytest

from components.view_state import ViewState, parse_view
from tests.conftest import drop_backend, make_settings
from tests.layouts import page_json

CATALOG = """
sources:
  - {id: test_src, provider: test, category: indices, base_url: https://example.invalid, auth_env: null}
datasets:
  market_indices:
    - {key: SPX, label: S&P 500, providers: [{source: test_src, symbol: SPX}]}
    - {key: NDX, label: Nasdaq 100, providers: [{source: test_src, symbol: NDX}]}
  forex_rates:
    - {key: EURUSD, label: EUR/USD, providers: [{source: test_src, symbol: EURUSD}]}
    - {key: USDJPY, label: USD/JPY, providers: [{source: test_src, symbol: USDJPY}]}
    - {key: EURGBP, label: EUR/GBP, providers: [{source: test_src, symbol: EURGBP}]}
  fred_series:
    - {key: DGS10, label: 10-year Treasury, providers: [{source: test_src, symbol: DGS10}]}
    - {key: DGS2, label: 2-year Treasury, providers: [{source: test_src, symbol: DGS2}]}
    - {key: CPIAUCSL, label: CPI all items, providers: [{source: test_src, symbol: CPIAUCSL}]}
"""
GARBAGE = "<script>alert(1)</script>"
# Ten years of business days up to yesterday.
TODAY = datetime.now(UTC).date()


def _settings(tmp_path, backend):
    path = tmp_path / "catalog.yaml"
    path.write_text(CATALOG)
    return make_settings(tmp_path, backend, SPARTAN_SOURCES_FILE=str(path))


@pytest.fixture
def empty_app(tmp_path, backend):
    """The app on an empty, migrated database with the small catalog above."""
    import app as webapp

    settings = _settings(tmp_path, backend)
    dash_app = webapp.create_app(settings)
    yield dash_app, settings
    drop_backend(settings)


def _write(dataset: str, frame: pd.DataFrame) -> None:
    from sql.store import get_store
    from sql.versions import publish_version
    from sql.write import write_dataset

    with get_store().engine.begin() as conn:
        _rows, version = write_dataset(conn, dataset, frame, "test_src")
    publish_version(dataset, version)


def _bars(symbol: str, days: pd.DatetimeIndex, close: np.ndarray, ohlc: bool = True) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "symbol": symbol,
            "interval": "1d",
            "ts": days.tz_localize(UTC),
            "open": close * 0.99 if ohlc else np.nan,
            "high": close * 1.01 if ohlc else np.nan,
            "low": close * 0.98 if ohlc else np.nan,
            "close": close,
            "volume": 1000.0 if ohlc else np.nan,
            "source": "test_src",
            "fetched_at": datetime.now(UTC),
        }
    )


SPX_DAYS = pd.bdate_range(TODAY - timedelta(days=800), TODAY - timedelta(days=1))


@pytest.fixture
def data_app(empty_app):
    dash_app, settings = empty_app
    now = datetime.now(UTC)
    # SPX rises by 0.1 a day from 100; NDX has closes only (no OHLC).
    spx = 100 + 0.1 * np.arange(len(SPX_DAYS))
    _write(
        "market_indices",
        pd.concat(
            [_bars("SPX", SPX_DAYS, spx), _bars("NDX", SPX_DAYS, spx * 2, ohlc=False)],
            ignore_index=True,
        ),
    )
    # Two days of quotes: EURUSD 1.08 → 1.10, USDJPY 150 → 150, EURGBP 0.85 → 0.85.
    fx_days = pd.DatetimeIndex([pd.Timestamp(TODAY - timedelta(days=2)), pd.Timestamp(TODAY - timedelta(days=1))])
    _write(
        "forex_rates",
        pd.concat(
            [
                _bars("EURUSD", fx_days, np.array([1.08, 1.10])),
                _bars("USDJPY", fx_days, np.array([150.0, 150.0])),
                _bars("EURGBP", fx_days, np.array([0.85, 0.85])),
            ],
            ignore_index=True,
        ),
    )
    daily = pd.bdate_range(TODAY - timedelta(days=400), TODAY - timedelta(days=1))
    months = pd.date_range(end=pd.Timestamp(TODAY), periods=36, freq="MS")
    fred = [
        pd.DataFrame({"series_id": "DGS10", "date": daily.date, "value": 4.0 + 0.001 * np.arange(len(daily))}),
        pd.DataFrame({"series_id": "DGS2", "date": daily.date, "value": 3.5}),
        # CPI grows 1% a month: YoY = 1.01**12 - 1 = 12.68 %.
        pd.DataFrame({"series_id": "CPIAUCSL", "date": months.date, "value": 100 * 1.01 ** np.arange(36)}),
    ]
    _write("fred_series", pd.concat(fred, ignore_index=True).assign(source="test_src", fetched_at=now))
    return dash_app, settings


def render(dash_app, path: str) -> str:
    """The page's layout as the browser receives it (what the pages router returns), framed."""
    from urllib.parse import urlsplit

    from dash._pages import _parse_query_string, _path_to_page

    parts = urlsplit(path)
    page, variables = _path_to_page(parts.path.strip("/"))
    assert page, f"no page registered at {path}"
    query = _parse_query_string("?" + parts.query if parts.query else "")
    with dash_app.server.test_request_context(path):
        layout = page["layout"](**{**(variables or {}), **query})
        title = page["title"](**(variables or {})) if callable(page["title"]) else page["title"]
    return page_json({"layout": layout, "title": title})


def ctx_for(settings, panel_type: str, dataset: str | None = None, view: ViewState | None = None, **options):
    from config.dashboard_specs import Dashboard, PanelSpec
    from pages.panels.base import PanelContext

    spec = PanelSpec(id="p", type=panel_type, title="Panel", dataset=dataset, options=MappingProxyType(options))
    board = Dashboard(id="t", title="T", path="/t", group="", order=0, description="", panels=(spec,))
    from sql import read

    return PanelContext(board, spec, view or ViewState(), read.current_settings() or settings)


def body(component) -> str:
    """A component tree as the browser draws it (nested components, figures, lazy parts included)."""
    return page_json(component)


# --- FX cross rates: arithmetic by hand ---------------------------------------------------------


def test_cross_rates_through_usd_and_eur_by_hand():
    from pages.panels.fx import cross_matrix, usd_values

    usd = usd_values({"EURUSD": 1.10, "USDJPY": 150.0, "EURGBP": 0.85, "BAD": 3, "XXXYYY": -1})
    assert usd["USD"] == 1.0
    assert usd["EUR"] == pytest.approx(1.10)  # one euro is 1.10 dollars
    assert usd["JPY"] == pytest.approx(1 / 150)
    assert usd["GBP"] == pytest.approx(1.10 / 0.85)  # through EUR: 1.294117…
    assert "XXX" not in usd and "YYY" not in usd
    m = cross_matrix(usd, ["USD", "EUR", "JPY", "GBP"])
    assert m.loc["EUR", "JPY"] == pytest.approx(165.0)  # 1.10 × 150
    assert m.loc["GBP", "JPY"] == pytest.approx(1.10 / 0.85 * 150)  # 194.1176…
    assert m.loc["GBP", "USD"] == pytest.approx(1.2941176, rel=1e-6)
    assert m.loc["JPY", "EUR"] == pytest.approx(1 / 165.0)
    assert all(m.loc[c, c] == pytest.approx(1.0) for c in m.index)


def test_direct_usd_quotes_win_over_eur_crosses():
    from pages.panels.fx import usd_values

    usd = usd_values({"EURUSD": 1.10, "EURGBP": 0.85, "GBPUSD": 1.25})
    assert usd["GBP"] == pytest.approx(1.25)


def test_fx_matrix_panel_on_stored_quotes(data_app):
    from pages.panels.base import panel_data, render_panel
    from pages.panels.fx import fx_frames

    ctx = ctx_for(data_app[1], "fx_matrix", "forex_rates", currencies=["USD", "EUR", "JPY", "GBP", "CHF"])
    frame = panel_data(ctx).set_index("Currency")
    assert list(frame.columns) == ["USD", "EUR", "JPY", "GBP"]  # CHF: no quote reaches it
    assert frame.loc["EUR", "JPY"] == pytest.approx(165.0)
    assert frame.loc["GBP", "JPY"] == pytest.approx(194.117647, rel=1e-6)
    html = body(render_panel(ctx))
    assert "Change since the previous quote" in html and "graph-t-p" in html and "No data yet" not in html
    # EUR rose 1.08 → 1.10 against USD (and JPY, whose USD rate stayed): +1.85 %; GBP followed EUR.
    _matrix, change, _newest = fx_frames(ctx)
    assert change.loc["EUR", "USD"] == pytest.approx(100 * (1.10 / 1.08 - 1))
    assert change.loc["EUR", "JPY"] == pytest.approx(100 * (1.10 / 1.08 - 1))
    assert change.loc["USD", "EUR"] == pytest.approx(100 * (1.08 / 1.10 - 1))
    assert change.loc["EUR", "GBP"] == pytest.approx(0)
    assert '"type": "heatmap"' in html


def test_market_panels_on_an_empty_store_say_no_data(empty_app):
    from pages.panels.base import NoData, panel_data, render_panel

    for kind, dataset, options in (
        ("fx_matrix", "forex_rates", {}),
        ("instrument_detail", "market_indices", {"default": "SPX", "picker": True}),
    ):
        ctx = ctx_for(empty_app[1], kind, dataset, **options)
        with pytest.raises(NoData):
            panel_data(ctx)
        assert "No data yet" in body(render_panel(ctx))


# --- instrument_detail --------------------------------------------------------------------------


def test_instrument_stats_by_hand():
    from pages.panels.instrument import instrument_stats

    days = pd.bdate_range("2024-01-01", "2025-06-30")
    close = pd.Series(100 + np.arange(len(days), dtype=float))
    stats = instrument_stats(pd.DataFrame({"date": days, "close": close}))
    last = close.iloc[-1]
    assert stats["frequency"] == "daily"
    assert stats["last"] == last
    assert stats["changes"]["1D"] == pytest.approx(100 * (last / (last - 1) - 1))
    # YTD: against the last close of 2024 (2024-12-31).
    dec31 = close[days <= "2024-12-31"].iloc[-1]
    assert stats["changes"]["YTD"] == pytest.approx(100 * (last / dec31 - 1))
    year = close[days > pd.Timestamp("2025-06-30") - pd.DateOffset(years=1)]
    assert stats["high_52w"] == year.max() and stats["low_52w"] == year.min()
    returns = year.pct_change().dropna()
    assert stats["vol_1y"] == pytest.approx(returns.std() * math.sqrt(len(year)) * 100)
    bars = pd.DataFrame({"date": days, "close": close, "high": close + 0.5, "low": close - 0.5})
    assert instrument_stats(bars)["high_52w"] == year.max() + 0.5
    assert instrument_stats(bars)["low_52w"] == year.min() - 0.5
    flat = instrument_stats(pd.DataFrame({"date": days, "close": 5.0}))
    assert flat["vol_1y"] == 0 and flat["changes"]["1Y"] == 0


def test_instrument_detail_panel_candles_volume_stats_and_rows(data_app):
    from pages.panels.base import panel_data, render_panel

    ctx = ctx_for(data_app[1], "instrument_detail", "market_indices", parse_view({"range": "1Y"}), default="SPX")
    html = body(render_panel(ctx))
    for part in ("S&P 500 (SPX)", "candlestick", "Volume", "52W high", "1Y volatility", "YTD", "t-p-rows"):
        assert part in html, part
    data = panel_data(ctx)
    assert list(data.columns) == ["Date", "Symbol", "Open", "High", "Low", "Close", "Volume", "Source", "Quality"]
    assert data["Quality"].isna().all()  # no flags here (tests/integration/test_quality.py has some)
    assert set(data["Symbol"]) == {"SPX"}
    assert len(data) < 270  # the URL's range (1Y), not all of it
    assert data["Close"].iloc[-1] == pytest.approx(100 + 0.1 * (len(SPX_DAYS) - 1))


def test_instrument_detail_takes_the_symbol_from_compare_and_ignores_unknown(data_app):
    from pages.panels.base import panel_data, render_panel

    settings = data_app[1]
    ndx = ctx_for(settings, "instrument_detail", "market_indices", parse_view({"compare": "NDX"}), default="SPX")
    html = body(render_panel(ndx))
    assert "Nasdaq 100 (NDX)" in html and "candlestick" not in html  # closes only: a line
    assert set(panel_data(ndx)["Symbol"]) == {"NDX"}
    for compare in ("NOPE", GARBAGE, "NOPE,SPX"):
        ctx = ctx_for(settings, "instrument_detail", "market_indices", parse_view({"compare": compare}), default="SPX")
        assert set(panel_data(ctx)["Symbol"]) == {"SPX"}
        assert "<script" not in body(render_panel(ctx))


def test_instrument_detail_picker_lists_the_dataset_and_rewrites_compare(data_app):
    from components.picker import PICKER, picker_search
    from pages.panels.base import render_panel

    ctx = ctx_for(data_app[1], "instrument_detail", "market_indices", default="SPX", picker=True)
    html = body(render_panel(ctx))
    assert PICKER in html and "Nasdaq 100 (NDX)" in html and "callback-nav" in html
    assert picker_search("NDX", "?range=1Y&compare=SPX") == "?range=1Y&compare=NDX"
    assert picker_search(["DGS10", "UNRATE"], "") == "?compare=DGS10,UNRATE"
    assert picker_search([], "?compare=DGS10&scale=log") == "?scale=log&compare="


# --- detail pages --------------------------------------------------------------------------------


def test_instrument_page_for_a_known_symbol(data_app):
    page = render(data_app[0], "/instrument/SPX?dataset=market_indices&range=1Y")
    assert '"title": "S&P 500 (SPX) \\u00b7 Spartan Research Station"' in page
    for part in ("S&P 500 (SPX)", "candlestick", "52W high", "Recent observations", "/csv/instrument/SPX.csv"):
        assert part in page, part
    assert "Unknown symbol" not in page
    shell = data_app[0].server.test_client().get("/instrument/SPX").get_data(as_text=True)
    assert "spartan-navbar" in shell  # framed like every page


def test_instrument_page_without_dataset_finds_the_first_holder(data_app):
    page = render(data_app[0], "/instrument/EURUSD")
    assert "EUR/USD (EURUSD)" in page and "Forex" in page


@pytest.mark.parametrize(
    "path",
    [
        "/instrument/NOPE",
        "/instrument/%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        "/instrument/<script>alert(1)</script>",
        "/series/NOPE?dataset=fred_series",
        "/series/%20",
    ],
)
def test_unknown_symbols_get_a_clear_page_not_an_error(data_app, path):
    page = render(data_app[0], path)
    assert "Unknown s" in page and "Back to the overview" in page
    assert "<script" not in page and "%3Cscript" not in page


def test_garbage_query_values_never_fail_or_echo(data_app):
    client = data_app[0].server.test_client()
    for path in (
        f"/instrument/SPX?dataset={GARBAGE}&compare={GARBAGE}&range={GARBAGE}",
        f"/series/DGS10?dataset={GARBAGE}&transform={GARBAGE}",
        f"/fred-explorer?compare={GARBAGE}",
        f"/indices/detail?compare={GARBAGE}",
        "/instrument/%3Cscript%3E?dataset=%3Cscript%3E",
    ):
        page = render(data_app[0], path)
        assert "<script" not in page, path
        response = client.get(path)
        assert response.status_code == 200, path
        assert b"<script>alert" not in response.data, path
    page = render(data_app[0], f"/instrument/SPX?dataset={GARBAGE}")
    assert "S&P 500 (SPX)" in page and "showing it from Market indices" in page


def test_series_page_levels_and_yoy(data_app):
    page = render(data_app[0], "/series/CPIAUCSL?range=MAX")
    assert '"title": "CPI all items (CPIAUCSL) \\u00b7 Spartan Research Station"' in page
    assert "YoY %" in page and "transform=yoy" in page  # monthly: the toggle is offered
    yoy = render(data_app[0], "/series/CPIAUCSL?dataset=fred_series&transform=yoy&range=MAX")
    assert "12.68%" in yoy  # 1.01 ** 12 - 1, by hand
    daily = render(data_app[0], "/series/DGS10")
    assert "10-year Treasury (DGS10)" in daily and "transform=yoy" not in daily  # daily: no YoY toggle


def test_detail_pages_on_an_empty_store(empty_app):
    page = render(empty_app[0], "/instrument/SPX")
    assert "S&P 500 (SPX)" in page and "No data yet" in page
    assert "No data yet" in render(empty_app[0], "/series/DGS10")


def test_detail_dashboards_render_the_default_and_the_compared_symbol(data_app):
    page = render(data_app[0], "/indices/detail")
    assert "S&P 500 (SPX)" in page and "view-picker" in page and "compare=NDX" not in page
    page = render(data_app[0], "/indices/detail?compare=NDX&range=1Y")
    assert "Nasdaq 100 (NDX)" in page
    assert "/indices/detail?range=MAX&amp;compare=NDX" in page or "range=MAX&compare=NDX" in page


# --- FRED explorer -------------------------------------------------------------------------------


def test_explorer_draws_the_default_selection(data_app):
    page = render(data_app[0], "/fred-explorer")
    assert "graph-fred-explorer" in page and "fred-explorer-latest" in page
    assert "DGS10 \\u2014 10-year Treasury" in page and "DGS2 \\u2014 2-year Treasury" in page
    assert "/series/DGS10?dataset=fred_series" in page


def test_explorer_draws_the_urls_selection_and_skips_unknown_series(data_app):
    page = render(data_app[0], "/fred-explorer?compare=CPIAUCSL,NOPE&rebase=1")
    layout = json.loads(page)["layout"]
    assert '"value": ["CPIAUCSL"]' in json.dumps(layout)
    assert "rebased to 100" in page and "left out" in page
    empty = render(data_app[0], "/fred-explorer?compare=")
    assert "No series selected" in empty


def test_explorer_on_an_empty_store(empty_app):
    page = render(empty_app[0], "/fred-explorer?compare=DGS10")
    assert "No data yet" in page and "view-picker" in page


# --- system panels ------------------------------------------------------------------------------


def _system_rows() -> None:
    from sql.schema import data_sources, download_log, health_status
    from sql.store import get_store

    now = datetime.now(UTC)
    health = dict.fromkeys(("last_success_at", "last_failure_at", "last_error", "latency_ms"))
    log = {"run_id": "r1", "run_kind": "refresh", "dataset": "market_indices", "started_at": now, "finished_at": now}
    with get_store().engine.begin() as conn:
        conn.execute(
            data_sources.insert(),
            [
                {
                    "source_id": s,
                    "provider": "p",
                    "category": "indices",
                    "base_url": "x",
                    "enabled": True,
                    "updated_at": now,
                }
                for s in ("good_src", "bad_src", "idle_src")
            ],
        )
        conn.execute(
            health_status.insert(),
            [
                {**health, "source_id": "good_src", "state": "ok", "last_success_at": now, "consecutive_failures": 0,
                 "latency_ms": 12.0, "checked_at": now},
                {**health, "source_id": "bad_src", "state": "circuit_open", "last_failure_at": now,
                 "last_error": "connection refused", "consecutive_failures": 5, "checked_at": now},
            ],
        )  # fmt: skip
        conn.execute(
            download_log.insert(),
            [
                {**log, "source_id": "good_src", "instrument": "SPX", "status": "ok", "rows": 10, "latency_ms": 12.0,
                 "error": None},
                {**log, "source_id": "bad_src", "instrument": "NDX", "status": "failed", "rows": 0, "latency_ms": None,
                 "error": "connection refused"},
            ],
        )  # fmt: skip


def test_system_panels_on_stored_rows(data_app):
    from pages.panels.base import panel_data, render_panel

    _system_rows()
    settings = data_app[1]
    health = ctx_for(settings, "sources_health")
    frame = panel_data(health).set_index("Source")
    assert frame.loc["bad_src", "State"] == "circuit open"
    assert frame.loc["idle_src", "State"] == "not used yet"
    assert frame.loc["bad_src", "Failures in a row"] == 5
    html = body(render_panel(health))
    assert "connection refused" in html and "Failing / circuit open" in html and "Export CSV" in html

    log = ctx_for(settings, "download_log", limit=1)
    rows = panel_data(log)
    assert len(rows) == 1 and list(rows.columns)[:3] == ["Started", "Run", "Source"]
    assert "NDX" in body(render_panel(ctx_for(settings, "download_log")))

    status = panel_data(ctx_for(settings, "datasets_status")).set_index("Name")
    assert status.loc["market_indices", "Instruments"] == 2
    assert status.loc["fred_series", "Sources"] == "test_src"
    assert "Market indices" in body(render_panel(ctx_for(settings, "datasets_status")))


def test_system_panels_on_an_empty_store(empty_app):
    from pages.panels.base import NoData, panel_data, render_panel

    for kind in ("sources_health", "download_log", "datasets_status"):
        ctx = ctx_for(empty_app[1], kind)
        with pytest.raises(NoData):
            panel_data(ctx)
        assert "No data yet" in body(render_panel(ctx))


def test_system_dashboards_render(data_app):
    _system_rows()
    for path in ("/system", "/download-log"):
        page = render(data_app[0], path)
        assert "connection refused" in page, path
    client = data_app[0].server.test_client()
    response = client.get("/csv/system/sources.csv")
    assert response.status_code == 200 and b"bad_src" in response.data
    response = client.get("/csv/index-detail/detail.csv?compare=NDX&range=1M")
    assert response.status_code == 200 and b"NDX" in response.data and b"SPX" not in response.data
    response = client.get("/csv/forex/matrix.csv")
    assert response.status_code == 200 and b"Currency" in response.data


def test_register_callbacks_wires_the_picker_to_the_url(empty_app):
    from components.picker import PICKER_LOCATION, _on_pick, register_callbacks

    dash_app = empty_app[0]
    register_callbacks(dash_app)
    assert any(PICKER_LOCATION in output for output in dash_app.callback_map)
    assert _on_pick("SPX", "?compare=SPX") is __import__("dash").no_update  # no navigation to the same view
    assert _on_pick("NDX", "?range=1Y&compare=SPX") == "?range=1Y&compare=NDX"
