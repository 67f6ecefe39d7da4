"""Settings from SPARTAN_* variables and the source catalog: defaults, switches, clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from config.catalog import CatalogError, load_catalog, parse_catalog
from config.settings import PROJECT_ROOT, SettingsError, load_settings, redact_url
from tests.conftest import FRED_CATALOG


def test_defaults_are_embedded_sqlite_and_file_cache_under_var():
    s = load_settings({})
    assert s.database_url == f"sqlite:///{PROJECT_ROOT / 'var' / 'spartan.db'}"
    assert not s.is_postgres
    assert s.cache_backend == "filesystem" and s.cache_dir == PROJECT_ROOT / "var" / "cache"
    assert (s.port, s.db_schema, s.refresh_minute) == (8888, "spartan_research", 0)


def test_postgres_and_redis_urls_switch_backends():
    s = load_settings({"SPARTAN_DATABASE_URL": "postgres://u:p@db/x", "SPARTAN_REDIS_URL": "redis://cache:6379/0"})
    assert s.is_postgres and s.database_url == "postgresql+psycopg2://u:p@db/x"
    assert s.cache_backend == "redis"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SPARTAN_PORT": "http"}, "SPARTAN_PORT must be an integer"),
        ({"SPARTAN_PORT": "0"}, "SPARTAN_PORT must be >= 1"),
        ({"SPARTAN_DB_SCHEMA": "x; drop"}, "SPARTAN_DB_SCHEMA"),
        ({"SPARTAN_DATABASE_URL": "mysql://x"}, "SPARTAN_DATABASE_URL"),
        ({"SPARTAN_REDIS_URL": "memcached://x"}, "SPARTAN_REDIS_URL"),
        ({"SPARTAN_REFRESH_MINUTE": "60"}, "SPARTAN_REFRESH_MINUTE"),
        ({"SPARTAN_HTTP_TIMEOUT": "-1"}, "SPARTAN_HTTP_TIMEOUT must be > 0"),
    ],
)
def test_bad_values_name_the_variable(env, message):
    with pytest.raises(SettingsError, match=message):
        load_settings(env)


def test_passwords_never_show_in_repr_or_describe():
    s = load_settings(
        {"SPARTAN_DATABASE_URL": "postgresql://me:s3cr3t@db/x", "SPARTAN_REDIS_URL": "redis://:r3d1s@c:6379/0"}
    )
    assert "s3cr3t" not in repr(s) and "r3d1s" not in repr(s)
    described = str(s.describe())
    assert "s3cr3t" not in described and "r3d1s" not in described
    assert s.describe()["database_url"] == "postgresql+psycopg2://me:***@db/x"
    assert redact_url("sqlite:///var/x.db") == "sqlite:///var/x.db"


def test_the_shipped_catalog_covers_what_the_seed_asks():
    catalog = load_catalog(load_settings({}))
    counts = {name: len(catalog.for_dataset(name)) for name in catalog.datasets()}
    assert counts["market_indices"] >= 50
    assert counts["commodities"] >= 20
    assert counts["forex_rates"] >= 40
    assert counts["crypto_prices"] >= 30
    assert counts["economic_indicators"] >= 100
    assert {i.key for i in catalog.for_dataset("treasury_yields")} >= {"1M", "3M", "6M", "1Y", "2Y", "5Y", "10Y", "30Y"}
    assert {i.key for i in catalog.for_dataset("credit_spreads")} >= {"HY_OAS", "IG_OAS", "BBB_OAS"}
    assert {i.key for i in catalog.for_dataset("volatility_indicators")} >= {"VIX", "VVIX", "SKEW", "MOVE"}
    # Fallback cascades: most market instruments have a second provider.
    for name in (
        "market_indices",
        "commodities",
        "forex_rates",
        "crypto_prices",
        "treasury_yields",
        "volatility_indicators",
    ):
        instruments = catalog.for_dataset(name)
        with_fallback = sum(len(i.providers) >= 2 for i in instruments)
        assert len({p.source for i in instruments for p in i.providers}) >= 2, name
        assert with_fallback / len(instruments) >= 0.7, name


def test_base_urls_can_be_pointed_elsewhere():
    env = {"SPARTAN_BASE_URL_ALL": "http://127.0.0.1:1/", "SPARTAN_BASE_URL_STOOQ": "http://127.0.0.1:2"}
    sources = load_catalog(load_settings(env)).sources
    assert sources["stooq"].base_url == "http://127.0.0.1:2"
    assert sources["yahoo_chart"].base_url == "http://127.0.0.1:1"
    with pytest.raises(SettingsError, match="SPARTAN_BASE_URL_STOOQ must be an http"):
        load_settings({"SPARTAN_BASE_URL_STOOQ": "ftp://x"})


def test_the_test_catalog_keeps_the_eight_rates_series():
    settings = load_settings(
        {"SPARTAN_FRED_BASE_URL": "http://127.0.0.1:1234/", "SPARTAN_SOURCES_FILE": str(FRED_CATALOG)}
    )
    catalog = load_catalog(settings)
    assert catalog.datasets() == ["treasury_yields", "credit_spreads"]
    assert [i.key for i in catalog.for_dataset("treasury_yields")] == ["3M", "2Y", "5Y", "10Y", "30Y"]
    assert catalog.sources["fred_graph"].base_url == "http://127.0.0.1:1234"  # from the setting
    assert catalog.label("treasury_yields", "10Y") == "10-Year"


GOOD = """
sources:
  - {id: s1, provider: fred, category: economic, base_url: "https://x"}
