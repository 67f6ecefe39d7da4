"""Signed embed links (SPARTAN_AUTH=local): the Embed dialog makes a link to one panel or one
dashboard that renders without a session, with the Dash requests, CSV and zoom of that embed
only; expired, altered and revoked links are refused with a message saying so; SPARTAN_AUTH=none
embeds stay as they were."""

from __future__ import annotations

import argparse
import html
import io
import json
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import update

from config.dashboard_specs import load_dashboards
from sql.embed_links import list_links, revoke_link
from sql.schema_users import embed_links
from sql.store import get_store
from tests.integration.test_auth_routes import (  # noqa: F401 - the make_app fixture
    VIEWER_PASSWORD,
    csrf_of,
    local_env,
    login,
    make_app,
    router_callback,
)

BOARD = next(b for b in load_dashboards().values() if b.group != "System" and len(b.panels) > 1)
PANEL, OTHER_PANEL = BOARD.panels[0].id, BOARD.panels[1].id
OTHER_BOARD = next(b for b in load_dashboards().values() if b.group != "System" and b.id != BOARD.id)


@pytest.fixture
def station(make_app):  # noqa: F811 - the fixture imported above
    """(app, a signed-in viewer, an anonymous client)."""
    app = make_app(**local_env())
    viewer, anonymous = app.server.test_client(), app.server.test_client()
    assert login(viewer, "viewer", VIEWER_PASSWORD).status_code == 303
    return app, viewer, anonymous


def make_link(viewer, scope: str = "panel", days: str = "30", view: str = "range=1Y") -> str:
    """The link the Embed dialog makes, as a path with its query."""
    dialog = viewer.get(f"/account/embed?dashboard={BOARD.id}&panel={PANEL}&{view}")
    assert dialog.status_code == 200, dialog.get_data(as_text=True)
    form = {
        "csrf_token": csrf_of(dialog.get_data(as_text=True)),
        "dashboard": BOARD.id,
        "panel": PANEL,
        "view": view,
        "scope": scope,
        "days": days,
    }
    made = viewer.post("/account/embed", data=form)
    assert made.status_code == 200, made.get_data(as_text=True)
    url = html.unescape(re.search(r'id="embed-link" [^>]*value="([^"]+)"', made.get_data(as_text=True)).group(1))
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def referer(link: str) -> dict[str, str]:
    return {"Referer": f"http://localhost{link}"}


def test_the_panels_embed_action_opens_the_dialog_with_logins_on(station):
    _, viewer, _ = station
    layout = json.dumps(viewer.get("/_dash-layout", headers=referer(BOARD.path)).get_json())
    assert f"/account/embed?dashboard={BOARD.id}&panel={PANEL}" in layout
    dialog = viewer.get(f"/account/embed?dashboard={BOARD.id}&panel={PANEL}").get_data(as_text=True)
    assert "The whole dashboard" in dialog and '<option value="30" selected>' in dialog


def test_a_panel_link_renders_its_embed_without_a_session(station):
    _, viewer, anonymous = station
    link = make_link(viewer)
    assert link.startswith(f"/embed/{BOARD.id}/{PANEL}?range=1Y&token=")
    page = anonymous.get(link)
    assert page.status_code == 200 and "spartan-navbar" not in page.get_data(as_text=True)
    assert "frame-ancestors 'self'" in page.headers["Content-Security-Policy"]
    layout = anonymous.get("/_dash-layout", headers=referer(link))
    assert layout.status_code == 200 and f"panel-{BOARD.id}-{PANEL}" in layout.get_data(as_text=True)
    assert f"panel-{BOARD.id}-{OTHER_PANEL}" not in layout.get_data(as_text=True)
    assert anonymous.get("/_dash-dependencies", headers=referer(link)).status_code == 200
    router = anonymous.post(
        "/_dash-update-component", json=router_callback(f"/embed/{BOARD.id}/{PANEL}"), headers=referer(link)
    )
    assert router.status_code in (200, 204)
    assert anonymous.get(f"/csv/{BOARD.id}/{PANEL}.csv", headers=referer(link)).status_code not in (401, 403)
    assert anonymous.get("/login").status_code == 200  # no session was opened by the link
    assert "spartan_session" not in (page.headers.get("Set-Cookie") or "")


