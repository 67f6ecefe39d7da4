"""The analytics panel types (pages/panels/analytics/) on stored analytics rows: correlation
heatmap and pair history, relative rotation graph and table, market breadth, the sentiment
composite and the VIX term structure — their figures, their CSV rows, "no data yet" on an empty
store — and the analytics dashboards (config/dashboards) on an empty store and on demo data."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from types import MappingProxyType

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from components.view_state import parse_view
from config.dashboard_specs import Dashboard, PanelSpec
from tests.conftest import SHIPPED_CATALOG, demo_settings, drop_backend, make_settings

FETCHED = datetime(2026, 11, 20, tzinfo=UTC)
DAYS = pd.bdate_range("2026-09-01", periods=45)  # newest: 2026-11-02
LAST = DAYS[-1]
ANALYTICS_DASHBOARDS = (
    "correlations",
    "sector-rotation",
    "market-breadth",
    "sentiment",
    "volatility",
    "options",
    "crypto-options",
)


@pytest.fixture
def settings(tmp_path, backend):
    """The conftest settings, with the shipped catalog (for its labels)."""
    s = make_settings(tmp_path, backend, SPARTAN_SOURCES_FILE=SHIPPED_CATALOG)
    yield s
    drop_backend(s)


def write(store, dataset: str, frame: pd.DataFrame) -> None:
    from sql.versions import publish_version
    from sql.write import write_dataset

    frame = frame.assign(source="test", fetched_at=FETCHED)
    with store.engine.begin() as conn:
        _rows, version = write_dataset(conn, dataset, frame, "test")
    publish_version(dataset, version)


def context(settings, kind: str, keys=None, url=None, **options):
    from pages.panels.base import PanelContext

    spec = PanelSpec(
        id="p", type=kind, title="Panel", keys=tuple(keys) if keys else None, options=MappingProxyType(options)
    )
    board = Dashboard(id="t", title="Test", path="/t", group="Test", order=1, description="", panels=(spec,))
    return PanelContext(board, spec, url or parse_view({}), settings)


def render(ctx):
    from pages.panels.base import PANEL_TYPES

    return PANEL_TYPES[ctx.spec.type].render(ctx)


def data(ctx) -> pd.DataFrame:
    from pages.panels.base import panel_data

    return panel_data(ctx)


def walk(component):
    """Every component of a tree (depth first), parts drawn as they scroll into view
    (components/lazy.py) included as the component they become."""
    yield component
    spec = getattr(component, "data-spec", None)  # a lazy part's placeholder: what it becomes
    if spec is not None:
        yield from walk(drawn(json.loads(spec)))
        return
    children = getattr(component, "children", None)
    if isinstance(children, list | tuple):
        for child in children:
            yield from walk(child)
    elif children is not None and hasattr(children, "to_plotly_json"):
        yield from walk(children)


def drawn(spec: dict):
    """The component a lazy part's spec becomes in the browser."""
    import dash_ag_grid as dag
    from dash import dcc

    kinds = {("Graph", "dash_core_components"): dcc.Graph, ("AgGrid", "dash_ag_grid"): dag.AgGrid}
    props = dict(spec["props"])
    if isinstance(props.get("figure"), dict):  # as the browser reads it: JSON, arrays as typed-array specs
        props["figure"] = go.Figure(typed_arrays(props["figure"]))
    return kinds[(spec["type"], spec["namespace"])](**props)


def typed_arrays(value):
    """``value`` with plotly's typed-array specs (``{"dtype", "bdata", "shape"}``) as arrays."""
    if isinstance(value, dict) and {"dtype", "bdata"} <= value.keys():
        array = np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
        shape = value.get("shape")
        return array.reshape([int(n) for n in str(shape).split(",")]) if shape else array
    if isinstance(value, dict):
        return {k: typed_arrays(v) for k, v in value.items()}
    if isinstance(value, list):
        return [typed_arrays(v) for v in value]
    return value


def figures(component) -> dict[str, go.Figure]:
    """The charts of a panel body by their id: graphs, and the figures of charts drawn when they
    scroll into view (components/lazy.py)."""
    return {c.id: c.figure for c in walk(component) if type(c).__name__ == "Graph"}


def only_figure(component) -> go.Figure:
    found = figures(component)
    assert len(found) == 1, list(found)
    return next(iter(found.values()))


def traces(fig: go.Figure) -> dict[str, object]:
    return {t.name: t for t in fig.data}