datasets:
  treasury_yields:
    - {key: 10Y, providers: [{source: s1, symbol: DGS10}]}
"""


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (GOOD.replace("providers:", "provders:"), r"sources.yaml:6: unknown field\(s\) \['provders'\]"),
        (GOOD.replace("source: s1,", "source: s9,"), "sources.yaml:6: provider source 's9' is not a catalogued source"),
        (GOOD.replace("category: economic", "category: gossip"), "sources.yaml:3: category 'gossip'"),
        (GOOD.replace('base_url: "https://x"', 'base_url: ""'), "sources.yaml:3: missing required field 'base_url'"),
        (GOOD.replace("category: economic", "category: economic, rate_limit_per_minute: 0"), "rate_limit_per_minute"),
        (
            GOOD + "    - {key: 10Y, providers: [{source: s1, symbol: DGS10}]}\n",
            "sources.yaml:7: instrument '10Y' appears twice",
        ),
        (
            GOOD.replace("sources:\n", "sources:\n  - {id: s1, provider: fred, category: economic, base_url: y}\n"),
            "defined twice",
        ),
        ("sources: [", "not valid YAML"),
        ("sources: []", "needs top-level 'sources' and 'datasets'"),
    ],
    ids=["typo", "unknown-source", "category", "empty-url", "rate", "dup-instrument", "dup-source", "yaml", "shape"],
)
def test_catalog_mistakes_are_errors_naming_the_line(text, message):
    with pytest.raises(CatalogError, match=message):
        parse_catalog(text, filename="sources.yaml")


def test_catalog_rejects_a_base_url_setting_that_does_not_exist():
    text = GOOD.replace('base_url: "https://x"', 'base_url: "https://x", base_url_setting: nope_url')
    with pytest.raises(CatalogError, match="base_url_setting 'nope_url' is not a setting"):
        parse_catalog(text, load_settings({}))


def test_catalog_file_path_comes_from_settings(tmp_path: Path):
    (tmp_path / "mine.yaml").write_text(GOOD)
    catalog = load_catalog(load_settings({"SPARTAN_SOURCES_FILE": str(tmp_path / "mine.yaml")}))
    assert [i.key for i in catalog.instruments] == ["10Y"]
