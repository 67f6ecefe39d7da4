"""Dashboards defined as data: every registered page renders with and without data, embedded
or not, whatever the query string holds; CSV routes, embed framing rules, accessibility basics."""

from __future__ import annotations

import pytest

from config.catalog import load_catalog
from config.dashboard_specs import DashboardError, load_dashboards, parse_dashboard
from tests.conftest import SHIPPED_CATALOG, demo_settings, drop_backend, make_settings
from tests.layouts import page_json

GARBAGE = {
    "range": "<script>alert(1)</script>",
    "scale": "'; DROP TABLE market_indices; --",
    "rebase": "maybe",
    "compare": "<img src=x onerror=alert(1)>,SPX,../../etc/passwd",
    "embed": "2",
    "dataset": "<b>x</b>",
}


def pages() -> list[dict]:
    """Every page without a path template, but the not-found page (it has no data to show)."""
    import dash

    from pages.routing import is_not_found

    return [p for p in dash.page_registry.values() if not p.get("path_template") and not is_not_found(p)]


def render(dash_app, page: dict, **query) -> str:
    path = page["path"]
    with dash_app.server.test_request_context(path, query_string=query):
        layout = page["layout"](**query)
    return page_json(layout)


@pytest.fixture
def empty_web(tmp_path, backend):
    import app as webapp

    settings = make_settings(tmp_path, backend, SPARTAN_SOURCES_FILE=SHIPPED_CATALOG)
    yield webapp.create_app(settings), settings
    drop_backend(settings)


@pytest.fixture
def demo_web(demo_root):
    import app as webapp

    settings = demo_settings(demo_root)
    return webapp.create_app(settings), settings


def test_the_shipped_dashboards_name_known_panel_types_datasets_and_instruments(empty_web):
    from pages.panels.base import PANEL_TYPES
    from sql.datasets import DATASETS

    catalog = load_catalog(empty_web[1])
    boards = load_dashboards()
    assert len(boards) >= 20
    for board in boards.values():
        for panel in board.panels:
            assert panel.type in PANEL_TYPES, (board.id, panel.id)
            if panel.dataset:
                assert panel.dataset in DATASETS, (board.id, panel.id)
                known = {i.key for i in catalog.for_dataset(panel.dataset)}
                missing = set(panel.keys or ()) - known
                assert not missing, f"{board.source_file}: {panel.id} names unknown keys {missing}"


def test_every_page_renders_on_an_empty_database_plain_embedded_and_with_garbage(empty_web):
    dash_app, _ = empty_web
    for page in pages():
        for query in ({}, {"embed": "1"}, GARBAGE):
            body = render(dash_app, page, **query)
            assert "Traceback" not in body and "<script>" not in body, page["path"]
        assert "No data yet" in render(dash_app, page) or page["path"] in (
            "/preload",
            "/system",
            "/download-log",
            "/data-quality",  # no flags is no news: "No flags"
        )


def test_every_page_renders_with_five_years_of_demo_data(demo_web):
    dash_app, _ = demo_web
    for page in pages():
        plain = render(dash_app, page)
        assert "Traceback" not in plain
        embedded = render(dash_app, page, embed="1")
        assert "embed-credit" in embedded and "embed-credit" not in plain, page["path"]
        client = dash_app.server.test_client()
        shell = client.get(page["path"]).get_data(as_text=True)
        embedded_shell = client.get(page["path"] + "?embed=1").get_data(as_text=True)
        assert "spartan-navbar" in shell and "spartan-footer" in shell, page["path"]
        assert "spartan-navbar" not in embedded_shell and "spartan-footer" not in embedded_shell
        assert "<script>" not in render(dash_app, page, **GARBAGE)
    body = render(dash_app, next(p for p in pages() if p["path"] == "/commodities"))
    assert "No data yet" not in body and "Brent crude oil" in body