def dates(values) -> list[str]:
    return [pd.Timestamp(v).strftime("%Y-%m-%d") for v in values]


# --- correlations -----------------------------------------------------------------------------


def correlation_rows() -> pd.DataFrame:
    ramp = np.linspace(-0.5, 0.2, len(DAYS))
    pairs = {
        ("SPX", "GC"): ramp,
        ("SPX", "BTCUSD"): np.full(len(DAYS), 0.1),
        ("SPX", "10Y"): -ramp,
        ("GC", "10Y"): np.full(len(DAYS), 0.3),
    }
    frames = [
        pd.DataFrame({"asset_a": a, "asset_b": b, "window_days": 60, "date": DAYS.date, "value": v})
        for (a, b), v in pairs.items()
    ]
    frames += [
        # Another window (ignored by the 60-day panels) and a pair only stored earlier.
        pd.DataFrame(
            {"asset_a": ["SPX"], "asset_b": ["GC"], "window_days": [20], "date": [LAST.date()], "value": [0.99]}
        ),
        pd.DataFrame(
            {"asset_a": ["GC"], "asset_b": ["BTCUSD"], "window_days": [60], "date": [DAYS[0].date()], "value": [0.5]}
        ),
    ]
    return pd.concat(frames, ignore_index=True)


def test_correlation_heatmap_is_the_latest_symmetric_matrix_in_basket_order(store, settings):
    write(store, "correlations", correlation_rows())
    ctx = context(settings, "correlation_heatmap")
    fig = only_figure(render(ctx))
    (heatmap,) = fig.data
    assert heatmap.type == "heatmap"
    # Basket order (config/analytics.yaml): SPX, GC, BTCUSD, 10Y; labels from the catalog.
    assert list(heatmap.x) == list(heatmap.y) == ["S&P 500", "Gold", "Bitcoin (USD)", "10-Year"]
    z = np.array(heatmap.z, dtype=float)
    assert np.allclose(np.diag(z), 1.0)
    assert np.allclose(z, z.T, equal_nan=True)
    assert z[0, 1] == pytest.approx(0.2) and z[0, 3] == pytest.approx(-0.2) and z[1, 3] == pytest.approx(0.3)
    assert z[0, 2] == pytest.approx(0.1)
    assert np.isnan(z[1, 2])  # GC/BTCUSD is not in the latest matrix
    assert (heatmap.zmin, heatmap.zmax) == (-1, 1) and heatmap.texttemplate

    frame = data(ctx)
    assert list(frame["Key"]) == ["SPX", "GC", "BTCUSD", "10Y"]
    assert list(frame.columns[:6]) == ["Asset", "Key", "S&P 500", "Gold", "Bitcoin (USD)", "10-Year"]
    assert frame.loc[0, "Gold"] == pytest.approx(0.2) and frame.loc[1, "S&P 500"] == pytest.approx(0.2)
    assert set(frame["As of"]) == {LAST.strftime("%Y-%m-%d")}

    # A panel's keys choose (and order) the assets.
    chosen = data(context(settings, "correlation_heatmap", keys=["10Y", "SPX"]))
    assert list(chosen["Key"]) == ["10Y", "SPX"] and chosen.loc[0, "S&P 500"] == pytest.approx(-0.2)


def test_correlation_history_draws_the_chosen_pairs_either_way_round(store, settings):
    write(store, "correlations", correlation_rows())
    ctx = context(settings, "correlation_history", pairs=["SPX/GC", "10Y/SPX", "not a pair", "SPX/EURUSD"])
    fig = only_figure(render(ctx))
    lines = traces(fig)
    assert list(lines) == ["S&P 500 / Gold", "10-Year / S&P 500"]  # nothing stored for SPX/EURUSD
    assert len(lines["S&P 500 / Gold"].x) == len(DAYS)
    assert lines["S&P 500 / Gold"].y[-1] == pytest.approx(0.2)
    assert lines["10-Year / S&P 500"].y[-1] == pytest.approx(-0.2)

    frame = data(ctx)
    assert list(frame.columns) == ["Date", "S&P 500 / Gold", "10-Year / S&P 500"]
    assert len(frame) == len(DAYS) and frame["Date"].iloc[-1] == LAST.strftime("%Y-%m-%d")
    # The URL's range applies.
    recent = data(context(settings, "correlation_history", url=parse_view({"range": "1M"}), pairs=["SPX/GC"]))
    assert 15 <= len(recent) < len(DAYS)