def test_a_link_opens_nothing_but_its_embed(station):
    _, viewer, anonymous = station
    link = make_link(viewer)
    token = parse_qs(urlsplit(link).query)["token"][0]
    for url in (
        f"/api/market/indices?token={token}",
        f"{BOARD.path}?token={token}",
        f"{BOARD.path}?embed=1&token={token}",
        f"/embed/{BOARD.id}/{OTHER_PANEL}?token={token}",
        f"/csv/{BOARD.id}/{OTHER_PANEL}.csv?token={token}",
        f"{OTHER_BOARD.path}?embed=1&token={token}",
        f"/account?token={token}",
    ):
        response = anonymous.get(url)
        assert response.status_code == 403 and "opens" in response.get_data(as_text=True), url
    for url in ("/api/market/indices", f"/csv/{BOARD.id}/{OTHER_PANEL}.csv", "/api/system/status"):
        assert anonymous.get(url, headers=referer(link)).status_code == 403, url
    other = router_callback(OTHER_BOARD.path)
    assert anonymous.post("/_dash-update-component", json=other, headers=referer(link)).status_code == 403
    assert anonymous.get("/_dash-layout", headers=referer(OTHER_BOARD.path)).status_code == 401


def test_a_dashboard_link_opens_the_dashboard_embedded_and_its_panels_data(station):
    _, viewer, anonymous = station
    link = make_link(viewer, scope="dashboard")
    assert link.startswith(f"{BOARD.path}?embed=1&range=1Y&token=")
    page = anonymous.get(link)
    assert page.status_code == 200 and "spartan-navbar" not in page.get_data(as_text=True)
    layout = anonymous.get("/_dash-layout", headers=referer(link)).get_data(as_text=True)
    assert f"panel-{BOARD.id}-{PANEL}" in layout and f"panel-{BOARD.id}-{OTHER_PANEL}" in layout
    assert anonymous.get(f"/csv/{BOARD.id}/{OTHER_PANEL}.csv", headers=referer(link)).status_code not in (401, 403)
    without_embed = link.replace("embed=1&", "")
    assert anonymous.get(without_embed).status_code == 403  # the dashboard with its navigation is no embed


def test_an_expired_link_is_refused_with_a_clear_message(station):
    _, viewer, anonymous = station
    link = make_link(viewer)
    with get_store().engine.begin() as conn:
        conn.execute(update(embed_links).values(expires_at=datetime.now(UTC) - timedelta(minutes=1)))
    page = anonymous.get(link)
    assert page.status_code == 403 and "This embed link expired on" in page.get_data(as_text=True)
    layout = anonymous.get("/_dash-layout", headers=referer(link))
    assert layout.status_code == 403 and "expired" in layout.get_json()["error"]


def test_an_altered_link_is_refused(station):
    _, viewer, anonymous = station
    link = make_link(viewer)
    token = parse_qs(urlsplit(link).query)["token"][0]
    body, _, signature = token.rpartition(".")
    forged = body + "." + ("A" if signature[0] != "A" else "B") + signature[1:]
    for bad in (forged, token[:-3], "not-a-token"):
        page = anonymous.get(f"/embed/{BOARD.id}/{PANEL}?token={bad}")
        assert page.status_code == 403 and "not valid" in page.get_data(as_text=True), bad


def test_a_token_signed_with_another_key_is_refused(station, make_app):  # noqa: F811
    _, viewer, _ = station
    link = make_link(viewer)
    other = make_app(**local_env(SPARTAN_SECRET_KEY="another-secret-key-" + "y" * 32)).server.test_client()
    refused = other.get(link)  # another station: its own key (and its own database)
    assert refused.status_code == 403 and "not valid" in refused.get_data(as_text=True)


def test_a_revoked_link_is_refused(station):
    _, viewer, anonymous = station
    link = make_link(viewer)
    assert anonymous.get(link).status_code == 200
    (made,) = list_links(get_store().engine, "viewer")
    revoke_link(get_store().engine, made.id)
    page = anonymous.get(link)
    assert page.status_code == 403 and "This embed link was revoked" in page.get_data(as_text=True)