def test_the_view_lives_in_the_url(demo_web):
    dash_app, _ = demo_web
    page = next(p for p in pages() if p["path"] == "/indices")
    body = render(dash_app, page, range="1Y", scale="log", rebase="1")
    assert '"type": "log"' in body and "rebased to 100" in body
    assert "/indices?range=3M&scale=log&rebase=1" in body  # the toolbar keeps the rest of the view
    assert "/csv/global-indices/americas.csv?range=1Y&scale=log&rebase=1" in body


def test_panel_csv_matches_what_the_panel_draws_and_is_formula_safe(demo_web):
    dash_app, _ = demo_web
    client = dash_app.server.test_client()
    response = client.get("/csv/commodities/energy.csv?range=1M")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "spartan-commodities-energy.csv" in response.headers["Content-Disposition"]
    lines = response.get_data(as_text=True).splitlines()
    assert lines[0] == "Date,WTI crude oil,Brent crude oil,Natural gas (Henry Hub)"
    assert 18 <= len(lines) - 1 <= 24  # a month of business days
    rebased = client.get("/csv/commodities/energy.csv?range=1M&rebase=1").get_data(as_text=True).splitlines()
    assert rebased[1].split(",")[1:] == ["100.0", "100.0", "100.0"]
    assert client.get("/csv/commodities/nope.csv").status_code == 404
    assert client.get("/csv/nope/energy.csv").get_json()["error"] == "no panel 'energy' on dashboard 'nope'"


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised():
    import pandas as pd

    from config.csv_format import safe_cells

    frame = pd.DataFrame({"=HYPERLINK(1)": ["=1+1", "+cmd", "-2", "@SUM(A1)", "plain"], "value": [-1.5, 2, 3, 4, 5]})
    out = safe_cells(frame)
    assert list(out.columns) == ["'=HYPERLINK(1)", "value"]
    assert out.iloc[:, 0].tolist() == ["'=1+1", "'+cmd", "'-2", "'@SUM(A1)", "plain"]
    assert out["value"].tolist() == [-1.5, 2, 3, 4, 5]  # numbers stay numbers


def test_csv_of_an_empty_panel_says_no_data_yet(empty_web):
    response = empty_web[0].server.test_client().get("/csv/rates/curve.csv")
    assert response.status_code == 404 and "no data yet" in response.get_json()["error"]


def test_framing_is_refused_except_for_embeds_from_allowed_origins(tmp_path):
    import app as webapp

    settings = make_settings(tmp_path, "sqlite", SPARTAN_EMBED_ORIGINS="https://reports.example")
    client = webapp.create_app(settings).server.test_client()
    plain = client.get("/rates")
    # One directive of the page's policy (the rest of it: tests/integration/test_security.py).
    assert "frame-ancestors 'none'" in plain.headers["Content-Security-Policy"].split("; ")
    assert plain.headers["X-Frame-Options"] == "DENY"
    for path in ("/rates?embed=1", "/embed/rates/curve"):
        embedded = client.get(path)
        assert embedded.status_code == 200
        assert "frame-ancestors 'self' https://reports.example" in embedded.headers["Content-Security-Policy"].split(
            "; "
        )
        assert "X-Frame-Options" not in embedded.headers


def test_an_embedded_panel_is_that_panel_alone(demo_web):
    import dash

    dash_app, _ = demo_web
    page = next(p for p in dash.page_registry.values() if p.get("path_template") == "/embed/<dashboard>/<panel>")
    with dash_app.server.test_request_context("/embed/commodities/energy"):
        body = page_json(page["layout"](dashboard="commodities", panel="energy"))
    with dash_app.server.test_request_context("/embed/commodities/<x>"):  # the path names the panel
        missing = page_json(page["layout"](dashboard="commodities", panel="<x>"))
    assert "graph-commodities-energy" in body and "graph-commodities-metals" not in body
    assert "embed-credit" in body
    assert "spartan-navbar" not in dash_app.server.test_client().get("/embed/commodities/energy").get_data(as_text=True)
    assert "No such panel" in missing and "<x>" not in missing


