"""The cache going away (Redis down at start or mid-run) degrades to database reads: pages and
the API keep answering with data, /health says the cache is down, nothing raises."""

from __future__ import annotations

import pytest
from flask import Flask

from sql.instrumentation import InstrumentedRedisCache
from tests.conftest import demo_settings


def test_a_station_whose_redis_is_down_serves_from_the_database(demo_root):
    import app as webapp

    settings = demo_settings(demo_root, SPARTAN_REDIS_URL="redis://127.0.0.1:1/0")  # nothing listens there
    client = webapp.create_app(settings).server.test_client()
    indices = client.get("/api/market/indices")
    assert indices.status_code == 200 and len(indices.get_json()["items"]) > 10
    assert client.get("/_dash-layout").status_code == 200
    health = client.get("/health")
    assert health.status_code == 200  # still serving: a balancer must not pull it
    assert health.get_json()["status"] == "degraded" and health.get_json()["ready"] is True
    assert health.get_json()["checks"]["cache"]["ok"] is False
    assert health.get_json()["checks"]["database"]["ok"] is True


class FlakyRedis(InstrumentedRedisCache):
    """The instrumented backend over a fake Redis client that can be switched off."""

    def __init__(self):
        super().__init__(host="127.0.0.1", port=1)
        self.store, self.up, self.calls = {}, True, 0
        outer = self

        class Client:
            def get(self, key):
                outer.calls += 1
                if not outer.up:
                    raise ConnectionError("Connection refused")
                return outer.store.get(key)

            def mget(self, keys):
                return [self.get(key) for key in keys]

            def setex(self, name, value, time):
                outer.calls += 1
                if not outer.up:
                    raise ConnectionError("Connection refused")
                outer.store[name] = value
                return True

            def set(self, name, value, **kwargs):
                return self.setex(name, value, 0)

        self._read_client = self._write_client = Client()


def test_an_outage_mid_run_turns_into_misses_then_the_cache_comes_back(monkeypatch, caplog):
    backend = FlakyRedis()
    clock = [1000.0]
    monkeypatch.setattr("sql.instrumentation.time.monotonic", lambda: clock[0])
    with Flask(__name__).app_context():
        assert backend.set("k", "v") is True and backend.get("k") == "v"
        backend.up = False
        assert backend.get("k") is None  # a miss, not an exception
        assert backend.set("k", "w") is False and backend.get_many("k", "j") == [None, None]
        calls = backend.calls
        for _ in range(50):
            backend.get("k")
        assert backend.calls == calls  # left alone while it is down: no connect timeout per call
        assert "reading from the database" in caplog.text
        backend.up = True
        clock[0] += backend.RETRY_AFTER + 0.1
        assert backend.get("k") == "v"  # back, with what it held


@pytest.mark.parametrize("operation", ["add", "delete", "has"])
def test_every_write_path_survives_the_outage(operation):
    backend = FlakyRedis()
    backend.up = False
    backend._write_client.setnx = backend._write_client.delete = backend._write_client.exists = None  # would raise
    assert getattr(backend, operation)(*(("k", "v") if operation == "add" else ("k",))) is False
