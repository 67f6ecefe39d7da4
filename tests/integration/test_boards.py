"""Personal boards (SPARTAN_AUTH=local): a signed-in user pins panels of the dashboards to boards
of their own, orders and sizes them, shares a board read-only; others read a shared board but
cannot change it (403) and do not see a private one (404); a board exports as a dashboard file
that config/dashboard_specs.py loads. With SPARTAN_AUTH=none the Pin link is not drawn and the
pages say boards need logins."""

from __future__ import annotations

import json
import re

import pytest

from config.dashboard_specs import check_panel_options, load_dashboards, parse_dashboard
from pages.panels.base import option_schemas
from sql.boards import get_board, list_boards
from sql.store import get_store
from sql.users import add_user, list_users
from tests.integration.test_auth_routes import (  # noqa: F401 - the make_app fixture
    ADMIN_PASSWORD,
    VIEWER_PASSWORD,
    csrf_of,
    local_env,
    login,
    make_app,
)

OTHER_PASSWORD = "other password 1"


@pytest.fixture
def station(make_app):  # noqa: F811 - the fixture imported above
    app = make_app(**local_env())
    add_user(get_store().engine, "other", OTHER_PASSWORD, "viewer")
    viewer, other = app.server.test_client(), app.server.test_client()
    assert login(viewer, "viewer", VIEWER_PASSWORD).status_code == 303
    assert login(other, "other", OTHER_PASSWORD).status_code == 303
    return app, viewer, other


def _user_id(name: str) -> int:
    return next(u.id for u in list_users(get_store().engine) if u.username == name)


def _pin(client, dashboard: str, panel: str, board: str = "new", name: str = "Morning", width: str = "6"):
    page = client.get("/boards").get_data(as_text=True)
    data = {"dashboard": dashboard, "panel": panel, "board": board, "name": name, "width": width}
    return client.post("/boards/pin", data={**data, "csrf_token": csrf_of(page)})


def _board_id(answer) -> int:
    assert answer.status_code == 303, answer.get_data(as_text=True)
    return int(re.fullmatch(r"/boards/(\d+)", answer.location).group(1))


def _layout(client, board_id: int, query: str = "") -> str:
    answer = client.get("/_dash-layout", headers={"Referer": f"http://localhost/boards/{board_id}{query}"})
    assert answer.status_code == 200
    return json.dumps(answer.get_json())


def _edit(client, board_id: int, action: str, **data):
    csrf = csrf_of(client.get("/boards").get_data(as_text=True))
    return client.post(f"/boards/{board_id}/{action}", data={**data, "csrf_token": csrf})


def _pins(board_id: int) -> list[tuple[str, str, int]]:
    board = get_board(get_store().engine, board_id, _user_id("viewer"))
    return [(p.dashboard_id, p.panel_id, p.width) for p in board.pins]


def test_every_panel_has_a_pin_link_with_logins_and_none_without(make_app):  # noqa: F811
    client = make_app(**local_env()).server.test_client()
    login(client, "viewer", VIEWER_PASSWORD)
    drawn = json.dumps(client.get("/_dash-layout", headers={"Referer": "http://localhost/indices"}).get_json())
    assert "/boards/pin?dashboard=global-indices&panel=headline" in drawn
    assert "/boards/pin?dashboard=global-indices&panel=americas" in drawn


def test_without_logins_there_is_no_pin_and_the_pages_say_boards_need_logins(make_app):  # noqa: F811
    client = make_app().server.test_client()
    drawn = json.dumps(client.get("/_dash-layout", headers={"Referer": "http://localhost/indices"}).get_json())
    assert "/boards/pin" not in drawn and "CSV" in drawn
    for url in ("/boards", "/boards/1", "/boards/1.yaml", "/boards/pin?dashboard=global-indices&panel=headline"):
        page = client.get(url)
        assert page.status_code == 404 and "SPARTAN_AUTH=local" in page.get_data(as_text=True), url


def test_boards_need_a_login(make_app):  # noqa: F811
    client = make_app(**local_env()).server.test_client()
    assert client.get("/boards").location == "/login?next=%2Fboards"
    assert client.get("/boards/1").location == "/login?next=%2Fboards%2F1"
    assert client.post("/boards", data={"name": "x"}).status_code == 401


