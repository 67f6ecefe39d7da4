"""The search's words and rankings without a database: how labels and queries become terms,
prefix bounds that hold under every collation, the dashboards and panels a query finds, the
dashboards that show an instrument, and the catalog's search rows and their weights."""

from __future__ import annotations

import math
import re

import pytest

from config.dashboard_index import boards, match_boards, shown_on
from config.search_terms import (
    ALL_WORDS,
    DESCRIPTION,
    EXACT,
    LABEL_START,
    QUERY_PATTERN,
    Hit,
    key_term,
    prefix_end,
    query_words,
    words,
)


def test_words_are_lower_case_letters_and_digits_without_stopwords():
    assert words("Market Yield on U.S. Treasury Securities at 10-Year") == [
        "market",
        "yield",
        "us",
        "treasury",
        "securities",
        "10",
        "year",
    ]
    assert words("Moody's Seasoned Aaa") == ["moodys", "seasoned", "aaa"]
    assert words("S&P 500") == ["s", "p", "500"]
    assert words("10Y – 2Y Treasury spread") == ["10y", "2y", "treasury", "spread"]


def test_keys_are_one_term_without_their_punctuation():
    assert [key_term(k) for k in ("BRK-B", "HY_OAS", "^GSPC", "DGS10", "EURUSD=X")] == [
        "brkb",
        "hyoas",
        "gspc",
        "dgs10",
        "eurusdx",
    ]


def test_a_query_keeps_at_most_five_distinct_words_of_its_first_64_characters():
    assert query_words("US dollar us DOLLAR index") == ("us", "dollar", "index")
    assert query_words("a b c d e f g h") == ("b", "c", "d", "e", "f")  # "a" is a stopword
    assert query_words("x" * 100) == ("x" * 32,)
    assert query_words("-- . --") == ()


@pytest.mark.parametrize(
    ("prefix", "end"), [("gol", "gom"), ("az", "b"), ("a9", "aa"), ("zz", None), ("1", "2"), ("9", "a")]
)
def test_a_prefix_ends_before_the_next_term_of_letters_and_digits(prefix, end):
    assert prefix_end(prefix) == end


def test_every_term_with_the_prefix_sorts_between_it_and_its_end():
    terms = sorted(["go", "gol", "gold", "goldman", "golz", "golzz", "gom", "gp", "g9", "goa"])
    for prefix in ("gol", "go", "g", "golz"):
        end = prefix_end(prefix)
        inside = [t for t in terms if t >= prefix and (end is None or t < end)]
        assert inside == [t for t in terms if t.startswith(prefix)], prefix


def test_the_query_pattern_refuses_markup_control_characters_and_other_scripts():
    allowed = re.compile(QUERY_PATTERN)
    for query in ("S&P 500", "BRK-B", "hy_oas", "EUR/USD", "Moody's (Aaa)", "^GSPC", "10Y, 2Y"):
        assert allowed.match(query), query
    for query in ("<script>", "gold\x00", "café", 'a "b"', "tab\there", "semi`colon"):
        assert not allowed.match(query), query


def test_hits_order_by_rank_then_kind_then_data_then_shorter_labels():
    def hit(kind, label, rank, stored=True):
        return Hit(kind, label, "", "/", rank, stored=stored)

    hits = [
        hit("panel", "Gold", LABEL_START),
        hit("series", "Gold price", LABEL_START, stored=False),
        hit("series", "Gold fixing", LABEL_START),
        hit("instrument", "Gold", LABEL_START),
        hit("dashboard", "Commodities", DESCRIPTION),
        hit("instrument", "GC", EXACT),
    ]
    assert [(h.kind, h.label) for h in sorted(hits, key=Hit.order)] == [
        ("instrument", "GC"),
        ("instrument", "Gold"),
        ("series", "Gold fixing"),
        ("series", "Gold price"),
        ("panel", "Gold"),
        ("dashboard", "Commodities"),
    ]


# --- the dashboards ------------------------------------------------------------------------------


