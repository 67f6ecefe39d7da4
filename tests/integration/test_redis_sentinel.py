"""A station on Redis Sentinel for real: a private redis-server and a sentinel watching it
(tests/fixtures/services.py), ``SPARTAN_REDIS_URL=redis+sentinel://…/service/db``. The cache and
the rate limits reach the master through the sentinel, in the database the URL names.
Skips when redis-server is not installed."""

from __future__ import annotations

import shutil
import uuid

import pytest
import redis
from limits.storage import storage_from_string

from tests.conftest import make_settings
from tests.fixtures.services import RedisSentinel, RedisServer

pytestmark = pytest.mark.skipif(shutil.which("redis-server") is None, reason="redis-server is not installed")

SERVICE = "station"
DB = 3


@pytest.fixture
def sentinel_url(tmp_path):
    master = RedisServer().start()
    sentinel = None
    try:
        sentinel = RedisSentinel(master, SERVICE, tmp_path).start()
        yield f"redis+sentinel://127.0.0.1:{sentinel.port}/{SERVICE}/{DB}", redis.Redis(port=master.port, db=DB)
    finally:
        if sentinel:
            sentinel.stop()
        master.stop()


def test_the_cache_and_the_rate_limits_reach_the_master_through_the_sentinel(tmp_path, sentinel_url):
    from middleware.rate_limits import limiter_storage
    from sql.cache import configure_cache, ping

    url, master = sentinel_url
    prefix = f"spartan-sentinel-{uuid.uuid4().hex[:6]}:"
    settings = make_settings(tmp_path, "sqlite", SPARTAN_REDIS_URL=url, SPARTAN_CACHE_PREFIX=prefix)
    cache = configure_cache(settings)
    assert ping(settings) == (True, "redis")
    assert cache.set("probe", {"a": 1}) and cache.get("probe") == {"a": 1}
    assert master.exists(f"{prefix}probe")
    assert cache.add("lock", 1, timeout=60) and not cache.add("lock", 2, timeout=60)

    uri, options = limiter_storage(settings)
    storage = storage_from_string(uri, **options)
    assert storage.check()
    assert storage.incr("client", 60) == 1 and storage.incr("client", 60) == 2
    assert any(key.decode().startswith(f"{prefix}ratelimit") for key in master.scan_iter())