def test_pages_have_titles_and_the_logo_alt_text(empty_web):
    dash_app, _ = empty_web
    for page in pages():
        assert page["title"] and "Spartan Research Station" in page["title"], page["path"]
    body = dash_app.server.test_client().get(pages()[0]["path"]).get_data(as_text=True)
    assert 'alt="Spartan Research Station logo"' in body


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_text_on_navy_meets_wcag_aa_contrast():
    from config import theme

    for background in (theme.NAVY, theme.NAVY_DARK, theme.CARD):
        assert contrast(theme.TEXT, background) >= 4.5
        assert contrast(theme.TEXT_SECONDARY, background) >= 4.5
    assert contrast(theme.TEXT, theme.RED) >= 4.5  # white on the Spartan red buttons


V1 = "schema_version: 1\n"  # every dashboard file starts with the layout version it is written in


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("id: x\ntitle: X\npath: /x\npanels: [{id: a, type: kpis}]\n", "x.yaml: needs 'schema_version: 1'"),
        (
            "schema_version: 2\nid: x\ntitle: X\npath: /x\npanels: [{id: a, type: kpis}]\n",
            "schema_version 2 is not one",
        ),
        ("schema_version: true\nid: x\ntitle: X\npath: /x\npanels: [{id: a, type: kpis}]\n", "schema_version True"),
        (V1 + "id: x\ntitle: X\npath: /x\npanels: []\n", "'panels' must be a non-empty list"),
        (V1 + "id: X!\ntitle: X\npath: /x\npanels: [{id: a, type: kpis}]\n", "id 'X!' must be lower-case"),
        (V1 + "id: x\ntitle: X\npath: x\npanels: [{id: a, type: kpis}]\n", "must be an absolute lower-case URL path"),
        (V1 + "id: x\ntitle: X\npath: /x\npanels: [{id: a, type: kpis}, {id: a, type: kpis}]\n", "panel ids repeat"),
        (V1 + "id: x\ntitle: X\npath: /x\npanels: [{id: a, type: kpis, width: 13}]\n", "'width' must be 1..12"),
        (V1 + "id: x\ntitle: X\npath: /x\npanels: [{id: a, type: kpis, keys: SPX}]\n", "'keys' must be a list"),
        ("- a list", "must be a mapping"),
        (
            V1 + "id: x\ntitle: X\npath: /x\npanels: [{id: a, type: kpis, title: Credit (HYG, LQD)}]\n",
            "without a value",
        ),
        (
            V1 + "id: x\ntitle: X\npath: /x\nredirect_from: /old\npanels: [{id: a, type: kpis}]\n",
            "'redirect_from' must",
        ),
    ],
)
def test_dashboard_file_mistakes_are_named(text, message):
    with pytest.raises(DashboardError, match=message):
        parse_dashboard(text, "x.yaml")


@pytest.mark.parametrize(
    ("panel", "message"),
    [
        (
            "{id: a, type: kpis, dataset: commodities, colour: red}",
            r"x.yaml: panel 'a' \(kpis\): unknown option\(s\) colour",
        ),
        (
            "{id: b, type: yield_curve, dataset: treasury_yields, height: 300}",
            r"panel 'b' \(yield_curve\): unknown option",
        ),
        (
            "{id: c, type: history, dataset: commodities, height: tall}",
            r"panel 'c' \(history\): option 'height' must be int",
        ),
        ("{id: d, type: fx_matrix, dataset: forex_rates, currencies: USD}", "option 'currencies' must be list"),
        ("{id: e, type: instrument_detail, dataset: commodities, picker: 1}", "option 'picker' must be bool"),
        ("{id: f, type: download_log, limit: true}", "option 'limit' must be int"),
    ],
)
def test_an_option_its_panel_type_does_not_take_is_an_error_naming_file_and_panel(panel, message):
    from config.dashboard_specs import check_panel_options
    from pages.panels.base import option_schemas

    board = parse_dashboard(V1 + f"id: x\ntitle: X\npath: /x\npanels: [{panel}]\n", "x.yaml")
    with pytest.raises(DashboardError, match=message):
        check_panel_options(board, option_schemas())


