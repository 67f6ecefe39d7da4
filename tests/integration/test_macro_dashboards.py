"""The rates & macro dashboards (issue 16) on the demo data: every panel has rows, the curve
charts shade the periods the spread was inverted (and their CSV says which dates), and the
countries-compared table holds every country with its measures."""

from __future__ import annotations

import csv
import io
import json

import pandas as pd
import pytest

from components.view_state import parse_view
from tests.conftest import demo_settings
from tests.integration.test_panels_analytics import dashboards, figures, walk, write

MACRO_DASHBOARDS = (
    "rates-policy",
    "rates-liquidity",
    "rates-real-yields",
    "rates-global-10y",
    "rates-curve",
    "economy-housing",
    "economy-consumer",
    "economy-manufacturing",
    "economy-recession",
    "economy-fiscal",
    "economy-world",
)


@pytest.fixture(scope="module")
def demo(demo_root):
    settings = demo_settings(demo_root)
    return dashboards(settings), settings


def panel_frame(demo, board_id: str, panel_id: str, **query) -> pd.DataFrame:
    from pages.panels.base import PanelContext, panel_data

    module, settings = demo
    board = module.DASHBOARDS[board_id]
    return panel_data(PanelContext(board, board.panel(panel_id), parse_view(query), settings))


def panel_body(demo, board_id: str, panel_id: str):
    from pages.panels.base import PANEL_TYPES, PanelContext

    module, settings = demo
    board = module.DASHBOARDS[board_id]
    spec = board.panel(panel_id)
    return PANEL_TYPES[spec.type].render(PanelContext(board, spec, parse_view({}), settings))


def test_every_macro_dashboard_shows_demo_data_in_every_panel(demo):
    module, _ = demo
    for board_id in MACRO_DASHBOARDS:
        board = module.DASHBOARDS[board_id]
        text = json.dumps(module.render_dashboard(board, parse_view({})).to_plotly_json(), default=str)
        assert "No data yet" not in text and "Data temporarily unavailable" not in text, board_id
        for spec in board.panels:
            assert not panel_frame(demo, board_id, spec.id).empty, (board_id, spec.id)


def test_the_term_spread_chart_shades_its_inversions_and_its_csv_says_which_dates(demo):
    module, settings = demo
    frame = panel_frame(demo, "rates-curve", "three-tens")
    assert list(frame.columns) == ["Date", "3m10y", "3m10y inverted", "NBER recession"]
    assert (frame["3m10y inverted"] == (frame["3m10y"] < 0)).all()
    assert frame["3m10y inverted"].any() and not frame["3m10y inverted"].all()  # the demo curve inverts
    assert not frame["NBER recession"].any()  # no recession in the demo's five years

    inverted = frame["3m10y inverted"].astype(int)
    runs = int(((inverted.diff() == 1) | ((inverted == 1) & (frame.index == 0))).sum())
    (fig,) = figures(panel_body(demo, "rates-curve", "three-tens")).values()
    bands = [s for s in fig.layout.shapes if s.type == "rect"]
    assert len(bands) == runs and {s.name for s in bands} == {"3m10y inverted"}
    assert sum(bool(s.showlegend) for s in bands) == 1  # one legend entry for all of them
    first = frame.loc[frame["3m10y inverted"], "Date"].iloc[0]
    assert min(s.x0 for s in bands) == first
    assert [t.name for t in fig.data] == ["3m10y"]  # USREC is read for its shading, not drawn

    import app as webapp

    client = webapp.create_app(settings, migrate=False).server.test_client()
    rows = list(csv.reader(io.StringIO(client.get("/csv/rates-curve/three-tens.csv").get_data(as_text=True))))
    assert rows[0] == ["Date", "3m10y", "3m10y inverted", "NBER recession"] and len(rows) - 1 == len(frame)
    assert [r[2] for r in rows[1:]] == [str(v) for v in frame["3m10y inverted"]]


def test_the_countries_table_compares_ten_economies(demo):
    table = panel_frame(demo, "economy-world", "compare")
    assert len(table) == 10 and table["Code"].tolist()[:3] == ["USA", "CHN", "JPN"]
    debt = table.set_index("Code")["Government debt, % of GDP (IMF WEO)"]
    assert debt["JPN"] > debt["USA"] > debt["DEU"] > debt["KOR"]  # the ordering of the real figures
    assert table["GDP growth, % (World Bank) (year)"].notna().all()
    assert (table["GDP growth, % (IMF WEO) (year)"] >= table["GDP growth, % (World Bank) (year)"]).all()
    grid = next(c for c in walk(panel_body(demo, "economy-world", "compare")) if type(c).__name__ == "AgGrid")
    assert len(grid.rowData) == 10 and grid.rowData[0]["Country"] == "United States"
    assert "Code" not in grid.rowData[0]
    # The demo's countries share each measure's year: it is said in the header, no year columns.
    headers = [c["headerName"] for c in grid.columnDefs]
    year = int(table["GDP growth, % (World Bank) (year)"].iloc[0])
    assert headers[:2] == ["Country", f"GDP growth, % (World Bank), {year}"] and "Year" not in headers