def test_a_dashboard_is_found_by_id_title_path_then_description():
    found = {(h.kind, h.label): h for h in match_boards(query_words("treasury curve"))}
    assert found[("dashboard", "Treasury yield curve")].rank == EXACT  # its id, treasury-curve
    treasury = {(h.kind, h.label): h.rank for h in match_boards(query_words("treasury"))}
    assert treasury[("dashboard", "Treasury yield curve")] == treasury[("panel", "Treasury yields")] == LABEL_START
    assert found[("dashboard", "Treasury yield curve")].href == "/treasury-curve"
    assert found[("panel", "Treasury yield curve")].href == "/rates#panel-rates-curve"
    rates = {h.label: h.rank for h in match_boards(query_words("rates")) if h.kind == "dashboard"}
    assert rates["Rates & spreads"] == EXACT  # its id
    assert all(rank in (ALL_WORDS, DESCRIPTION) for label, rank in rates.items() if label != "Rates & spreads")


def test_a_panel_matches_only_when_every_word_starts_a_word_of_its_title():
    panels = [h for h in match_boards(query_words("gold oil")) if h.kind == "panel"]
    assert panels and all("gold" in h.label.lower() and "oil" in h.label.lower() for h in panels)
    assert match_boards(()) == []


def test_an_instrument_is_shown_on_the_dashboards_naming_it_then_those_showing_its_whole_dataset():
    spx = [board.path for board, _spec in shown_on("market_indices", "SPX")]
    assert spx[0] == "/" and {"/indices", "/correlations"} <= set(spx)  # keys, a correlation pair
    assert "/analytics/ratios" in spx  # a ratio's pair
    gold = [board.path for board, _spec in shown_on("commodities", "GC")]
    assert "/analytics/drawdowns" in gold  # named with its dataset (commodities:GC)
    assert "/analytics/drawdowns" not in [board.path for board, _spec in shown_on("market_indices", "GC")]
    assert "/indices/detail" in spx  # the picker's default
    bitcoin = [board.path for board, _spec in shown_on("crypto_prices", "SOLUSD")]
    assert "/crypto" in bitcoin  # the table of every coin
    assert "/crypto/detail" not in bitcoin  # a picker shows its default only
    assert shown_on("fred_series", "WYPOP") == ()


def test_a_fred_id_is_shown_wherever_either_series_dataset_shows_it():
    from sql.search import SERIES_DATASETS

    assert shown_on("economic_indicators", "UNRATE") == ()
    labor = [board.path for board, _spec in shown_on("economic_indicators", "UNRATE", SERIES_DATASETS)]
    assert "/economy/labor" in labor


def test_every_dashboard_is_loaded_once_in_menu_order():
    assert boards() is boards()
    assert [b.order for b in boards()] == sorted(b.order for b in boards())


# --- the catalog's rows ----------------------------------------------------------------------------


def test_the_catalog_rows_keep_detail_page_datasets_and_weigh_rare_words_more(tmp_path):
    from config.catalog import load_catalog
    from config.settings import load_settings
    from sql.search import index_rows

    catalog = load_catalog(load_settings({"SPARTAN_VAR_DIR": str(tmp_path)}))
    entries, terms = index_rows(catalog)
    datasets = {e["dataset"] for e in entries}
    assert {"fred_series", "market_indices", "treasury_yields"} <= datasets
    assert not datasets & {"fundamentals", "options_chain", "cot_positions"}  # no detail page
    kinds = {e["dataset"]: e["kind"] for e in entries}
    assert kinds["fred_series"] == "series" and kinds["commodities"] == "instrument"
    mine = {t["term"]: t for t in terms if t["key"] == "HY_OAS"}
    assert mine["hyoas"]["position"] == 0 and mine["hy"]["position"] == 0  # the key and its parts
    assert mine["oas"]["position"] > 0  # in the label too: a word of it
    weight = {t["term"]: t["weight"] for t in terms}
    assert weight["oas"] > weight["rate"] > 0
    assert weight["hyoas"] == pytest.approx(math.log(len(entries)), rel=1e-6)
    assert len({(t["term"], t["dataset"], t["key"]) for t in terms}) == len(terms)  # the primary key holds