def test_the_declared_options_of_a_type_pass():
    from config.dashboard_specs import check_panel_options
    from pages.panels.base import option_schemas

    panel = "{id: a, type: history, dataset: commodities, unit: '%', decimals: 2, hlines: [0], rebase: false}"
    check_panel_options(parse_dashboard(V1 + f"id: x\ntitle: X\npath: /x\npanels: [{panel}]\n"), option_schemas())


def test_the_web_refuses_a_dashboard_with_an_unknown_option(empty_web, monkeypatch):
    from pages import dashboards

    board = parse_dashboard(
        V1 + "id: x\ntitle: X\npath: /x\npanels: [{id: a, type: kpis, dataset: commodities, unti: '%'}]\n", "x.yaml"
    )
    monkeypatch.setattr(dashboards, "DASHBOARDS", {"x": board})
    with pytest.raises(DashboardError, match=r"x.yaml: panel 'a' \(kpis\): unknown option\(s\) unti"):
        dashboards._check_types()


def test_every_shipped_dashboard_file_says_schema_version_1_and_passes_its_option_schemas(empty_web):
    from config.dashboard_specs import DASHBOARDS_DIR, check_panel_options
    from pages.panels.base import option_schemas

    files = sorted(DASHBOARDS_DIR.glob("*.yaml"))
    assert len(files) == len(load_dashboards()) >= 20
    for file in files:
        assert file.read_text().startswith("schema_version: 1\n"), file.name
    for board in load_dashboards().values():
        check_panel_options(board, option_schemas())


def test_a_redirect_path_may_not_be_another_dashboards_path(tmp_path):
    (tmp_path / "a.yaml").write_text(V1 + "id: a\ntitle: A\npath: /a\npanels: [{id: p, type: kpis}]\n")
    (tmp_path / "b.yaml").write_text(
        V1 + "id: b\ntitle: B\npath: /b\nredirect_from: [/a]\npanels: [{id: p, type: kpis}]\n"
    )
    with pytest.raises(DashboardError, match="b.yaml: path '/a' is also used by a.yaml"):
        load_dashboards(tmp_path)


def test_view_state_from_garbage_is_the_default_view():
    from components.view_state import ViewState, parse_view

    view = parse_view(GARBAGE)
    assert view == ViewState(compare=("SPX",))
    assert parse_view({"range": "ytd", "scale": "LOG", "rebase": "true"}).query() == "?range=YTD&scale=log&rebase=1"
    # No rebase in the URL: each panel's own default; an explicit "levels" stays in the link.
    assert parse_view({}).rebase is None
    assert parse_view({"rebase": "0"}).rebase is False
    assert parse_view({"rebase": "0"}).query() == "?rebase=0"


def test_several_prices_are_rebased_by_default_and_rates_never(demo_web):
    """ "World equities rebased" drew the Nikkei at ~48k over a flat S&P: several prices on one
    chart are rebased to 100 unless the URL asks for levels; rates and single series are not."""
    from components.view_state import parse_view
    from config.dashboard_specs import load_dashboards
    from pages.panels.base import PanelContext
    from pages.panels.core import history_rows, rebased

    dash_app, settings = demo_web
    boards = load_dashboards()
    home = boards["home"]
    world = next(p for p in home.panels if p.id == "world")
    ctx = PanelContext(home, world, parse_view({}), settings)
    assert rebased(ctx)
    frame = history_rows(ctx)
    firsts = frame.sort_values("date").groupby("key")["value"].first()
    assert firsts.round(6).eq(100).all() and len(firsts) == 4
    assert not rebased(PanelContext(home, world, parse_view({"rebase": "0"}), settings))
    credit = next(p for p in boards["rates"].panels if p.id == "credit")
    assert not rebased(PanelContext(boards["rates"], credit, parse_view({}), settings))
    assert not rebased(PanelContext(boards["rates"], credit, parse_view({"rebase": "1"}), settings))


