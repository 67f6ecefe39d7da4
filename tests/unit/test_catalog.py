"""The source catalog: the shipped files load, and every mistake is a CatalogError naming file:line."""

from __future__ import annotations

from pathlib import Path

import pytest

from config.catalog import CATEGORIES, Catalog, CatalogError, Provider, load_catalog, parse_catalog
from config.settings import PROJECT_ROOT, load_settings
from tests.conftest import FRED_CATALOG

SHIPPED_CATALOG = PROJECT_ROOT / "config" / "sources.yaml"

# Line numbers matter: the error messages name them.
GOOD = """\
sources:
  - {id: s1, provider: fred, category: economic, base_url: "https://x.example/"}
  - {id: s2, provider: stooq, category: stocks, base_url: "https://y.example", rate_limit_per_minute: 30}
datasets:
  treasury_yields:
    - {key: 10Y, label: 10-Year, providers: [{source: s1, symbol: DGS10}, {source: s2, symbol: 10usy.b}]}
    - {key: 2Y, providers: [{source: s1, symbol: DGS2}]}
"""


def parse(text: str) -> Catalog:
    return parse_catalog(text, filename="sources.yaml")


# --- the shipped catalogs ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def shipped() -> Catalog:
    return load_catalog(load_settings({}))


def test_the_shipped_sources_yaml_is_the_default_catalog_file():
    assert load_settings({}).sources_file == SHIPPED_CATALOG


def test_the_shipped_catalog_loads_with_rates_and_credit_datasets(shipped):
    datasets = shipped.datasets()
    assert "treasury_yields" in datasets and "credit_spreads" in datasets
    yields = {i.key: i for i in shipped.for_dataset("treasury_yields")}
    assert {"1M", "3M", "6M", "1Y", "2Y", "5Y", "10Y", "30Y"} <= set(yields)
    assert yields["10Y"].providers[0] == Provider(source="fred_graph", symbol="DGS10")
    spreads = {i.key for i in shipped.for_dataset("credit_spreads")}
    assert {"T10Y2Y", "HY_OAS", "BBB_OAS"} <= spreads


def test_every_provider_of_the_shipped_catalog_names_a_catalogued_source(shipped):
    used = {p.source for i in shipped.instruments for p in i.providers}
    assert used <= set(shipped.sources)
    assert {"fred_graph", "treasury_yield_curve"} <= used


def test_every_shipped_source_has_a_known_category_and_an_http_base_url(shipped):
    for source in shipped.sources.values():
        assert source.category in CATEGORIES, source.id
        assert source.base_url.startswith("https://"), source.id
        assert not source.base_url.endswith("/"), source.id


def sources_per_category(catalog: Catalog) -> dict[str, int]:
    counts: dict[str, int] = {}
    for source in catalog.sources.values():
        counts[source.category] = counts.get(source.category, 0) + 1
    return counts


def test_the_shipped_catalog_has_at_least_twelve_forex_sources_each_serving_fx_rates(shipped):
    assert sources_per_category(shipped)["forex"] >= 12  # issue 15: the seed's forex count
    forex = {s.id for s in shipped.sources.values() if s.category == "forex"}
    used = {p.source for i in shipped.for_dataset("forex_rates") for p in i.providers}
    assert forex <= used, f"forex sources no forex instrument uses: {sorted(forex - used)}"


def test_the_count_is_per_category():
    counts = sources_per_category(parse(GOOD))
    assert counts == {"economic": 1, "stocks": 1}


def test_keyed_forex_sources_come_after_every_keyless_one_in_each_cascade(shipped):
    for instrument in shipped.for_dataset("forex_rates"):
        keyed = [bool(shipped.sources[p.source].auth_env) for p in instrument.providers]
        assert keyed == sorted(keyed), instrument.key


def test_the_shipped_catalog_keys_are_unique_within_each_dataset(shipped):
    for name in shipped.datasets():
        keys = [i.key for i in shipped.for_dataset(name)]
        assert len(keys) == len(set(keys)), name


def test_families_expand_into_one_instrument_per_state(shipped):
    keys = {i.key: i for i in shipped.for_dataset("fred_series")}
    assert keys["CAUR"].label == "California: unemployment rate"
    assert keys["CAUR"].providers == (Provider(source="fred_graph", symbol="CAUR"),)
    assert keys["MEHOINUSTXA672N"].label == "Texas: real median household income"
    assert "__line__UR" not in keys