def test_pin_makes_a_board_and_its_page_draws_the_panels_in_one_batched_read(station, monkeypatch):
    from pages import dashboards

    _app, viewer, _other = station
    board_id = _board_id(_pin(viewer, "global-indices", "americas", width="8"))
    pick = viewer.get("/boards/pin?dashboard=rates&panel=curve").get_data(as_text=True)
    assert f'<option value="{board_id}">Morning</option>' in pick and "Treasury yield curve" in pick
    assert _board_id(_pin(viewer, "rates", "curve", str(board_id))) == board_id
    assert [p[:1] + p[2:] for p in _pins(board_id)] == [("global-indices", 8), ("rates", 6)]
    page = viewer.get(f"/boards/{board_id}")
    assert page.status_code == 200 and "<html" in page.get_data(as_text=True).lower()  # Dash's shell
    batches = []
    real_batch = dashboards.read.batch
    monkeypatch.setattr(dashboards.read, "batch", lambda reads: batches.append(list(reads)) or real_batch([]))
    drawn = _layout(viewer, board_id)
    assert len(batches) == 1 and {r.dataset for r in batches[0]} >= {"market_indices"}
    assert drawn.index("panel-global-indices-americas") < drawn.index("panel-rates-curve")
    assert '"gridColumn": "span 8"' in drawn and "Morning" in drawn
    assert f"/boards/{board_id}/panels" in drawn and "csrf_token" in drawn  # the owner's forms
    assert f'"href": "/boards/{board_id}?range=1Y"' in drawn and "/account/embed?dashboard=board-" not in drawn
    assert "/csv/global-indices/americas.csv?range=1Y" in _layout(viewer, board_id, "?range=1Y")  # the view applies
    assert _pin(viewer, "global-indices", "americas", str(board_id)).status_code == 303  # twice: once on the board
    assert len(_pins(board_id)) == 2


def test_order_width_and_removal_are_the_owners_to_change(station):
    _app, viewer, _other = station
    board_id = _board_id(_pin(viewer, "global-indices", "headline"))
    for panel in ("americas", "europe"):
        _pin(viewer, "global-indices", panel, str(board_id))
    assert [p[1] for p in _pins(board_id)] == ["headline", "americas", "europe"]
    moved = _edit(viewer, board_id, "panels", dashboard="global-indices", panel="europe", move="up")
    assert moved.status_code == 303 and moved.location == f"/boards/{board_id}"
    assert [p[1] for p in _pins(board_id)] == ["headline", "europe", "americas"]
    _edit(viewer, board_id, "panels", dashboard="global-indices", panel="headline", move="up")  # at the top: stays
    _edit(viewer, board_id, "panels", dashboard="global-indices", panel="headline", move="down")
    assert [p[1] for p in _pins(board_id)] == ["europe", "headline", "americas"]
    assert (
        _edit(viewer, board_id, "panels", dashboard="global-indices", panel="americas", width="12").status_code == 303
    )
    assert _pins(board_id)[2][2] == 12
    refused = _edit(viewer, board_id, "panels", dashboard="global-indices", panel="americas", width="7")
    assert refused.status_code == 400 and "3, 4, 6, 8, 12" in refused.get_data(as_text=True)
    _edit(viewer, board_id, "panels", dashboard="global-indices", panel="headline", remove="1")
    assert [p[1] for p in _pins(board_id)] == ["europe", "americas"]
    drawn = _layout(viewer, board_id)
    assert drawn.index("panel-global-indices-europe") < drawn.index("panel-global-indices-americas")


def test_rename_share_and_delete(station):
    _app, viewer, other = station
    board_id = _board_id(_pin(viewer, "global-indices", "headline", name="Private one"))
    assert other.get(f"/boards/{board_id}").status_code == 404
    assert other.get(f"/boards/{board_id}.yaml").status_code == 404
    assert "Private one" not in other.get("/boards").get_data(as_text=True)
    assert "No such board" in _layout(other, board_id) and "Private one" not in _layout(other, board_id)
    assert _edit(viewer, board_id, "rename", name="Shared one").status_code == 303
    assert _edit(viewer, board_id, "share", shared="1").status_code == 303
    assert other.get(f"/boards/{board_id}").status_code == 200
    assert f'<a href="/boards/{board_id}">Shared one</a></td><td>viewer' in other.get("/boards").get_data(as_text=True)
    drawn = _layout(other, board_id)
    assert "panel-global-indices-headline" in drawn and "viewer's board, shared read-only" in drawn
    assert f"/boards/{board_id}/panels" not in drawn  # no forms for a reader
    _edit(viewer, board_id, "share", shared="0")
    assert other.get(f"/boards/{board_id}").status_code == 404
    assert _edit(viewer, board_id, "delete").location == "/boards"
    assert list_boards(get_store().engine, _user_id("viewer")) == ([], [])
    assert viewer.get(f"/boards/{board_id}").status_code == 404


