"""api.conditional.etag_cache: one ETag → 304 → (kept body) → build sequence for every view."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask, Response

from api import conditional

CHANGED = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


def _app(version: list[int], builds: list[str]) -> Flask:
    app = Flask("etag-cache-under-test")

    @conditional.etag_cache(conditional.SYSTEM_MAX_AGE, keep=False)
    def tagged() -> conditional.Tagged:
        etag = conditional.make_etag(version[0])

        def build() -> Response:
            builds.append(etag)
            return conditional.cache_headers(Response("body"), etag, CHANGED, conditional.SYSTEM_MAX_AGE)

        return conditional.Tagged(etag, CHANGED, build)

    app.add_url_rule("/t", "t", tagged)
    return app


def test_a_current_copy_gets_a_304_without_building_the_body():
    version, builds = [1], []
    client = _app(version, builds).test_client()
    first = client.get("/t")
    assert first.status_code == 200 and first.data == b"body" and len(builds) == 1
    again = client.get("/t", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.headers["ETag"] == first.headers["ETag"] and len(builds) == 1
    assert again.headers["Cache-Control"] == f"max-age={conditional.SYSTEM_MAX_AGE}"
    since = client.get("/t", headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert since.status_code == 304 and len(builds) == 1


def test_a_new_version_or_no_validator_builds_again_when_bodies_are_not_kept():
    version, builds = [1], []
    client = _app(version, builds).test_client()
    etag = client.get("/t").headers["ETag"]
    assert client.get("/t").status_code == 200 and len(builds) == 2  # keep=False: built each time
    version[0] = 2
    moved = client.get("/t", headers={"If-None-Match": etag})
    assert moved.status_code == 200 and moved.headers["ETag"] != etag and len(builds) == 3