def test_the_test_catalog_has_the_eight_rates_page_series():
    catalog = load_catalog(load_settings({"SPARTAN_SOURCES_FILE": str(FRED_CATALOG)}))
    assert len(catalog.instruments) == 8
    assert catalog.datasets() == ["treasury_yields", "credit_spreads"]
    assert [i.key for i in catalog.for_dataset("treasury_yields")] == ["3M", "2Y", "5Y", "10Y", "30Y"]
    assert [i.key for i in catalog.for_dataset("credit_spreads")] == ["T10Y2Y", "HY_OAS", "BBB_OAS"]
    assert all(p.source in catalog.sources for i in catalog.instruments for p in i.providers)
    assert catalog.label("treasury_yields", "10Y") == "10-Year"


def test_base_url_setting_takes_the_url_from_settings():
    settings = load_settings({"SPARTAN_FRED_BASE_URL": "http://127.0.0.1:8765/"})
    sources = load_catalog(settings).sources
    assert sources["fred_graph"].base_url == "http://127.0.0.1:8765"
    assert sources["fred_markets"].base_url == "http://127.0.0.1:8765"
    assert sources["stooq"].base_url == "https://stooq.com"  # no base_url_setting: unchanged


def test_base_url_setting_is_ignored_without_settings():
    catalog = parse_catalog(SHIPPED_CATALOG.read_text(encoding="utf-8"))
    assert catalog.sources["fred_graph"].base_url == "https://fred.stlouisfed.org"


def test_a_per_source_override_beats_the_all_override():
    env = {"SPARTAN_BASE_URL_ALL": "http://127.0.0.1:1/", "SPARTAN_BASE_URL_STOOQ": "http://127.0.0.1:2"}
    sources = load_catalog(load_settings(env)).sources
    assert sources["stooq"].base_url == "http://127.0.0.1:2"
    assert sources["yahoo_chart"].base_url == "http://127.0.0.1:1"
    assert sources["fred_graph"].base_url == "http://127.0.0.1:1"


# --- parse_catalog on a small catalog ------------------------------------------------------------


def test_parse_catalog_reads_sources_and_instruments_in_order():
    catalog = parse(GOOD)
    assert list(catalog.sources) == ["s1", "s2"]
    s1, s2 = catalog.sources["s1"], catalog.sources["s2"]
    assert (s1.provider, s1.category, s1.base_url, s1.rate_limit_per_minute) == (
        "fred",
        "economic",
        "https://x.example",
        None,
    )
    assert (s2.rate_limit_per_minute, s2.auth_env, s2.notes) == (30, None, "")
    assert [(i.dataset, i.key, i.label) for i in catalog.instruments] == [
        ("treasury_yields", "10Y", "10-Year"),
        ("treasury_yields", "2Y", "2Y"),  # the label defaults to the key
    ]
    assert catalog.instruments[0].providers == (Provider("s1", "DGS10"), Provider("s2", "10usy.b"))


def test_the_same_key_may_appear_in_two_datasets():
    text = GOOD + "  credit_spreads:\n    - {key: 10Y, providers: [{source: s1, symbol: X}]}\n"
    catalog = parse(text)
    assert catalog.datasets() == ["treasury_yields", "credit_spreads"]
    assert catalog.label("credit_spreads", "10Y") == "10Y"


def test_a_unit_is_read_from_an_instrument_and_from_a_family_for_every_member():
    text = (
        GOOD.replace("label: 10-Year,", "label: 10-Year, unit: '%',")
        + "lists:\n  states: {CA: California, TX: Texas}\n"
        + "families:\n  fred_series:\n"
        + "    - {source: s1, pattern: '{code}NA', label: '{name}: nonfarm', unit: thousands, over: states}\n"
        + "    - {source: s1, pattern: '{code}UR', over: states}\n"
    )
    catalog = parse(text)
    units = {(i.dataset, i.key): i.unit for i in catalog.instruments}
    assert units == {
        ("treasury_yields", "10Y"): "%",
        ("treasury_yields", "2Y"): None,  # optional: no unit is None
        ("fred_series", "CANA"): "thousands",
        ("fred_series", "TXNA"): "thousands",
        ("fred_series", "CAUR"): None,
        ("fred_series", "TXUR"): None,
    }
    assert catalog.unit("treasury_yields", "10Y") == "%"
    assert catalog.unit("treasury_yields", "nope") is None