# --- sector rotation --------------------------------------------------------------------------

# Newest (rs_ratio, rs_momentum): XLK leading, XLE weakening, XLU lagging.
ENDS = {"XLK": (105.0, 103.0), "XLE": (104.0, 97.0), "XLU": (95.0, 96.0)}


def rotation_rows() -> pd.DataFrame:
    frames = []
    for i, (symbol, (ratio, momentum)) in enumerate(ENDS.items()):
        steps = np.arange(len(DAYS))[::-1]  # 0 on the newest day
        frames.append(
            pd.DataFrame(
                {
                    "symbol": symbol,
                    "benchmark": "SPY",
                    "date": DAYS.date,
                    "rs_ratio": ratio - 0.1 * steps,
                    "rs_momentum": momentum - 0.05 * steps,
                    "return_1w": 1.0 + i,
                    "return_1m": -2.0,
                    "return_3m": 3.0,
                    "return_6m": np.nan,
                    "return_1y": 10.0 * (i - 1),
                }
            )
        )
    # Against another benchmark: not drawn.
    frames.append(
        pd.DataFrame(
            {"symbol": ["XLK"], "benchmark": ["QQQ"], "date": [LAST.date()], "rs_ratio": [50.0], "rs_momentum": [50.0]}
        )
    )
    return pd.concat(frames, ignore_index=True)


def test_rotation_graph_has_weekly_tails_and_quadrants(store, settings):
    write(store, "sector_rotation", rotation_rows())
    ctx = context(settings, "rotation_graph", tail_weeks=3)
    fig = only_figure(render(ctx))
    lines = traces(fig)
    assert set(lines) == set(ENDS)
    xlk = lines["XLK"]
    assert list(xlk.x) == pytest.approx([104.0, 104.5, 105.0])  # every 5th trading day back
    assert list(xlk.y) == pytest.approx([102.5, 102.75, 103.0])
    assert [c[0] for c in xlk.customdata] == dates([DAYS[-11], DAYS[-6], DAYS[-1]])
    assert xlk.text[-1] == "XLK" and list(xlk.marker.size)[-1] > list(xlk.marker.size)[0]
    labels = {a.text for a in fig.layout.annotations}
    assert {"Leading", "Weakening", "Lagging", "Improving"} <= labels
    assert len([s for s in fig.layout.shapes if s.type == "rect"]) == 4
    low, high = fig.layout.xaxis.range
    assert low < 95 and high > 105 and (low + high) / 2 == pytest.approx(100)

    frame = data(ctx)
    assert list(frame.columns) == ["Sector", "Symbol", "Date", "RS-Ratio", "RS-Momentum", "Quadrant"]
    assert len(frame) == 9 and frame.groupby("Symbol").size().eq(3).all()
    newest = frame[frame["Date"] == LAST.strftime("%Y-%m-%d")].set_index("Symbol")
    assert newest.loc["XLK", "Sector"] == "Technology"
    assert newest["Quadrant"].to_dict() == {"XLK": "Leading", "XLE": "Weakening", "XLU": "Lagging"}
    # Default tail: 8 weekly points.
    assert data(context(settings, "rotation_graph")).groupby("Symbol").size().eq(8).all()


def test_rotation_table_lists_each_sector_once_by_rs_ratio(store, settings):
    write(store, "sector_rotation", rotation_rows())
    ctx = context(settings, "rotation_table")
    frame = data(ctx)
    assert list(frame.columns) == [
        "Sector",
        "Symbol",
        "Quadrant",
        "RS-Ratio",
        "RS-Momentum",
        "1W %",
        "1M %",
        "3M %",
        "6M %",
        "1Y %",
        "Date",
    ]
    assert list(frame["Symbol"]) == ["XLK", "XLE", "XLU"]
    assert list(frame["Quadrant"]) == ["Leading", "Weakening", "Lagging"]
    assert list(frame["Sector"]) == ["Technology", "Energy", "Utilities"]
    assert list(frame["1W %"]) == [1.0, 2.0, 3.0] and frame["6M %"].isna().all()
    assert set(frame["Date"]) == {LAST.strftime("%Y-%m-%d")}

    grid = next(c for c in walk(render(ctx)) if type(c).__name__ == "AgGrid")
    assert [r["Symbol"] for r in grid.rowData] == ["XLK", "XLE", "XLU"]
    assert grid.rowData[2]["6M %"] is None
    returns = [c for c in grid.columnDefs if c["field"].endswith("%")]
    assert len(returns) == 5 and all("cellClassRules" in c for c in returns)


