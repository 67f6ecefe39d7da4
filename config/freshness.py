"""How old a dataset's newest observation may be before it is past its freshness target.

The targets live in the catalog (``config/sources.yaml``: ``freshness:`` per dataset, and a
``freshness:`` of an instrument or family where one series differs from its dataset); this
module turns one into a date: the oldest *newest observation* that still counts as fresh at a
given moment (:func:`min_latest_observation`). A dataset (or series) whose newest observation
is older is past its target. Pure: no clock of its own, no I/O.

- ``daily``: the day's value is due ``grace_hours`` after its market's ``close`` (a time in
  ``timezone``; ``24:00`` for markets that trade all day, such as crypto), on the days of its
  ``calendar`` (``weekdays``, or ``every_day`` for crypto). The newest observation must be the
  last such day whose value is due, less ``holidays`` weekdays: there is no holiday calendar
  here, so that many missing trading days are taken for a holiday (weekends never count).
- ``weekly``, ``monthly``, ``quarterly``, ``semiannual``, ``annual``: an observation is dated at
  the start of the period it covers (FRED's convention; a source that dates the end is judged
  more leniently, never falsely); the next one covers the following period and is published
  ``lag_days`` after that period ends. So the newest observation is fresh until two periods plus
  the lag have passed since its date: a monthly series dated 1 May is fresh until the June
  figure is due (30 June plus the lag).
- ``inferred``: per series, from the spacing of its two newest observations (≤ 4 days daily,
  ≤ 10 weekly, ≤ 45 monthly, ≤ 120 quarterly, ≤ 200 half-yearly, else annual), then as above
  with the dataset's daily settings and the lag of that frequency. A series with a single
  observation has no target yet.
- ``none``: no target (a discontinued or irregular series).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

PERIODIC = {"weekly": 0, "monthly": 1, "quarterly": 3, "semiannual": 6, "annual": 12}  # months (weekly: 7 days)
FREQUENCIES = ("daily", *PERIODIC, "inferred", "none")
CALENDARS = ("weekdays", "every_day")
# Publication lag in days after a period ends, by frequency, where the catalog names none.
DEFAULT_LAGS: Mapping[str, int] = {
    "weekly": 10,
    "monthly": 62,
    "quarterly": 100,
    "semiannual": 150,
    "annual": 300,
}
# Spacing in days between the two newest observations → the frequency it suggests.
_INFERRED = ((4, "daily"), (10, "weekly"), (45, "monthly"), (120, "quarterly"), (200, "semiannual"))


class FreshnessError(ValueError):
    """A ``freshness:`` entry the station cannot judge by."""


@dataclass(frozen=True)
class Freshness:
    """One dataset's (or series') target; see the module's docstring for each field."""

    frequency: str = "inferred"
    calendar: str = "weekdays"
    close_minutes: int = 16 * 60  # minutes after local midnight; 1440 = the end of the day
    timezone: str = "America/New_York"
    grace_hours: float = 3.0
    holidays: int = 1
    lag_days: int | None = None  # None: the frequency's entry of ``lags``
    lags: tuple[tuple[str, int], ...] = field(default=tuple(DEFAULT_LAGS.items()))

    def lag(self, frequency: str) -> int:
        if self.lag_days is not None:
            return self.lag_days
        return dict(self.lags).get(frequency, DEFAULT_LAGS.get(frequency, 0))

    @property
    def per_series(self) -> bool:
        """Judged series by series (the frequency is read from each series' own dates)."""
        return self.frequency == "inferred"

    def describe(self) -> str:
        """The target in words, as /api/system/status shows it."""
        if self.frequency == "none":
            return "no target (discontinued or irregular)"
        if self.frequency == "inferred":
            return (
                "per series: frequency inferred from the spacing of its two newest observations, "
                f"then the target of that frequency ({self._daily_words()} for daily ones)"
            )
        if self.frequency == "daily":
            return f"daily: {self._daily_words()}"
        return (
            f"{self.frequency}: fresh until the period after the newest observation's has ended "
            f"and its {self.lag(self.frequency)}-day publication lag passed"
        )

    def _daily_words(self) -> str:
        close = "the end of the day" if self.close_minutes == 1440 else f"the {_hhmm(self.close_minutes)} close"
        days = "every day" if self.calendar == "every_day" else "weekdays"
        tolerance = (
            f"; {self.holidays} missing weekday(s) taken for a holiday"
            if self.calendar == "weekdays" and self.holidays
            else ""
        )
        return f"{days}, each due {self.grace_hours:g} h after {close} ({self.timezone}){tolerance}"


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def infer_frequency(last: date | None, previous: date | None) -> str | None:
    """The frequency the spacing of a series' two newest observations suggests; None with one."""
    if last is None or previous is None or last <= previous:
        return None
    spacing = (last - previous).days
    for limit, frequency in _INFERRED:
        if spacing <= limit:
            return frequency
    return "annual"