def test_detail_pages_have_a_plain_csv_route(demo_web):
    dash_app, _ = demo_web
    client = dash_app.server.test_client()
    bars = client.get("/csv/instrument/SPX.csv?range=1M&dataset=market_indices")
    assert bars.status_code == 200 and "spartan-instrument-SPX.csv" in bars.headers["Content-Disposition"]
    lines = bars.get_data(as_text=True).splitlines()
    assert lines[0].startswith("Date,Symbol,Open,High,Low,Close") and 18 <= len(lines) - 1 <= 24
    series = client.get("/csv/series/UNRATE.csv?range=1Y").get_data(as_text=True).splitlines()
    assert series[0].startswith("Date,Symbol,Value") and 9 <= len(series) - 1 <= 13  # monthly, as FRED has it
    unknown = client.get("/csv/instrument/NOPE%3Cscript%3E.csv")
    assert unknown.status_code == 404 and unknown.mimetype == "application/json"  # data, never a page


def test_pages_are_compressed_and_assets_cacheable(tmp_path):
    import app as webapp

    client = webapp.create_app(make_settings(tmp_path, "sqlite")).server.test_client()
    page = client.get("/rates", headers={"Accept-Encoding": "gzip"})
    assert page.headers.get("Content-Encoding") == "gzip"
    asset = client.get("/assets/20-spartan.css")
    assert asset.status_code == 200 and "max-age=86400" in asset.headers["Cache-Control"]


def test_every_app_of_a_process_has_the_grid_export_callback(tmp_path):
    import app as webapp

    first = webapp.create_app(make_settings(tmp_path / "a", "sqlite"))
    second = webapp.create_app(make_settings(tmp_path / "b", "sqlite"))
    for dash_app in (first, second):
        outputs = [c["output"] for c in dash_app.server.test_client().get("/_dash-dependencies").get_json()]
        assert any("exportDataAsCsv" in o for o in outputs)


def test_the_toolbar_offers_only_the_view_options_its_panels_follow(empty_web):
    import dash

    pages = {p["path"]: p for p in dash.page_registry.values()}

    def groups(path: str) -> set[str]:
        body = render(empty_web[0], pages[path])
        return {label for label in ("Range", "Scale", "Comparison") if f'"aria-label": "{label}"' in body}

    assert groups("/indices") == {"Range", "Scale", "Comparison"}  # history charts
    assert groups("/indices/detail") == {"Range", "Scale"}  # one instrument: nothing to rebase
    assert groups("/correlations") == {"Range"}  # a correlation is not drawn on a log scale
    assert groups("/system") == set()  # toolbar: false
    with pytest.raises(ValueError, match="unknown view options"):
        from pages.panels.base import panel_type

        panel_type("x", lambda ctx: None, lambda ctx: [], view=("zoom",))