@pytest.mark.parametrize("unit", ["''", "3", "[a]"])
def test_a_unit_must_be_a_non_empty_string(unit):
    with pytest.raises(CatalogError, match=r"^sources\.yaml:6: unit must be a non-empty string"):
        parse(GOOD.replace("label: 10-Year,", f"label: 10-Year, unit: {unit},"))
    family = GOOD + "lists:\n  s: {CA: California}\nfamilies:\n  d:\n"
    family += f"    - {{source: s1, pattern: '{{code}}UR', unit: {unit}, over: s}}\n"
    with pytest.raises(CatalogError, match=r"^sources\.yaml:12: unit must be a non-empty string"):
        parse(family)


def test_a_sector_is_one_of_the_gics_sectors(shipped):
    catalog = parse(GOOD.replace("label: 10-Year,", "label: 10-Year, sector: Financials,"))
    assert [i.sector for i in catalog.instruments] == ["Financials", None]
    with pytest.raises(CatalogError, match=r"^sources\.yaml:6: sector must be one of the GICS sectors"):
        parse(GOOD.replace("label: 10-Year,", "label: 10-Year, sector: Tech,"))
    stocks = shipped.for_dataset("equities")
    assert stocks and all(i.sector for i in stocks)  # every stored stock has its sector
    funds = {i.key: i.sector for i in shipped.for_dataset("market_indices") if i.sector}
    assert funds["XLK"] == "Information Technology" and len(set(funds.values())) == 11


def test_load_catalog_names_errors_after_the_file(tmp_path: Path):
    path = tmp_path / "mine.yaml"
    path.write_text(GOOD.replace("providers: [{source: s1, symbol: DGS2}]", "providers: [{source: nope, symbol: X}]"))
    with pytest.raises(CatalogError, match=r"^mine\.yaml:7: provider source 'nope'"):
        load_catalog(load_settings({"SPARTAN_SOURCES_FILE": str(path)}))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            GOOD.replace("{key: 2Y, providers:", "{key: 2Y, provders:"),
            r"^sources\.yaml:7: unknown field\(s\) \['provders'\]",
        ),
        (
            GOOD.replace('base_url: "https://y.example"', 'base_uri: "https://y.example"'),
            r"^sources\.yaml:3: unknown field\(s\) \['base_uri'\]",
        ),
        (
            GOOD.replace("{source: s1, symbol: DGS2}", "{source: s1, symbol: DGS2, weight: 1}"),
            r"^sources\.yaml:7: unknown field\(s\) \['weight'\]",
        ),
        (
            GOOD.replace("{source: s1, symbol: DGS2}", "{source: s9, symbol: DGS2}"),
            r"^sources\.yaml:7: provider source 's9' is not a catalogued source",
        ),
        (
            GOOD.replace("{id: s2,", "{id: s1,"),
            r"^sources\.yaml:3: source 's1' is defined twice",
        ),
        (
            GOOD.replace("{key: 2Y,", "{key: 10Y,"),
            r"^sources\.yaml:7: instrument '10Y' appears twice in treasury_yields",
        ),
        (
            GOOD.replace("category: stocks", "category: gossip"),
            r"^sources\.yaml:3: category 'gossip' is not one of",
        ),
        (
            GOOD.replace("rate_limit_per_minute: 30", "rate_limit_per_minute: 0"),
            r"^sources\.yaml:3: rate_limit_per_minute must be a positive integer",
        ),
        (
            GOOD.replace("rate_limit_per_minute: 30", "rate_limit_per_minute: -5"),
            r"^sources\.yaml:3: rate_limit_per_minute must be a positive integer",
        ),
        (
            GOOD.replace("rate_limit_per_minute: 30", "rate_limit_per_minute: lots"),
            r"^sources\.yaml:3: rate_limit_per_minute must be a positive integer",
        ),
        (
            GOOD.replace('base_url: "https://x.example/"', 'base_url: ""'),
            r"^sources\.yaml:2: missing required field 'base_url'",
        ),
        (
            GOOD.replace("{source: s1, symbol: DGS2}", "{source: s1}"),
            r"^sources\.yaml:7: missing required field 'symbol'",
        ),
    ],
    ids=[
        "typo-provders",
        "typo-base_uri",
        "unknown-provider-field",
        "unknown-source",
        "duplicate-source",
        "duplicate-instrument",
        "bad-category",
        "rate-zero",
        "rate-negative",
        "rate-not-int",
        "empty-base-url",
        "missing-symbol",
    ],
)
def test_parse_catalog_errors_name_file_and_line(text, message):
    with pytest.raises(CatalogError, match=message):
        parse(text)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("sources: [\n  - {id: s1\n", r"^sources\.yaml: not valid YAML"),
        ("sources:\n  - {id: s1}\n\tdatasets: {}\n", r"^sources\.yaml: not valid YAML"),
        ("sources: []\n", r"^sources\.yaml: needs top-level 'sources' and 'datasets'"),
        ("datasets: {}\n", r"^sources\.yaml: needs top-level 'sources' and 'datasets'"),
        ("", r"^sources\.yaml: needs top-level 'sources' and 'datasets'"),
        ("- just\n- a list\n", r"^sources\.yaml: needs top-level 'sources' and 'datasets'"),
    ],
    ids=["unclosed-flow", "tab-indent", "no-datasets", "no-sources", "empty-file", "list-document"],
)
def test_parse_catalog_rejects_documents_of_the_wrong_shape(text, message):
    with pytest.raises(CatalogError, match=message):
        parse(text)


