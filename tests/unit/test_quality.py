"""Impossible data is refused, suspicious data is written and flagged: the split of
datasources/validate.py and datasources/quality.py, the catalog's per-dataset rules, and the
cross-check against a second provider."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from config.catalog import CatalogError, Quality, load_catalog, parse_catalog
from datasources.quality import cross_check, find, unchecked
from datasources.validate import ValidationError, validate_bars
from tests.conftest import make_settings


def bars(closes, start="2026-03-02", symbol="CL", days=None) -> pd.DataFrame:
    stamps = (
        pd.to_datetime(days, utc=True) if days is not None else pd.bdate_range(start, periods=len(closes), tz="UTC")
    )
    closes = pd.Series(closes, dtype=float)
    return pd.DataFrame(
        {
            "symbol": symbol,
            "ts": stamps,
            "open": closes,
            "high": closes.abs() + 1,
            "low": closes - 1,
            "close": closes,
            "volume": 1000.0,
        }
    )


STATION_CATALOG = Path(__file__).resolve().parents[2] / "config" / "sources.yaml"
RULES = Quality(max_jump=0.25, stale_bars=4, max_gap_days=5)


def judge(frame: pd.DataFrame, rules: Quality = RULES):
    return find(frame, "symbol", "ts", "close", rules)


# --- impossible: refused with the reason -------------------------------------------------------


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (bars([10, -1, 10]), "prices must be > 0"),
        (bars([10, 11, 12]).assign(high=[8.0, 12, 13]), "high below low"),
        (bars([10, 11, 12], days=["2026-03-02", "2026-03-02", "2026-03-03"]), "duplicate timestamps"),
        (bars([10, 11, 12], days=["2026-03-02", "2026-03-03", "2099-01-01"]), "in the future"),
        (bars([10, float("inf"), 12]), "non-finite prices"),
    ],
    ids=["negative-stock", "high-below-low", "duplicate", "future", "infinite"],
)
def test_impossible_bars_are_refused_with_the_reason(frame, message):
    with pytest.raises(ValidationError, match=message):
        validate_bars(frame, "SPY")


def test_negative_prices_are_written_where_the_instrument_allows_them_and_flagged():
    # WTI front month, April 2020: 18.27, then -37.63, then 10.01.
    frame = bars([18.27, -37.63, 10.01], days=["2020-04-17", "2020-04-20", "2020-04-21"])
    with pytest.raises(ValidationError, match="prices must be > 0"):
        validate_bars(frame, "CL")
    assert len(validate_bars(frame, "CL", allow_non_positive=True)) == 3
    flags, _ = judge(frame, Quality(max_jump=0.35, allow_non_positive=True))
    by_rule = flags.groupby("rule")["date"].apply(list).to_dict()
    assert by_rule["non_positive"] == [date(2020, 4, 20)]
    assert by_rule["jump"] == [date(2020, 4, 20), date(2020, 4, 21)]  # -306 %, then back: both moves
    assert flags.loc[flags["rule"] == "non_positive", "value"].item() == -37.63


# --- suspicious: flagged ----------------------------------------------------------------------


def test_a_jump_beyond_the_threshold_is_flagged_with_the_move():
    flags, spans = judge(bars([100, 101, 130, 131]))
    assert list(flags["rule"]) == ["jump"]
    assert flags["date"].item() == date(2026, 3, 4)
    assert flags["detail"].item() == "close moved +29% in one bar (from 101 to 130)"
    assert flags["status"].item() == "open" and flags["value"].item() == 130
    # The first bar has no move to judge: the jump rule judged from the second on.
    jump = spans.set_index("rule").loc["jump"]
    assert (jump["start"], jump["end"]) == (date(2026, 3, 3), date(2026, 3, 5))


def test_moves_within_the_threshold_and_rules_that_are_off_flag_nothing():
    assert judge(bars([100, 124, 100, 124]))[0].empty
    flags, spans = judge(bars([100, 300, 300, 300, 300, 300]), Quality())
    assert flags.empty and spans.empty


def test_a_stale_value_is_flagged_once_on_the_bar_that_completes_the_run():
    flags, _ = judge(bars([10, 11, 12, 12, 12, 12, 12, 12, 13]))
    assert list(flags["rule"]) == ["stale"]
    assert flags["date"].item() == date(2026, 3, 9)  # the fourth 12, from 2026-03-04
    assert flags["detail"].item() == "close 12 unchanged for 4 bars since 2026-03-04"


def test_a_run_that_starts_the_frame_is_not_judged():
    # It may have started before the downloaded window: judged by the run that saw its start.
    flags, spans = judge(bars([12, 12, 12, 12, 12, 13]))
    assert flags.empty
    assert spans.set_index("rule").loc["stale", "start"] == date(2026, 3, 9)


def test_a_gap_beyond_the_threshold_is_flagged_on_the_bar_after_it():
    days = ["2026-03-02", "2026-03-03", "2026-03-04", "2026-03-12", "2026-03-13"]
    flags, _ = judge(bars([10, 10.1, 10.2, 10.3, 10.4], days=days))
    assert list(flags["rule"]) == ["gap"]
    assert flags["date"].item() == date(2026, 3, 12)
    assert flags["value"].item() == 8
    assert flags["detail"].item() == "8 days without an observation after 2026-03-04"


def test_several_instruments_are_judged_each_by_its_own_rules():
    frame = pd.concat([bars([100, 140], symbol="SPX"), bars([20, 28], symbol="VIX")], ignore_index=True)
    flags, _ = find(frame, "symbol", "ts", "close", {"SPX": Quality(max_jump=0.25), "VIX": Quality(max_jump=0.5)})
    assert list(flags["key"]) == ["SPX"]  # +40 %: a lot for an index, ordinary for the VIX


# --- cross-check ------------------------------------------------------------------------------


def test_a_second_provider_confirms_or_disputes_each_flag():
    frame = bars([100, 101, 130, 131, 170, 171])
    flags, _ = judge(frame)
    assert list(flags["date"]) == [date(2026, 3, 4), date(2026, 3, 6)]
    second = pd.DataFrame({"date": frame["ts"], "value": [100, 101, 130.5, 131, 135, 136]})
    checked = cross_check(flags, second, "yahoo_chart", tolerance=0.02)
    assert list(checked["status"]) == ["confirmed", "disputed"]
    assert list(checked["second_value"]) == [130.5, 135]
    assert set(checked["second_source"]) == {"yahoo_chart"}


def test_a_second_provider_without_that_day_leaves_it_unchecked():
    frame = bars([100, 101, 130])
    flags, _ = judge(frame)
    checked = cross_check(flags, pd.DataFrame({"date": frame["ts"][:2], "value": [100, 101]}), "stooq", 0.02)
    assert checked["status"].item() == "unchecked" and pd.isna(checked["second_value"].item())


def test_a_gap_is_confirmed_when_the_second_provider_has_no_rows_in_it_either():
    days = ["2026-03-02", "2026-03-03", "2026-03-12", "2026-03-13"]
    flags, _ = judge(bars([10, 10.1, 10.2, 10.3], days=days))
    closed = pd.DataFrame({"date": pd.to_datetime(days), "value": [10, 10.1, 10.2, 10.3]})
    assert cross_check(flags, closed, "stooq", 0.02)["status"].item() == "confirmed"
    missed = pd.concat([closed, pd.DataFrame({"date": pd.to_datetime(["2026-03-05", "2026-03-06"]), "value": 1.0})])
    checked = cross_check(flags, missed, "stooq", 0.02)
    assert checked["status"].item() == "disputed" and checked["second_value"].item() == 2


def test_flags_without_a_second_provider_say_why():
    flags, _ = judge(bars([100, 101, 130]))
    marked = unchecked(flags, None, "no second provider in the catalog")
    assert marked["status"].item() == "unchecked"
    assert marked["detail"].item().endswith("; not checked: no second provider in the catalog")


# --- the catalog's rules ----------------------------------------------------------------------


def test_the_catalog_sets_rules_per_asset_class_and_per_instrument(tmp_path):
    catalog = load_catalog(make_settings(tmp_path, "sqlite"), STATION_CATALOG)
    indices, vix, crypto = (
        catalog.quality(*k)
        for k in (("market_indices", "SPX"), ("volatility_indicators", "VIX"), ("crypto_prices", "BTCUSD"))
    )
    assert (indices.max_jump, vix.max_jump, crypto.max_jump) == (0.25, 0.5, 0.6)
    assert catalog.quality("forex_rates", "EURUSD").max_jump == 0.1
    assert catalog.quality("commodities", "CL").allow_non_positive
    assert not catalog.quality("market_indices", "SPX").allow_non_positive
    assert catalog.quality("forex_rates", "USDHKD").stale_bars == 10  # a pegged rate: an override
    assert not catalog.quality("treasury_yields", "10Y").checks  # no block: not judged


CATALOG = """
sources:
  - {id: s, provider: yahoo, category: stocks, base_url: 'http://x'}