def test_a_zoomed_window_of_a_chart_comes_at_full_resolution(demo_web):
    """A chart thinned to its width names where to ask for a window of it; the window holds every
    stored observation in it (a month of business days), in the chart's trace order."""
    import dataclasses

    from components.view_state import parse_view
    from pages.panels.base import PanelContext
    from pages.panels.core import history

    dash_app, settings = demo_web
    board = load_dashboards()["home"]
    narrow = dataclasses.replace(next(p for p in board.panels if p.id == "world"), width=1)
    client = dash_app.server.test_client()
    with dash_app.server.test_request_context("/"):
        body = history(PanelContext(board, narrow, parse_view({}), settings))
    from tests.integration.test_panels_analytics import figures

    figure = figures(body)["graph-home-world"]
    assert figure.layout.meta["zoom"] == "/zoom/home/world.json"
    assert all(len(trace.x) <= 224 for trace in figure.data)  # thinned to a 1-column chart

    newest = max(trace.x[-1] for trace in figure.data)
    month = 31 * 86_400_000
    answer = client.get(f"/zoom/home/world.json?x0={newest - month}&x1={newest}")
    assert answer.status_code == 200
    traces = answer.get_json()["traces"]
    assert len(traces) == len(figure.data) == 4
    for trace in traces:
        assert 20 <= len(trace["x"]) <= 24 and all(newest - month <= x <= newest for x in trace["x"])
        assert trace["x"] == sorted(trace["x"]) and all(isinstance(y, float) for y in trace["y"])

    assert client.get("/zoom/home/world.json?x0=5&x1=abc").status_code == 400
    assert client.get(f"/zoom/home/world.json?x0={newest}&x1={newest - month}").status_code == 400
    assert client.get("/zoom/home/rates.json?x0=0&x1=10").status_code == 404  # KPIs: no chart
    assert client.get("/zoom/nope/world.json?x0=0&x1=10").status_code == 404


def test_a_panel_body_is_built_once_per_version_of_its_data(demo_web):
    """A repeat view reuses the panel's built body; a write that moves its dataset's version
    makes the next view build it again (and a status panel is built every time)."""
    from components.view_state import parse_view
    from pages.panels.base import PANEL_TYPES, PanelContext, _body
    from sql.store import get_store
    from sql.versions import publish_version
    from sql.write import bump_version

    dash_app, settings = demo_web
    board = load_dashboards()["home"]
    spec = next(p for p in board.panels if p.id == "equities")
    status = next(p for p in board.panels if p.type == "datasets_status")
    with dash_app.server.test_request_context("/"):
        ctx = PanelContext(board, spec, parse_view({}), settings)
        first = _body(PANEL_TYPES[spec.type], ctx)
        assert _body(PANEL_TYPES[spec.type], ctx) is first
        assert (
            _body(PANEL_TYPES[spec.type], PanelContext(board, spec, parse_view({"range": "1Y"}), settings)) is not first
        )
        with get_store().engine.begin() as conn:
            version = bump_version(conn, "market_indices", 1, "demo", demo=True)
        publish_version("market_indices", version)
        assert _body(PANEL_TYPES[spec.type], ctx) is not first
        status_ctx = PanelContext(board, status, parse_view({}), settings)
        assert _body(PANEL_TYPES[status.type], status_ctx) is not _body(PANEL_TYPES[status.type], status_ctx)


def test_the_cot_page_the_aaii_panels_and_the_cot_api_show_the_demo_reports(demo_web):
    dash_app, _ = demo_web
    body = render(dash_app, next(p for p in pages() if p["path"] == "/cot"))
    assert "No data yet" not in body and "E-mini S&P 500 (CME)" in body and "Gold (COMEX)" in body
    client = dash_app.server.test_client()
    lines = client.get("/csv/cot/commodities.csv").get_data(as_text=True).splitlines()
    assert lines[0].startswith("Market,Name,Report date,Open interest,Spec net,Spec net % OI,Spec net 1W change")
    assert [line.split(",")[0] for line in lines[1:]] == ["GC", "SI", "CL", "NG", "BTC"]  # the newest report each
    sentiment = render(dash_app, next(p for p in pages() if p["path"] == "/sentiment"))
    assert "AAII investor sentiment survey" in sentiment and "AAII survey: bull-bear spread (pp)" in sentiment
    history = client.get("/api/market/cot-positions/GC").get_json()
    rows = history["items"]
    assert len(rows) >= 200 and {"open_interest", "noncomm_net", "comm_net", "nonrept_net"} <= set(rows[0])
    latest = client.get("/api/market/cot-positions").get_json()["items"]
    assert {row["market"] for row in latest} == {
        "ES",
        "NQ",
        "ZN",
        "ZB",
        "EUR",
        "JPY",
        "DX",
        "GC",
        "SI",
        "CL",
        "NG",
        "BTC",
    }
