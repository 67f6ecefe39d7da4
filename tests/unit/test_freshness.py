"""Freshness targets: from the catalog's ``freshness:`` to "past its target" at a given moment."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from config.catalog import CatalogError, load_catalog, parse_catalog
from config.freshness import Freshness, infer_frequency, min_latest_observation, past_target
from config.settings import PROJECT_ROOT
from tests.conftest import make_settings

NEW_YORK = ZoneInfo("America/New_York")
INDEX = Freshness(frequency="daily", close_minutes=16 * 60, timezone="America/New_York", grace_hours=3)
CRYPTO = Freshness(frequency="daily", calendar="every_day", close_minutes=1440, timezone="UTC", grace_hours=3)
MONTHLY = Freshness(frequency="monthly")


def new_york(*args) -> datetime:
    return datetime(*args, tzinfo=NEW_YORK)


def test_a_monthly_series_20_days_old_is_fresh():
    now = datetime(2026, 12, 6, 12, tzinfo=UTC)
    assert past_target(MONTHLY, now, now.date() - timedelta(days=20)) is False


def test_a_monthly_series_is_fresh_for_a_month_after_its_month_plus_the_lag():
    # May's figure (dated 1 May) is fresh until June's is due: 30 June + 62 days.
    may = date(2026, 5, 1)
    assert past_target(MONTHLY, datetime(2026, 8, 31, tzinfo=UTC), may) is False
    assert past_target(MONTHLY, datetime(2026, 9, 2, 12, tzinfo=UTC), may) is True
    assert past_target(Freshness(frequency="monthly", lag_days=10), datetime(2026, 7, 15, tzinfo=UTC), may) is True


def test_a_daily_index_on_a_monday_morning_with_fridays_close_is_fresh():
    monday_morning, friday = new_york(2026, 12, 7, 9, 30), date(2026, 12, 4)
    assert monday_morning.weekday() == 0 and friday.weekday() == 4
    assert past_target(INDEX, monday_morning, friday) is False


def test_a_weekend_never_makes_a_daily_index_stale():
    for hour in (0, 12, 23):
        assert past_target(INDEX, new_york(2026, 12, 6, hour), date(2026, 12, 4)) is False  # Sunday


def test_a_daily_index_on_a_wednesday_evening_with_mondays_close_is_stale():
    wednesday_evening, monday = new_york(2026, 12, 9, 20), date(2026, 12, 7)
    assert wednesday_evening.weekday() == 2
    assert past_target(INDEX, wednesday_evening, monday) is True
    assert past_target(INDEX, wednesday_evening, date(2026, 12, 9)) is False


def test_the_days_close_is_due_some_hours_after_the_close():
    tuesday = date(2026, 12, 8)
    _, before = min_latest_observation(INDEX, new_york(2026, 12, 8, 18, 59))
    _, after = min_latest_observation(INDEX, new_york(2026, 12, 8, 19, 0))
    # One missing weekday is taken for a holiday: Tuesday evening wants Monday at least.
    assert before == date(2026, 12, 4) and after == tuesday - timedelta(days=1)
    strict = Freshness(frequency="daily", holidays=0)
    assert min_latest_observation(strict, new_york(2026, 12, 8, 19, 0))[1] == tuesday


def test_a_one_day_holiday_does_not_make_a_daily_index_stale():
    # Thanksgiving, Thursday 26 November 2026: no close that day. Friday morning, Wednesday's is the newest.
    assert past_target(INDEX, new_york(2026, 11, 27, 9), date(2026, 11, 25)) is False
    assert past_target(INDEX, new_york(2026, 11, 26, 21), date(2026, 11, 25)) is False
    assert past_target(INDEX, new_york(2026, 11, 26, 21), date(2026, 11, 24)) is True


def test_crypto_trades_every_day():
    sunday_noon = datetime(2026, 12, 6, 12, tzinfo=UTC)
    assert past_target(CRYPTO, sunday_noon, date(2026, 12, 4)) is True  # two days old: stale
    assert past_target(CRYPTO, sunday_noon, date(2026, 12, 5)) is False  # yesterday's, complete
    # Saturday's bar is complete at midnight; three hours' grace.
    assert min_latest_observation(CRYPTO, datetime(2026, 12, 6, 2, 59, tzinfo=UTC))[1] == date(2026, 12, 4)
    assert min_latest_observation(CRYPTO, datetime(2026, 12, 6, 3, 0, tzinfo=UTC))[1] == date(2026, 12, 5)


@pytest.mark.parametrize(
    ("previous", "last", "frequency"),
    [
        ("2026-12-04", "2026-12-07", "daily"),  # over a weekend
        ("2026-11-25", "2026-11-30", "weekly"),  # 5 days: past a holiday weekend, judged leniently
        ("2026-11-28", "2026-12-05", "weekly"),
        ("2026-10-01", "2026-11-01", "monthly"),
        ("2026-04-01", "2026-07-01", "quarterly"),
        ("2026-01-01", "2026-07-01", "semiannual"),
        ("2025-01-01", "2026-01-01", "annual"),
    ],
)
def test_the_frequency_is_inferred_from_the_two_newest_observations(previous, last, frequency):
    assert infer_frequency(date.fromisoformat(last), date.fromisoformat(previous)) == frequency


def test_an_inferred_series_is_judged_by_its_own_frequency():
    inferred = Freshness(frequency="inferred")
    now = datetime(2026, 12, 6, 12, tzinfo=UTC)
    quarterly = (date(2026, 7, 1), date(2026, 4, 1))
    assert min_latest_observation(inferred, now, *quarterly)[0] == "quarterly"
    assert past_target(inferred, now, *quarterly) is False  # Q3 2026; Q4 due in spring
    assert past_target(inferred, now, date(2025, 10, 1), date(2025, 7, 1)) is True  # Q4 2025: Q1 2026 is late
    assert past_target(inferred, now, date(2026, 10, 1)) is None  # one observation: no frequency yet
    assert past_target(inferred, now, None) is True  # nothing stored


def test_a_series_without_a_target_is_never_past_it():
    assert past_target(Freshness(frequency="none"), datetime(2026, 12, 6, tzinfo=UTC), date(2022, 1, 21)) is None


CATALOG = """
sources:
  - {id: s, provider: fred, category: economic, base_url: 'http://x'}
