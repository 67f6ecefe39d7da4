"""Settings from SPARTAN_* variables: embedded defaults, backend switches, clear errors, no leaked secrets."""

from __future__ import annotations

from pathlib import Path

import pytest

from config.settings import PROJECT_ROOT, Settings, SettingsError, load_settings, redact_url

DB_PASSWORD = "Db-s3cr3t-pw"
REDIS_PASSWORD = "R3d1s-s3cr3t"
SECRET_ENV = {
    "SPARTAN_DATABASE_URL": f"postgresql://station:{DB_PASSWORD}@db.internal:5432/markets",
    "SPARTAN_REDIS_URL": f"redis://:{REDIS_PASSWORD}@cache.internal:6379/0",
}


# --- defaults ------------------------------------------------------------------------------------


def test_defaults_with_an_empty_env_use_sqlite_under_var():
    s = load_settings({})
    assert s.var_dir == PROJECT_ROOT / "var"
    assert s.database_url == f"sqlite:///{PROJECT_ROOT / 'var' / 'spartan.db'}"
    assert s.is_postgres is False


def test_defaults_with_an_empty_env_use_a_filesystem_cache_under_var_cache():
    s = load_settings({})
    assert s.redis_url is None
    assert s.cache_backend == "filesystem"
    assert s.cache_dir == PROJECT_ROOT / "var" / "cache"
    assert s.cache_prefix == "spartan:"


def test_defaults_with_an_empty_env_serve_on_port_8888_with_schema_spartan_research():
    s = load_settings({})
    assert (s.host, s.port) == ("127.0.0.1", 8888)
    assert s.db_schema == "spartan_research"
    assert s.sources_file == PROJECT_ROOT / "config" / "sources.yaml"
    assert s.fred_base_url == "https://fred.stlouisfed.org"
    assert (s.http_timeout, s.http_retries, s.http_max_retry_after) == (20.0, 3, 30.0)
    assert (s.refresh_minute, s.workers, s.log_level) == (0, 10, "INFO")
    assert s.embed_origins == () and s.base_url_overrides == ()


def test_empty_strings_count_as_unset():
    s = load_settings(
        {"SPARTAN_PORT": "", "SPARTAN_DATABASE_URL": "", "SPARTAN_REDIS_URL": "", "SPARTAN_DB_SCHEMA": ""}
    )
    assert (s.port, s.db_schema, s.cache_backend) == (8888, "spartan_research", "filesystem")
    assert s.database_url.startswith("sqlite:///")


def test_var_dir_moves_the_sqlite_file_and_the_cache(tmp_path: Path):
    s = load_settings({"SPARTAN_VAR_DIR": str(tmp_path)})
    assert s.database_url == f"sqlite:///{tmp_path / 'spartan.db'}"
    assert s.cache_dir == tmp_path / "cache"


def test_load_settings_without_an_argument_reads_the_process_environment(monkeypatch):
    monkeypatch.setenv("SPARTAN_PORT", "9123")
    assert load_settings().port == 9123


# --- backend switches ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u:p@db:5432/x", "postgresql+psycopg2://u:p@db:5432/x"),
        ("postgresql://u:p@db/x", "postgresql+psycopg2://u:p@db/x"),
        ("postgresql+psycopg2://u:p@db/x", "postgresql+psycopg2://u:p@db/x"),
    ],
    ids=["postgres-scheme", "postgresql-scheme", "explicit-driver"],
)
def test_database_url_is_normalised_to_the_psycopg2_driver(given, expected):
    s = load_settings({"SPARTAN_DATABASE_URL": given})
    assert s.database_url == expected
    assert s.is_postgres is True


def test_a_sqlite_database_url_is_kept_as_given():
    s = load_settings({"SPARTAN_DATABASE_URL": "sqlite:////data/station.db"})
    assert s.database_url == "sqlite:////data/station.db"
    assert s.is_postgres is False