def test_parse_catalog_rejects_a_base_url_setting_that_is_not_a_setting():
    text = GOOD.replace('base_url: "https://x.example/"', 'base_url: "https://x.example", base_url_setting: nope_url')
    with pytest.raises(CatalogError, match=r"^sources\.yaml:2: base_url_setting 'nope_url' is not a setting"):
        parse_catalog(text, load_settings({}), filename="sources.yaml")


def test_a_family_over_a_missing_list_is_an_error():
    text = GOOD + "families:\n  fred_series:\n    - {source: s1, pattern: '{code}UR', over: nowhere}\n"
    with pytest.raises(CatalogError, match=r"^sources\.yaml:10: 'over: nowhere' names no list under 'lists'"):
        parse(text)


def test_a_family_pattern_with_an_unknown_placeholder_is_an_error():
    text = (
        GOOD
        + "lists:\n  states: {CA: California}\n"
        + "families:\n  fred_series:\n    - {source: s1, pattern: '{state}UR', over: states}\n"
    )
    with pytest.raises(CatalogError, match=r"^sources\.yaml:12: pattern uses an unknown field 'state'"):
        parse(text)


def test_catalog_error_is_a_value_error():
    assert issubclass(CatalogError, ValueError)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("sources: {a: 1}\ndatasets: {}\n", "'sources' must be a list, got dict"),
        ("sources:\ndatasets: []\n", "'datasets' must be a mapping, got list"),
        ("sources: [x]\ndatasets: {}\n", "each source must be a mapping, got 'x'"),
        ("sources: []\ndatasets: {d: [foo]}\n", "each instrument of d must be a mapping, got 'foo'"),
        ("sources: []\ndatasets: {d: [{key: a, providers: {s: 1}}]}\n", "'providers' must be a list, got dict"),
        ("sources: []\ndatasets: {d: [{key: a, providers: [3]}]}\n", "each provider must be a mapping, got 3"),
        ("sources: []\ndatasets: {}\nfamilies: [1]\n", "'families' must be a mapping, got list"),
        ("sources: []\ndatasets: {}\nfamilies: {d: [1]}\n", "each family must be a mapping, got 1"),
        ("sources: []\ndatasets: {}\nlists: [1]\n", "'lists' must be a mapping, got list"),
    ],
)
def test_a_part_of_the_wrong_type_is_a_catalog_error_not_a_crash(text, message):
    with pytest.raises(CatalogError, match=message):
        parse(text)


# The documented per-minute limit of a free key, by host.
FREE_KEY_PER_MINUTE = {"api.twelvedata.com": 8, "www.alphavantage.co": 5, "finnhub.io": 60}


def test_sources_sharing_a_key_split_its_free_limit_between_them(shipped):
    """Two sources asking one provider with one key (Twelve Data's forex and stocks series,
    Alpha Vantage's stocks and commodities, Finnhub's candles and quote) are each rate-limited
    on their own: together they must stay within what one free key may ask a minute."""
    from collections import defaultdict
    from urllib.parse import urlsplit

    shares = defaultdict(int)
    for source in shipped.sources.values():
        host = urlsplit(source.base_url).hostname
        if source.auth_env and host in FREE_KEY_PER_MINUTE:
            shares[(source.auth_env, host)] += source.rate_limit_per_minute
    assert shares and all(total <= FREE_KEY_PER_MINUTE[host] for (_key, host), total in shares.items()), dict(shares)