# --- market breadth ---------------------------------------------------------------------------


def breadth_rows() -> pd.DataFrame:
    n = len(DAYS)
    advancers = np.where(np.arange(n) % 2 == 0, 300, 150)
    decliners = 480 - advancers
    frame = pd.DataFrame(
        {
            "universe": "LARGE_CAP",
            "date": DAYS.date,
            "advancers": advancers,
            "decliners": decliners,
            "unchanged": 20,
            "ad_line": np.cumsum(advancers - decliners).astype(float),
            "new_highs": np.arange(n),
            "new_lows": np.arange(n)[::-1],
            "pct_above_50d": np.linspace(40, 60, n),
            "pct_above_200d": np.linspace(55, 45, n),
        }
    )
    other = frame.tail(1).assign(universe="OTHER", advancers=1)
    return pd.concat([frame, other], ignore_index=True)


def test_breadth_views(store, settings):
    write(store, "market_breadth", breadth_rows())
    expected = breadth_rows().query("universe == 'LARGE_CAP'")

    ad = context(settings, "breadth")  # view: ad by default
    lines = traces(only_figure(render(ad)))
    assert list(lines["A/D line"].y) == list(expected["ad_line"])
    assert lines["Advancers - decliners"].type == "bar"
    assert list(lines["Advancers - decliners"].y) == list(expected["advancers"] - expected["decliners"])
    frame = data(ad)
    assert list(frame.columns) == ["Date", "Advancers", "Decliners", "Unchanged", "Advancers - decliners", "A/D line"]
    assert len(frame) == len(DAYS) and frame["Advancers"].iloc[-1] == expected["advancers"].iloc[-1]

    ma = context(settings, "breadth", view="ma")
    lines = traces(only_figure(render(ma)))
    assert list(lines) == ["% above 50-day MA", "% above 200-day MA"]
    assert lines["% above 50-day MA"].y[-1] == pytest.approx(60)
    assert list(data(ma).columns) == ["Date", "% above 50-day MA", "% above 200-day MA"]

    highs_lows = context(settings, "breadth", view="highs_lows")
    lines = traces(only_figure(render(highs_lows)))
    assert lines["New 52-week highs"].y[-1] == len(DAYS) - 1
    assert lines["New 52-week lows"].y[0] == -(len(DAYS) - 1)  # drawn downwards
    frame = data(highs_lows)
    assert list(frame.columns) == ["Date", "New 52-week highs", "New 52-week lows"]
    assert frame["New 52-week lows"].iloc[0] == len(DAYS) - 1

    recent = data(context(settings, "breadth", url=parse_view({"range": "1M"})))
    assert 15 <= len(recent) < len(DAYS)
    with pytest.raises(ValueError, match="view"):
        data(context(settings, "breadth", view="nonsense"))


# --- sentiment --------------------------------------------------------------------------------


def sentiment_rows() -> pd.DataFrame:
    n = len(DAYS)
    composite = np.linspace(30, 62, n)

    def series(key: str, values, label=None) -> pd.DataFrame:
        return pd.DataFrame({"indicator_id": key, "date": DAYS.date, "value": values, "label": label})

    labels = ["Fear" if v < 45 else "Neutral" if v < 55 else "Greed" for v in composite]
    return pd.concat(
        [
            series("COMPOSITE", composite, labels),
            series("COMPOSITE_FEAR_GREED", np.full(n, 70.0)),
            series("COMPOSITE_CRYPTO_FEAR_GREED", np.full(n, 20.0)),
            series("COMPOSITE_PUT_CALL_SPX_VOLUME", np.full(n, 80.0)),
            series("COMPOSITE_VIX_TERM_STRUCTURE", np.full(n, 78.0)),
            series("FEAR_GREED", np.full(n, 70.0), "greed"),
            series("CRYPTO_FEAR_GREED", np.linspace(10, 20, n), "Extreme Fear"),
            series("VIX_TERM_STRUCTURE", np.linspace(0.85, 1.1, n)),
            series("PUT_CALL_SPX_VOLUME", np.full(n, 0.9)),
        ],
        ignore_index=True,
    )