def _months_before(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    next_month = date(year + (month == 12), month % 12 + 1, 1)
    return date(year, month, min(day.day, (next_month - timedelta(days=1)).day))


def _is_trading_day(day: date, calendar: str) -> bool:
    return calendar == "every_day" or day.weekday() < 5


def _last_due_day(now: datetime, target: Freshness) -> date:
    """The newest day whose value is due by ``now`` (close + grace passed), on the calendar."""
    zone = ZoneInfo(target.timezone)
    day = now.astimezone(zone).date()
    grace = timedelta(hours=target.grace_hours, minutes=target.close_minutes)
    for _ in range(400):
        if _is_trading_day(day, target.calendar):
            due = datetime.combine(day, time(0), zone) + grace
            if due <= now:
                return day
        day -= timedelta(days=1)
    raise FreshnessError(f"no trading day due in the 400 days before {now}")  # grace_hours is bounded: never


def min_latest_observation(
    target: Freshness, now: datetime, last: date | None = None, previous: date | None = None
) -> tuple[str, date | None]:
    """(the frequency judged by, the oldest newest observation still fresh at ``now``): None
    when there is no target (``none``, or an inferred frequency with a single observation)."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    frequency = target.frequency
    if frequency == "inferred":
        frequency = infer_frequency(last, previous) or "unknown"
    if frequency in ("none", "unknown"):
        return frequency, None
    if frequency == "daily":
        day = _last_due_day(now, target)
        if target.calendar == "weekdays":
            for _ in range(target.holidays):
                day -= timedelta(days=1)
                while not _is_trading_day(day, target.calendar):
                    day -= timedelta(days=1)
        return frequency, day
    today = now.astimezone(UTC).date() - timedelta(days=target.lag(frequency))
    if frequency == "weekly":
        return frequency, today - timedelta(days=14)
    return frequency, _months_before(today, 2 * PERIODIC[frequency])


def past_target(target: Freshness, now: datetime, last: date | None, previous: date | None = None) -> bool | None:
    """Whether a newest observation ``last`` is past ``target`` at ``now``: True with nothing
    stored; None when there is no target to be past."""
    if target.frequency == "none":
        return None
    if last is None:
        return True
    _, floor = min_latest_observation(target, now, last, previous)
    return None if floor is None else last < floor


# --- reading a catalog entry --------------------------------------------------------------------

_FIELDS = {"frequency", "calendar", "close", "timezone", "grace_hours", "holidays", "lag_days"}


def _close_minutes(value: object, where: str) -> int:
    text = str(value).strip()
    try:
        hours, minutes = (int(part) for part in text.split(":"))
    except ValueError:
        raise FreshnessError(f"{where}: close must be HH:MM, got {value!r}") from None
    if not (0 <= hours <= 24 and 0 <= minutes < 60) or hours * 60 + minutes > 1440:
        raise FreshnessError(f"{where}: close must be between 00:00 and 24:00, got {value!r}")
    return hours * 60 + minutes


def parse_freshness(entry: object, where: str, base: Freshness | None = None) -> Freshness:
    """A catalog ``freshness:`` mapping, over ``base`` (the dataset's, for an instrument's)."""
    if not isinstance(entry, Mapping):
        raise FreshnessError(f"{where}: freshness must be a mapping, got {type(entry).__name__}")
    unknown = set(entry) - _FIELDS - {"__line__"}
    if unknown:
        raise FreshnessError(f"{where}: unknown freshness field(s) {sorted(unknown)}; allowed: {sorted(_FIELDS)}")
    base = base or Freshness()
    values: dict = {}
    if "frequency" in entry:
        if entry["frequency"] not in FREQUENCIES:
            raise FreshnessError(f"{where}: frequency {entry['frequency']!r} is not one of {list(FREQUENCIES)}")
        values["frequency"] = entry["frequency"]
        if "lag_days" not in entry:
            values["lag_days"] = None  # an instrument's own frequency takes that frequency's lag
    if "calendar" in entry:
        if entry["calendar"] not in CALENDARS:
            raise FreshnessError(f"{where}: calendar {entry['calendar']!r} is not one of {list(CALENDARS)}")
        values["calendar"] = entry["calendar"]
    if "close" in entry:
        values["close_minutes"] = _close_minutes(entry["close"], where)
    if "timezone" in entry:
        try:
            ZoneInfo(str(entry["timezone"]))
        except (ZoneInfoNotFoundError, ValueError):
            raise FreshnessError(f"{where}: unknown timezone {entry['timezone']!r}") from None
        values["timezone"] = str(entry["timezone"])
    for name, low, high in (("grace_hours", 0, 24 * 14), ("holidays", 0, 5), ("lag_days", 0, 3 * 365)):
        if name in entry:
            value = entry[name]
            if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
                raise FreshnessError(f"{where}: {name} must be a number from {low} to {high}, got {value!r}")
            values[name] = int(value) if name != "grace_hours" else float(value)
    return replace(base, **values)


def parse_lags(entry: object, where: str) -> tuple[tuple[str, int], ...]:
    """The catalog's ``freshness.lags``: days of publication lag by periodic frequency."""
    if not isinstance(entry, Mapping):
        raise FreshnessError(f"{where}: lags must be a mapping of frequency to days")
    lags = dict(DEFAULT_LAGS)
    for name, days in entry.items():
        if name == "__line__":
            continue
        if name not in PERIODIC:
            raise FreshnessError(f"{where}: lags for {name!r}: not one of {list(PERIODIC)}")
        if isinstance(days, bool) or not isinstance(days, int) or not 0 <= days <= 3 * 365:
            raise FreshnessError(f"{where}: lag of {name} must be whole days from 0 to 1095, got {days!r}")
        lags[name] = days
    return tuple(lags.items())
