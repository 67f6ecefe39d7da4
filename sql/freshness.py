"""Every catalogued dataset against its own freshness target (the catalog's ``freshness:``,
judged by config/freshness.py), for ``/health`` and ``/api/system/status``.

Cheap enough for every probe: a dataset with one frequency is judged by its newest observation
as the writer keeps it in ``dataset_versions`` (the snapshot the readers hold anyway: no query);
a dataset judged series by series (frequencies inferred, or instruments with targets of their
own) reads the newest and second-newest date of each series from ``series_stats`` in one
indexed read, memoized on those datasets' versions, so it is read again only after a write.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import pandas as pd
from sqlalchemy import select

from config.catalog import Catalog
from config.freshness import Freshness, infer_frequency, min_latest_observation, past_target
from sql import versions
from sql.memo import versioned
from sql.schema import series_stats
from sql.versions import StorageUnavailable, frame_of

# How many names of stale series (or datasets) an answer lists at most.
NAMES_SHOWN = 10


@dataclass(frozen=True)
class DatasetFreshness:
    dataset: str
    target: str  # the target in words
    frequency: str  # daily, monthly, … or "per series"
    latest_observation: date | None
    min_latest_observation: date | None  # the oldest newest observation still fresh (one frequency)
    past_target: bool | None  # None: no target to be past, or not known (database down)
    series: int = 0  # per series: the catalogued series stored
    series_past_target: int = 0
    stale_series: tuple[str, ...] = ()  # the first NAMES_SHOWN of them
    series_missing: int = 0  # catalogued series with nothing stored


def _day(value) -> date | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


@versioned
def _series_dates(signature: tuple, datasets: tuple[str, ...]) -> pd.DataFrame:
    """Per series of ``datasets``: its newest and second-newest observation date."""
    stats = series_stats.c
    statement = select(stats.dataset, stats.key, stats.last_date, stats.prev_date).where(
        stats.dataset.in_(list(datasets))
    )
    return frame_of(statement)


def evaluate(catalog: Catalog, now: datetime | None = None) -> list[DatasetFreshness]:
    """Each dataset of ``catalog`` judged at ``now``; StorageUnavailable when neither the
    database nor a cached snapshot can say what is stored."""
    now = now or datetime.now(UTC)
    snapshot = versions.current()
    names = catalog.datasets()
    mixed = tuple(name for name in names if catalog.per_series(name))
    series: dict[str, list[tuple[str, date | None, date | None]]] | None = {}
    if mixed:
        try:
            signature = tuple((name, snapshot.version(name)) for name in mixed)
            frame = _series_dates(signature, mixed)
        except StorageUnavailable:
            series = None  # the database is down and the cache does not hold them: not known
        else:
            for row in frame.itertuples(index=False):
                series.setdefault(row.dataset, []).append((row.key, _day(row.last_date), _day(row.prev_date)))
    out = []
    for name in names:
        state = snapshot.datasets.get(name)
        latest = state.last_date if state is not None and state.row_count else None
        target = catalog.target(name)
        if name not in mixed:
            frequency, floor = min_latest_observation(target, now, latest)
            out.append(
                DatasetFreshness(name, target.describe(), frequency, latest, floor, past_target(target, now, latest))
            )
            continue
        if series is None:
            out.append(DatasetFreshness(name, target.describe(), "per series", latest, None, None))
            continue
        out.append(_per_series(catalog, name, latest, series.get(name, []), now))
    return out


def _per_series(
    catalog: Catalog, name: str, latest: date | None, rows: list[tuple[str, date | None, date | None]], now: datetime
) -> DatasetFreshness:
    target = catalog.target(name)
    own = catalog.series_targets(name)
    catalogued = {i.key for i in catalog.for_dataset(name)}
    stored = {key: (last, prev) for key, last, prev in rows if key in catalogued and last is not None}
    # The oldest fresh date depends on the target and the frequency alone: once per pair, not
    # once per series (a thousand series share a handful).
    floors: dict[tuple[Freshness, str | None], date | None] = {}

    def past(series_target: Freshness, last: date, prev: date | None) -> bool:
        if series_target.frequency == "none":
            return False
        frequency = infer_frequency(last, prev) if series_target.per_series else series_target.frequency
        key = (series_target, frequency)
        if key not in floors:
            floors[key] = min_latest_observation(series_target, now, last, prev)[1]
        floor = floors[key]
        return floor is not None and last < floor

    stale = sorted(key for key, (last, prev) in stored.items() if past(own.get(key, target), last, prev))
    overrides = f"; {len(own)} series with targets of their own" if own else ""
    return DatasetFreshness(
        name,
        target.describe() + overrides,
        "per series",
        latest,
        None,
        True if not stored else bool(stale),
        series=len(stored),
        series_past_target=len(stale),
        stale_series=tuple(stale[:NAMES_SHOWN]),
        series_missing=len(catalogued - set(stored)),
    )


def stale_datasets(report: list[DatasetFreshness]) -> list[str]:
    return [d.dataset for d in report if d.past_target]