@pytest.mark.parametrize("url", ["redis://cache:6379/0", "rediss://cache:6380/1", "unix:///run/redis.sock"])
def test_redis_url_switches_the_cache_backend_to_redis(url):
    s = load_settings({"SPARTAN_REDIS_URL": url})
    assert s.redis_url == url
    assert s.cache_backend == "redis"


def test_fred_base_url_and_overrides_lose_their_trailing_slash():
    s = load_settings(
        {
            "SPARTAN_FRED_BASE_URL": "http://127.0.0.1:8765/",
            "SPARTAN_BASE_URL_STOOQ": "http://127.0.0.1:1/",
            "SPARTAN_BASE_URL_ALL": "http://127.0.0.1:2",
        }
    )
    assert s.fred_base_url == "http://127.0.0.1:8765"
    assert s.base_url_overrides == (("all", "http://127.0.0.1:2"), ("stooq", "http://127.0.0.1:1"))


def test_embed_origins_are_split_on_commas_and_trimmed():
    s = load_settings({"SPARTAN_EMBED_ORIGINS": " https://a.example , ,https://b.example"})
    assert s.embed_origins == ("https://a.example", "https://b.example")


# --- invalid values ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SPARTAN_PORT": "eighty"}, "SPARTAN_PORT must be an integer, got 'eighty'"),
        ({"SPARTAN_PORT": "0"}, "SPARTAN_PORT must be >= 1, got 0"),
        ({"SPARTAN_HTTP_RETRIES": "2.5"}, "SPARTAN_HTTP_RETRIES must be an integer"),
        ({"SPARTAN_WORKERS": "0"}, "SPARTAN_WORKERS must be >= 1"),
        ({"SPARTAN_HTTP_TIMEOUT": "fast"}, "SPARTAN_HTTP_TIMEOUT must be a number, got 'fast'"),
        ({"SPARTAN_HTTP_TIMEOUT": "0"}, "SPARTAN_HTTP_TIMEOUT must be a finite number > 0"),
        ({"SPARTAN_HTTP_TIMEOUT": "nan"}, "SPARTAN_HTTP_TIMEOUT must be a finite number > 0"),
        ({"SPARTAN_MAX_DAILY_JUMP": "inf"}, "SPARTAN_MAX_DAILY_JUMP must be a finite number > 0"),
        ({"SPARTAN_PORT": "70000"}, "SPARTAN_PORT must be <= 65535, got 70000"),
        ({"SPARTAN_DB_SCHEMA": "Spartan"}, "SPARTAN_DB_SCHEMA must be a plain lower-case identifier"),
        ({"SPARTAN_DB_SCHEMA": "x; drop schema public"}, "SPARTAN_DB_SCHEMA"),
        ({"SPARTAN_DB_SCHEMA": "1abc"}, "SPARTAN_DB_SCHEMA"),
        ({"SPARTAN_DATABASE_URL": "mysql://u:p@db/x"}, "SPARTAN_DATABASE_URL must be a sqlite:// or postgresql://"),
        (
            {"SPARTAN_REDIS_URL": "memcached://cache:11211"},
            "SPARTAN_REDIS_URL must be a redis://, rediss://, unix:// or redis\\+sentinel:// URL",
        ),
        ({"SPARTAN_BASE_URL_STOOQ": "ftp://stooq.example"}, "SPARTAN_BASE_URL_STOOQ must be an http"),
        ({"SPARTAN_REFRESH_MINUTE": "60"}, "SPARTAN_REFRESH_MINUTE must be between 0 and 59"),
        ({"SPARTAN_REFRESH_MINUTE": "-1"}, "SPARTAN_REFRESH_MINUTE must be >= 0"),
    ],
    ids=[
        "port-not-int",
        "port-zero",
        "retries-float",
        "workers-zero",
        "timeout-not-number",
        "timeout-zero",
        "timeout-nan",
        "jump-inf",
        "port-too-high",
        "schema-upper-case",
        "schema-injection",
        "schema-leading-digit",
        "database-scheme",
        "redis-scheme",
        "base-url-scheme",
        "refresh-minute-60",
        "refresh-minute-negative",
    ],
)
def test_invalid_values_raise_settings_error_naming_the_variable(env, message):
    with pytest.raises(SettingsError, match=message):
        load_settings(env)