def test_sentiment_gauge_components_history_and_kpis(store, settings):
    write(store, "sentiment_indicators", sentiment_rows())
    ctx = context(settings, "sentiment")
    body = render(ctx)
    charts = figures(body)
    assert set(charts) == {f"graph-t-p-{part}" for part in ("gauge", "components", "history")}

    (gauge,) = charts["graph-t-p-gauge"].data
    assert gauge.type == "indicator" and gauge.value == pytest.approx(62)
    assert tuple(gauge.gauge.axis.range) == (0, 100)
    assert gauge.delta.reference == pytest.approx(np.linspace(30, 62, len(DAYS))[-6])  # a week before
    assert "Greed" in charts["graph-t-p-gauge"].layout.title.text

    (bars,) = charts["graph-t-p-components"].data
    assert bars.orientation == "h"
    assert list(bars.y) == [
        "CNN Fear & Greed Index",
        "Crypto Fear & Greed Index (alternative.me)",
        "SPX options put/call ratio (volume) (inverse 1y percentile)",
        "VIX term structure (VIX / VIX3M) (inverse 1y percentile)",
    ]
    assert list(bars.x) == [70.0, 20.0, 80.0, 78.0]

    (history,) = charts["graph-t-p-history"].data
    assert len(history.x) == len(DAYS) and history.y[-1] == pytest.approx(62)

    text = json.dumps(body.to_plotly_json(), default=str)
    assert "CNN Fear & Greed Index" in text and "Extreme Fear" in text and "Greed" in text

    frame = data(ctx)
    assert list(frame.columns[:3]) == ["Date", "Composite", "Label"]
    assert "CNN Fear & Greed Index (raw)" in frame.columns
    assert "Crypto Fear & Greed Index (alternative.me) (raw)" in frame.columns
    last = frame.iloc[-1]
    assert last["Composite"] == pytest.approx(62) and last["Label"] == "Greed"
    assert last["VIX term structure (VIX / VIX3M) (inverse 1y percentile)"] == 78.0
    assert last["Crypto Fear & Greed Index (alternative.me) (raw)"] == pytest.approx(20)
    assert len(frame) == len(DAYS)


def test_sentiment_without_composite_is_no_data(store, settings):
    from pages.panels.base import NoData

    write(store, "sentiment_indicators", sentiment_rows().query("not indicator_id.str.startswith('COMPOSITE')"))
    with pytest.raises(NoData):
        render(context(settings, "sentiment"))


# --- the VIX term structure -------------------------------------------------------------------

LEVELS = {"VIX9D": 14.0, "VIX": 16.0, "VIX3M": 18.0, "VIX6M": 19.0}


def vix_bars() -> pd.DataFrame:
    steps = np.arange(len(DAYS))
    return pd.concat(
        [
            pd.DataFrame({"symbol": key, "interval": "1d", "ts": DAYS.tz_localize(UTC), "close": level + 0.1 * steps})
            for key, level in LEVELS.items()
        ],
        ignore_index=True,
    )


def test_term_structure_curve_and_ratio(store, settings):
    write(store, "volatility_indicators", vix_bars())
    write(store, "sentiment_indicators", sentiment_rows())
    ctx = context(settings, "term_structure")  # both
    charts = figures(render(ctx))
    assert set(charts) == {"graph-t-p-curve", "graph-t-p-ratio"}

    curve = charts["graph-t-p-curve"]
    names = [t.name for t in curve.data]
    week = DAYS[DAYS.get_indexer([LAST - pd.Timedelta(days=7)], method="pad")[0]]
    month = DAYS[DAYS.get_indexer([LAST - pd.Timedelta(days=30)], method="pad")[0]]
    assert names == [
        f"Today ({LAST:%Y-%m-%d})",
        f"1W ago ({week:%Y-%m-%d})",
        f"1M ago ({month:%Y-%m-%d})",
    ]
    today = curve.data[0]
    assert list(today.x) == [9, 30, 91, 182]
    n = len(DAYS) - 1
    assert list(today.y) == pytest.approx([v + 0.1 * n for v in LEVELS.values()])
    back = DAYS.get_loc(week)
    assert list(curve.data[1].y) == pytest.approx([v + 0.1 * back for v in LEVELS.values()])

    ratio = charts["graph-t-p-ratio"]
    (line,) = ratio.data
    assert line.y[-1] == pytest.approx(1.1) and len(line.x) == len(DAYS)
    assert any(s.type == "line" and s.y0 == 1 and s.y1 == 1 for s in ratio.layout.shapes)
    assert "backwardation" in ratio.layout.title.text

    frame = data(ctx)
    assert list(frame.columns) == ["Series", "Date", "Index", "Maturity (days)", "Value"]
    assert set(frame["Series"]) == {"Curve Today", "Curve 1W ago", "Curve 1M ago", "VIX/VIX3M"}
    assert (frame["Series"] == "VIX/VIX3M").sum() == len(DAYS)

    only_curve = data(context(settings, "term_structure", view="curve"))
    assert list(only_curve["Index"]) == list(LEVELS)
    assert list(only_curve.columns[:3]) == ["Index", "Maturity (days)", f"Today ({LAST:%Y-%m-%d})"]
    only_ratio = context(settings, "term_structure", view="ratio")
    assert list(data(only_ratio).columns) == ["Date", "VIX/VIX3M", "State"]
    assert data(only_ratio)["State"].iloc[0] == "contango" and data(only_ratio)["State"].iloc[-1] == "backwardation"
    assert only_figure(render(only_ratio)).data[0].name == "VIX/VIX3M"


