"""SPARTAN_REDIS_URL: one server or a Redis Sentinel deployment, a clear error for anything else."""

from __future__ import annotations

import re

import pytest

from config.redis_url import RedisUrlError, SentinelTarget, is_sentinel, parse_redis_url
from config.settings import SettingsError, load_settings


@pytest.mark.parametrize("url", ["redis://cache:6379/2", "rediss://:pw@cache:6380/0", "unix:///run/redis.sock"])
def test_a_plain_url_is_kept_as_it_is(url):
    assert parse_redis_url(url) == url
    assert not is_sentinel(url)


def test_a_sentinel_url_names_every_sentinel_the_service_and_the_database():
    target = parse_redis_url("redis+sentinel://:s%40cret@s1:26380,s2,[::1]:26381/station/3")
    assert target == SentinelTarget((("s1", 26380), ("s2", 26379), ("::1", 26381)), "station", 3, None, "s@cret")
    assert is_sentinel("redis+sentinel://s1/station")


def test_a_sentinel_url_without_a_database_uses_database_0_and_no_password():
    target = parse_redis_url("redis+sentinel://10.0.0.5/mymaster")
    assert (target.sentinels, target.service, target.db, target.password) == (
        (("10.0.0.5", 26379),),
        "mymaster",
        0,
        None,
    )


def test_the_limits_uri_spells_the_same_deployment_without_the_database():
    target = parse_redis_url("redis+sentinel://app:pw@s1:26380,[::1]/station/3")
    assert target.limits_uri() == "redis+sentinel://app:pw@s1:26380,[::1]:26379/station"


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("memcached://cache:11211", "must be a redis://"),
        ("redis+sentinel://s1:26379", "names the master's service"),
        ("redis+sentinel://s1:26379/", "names the master's service"),
        ("redis+sentinel://s1/station/x", "database must be a number"),
        ("redis+sentinel://s1/station/0/extra", "names the master's service"),
        ("redis+sentinel://s1:99999/station", "out of range"),
        ("redis+sentinel://s1,,s2/station", "is not a host[:port]"),
        ("redis+sentinel://s1/station?db=2", "no query"),
        ("redis+sentinel://s1/sta tion", "not a service name"),
    ],
)
def test_a_bad_url_is_refused_saying_why(url, says):
    with pytest.raises(RedisUrlError, match=re.escape(says)):
        parse_redis_url(url)


def test_settings_accept_a_sentinel_url_and_refuse_a_bad_one(tmp_path):
    url = "redis+sentinel://s1:26379,s2:26379/station/1"
    settings = load_settings({"SPARTAN_VAR_DIR": str(tmp_path), "SPARTAN_REDIS_URL": url})
    assert settings.redis_url == url and settings.cache_backend == "redis"
    with pytest.raises(SettingsError, match="names the master's service"):
        load_settings({"SPARTAN_VAR_DIR": str(tmp_path), "SPARTAN_REDIS_URL": "redis+sentinel://s1"})


def test_the_cache_and_the_rate_limits_use_the_sentinels(tmp_path):
    from middleware.rate_limits import limiter_storage
    from sql.cache import cache_config

    url = "redis+sentinel://:pw@s1:26380,s2/station/2"
    settings = load_settings({"SPARTAN_VAR_DIR": str(tmp_path), "SPARTAN_REDIS_URL": url})
    config = cache_config(settings)
    assert config["CACHE_TYPE"] == "sql.instrumentation.InstrumentedRedisSentinelCache"
    assert config["CACHE_REDIS_SENTINELS"] == [("s1", 26380), ("s2", 26379)]
    assert (config["CACHE_REDIS_SENTINEL_MASTER"], config["CACHE_REDIS_DB"], config["CACHE_REDIS_PASSWORD"]) == (
        "station",
        2,
        "pw",
    )
    uri, options = limiter_storage(settings)
    assert uri == "redis+sentinel://:pw@s1:26380,s2:26379/station"
    assert options["db"] == 2 and options["use_replicas"] is False
