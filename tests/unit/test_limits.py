"""Rate limiter, circuit breaker and key ring: the per-source guards, under concurrent workers."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pandas as pd
import pytest

from datasources.limits import CircuitBreaker, KeyRing, RateLimiter
from datasources.validate import ValidationError, validate_bars


class FakeClock:
    """Time that moves only when someone sleeps on it (thread-safe)."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.lock = threading.Lock()

    def __call__(self) -> float:
        with self.lock:
            return self.now

    def sleep(self, seconds: float) -> None:
        with self.lock:
            self.now += seconds


def test_rate_limiter_allows_a_burst_up_to_the_limit_then_waits_for_the_window():
    clock = FakeClock()
    limiter = RateLimiter(3, clock=clock, sleep=clock.sleep)
    assert [limiter.acquire() for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.acquire() == pytest.approx(60.0)  # the fourth waits for the first to age out
    assert sum(limiter.windows.values()) == 4


def test_rate_limiter_holds_across_threads():
    clock = FakeClock()
    limiter = RateLimiter(10, clock=clock, sleep=clock.sleep)
    sent_at: list[float] = []
    lock = threading.Lock()

    def worker():
        limiter.acquire()
        with lock:
            sent_at.append(clock())

    with ThreadPoolExecutor(8) as pool:
        for _ in range(35):
            pool.submit(worker)
    sent_at.sort()
    assert len(sent_at) == 35
    # In any 60-second window no more than 10 requests went out.
    for i, t in enumerate(sent_at):
        assert sum(1 for u in sent_at[i:] if u - t < 60) <= 10


def test_unlimited_source_never_waits():
    limiter = RateLimiter(None)
    assert all(limiter.acquire() == 0.0 for _ in range(100))


def test_circuit_opens_after_threshold_and_half_opens_after_cooldown():
    clock = FakeClock()
    breaker = CircuitBreaker(threshold=3, cooldown=600, clock=clock)
    breaker.record_failure()
    breaker.record_failure()
    assert not breaker.is_open
    breaker.record_failure()
    assert breaker.is_open
    clock.sleep(599)
    assert breaker.is_open
    clock.sleep(2)
    assert not breaker.is_open  # one probe may go through
    breaker.record_failure()
    assert breaker.is_open  # the probe failed: open again at once
    clock.sleep(601)
    assert not breaker.is_open
    breaker.record_success()
    breaker.record_failure()
    assert not breaker.is_open  # a success resets the count


def test_circuit_breaker_counts_failures_from_many_threads():
    breaker = CircuitBreaker(threshold=50)
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda _: breaker.record_failure(), range(49)))
    assert not breaker.is_open
    breaker.record_failure()
    assert breaker.is_open


def test_key_ring_rotates_and_hides_keys():
    ring = KeyRing("SPARTAN_POLYGON_API_KEYS", {"SPARTAN_POLYGON_API_KEYS": " k1, k2 ,,k3"})
    assert len(ring) == 3 and ring.current() == "k1"
    assert [ring.rotate(), ring.rotate(), ring.rotate()] == ["k2", "k3", "k1"]
    assert "k1" not in repr(ring) and "3 key(s)" in repr(ring)
    empty = KeyRing("SPARTAN_POLYGON_API_KEYS", {})
    assert len(empty) == 0 and empty.current() is None and empty.rotate() is None


def bars(**overrides) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "symbol": "SPY",
            "ts": pd.to_datetime(["2026-11-18", "2026-11-19", "2026-11-20"], utc=True),
            "open": [600.0, 601.0, 603.0],
            "high": [605.0, 606.0, 607.0],
            "low": [598.0, 599.0, 600.0],
            "close": [601.0, 604.0, 605.0],
            "volume": [1e6, 1.1e6, 0.9e6],
        }
    )
    for column, (row, value) in overrides.items():
        frame.loc[row, column] = value
    return frame


def test_good_bars_pass():
    assert len(validate_bars(bars(), "SPY")) == 3


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"close": (1, 0.0)}, "prices must be > 0"),
        ({"low": (2, -1.0)}, "prices must be > 0"),
        ({"high": (0, 590.0)}, "high below low"),
        ({"ts": (2, pd.Timestamp("2026-11-19", tz="UTC"))}, "duplicate timestamps"),
        ({"ts": (2, pd.Timestamp.now(tz="UTC") + pd.Timedelta(days=3))}, "in the future"),
    ],
    ids=["zero-close", "negative-low", "high-below-low", "duplicate", "future"],
)
def test_bad_bars_are_rejected_with_the_reason(overrides, message):
    with pytest.raises(ValidationError, match=message):
        validate_bars(bars(**overrides), "SPY")


def test_a_large_move_is_no_reason_to_refuse_bars():
    # Suspicious, not impossible: written and flagged (tests/unit/test_quality.py).
    assert len(validate_bars(bars(close=(2, 6050.0), high=(2, 6060.0)), "SPY")) == 3


def test_bars_without_open_high_low_are_fine():
    frame = bars().assign(open=float("nan"), high=float("nan"), low=float("nan"))
    assert len(validate_bars(frame, "EURUSD")) == 3


def test_slow_series_are_not_asked_for_every_hour():
    from datetime import UTC, date, datetime, timedelta

    from jobs.bookkeeping import StoredSpan, is_due

    now = datetime.now(UTC)
    daily = StoredSpan(newest=date(2026, 11, 20), oldest=date(2021, 11, 22), count=1300)
    weekly = StoredSpan(newest=date(2026, 11, 19), oldest=date(2021, 11, 18), count=262)
    monthly = StoredSpan(newest=date(2026, 10, 1), oldest=date(2016, 11, 1), count=120)
    assert is_due(daily, now - timedelta(minutes=5))  # every run
    assert not is_due(weekly, now - timedelta(hours=2)) and is_due(weekly, now - timedelta(hours=7))
    assert not is_due(monthly, now - timedelta(hours=23)) and is_due(monthly, now - timedelta(hours=25))
    assert is_due(monthly, None)  # never downloaded successfully: always
    assert StoredSpan(date(2026, 1, 1), date(2026, 1, 1), 1).spacing_days == 1.0