def test_a_link_needs_its_makers_role_and_an_allowed_lifetime(station):
    _, viewer, _ = station
    system = next(b for b in load_dashboards().values() if b.group == "System")
    assert viewer.get(f"/account/embed?dashboard={system.id}&panel={system.panels[0].id}").status_code == 403
    dialog = viewer.get(f"/account/embed?dashboard={BOARD.id}&panel={PANEL}").get_data(as_text=True)
    form = {"csrf_token": csrf_of(dialog), "dashboard": BOARD.id, "panel": PANEL, "scope": "panel", "days": "9999"}
    assert viewer.post("/account/embed", data=form).status_code == 400
    assert viewer.post("/account/embed", data={**form, "days": "30", "csrf_token": "x"}).status_code == 400
    assert list_links(get_store().engine) == []


def test_without_logins_the_embed_action_links_the_panel_as_before(make_app):  # noqa: F811
    client = make_app().server.test_client()
    layout = json.dumps(client.get("/_dash-layout", headers=referer(BOARD.path)).get_json())
    assert f"/embed/{BOARD.id}/{PANEL}" in layout and "/account/embed" not in layout
    assert client.get(f"/embed/{BOARD.id}/{PANEL}").status_code == 200


def test_an_admin_lists_and_revokes_embed_links_from_the_command_line(station, tmp_path):
    from jobs.users import add_parser, run

    _, viewer, anonymous = station
    link = make_link(viewer)
    parser = argparse.ArgumentParser()
    add_parser(parser.add_subparsers(dest="command"))
    engine = get_store().engine

    def cli(*args: str) -> tuple[int, str]:
        out = io.StringIO()
        return run(engine, parser.parse_args(["users", "embed", *args]), out), out.getvalue()

    code, listed = cli("list")
    (made,) = list_links(engine)
    assert code == 0 and "viewer           live" in listed and f"/embed/{BOARD.id}/{PANEL}" in listed
    assert cli("revoke", str(made.id)) == (0, f"embed link {made.id} revoked: it opens nothing from now on\n")
    assert "revoked" in cli("list", "viewer")[1]
    assert anonymous.get(link).status_code == 403
    assert cli("revoke", str(made.id))[0] == 1  # already revoked: a clear error, not a silent success


def test_requests_opened_by_a_link_are_audited_with_its_id_and_never_its_token(make_app, tmp_path):  # noqa: F811
    audit_file = tmp_path / "audit.jsonl"
    app = make_app(**local_env(SPARTAN_AUDIT_LOG=str(audit_file)))
    viewer, anonymous = app.server.test_client(), app.server.test_client()
    login(viewer, "viewer", VIEWER_PASSWORD)
    link = make_link(viewer)
    anonymous.get(link)
    (made,) = list_links(get_store().engine)
    lines = [json.loads(line) for line in audit_file.read_text().splitlines()]
    opened = [line for line in lines if line.get("path") == f"/embed/{BOARD.id}/{PANEL}"]
    assert [(line["user"], line.get("embed_link_id")) for line in opened] == [(None, made.id)]
    assert parse_qs(urlsplit(link).query)["token"][0] not in audit_file.read_text()


def test_the_dashboards_embed_action_makes_a_link_to_the_whole_dashboard(station):
    _, viewer, anonymous = station
    layout = json.dumps(viewer.get("/_dash-layout", headers=referer(BOARD.path)).get_json())
    assert f'"/account/embed?dashboard={BOARD.id}"' in layout
    dialog = viewer.get(f"/account/embed?dashboard={BOARD.id}").get_data(as_text=True)
    assert 'value="dashboard" checked' in dialog and "This panel" not in dialog
    form = {"csrf_token": csrf_of(dialog), "dashboard": BOARD.id, "panel": "", "scope": "dashboard", "days": "7"}
    made = viewer.post("/account/embed", data=form).get_data(as_text=True)
    url = html.unescape(re.search(r'id="embed-link" [^>]*value="([^"]+)"', made).group(1))
    assert urlsplit(url).path == BOARD.path and anonymous.get(url).status_code == 200
    assert viewer.post("/account/embed", data={**form, "scope": "panel"}).status_code == 400