def test_another_user_cannot_change_a_shared_board_nor_a_private_one(station):
    _app, viewer, other = station
    board_id = _board_id(_pin(viewer, "global-indices", "headline", name="Mine"))
    edits = (
        ("panels", {"dashboard": "global-indices", "panel": "headline", "remove": "1"}),
        ("panels", {"dashboard": "global-indices", "panel": "headline", "width": "12"}),
        ("rename", {"name": "Theirs"}),
        ("share", {"shared": "1"}),
        ("delete", {}),
    )
    for action, data in edits:
        assert _edit(other, board_id, action, **data).status_code == 404, action  # private: no such board
    _edit(viewer, board_id, "share", shared="1")
    for action, data in edits:
        assert _edit(other, board_id, action, **data).status_code == 403, action  # shared: read-only
    assert _pin(other, "global-indices", "europe", str(board_id)).status_code == 403
    board = get_board(get_store().engine, board_id, _user_id("viewer"))
    assert board.name == "Mine" and board.shared and [(p.panel_id, p.width) for p in board.pins] == [("headline", 6)]


def test_forms_without_their_csrf_token_change_nothing(station):
    _app, viewer, _other = station
    assert viewer.post("/boards", data={"name": "x"}).status_code == 400
    board_id = _board_id(_pin(viewer, "global-indices", "headline"))
    for action, data in (("delete", {}), ("rename", {"name": "y"}), ("panels", {"remove": "1"})):
        assert viewer.post(f"/boards/{board_id}/{action}", data=data).status_code == 400, action
    answer = viewer.post("/boards/pin", data={"dashboard": "global-indices", "panel": "europe", "name": "z"})
    assert answer.status_code == 400
    mine, _ = list_boards(get_store().engine, _user_id("viewer"))
    assert [(b.name, n) for b, n in mine] == [("Morning", 1)]


def test_unknown_and_admin_only_panels_are_not_pinned_by_a_viewer(station):
    app, viewer, _other = station
    assert viewer.get("/boards/pin?dashboard=global-indices&panel=nope").status_code == 404
    assert viewer.get("/boards/pin?dashboard=system&panel=datasets").status_code == 404
    assert _pin(viewer, "system", "datasets").status_code == 404
    assert list_boards(get_store().engine, _user_id("viewer")) == ([], [])
    admin = app.server.test_client()
    login(admin, "root", ADMIN_PASSWORD)
    board_id = _board_id(_pin(admin, "system", "datasets", name="Ops"))
    _edit(admin, board_id, "share", shared="1")
    drawn = _layout(viewer, board_id)  # shared, but its System panel is for admins only
    assert "shown to admins only" in drawn and "panel-system-datasets" in drawn


def test_the_export_is_a_dashboard_file_the_loader_reads(station, tmp_path):
    _app, viewer, _other = station
    board_id = _board_id(_pin(viewer, "global-indices", "headline", name="Morning: “rates” & FX", width="12"))
    for dashboard in ("global-indices", "commodities-agriculture"):
        for panel in load_dashboards()[dashboard].panels[:3]:
            _pin(viewer, dashboard, panel.id, str(board_id), width="4")
    exported = viewer.get(f"/boards/{board_id}.yaml")
    assert exported.status_code == 200 and exported.mimetype == "application/yaml"
    text = exported.get_data(as_text=True)
    (tmp_path / "board.yaml").write_text(text)
    loaded = load_dashboards(tmp_path)
    assert len(loaded) == 1
    board = next(iter(loaded.values()))
    check_panel_options(board, option_schemas())
    assert board.title == "Morning: “rates” & FX" and board.path == f"/{board.id}"
    pins = _pins(board_id)
    assert len(board.panels) == len(pins) and [p.width for p in board.panels] == [w for *_, w in pins]
    originals = [load_dashboards()[d].panel(p) for d, p, _ in pins]
    assert [(p.type, p.dataset, p.keys, dict(p.options)) for p in board.panels] == [
        (p.type, p.dataset, p.keys, dict(p.options)) for p in originals
    ]
    assert len({p.id for p in board.panels}) == len(board.panels)  # headline of both: made unique
    assert parse_dashboard(text).id.startswith(f"board-{board_id}-morning")


def test_an_empty_board_has_nothing_to_export(station):
    _app, viewer, _other = station
    csrf = csrf_of(viewer.get("/boards").get_data(as_text=True))
    board_id = _board_id(viewer.post("/boards", data={"name": "Empty", "csrf_token": csrf}))
    assert viewer.get(f"/boards/{board_id}.yaml").status_code == 409
    assert "No panels yet" in _layout(viewer, board_id)


def test_a_user_removed_takes_their_boards_along(station):
    from sql.schema_boards import board_panels, boards
    from sql.users import remove_user

    _app, viewer, _other = station
    _board_id(_pin(viewer, "global-indices", "headline"))
    engine = get_store().engine
    remove_user(engine, "viewer")
    with engine.connect() as conn:
        assert conn.execute(boards.select()).all() == []
        assert conn.execute(board_panels.select()).all() == []