def test_policy_and_global_yield_pages_show_rates_in_bp_and_monthly_series_at_their_frequency(demo):
    module, _ = demo
    board = module.DASHBOARDS["rates-policy"]
    text = json.dumps(module.render_dashboard(board, parse_view({})).to_plotly_json(), default=str)
    assert " bp" in text and "ECB deposit rate" in text
    monthly = panel_frame(demo, "rates-global-10y", "g7")
    dates = pd.to_datetime(monthly["Date"])
    assert (dates.dt.day == 1).all() and 55 <= len(dates) <= 61  # one row a month, five years
    ten = panel_frame(demo, "rates-global-10y", "table").set_index("Symbol")["Last"]
    assert ten["IRLTLT01JPM156N"] < ten["IRLTLT01DEM156N"] < ten["IRLTLT01GBM156N"]
    assert ten["IRLTLT01CHM156N"] < 1.0


def test_net_liquidity_is_the_feds_assets_less_the_treasurys_account_and_the_reverse_repo(demo):
    frame = panel_frame(demo, "rates-liquidity", "net-liquidity").dropna()
    columns = ["Net liquidity", "Fed total assets", "Treasury General Account", "Overnight reverse repo"]
    assert list(frame.columns) == ["Date", *columns]
    # Every term in billions of dollars (WALCL and the TGA are stored in millions).
    net, assets, tga, rrp = (frame[c] for c in columns)
    assert ((assets > 5000) & (assets < 10000)).all() and ((tga > 100) & (tga < 2500)).all()
    assert (net - (assets - tga - rrp)).abs().max() < 1e-6
    assert (pd.to_datetime(frame["Date"]).dt.dayofweek == 2).all()  # Wednesdays, as WALCL
    (fig,) = figures(panel_body(demo, "rates-liquidity", "net-liquidity")).values()
    assert [t.name for t in fig.data] == columns


def test_the_countries_table_shows_a_year_column_where_countries_differ(store, settings):
    from types import MappingProxyType

    from config.dashboard_specs import Dashboard, PanelSpec
    from pages.panels.base import PANEL_TYPES, PanelContext, panel_data

    dates = pd.to_datetime(["2023-01-01", "2024-01-01", "2023-01-01", "2026-01-01", "2026-01-01"]).date
    write(
        store,
        "economic_indicators",
        pd.DataFrame(
            {
                "indicator_id": ["WB_GDP_GROWTH_USA"] * 2
                + ["WB_GDP_GROWTH_JPN", "IMF_GOV_DEBT_USA", "IMF_GOV_DEBT_JPN"],
                "date": dates,
                "value": [2.9, 2.8, 1.5, 125.0, 230.0],
                "country": ["USA", "USA", "JPN", "USA", "JPN"],
            }
        ),
    )
    options = {"measures": {"WB_GDP_GROWTH": "Growth", "IMF_GOV_DEBT": "Debt"}, "countries": {"USA": "US", "JPN": "JP"}}
    spec = PanelSpec("c", "country_table", "C", "economic_indicators", options=MappingProxyType(options))
    board = Dashboard(id="t", title="T", path="/t", group="T", order=1, description="", panels=(spec,))
    ctx = PanelContext(board, spec, parse_view({}), settings)
    frame = panel_data(ctx)
    assert frame[["Growth", "Growth (year)", "Debt (year)"]].values.tolist() == [[2.8, 2024, 2026], [1.5, 2023, 2026]]
    grid = next(c for c in walk(PANEL_TYPES["country_table"].render(ctx)) if type(c).__name__ == "AgGrid")
    # Growth refers to different years: a year column beside it; debt to one: said in its header.
    assert [c["headerName"] for c in grid.columnDefs] == ["Country", "Growth", "Year", "Debt, 2026"]
    assert grid.rowData[1] == {
        "Country": "JP",
        "Growth": 1.5,
        "Growth (year)": 2023,
        "Debt": 230.0,
        "Debt (year)": 2026,
    }
