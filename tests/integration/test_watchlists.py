"""Watchlists (SPARTAN_AUTH=local): a signed-in user makes lists, adds instruments and series
(only ones the catalog knows), sees each item's latest value and change read from the stored
rows, takes items off, renames and deletes lists — and nobody else sees or changes them.
With SPARTAN_AUTH=none the pages say that watchlists need logins."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from sql.store import get_store
from sql.users import add_user
from sql.watchlists import create_watchlist, get_watchlist, list_watchlists
from tests.integration.test_auth_routes import (  # noqa: F401 - the make_app fixture
    VIEWER_PASSWORD,
    csrf_of,
    local_env,
    login,
    make_app,
)

CATALOG = """
sources:
  - {id: test_src, provider: test, category: indices, base_url: https://example.invalid, auth_env: null}
datasets:
  market_indices:
    - {key: SPX, label: S&P 500, providers: [{source: test_src, symbol: SPX}]}
    - {key: NDX, label: Nasdaq 100, providers: [{source: test_src, symbol: NDX}]}
  fred_series:
    - {key: DGS10, label: 10-year Treasury, unit: "%", providers: [{source: test_src, symbol: DGS10}]}
"""
TODAY = datetime.now(UTC).date()
OTHER_PASSWORD = "other password 1"


def _write(dataset: str, frame: pd.DataFrame) -> None:
    from sql.versions import publish_version
    from sql.write import write_dataset

    with get_store().engine.begin() as conn:
        _rows, version = write_dataset(conn, dataset, frame, "test_src")
    publish_version(dataset, version)


def _stored_data() -> None:
    days = pd.DatetimeIndex([pd.Timestamp(TODAY - timedelta(days=2)), pd.Timestamp(TODAY - timedelta(days=1))])
    _write(
        "market_indices",
        pd.DataFrame(
            {
                "symbol": "SPX",
                "interval": "1d",
                "ts": days.tz_localize(UTC),
                "open": np.nan,
                "high": np.nan,
                "low": np.nan,
                "close": [5000.0, 5050.0],
                "volume": np.nan,
                "source": "test_src",
                "fetched_at": datetime.now(UTC),
            }
        ),
    )
    _write(
        "fred_series",
        pd.DataFrame(
            {
                "series_id": "DGS10",
                "date": days.date,
                "value": [4.00, 4.05],
                "source": "test_src",
                "fetched_at": datetime.now(UTC),
            }
        ),
    )


@pytest.fixture
def station(make_app, tmp_path):  # noqa: F811 - the fixture imported above
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(CATALOG)
    app = make_app(**local_env(SPARTAN_SOURCES_FILE=str(catalog)))
    add_user(get_store().engine, "other", OTHER_PASSWORD, "viewer")
    _stored_data()
    viewer, other = app.server.test_client(), app.server.test_client()
    assert login(viewer, "viewer", VIEWER_PASSWORD).status_code == 303
    assert login(other, "other", OTHER_PASSWORD).status_code == 303
    return viewer, other


def _user_id(name: str) -> int:
    from sql.users import list_users

    return next(u.id for u in list_users(get_store().engine) if u.username == name)


def _make_list(client, name: str = "Morning") -> int:
    csrf = csrf_of(client.get("/watchlists").get_data(as_text=True))
    made = client.post("/watchlists", data={"name": name, "csrf_token": csrf})
    assert made.status_code == 303
    return int(re.fullmatch(r"/watchlists/(\d+)", made.location).group(1))


def _add(client, watchlist_id: int, key: str):
    csrf = csrf_of(client.get(f"/watchlists/{watchlist_id}").get_data(as_text=True))
    return client.post(f"/watchlists/{watchlist_id}/items", data={"key": key, "csrf_token": csrf})


def test_watchlists_need_a_login(make_app):  # noqa: F811
    client = make_app(**local_env()).server.test_client()
    assert client.get("/watchlists").location == "/login?next=%2Fwatchlists"
    assert client.post("/watchlists", data={"name": "x"}).status_code == 401


def test_without_logins_the_pages_say_watchlists_need_local_users(make_app):  # noqa: F811
    client = make_app().server.test_client()
    page = client.get("/watchlists")
    assert page.status_code == 404 and "SPARTAN_AUTH=local" in page.get_data(as_text=True)
    assert "SPARTAN_AUTH=local" in client.get("/watchlists/1").get_data(as_text=True)


def test_a_list_shows_each_items_latest_value_and_change_from_the_stored_rows(station):
    viewer, _ = station
    watchlist_id = _make_list(viewer)
    assert _add(viewer, watchlist_id, "SPX").location == f"/watchlists/{watchlist_id}"
    assert _add(viewer, watchlist_id, "dgs10").status_code == 303  # typed in lower case
    page = viewer.get(f"/watchlists/{watchlist_id}").get_data(as_text=True)
    assert page.index("S&amp;P 500") < page.index("10-year Treasury")  # in the order added
    assert 'href="/instrument/SPX"' in page and 'href="/series/DGS10"' in page
    assert "5,050.00" in page and "+50.00" in page and "+1.00%" in page
    rate = page[page.index("10-year Treasury") :].split("</tr>")[0]
    assert "4.05%" in rate and "+0.05%" in rate and "—" in rate  # no percent change of a rate
    assert (TODAY - timedelta(days=1)).isoformat() in page
    items = get_watchlist(get_store().engine, watchlist_id, _user_id("viewer")).items
    assert [(i.kind, i.key) for i in items] == [("instrument", "SPX"), ("series", "DGS10")]


def test_an_instrument_without_data_yet_is_listed_without_values(station):
    viewer, _ = station
    watchlist_id = _make_list(viewer)
    _add(viewer, watchlist_id, "NDX")
    page = viewer.get(f"/watchlists/{watchlist_id}").get_data(as_text=True)
    assert "Nasdaq 100" in page and "no data yet" in page


def test_an_unknown_symbol_is_refused_and_nothing_is_stored(station):
    viewer, _ = station
    watchlist_id = _make_list(viewer)
    refused = _add(viewer, watchlist_id, "NOPE<script>")
    text = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "not in the station&#39;s catalog" in text and "<script>" not in text
    assert get_watchlist(get_store().engine, watchlist_id, _user_id("viewer")).items == ()


def test_an_item_added_twice_is_listed_once_and_can_be_taken_off(station):
    viewer, _ = station
    watchlist_id = _make_list(viewer)
    _add(viewer, watchlist_id, "SPX")
    _add(viewer, watchlist_id, "SPX")
    engine, owner = get_store().engine, _user_id("viewer")
    assert len(get_watchlist(engine, watchlist_id, owner).items) == 1
    csrf = csrf_of(viewer.get(f"/watchlists/{watchlist_id}").get_data(as_text=True))
    removed = viewer.post(
        f"/watchlists/{watchlist_id}/items/remove", data={"kind": "instrument", "key": "SPX", "csrf_token": csrf}
    )
    assert removed.status_code == 303 and get_watchlist(engine, watchlist_id, owner).items == ()


def test_lists_are_renamed_and_deleted_by_their_owner(station):
    viewer, _ = station
    watchlist_id = _make_list(viewer, "Old name")
    _add(viewer, watchlist_id, "SPX")
    csrf = csrf_of(viewer.get("/watchlists").get_data(as_text=True))
    assert (
        viewer.post(f"/watchlists/{watchlist_id}/rename", data={"name": "Rates", "csrf_token": csrf}).status_code == 303
    )
    page = viewer.get("/watchlists").get_data(as_text=True)
    assert f'<a href="/watchlists/{watchlist_id}">Rates</a>' in page and "Old name" not in page
    assert viewer.post(f"/watchlists/{watchlist_id}/delete", data={"csrf_token": csrf}).status_code == 303
    assert list_watchlists(get_store().engine, _user_id("viewer")) == []
    assert viewer.get(f"/watchlists/{watchlist_id}").status_code == 404


def test_another_user_can_neither_see_nor_change_a_list(station):
    viewer, other = station
    watchlist_id = _make_list(viewer, "Private")
    _add(viewer, watchlist_id, "SPX")
    seen = other.get(f"/watchlists/{watchlist_id}")
    assert seen.status_code == 404 and "Private" not in seen.get_data(as_text=True)
    assert "Private" not in other.get("/watchlists").get_data(as_text=True)
    csrf = csrf_of(other.get("/watchlists").get_data(as_text=True))
    for action, data in (("items", {"key": "NDX"}), ("rename", {"name": "Mine"}), ("delete", {})):
        answer = other.post(f"/watchlists/{watchlist_id}/{action}", data={**data, "csrf_token": csrf})
        assert answer.status_code == 404, action
    kept = get_watchlist(get_store().engine, watchlist_id, _user_id("viewer"))
    assert kept.name == "Private" and [i.key for i in kept.items] == ["SPX"]


def test_forms_without_their_csrf_token_change_nothing(station):
    viewer, _ = station
    assert viewer.post("/watchlists", data={"name": "x"}).status_code == 400
    assert list_watchlists(get_store().engine, _user_id("viewer")) == []
    watchlist_id = create_watchlist(get_store().engine, _user_id("viewer"), "Mine").id
    assert viewer.post(f"/watchlists/{watchlist_id}/items", data={"key": "SPX"}).status_code == 400
    assert get_watchlist(get_store().engine, watchlist_id, _user_id("viewer")).items == ()


def test_add_to_watchlist_from_a_detail_page(station):
    viewer, _ = station
    layout = viewer.get("/_dash-layout", headers={"Referer": "http://localhost/instrument/SPX"})
    assert "/watchlists/add?kind=instrument&key=SPX" in json.dumps(layout.get_json())
    pick = viewer.get("/watchlists/add?kind=series&key=DGS10").get_data(as_text=True)
    assert "A new watchlist" in pick
    made = viewer.post(
        "/watchlists/add", data={"kind": "series", "key": "DGS10", "name": "From detail", "csrf_token": csrf_of(pick)}
    )
    watchlist_id = int(made.location.rsplit("/", 1)[1])
    pick = viewer.get("/watchlists/add?kind=instrument&key=SPX").get_data(as_text=True)
    assert f'<option value="{watchlist_id}">From detail</option>' in pick
    viewer.post(
        "/watchlists/add",
        data={"kind": "instrument", "key": "SPX", "watchlist": str(watchlist_id), "csrf_token": csrf_of(pick)},
    )
    items = get_watchlist(get_store().engine, watchlist_id, _user_id("viewer")).items
    assert [i.key for i in items] == ["DGS10", "SPX"]
    assert viewer.get("/watchlists/add?key=NOPE").status_code == 404


def test_a_user_removed_takes_their_watchlists_along(station):
    from sql.users import remove_user

    viewer, _ = station
    engine = get_store().engine
    watchlist_id = _make_list(viewer, "Going")
    _add(viewer, watchlist_id, "SPX")
    owner = _user_id("viewer")
    remove_user(engine, "viewer")
    with engine.connect() as conn:
        from sql.schema_watchlists import watchlist_items, watchlists

        assert conn.execute(watchlists.select()).all() == []
        assert conn.execute(watchlist_items.select()).all() == []
    assert list_watchlists(engine, owner) == []


def test_the_account_page_links_to_the_watchlists(station):
    viewer, _ = station
    assert 'href="/watchlists"' in viewer.get("/account").get_data(as_text=True)
