"""API bodies are built once per (dataset version, path, query, format, host) and then served as
they are (api/response_cache.py) — until the dataset moves to a new version."""

from __future__ import annotations

import pytest

from tests.integration.test_api import bars, empty_api, store_rows  # noqa: F401 - fixture

PATH = "/api/market/indices"


@pytest.fixture
def builds(monkeypatch):
    """Counts the latest-values and history frames the API builds."""
    from api import data

    counted = {"latest": 0, "history": 0}
    for name in counted:
        real = getattr(data, name)

        def counting(*args, _real=real, _name=name, **kwargs):
            counted[_name] += 1
            return _real(*args, **kwargs)

        monkeypatch.setattr(data, name, counting)
    return counted


def test_a_body_is_built_once_per_version_and_served_again(empty_api, builds):  # noqa: F811
    store_rows("market_indices", bars("SPX", [100.0, 101.0, 102.0]))
    first = empty_api.get(PATH)
    again = empty_api.get(PATH)
    assert first.status_code == again.status_code == 200
    assert again.data == first.data and again.headers["ETag"] == first.headers["ETag"]
    assert again.headers["X-Dataset-Version"] == first.headers["X-Dataset-Version"]
    assert again.headers["Content-Type"] == "application/json"
    assert builds["latest"] == 1

    # Another format or query is another body.
    assert empty_api.get(PATH + "?format=csv").headers["Content-Type"].startswith("text/csv")
    assert empty_api.get(PATH + "?symbols=SPX").status_code == 200
    assert builds["latest"] == 3

    store_rows("market_indices", bars("SPX", [100.0, 101.0, 102.0, 150.0]))  # a refresh
    moved = empty_api.get(PATH)
    assert moved.headers["ETag"] != first.headers["ETag"] and builds["latest"] == 4
    assert moved.get_json()["items"][0]["close"] == 150.0


def test_history_bodies_are_kept_too_and_other_workers_find_them_shared(empty_api, builds):  # noqa: F811
    from api import response_cache

    store_rows("market_indices", bars("SPX", [100.0, 101.0, 102.0]))
    first = empty_api.get(PATH + "/SPX?interval=weekly")
    response_cache.clear_local()  # as another worker: only the shared cache has it
    second = empty_api.get(PATH + "/SPX?interval=weekly")
    assert second.data == first.data and builds["history"] == 1


def test_errors_are_not_kept(empty_api, builds):  # noqa: F811
    assert empty_api.get(PATH + "/NOPE").status_code == 404
    assert empty_api.get(PATH + "?limit=0").status_code == 400
    assert empty_api.get(PATH + "/NOPE").status_code == 404


def test_a_kept_body_goes_out_gzipped_once_compressed(empty_api, builds):  # noqa: F811
    import gzip

    store_rows("market_indices", bars("SPX", [100.0 + i for i in range(30)]))
    plain = empty_api.get(PATH + "/SPX")
    zipped = empty_api.get(PATH + "/SPX", headers={"Accept-Encoding": "gzip, deflate"})
    assert zipped.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in zipped.headers["Vary"]
    assert gzip.decompress(zipped.data) == plain.data
    assert zipped.headers["ETag"] == plain.headers["ETag"]  # weak: the same resource either way
    assert "Content-Encoding" not in empty_api.get(PATH + "/SPX").headers
    assert builds["history"] == 1