datasets:
  market_indices:
    - {key: A, providers: [{source: s, symbol: A}]}
  economic_indicators:
    - {key: B, providers: [{source: s, symbol: B}]}
    - {key: C, freshness: {frequency: annual}, providers: [{source: s, symbol: C}]}
lists:
  l: {X: x}
families:
  economic_indicators:
    - {source: s, pattern: 'F{code}', over: l, freshness: {frequency: none}}
freshness:
  lags: {annual: 200}
  datasets:
    market_indices: {frequency: daily, close: '16:00', timezone: America/New_York, grace_hours: 3}
    economic_indicators: {frequency: inferred, grace_hours: 30}
"""


def test_the_catalog_holds_each_datasets_target_and_per_instrument_overrides():
    catalog = parse_catalog(CATALOG)
    assert catalog.target("market_indices").frequency == "daily"
    assert not catalog.per_series("market_indices") and catalog.per_series("economic_indicators")
    own = catalog.series_targets("economic_indicators")
    assert own["C"].frequency == "annual" and own["C"].lag("annual") == 200  # the catalog's lag of annual
    assert own["C"].grace_hours == 30  # the rest from its dataset
    assert own["FX"].frequency == "none"  # from its family
    # A dataset the catalog names no target for is judged per series.
    assert parse_catalog(CATALOG.split("freshness:\n  lags")[0]).target("market_indices").frequency == "inferred"


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("market_indices: {frequency: hourly}", "frequency 'hourly'"),
        ("market_indices: {frequency: daily, close: '25:00'}", "close must be between"),
        ("market_indices: {frequency: daily, close: 'noon'}", "close must be HH:MM"),
        ("market_indices: {frequency: daily, timezone: Mars/Olympus}", "unknown timezone"),
        ("market_indices: {frequency: daily, calendar: lunar}", "calendar 'lunar'"),
        ("market_indices: {frequency: daily, grace_hours: -1}", "grace_hours must be"),
        ("market_indices: {frequencyy: daily}", "unknown freshness field"),
        ("options_chain: {frequency: daily}", "does not have"),
    ],
)
def test_a_bad_freshness_entry_is_a_catalog_error(bad, message):
    text = CATALOG.replace(
        "    market_indices: {frequency: daily, close: '16:00', timezone: America/New_York, grace_hours: 3}",
        f"    {bad}",
    )
    with pytest.raises(CatalogError, match=message):
        parse_catalog(text)


def test_every_shipped_dataset_names_its_target(tmp_path):
    settings = make_settings(tmp_path, "sqlite", SPARTAN_SOURCES_FILE=str(PROJECT_ROOT / "config" / "sources.yaml"))
    catalog = load_catalog(settings)
    assert set(catalog.freshness) == set(catalog.datasets())
    assert catalog.target("crypto_prices").calendar == "every_day"
    assert catalog.per_series("fred_series") and catalog.per_series("economic_indicators")
    assert catalog.series_targets("economic_indicators")["WB_GDP_GROWTH_USA"].frequency == "annual"


def test_a_dataset_judged_per_series_agrees_with_each_series_judged_alone():
    from sql.freshness import _per_series

    catalog = parse_catalog(CATALOG)
    now = datetime(2026, 12, 6, 12, tzinfo=UTC)
    rows = [
        ("B", date(2026, 11, 1), date(2026, 10, 1)),  # monthly, fresh
        ("C", date(2023, 1, 1), None),  # annual by its own target: two years late
        ("FX", date(2001, 1, 1), date(2000, 1, 1)),  # no target
        ("NOT_IN_CATALOG", date(2001, 1, 1), date(2000, 1, 1)),
    ]
    verdict = _per_series(catalog, "economic_indicators", date(2026, 11, 1), rows, now)
    own, target = catalog.series_targets("economic_indicators"), catalog.target("economic_indicators")
    alone = sorted(k for k, last, prev in rows[:3] if past_target(own.get(k, target), now, last, prev))
    assert list(verdict.stale_series) == alone == ["C"]
    assert (verdict.series, verdict.series_past_target, verdict.series_missing) == (3, 1, 0)
    assert verdict.past_target is True