quality:
  market_indices: {stale_bars: 5}
  commodities: {max_jump: null}
datasets:
  market_indices:
    - {key: SPX, providers: [{source: s, symbol: SPX}]}
    - {key: RUT, quality: {max_jump: 0.3}, providers: [{source: s, symbol: RUT}]}
  commodities:
    - {key: CL, providers: [{source: s, symbol: CL}]}
"""


def test_a_block_without_max_jump_falls_back_to_the_setting(tmp_path):
    settings = make_settings(tmp_path, "sqlite", SPARTAN_MAX_DAILY_JUMP="0.4")
    catalog = parse_catalog(CATALOG, settings)
    assert catalog.quality("market_indices", "SPX") == Quality(max_jump=0.4, stale_bars=5)
    assert catalog.quality("market_indices", "RUT").max_jump == 0.3
    assert catalog.quality("commodities", "CL").max_jump is None  # null: off


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("market_indices: {stale_bars: 5}", None),
        ("market_indices: {stale_bars: five}", "quality.stale_bars must be int"),
        ("market_indices: {max_jump: -1}", "quality.max_jump must be > 0"),
        ("market_indices: {max_gap: 3}", "unknown field"),
        ("bonds: {max_jump: 0.1}", "names dataset 'bonds'"),
    ],
)
def test_a_wrong_quality_block_is_a_catalog_error(change, message):
    text = CATALOG.replace("market_indices: {stale_bars: 5}", change)
    if message is None:
        assert parse_catalog(text).quality("market_indices", "SPX").stale_bars == 5
        return
    with pytest.raises(CatalogError, match=message):
        parse_catalog(text)