def test_term_structure_shows_the_curve_while_the_ratio_is_missing(store, settings):
    from pages.panels.base import NoData

    write(store, "volatility_indicators", vix_bars())
    ctx = context(settings, "term_structure")
    fig = only_figure(render(ctx))
    assert len(fig.data) == 3
    assert set(data(ctx)["Series"]) == {"Curve Today", "Curve 1W ago", "Curve 1M ago"}
    with pytest.raises(NoData):
        data(context(settings, "term_structure", view="ratio"))


# --- empty store ------------------------------------------------------------------------------

EVERY_TYPE = [
    ("correlation_heatmap", {}),
    ("correlation_history", {"pairs": ["SPX/GC"]}),
    ("rotation_graph", {}),
    ("rotation_table", {}),
    ("breadth", {}),
    ("breadth", {"view": "ma"}),
    ("breadth", {"view": "highs_lows"}),
    ("sentiment", {}),
    ("term_structure", {}),
    ("term_structure", {"view": "curve"}),
    ("term_structure", {"view": "ratio"}),
]


def test_every_analytics_panel_is_no_data_on_an_empty_store(store, settings):
    from pages.panels.base import NoData

    for kind, options in EVERY_TYPE:
        ctx = context(settings, kind, **options)
        with pytest.raises(NoData):
            render(ctx)
        with pytest.raises(NoData):
            data(ctx)


# --- the dashboards ---------------------------------------------------------------------------


def dashboards(settings):
    """The dashboards module (its pages register on a Dash app, so one is built first)."""
    import app as webapp

    webapp.create_app(settings, migrate=False)
    from pages import dashboards as module

    return module


def page_json(module, board_id: str) -> str:
    board = module.DASHBOARDS[board_id]
    return json.dumps(module.render_dashboard(board, parse_view({})).to_plotly_json(), default=str)


def test_analytics_dashboards_render_on_an_empty_store(store, settings):
    module = dashboards(settings)
    for board_id in ANALYTICS_DASHBOARDS:
        board = module.DASHBOARDS[board_id]
        text = page_json(module, board_id)
        assert board.title in text
        assert text.count("No data yet") == len(board.panels), board_id
        assert "Data temporarily unavailable" not in text


def test_analytics_dashboards_render_demo_data(demo_root):
    from pages.panels.base import PanelContext, panel_data

    demo = demo_settings(demo_root)

    module = dashboards(demo)  # (re)binds the store to the demo database
    for board_id in ANALYTICS_DASHBOARDS:
        board = module.DASHBOARDS[board_id]
        text = page_json(module, board_id)
        assert "No data yet" not in text and "Data temporarily unavailable" not in text, board_id
        for spec in board.panels:
            frame = panel_data(PanelContext(board, spec, parse_view({}), demo))
            assert not frame.empty, (board_id, spec.id)

    # The analytics pages draw the demo analytics: every sector, every basket asset.
    board = module.DASHBOARDS["sector-rotation"]
    table = panel_data(PanelContext(board, board.panel("table"), parse_view({}), demo))
    assert len(table) == 11 and set(table["Quadrant"]) <= {"Leading", "Weakening", "Lagging", "Improving"}
    board = module.DASHBOARDS["correlations"]
    matrix = panel_data(PanelContext(board, board.panel("matrix"), parse_view({}), demo))
    assert len(matrix) == 17 and matrix.iloc[:, 2:19].abs().le(1).all().all()