def test_settings_error_is_a_value_error():
    assert issubclass(SettingsError, ValueError)


@pytest.mark.parametrize("minute", ["0", "59"])
def test_refresh_minute_accepts_the_ends_of_the_hour(minute):
    assert load_settings({"SPARTAN_REFRESH_MINUTE": minute}).refresh_minute == int(minute)


# --- secrets -------------------------------------------------------------------------------------


def test_repr_never_contains_a_database_or_redis_password():
    text = repr(load_settings(SECRET_ENV))
    assert DB_PASSWORD not in text
    assert REDIS_PASSWORD not in text
    assert "db.internal" not in text  # the whole URL stays out of repr, not just the password


def test_describe_redacts_the_passwords_but_keeps_the_rest_of_the_url():
    described = load_settings(SECRET_ENV).describe()
    assert described["database_url"] == "postgresql+psycopg2://station:***@db.internal:5432/markets"
    assert described["redis_url"] == "redis://:***@cache.internal:6379/0"
    assert DB_PASSWORD not in str(described) and REDIS_PASSWORD not in str(described)


def test_describe_lists_every_setting_with_paths_as_strings(tmp_path: Path):
    s = load_settings({"SPARTAN_VAR_DIR": str(tmp_path)})
    described = s.describe()
    assert set(described) == set(Settings.__dataclass_fields__)
    assert described["var_dir"] == str(tmp_path)
    assert described["cache_dir"] == str(tmp_path / "cache")
    assert described["port"] == 8888
    assert described["redis_url"] is None


@pytest.mark.parametrize(
    ("url", "redacted"),
    [
        ("postgresql://me:s3cr3t@db/x", "postgresql://me:***@db/x"),
        ("redis://:s3cr3t@cache:6379/0", "redis://:***@cache:6379/0"),
        ("redis://default:pa/ss@cache:6379", "redis://default:***@cache:6379"),
        ("postgresql://me@db/x", "postgresql://me@db/x"),
        ("sqlite:///var/spartan.db", "sqlite:///var/spartan.db"),
        (None, None),
        ("", ""),
    ],
    ids=["user-password", "password-only", "slash-in-password", "no-password", "sqlite", "none", "empty"],
)
def test_redact_url_hides_only_the_password(url, redacted):
    assert redact_url(url) == redacted


def test_settings_are_frozen():
    s = load_settings({})
    with pytest.raises(AttributeError):
        s.port = 1  # type: ignore[misc]


def test_backups_go_under_var_daily_at_two_keeping_seven_by_default(tmp_path: Path):
    s = load_settings({"SPARTAN_VAR_DIR": str(tmp_path)})
    assert (s.backup_dir, s.backup_keep, s.backup_hour) == (tmp_path / "backups", 7, 2)
    moved = load_settings({"SPARTAN_BACKUP_DIR": "/srv/b", "SPARTAN_BACKUP_KEEP": "30", "SPARTAN_BACKUP_HOUR": "23"})
    assert (moved.backup_dir, moved.backup_keep, moved.backup_hour) == (Path("/srv/b"), 30, 23)
    assert load_settings({"SPARTAN_BACKUP_HOUR": "off"}).backup_hour is None


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("SPARTAN_BACKUP_KEEP", "0", "SPARTAN_BACKUP_KEEP must be >= 1"),
        ("SPARTAN_BACKUP_HOUR", "24", "SPARTAN_BACKUP_HOUR must be <= 23"),
        ("SPARTAN_BACKUP_HOUR", "night", "SPARTAN_BACKUP_HOUR must be an integer"),
    ],
)
def test_a_backup_setting_out_of_range_is_an_error_naming_it(name, value, message):
    with pytest.raises(SettingsError, match=message):
        load_settings({name: value})
