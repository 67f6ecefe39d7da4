"""Reads as data: what a panel reads, declared once, resolved against the data, merged per page.

A panel type declares its reads (``pages/panels``: ``reads=``) as :class:`Read` values: which
rows of which dataset, over a span counted back from the dataset's newest date. The same
declaration serves the panel, its CSV route, the page's batched prefetch and both warmers (the
web's page warmer and, through the plans it publishes, the sidecar's). A page merges its
panels' reads per dataset — the union of their series over the earliest start — so it asks
the database once per dataset it shows, and each panel takes its part of the merged rows.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

from config.dashboard_specs import range_start

# What each kind of read returns (sql/read.py): its key and date columns for taking a part.
KINDS = ("observations", "rows", "bars", "last_two", "pairs")


@dataclass(frozen=True)
class Read:
    """Rows of ``dataset``: its series ``keys`` (None: all) from a start counted back from the
    dataset's newest date — a view ``range`` (``5Y``, ``YTD``, ``MAX``…) widened by
    ``lookback`` days, and/or the last ``days`` days (with both, the earlier start wins; with
    neither, all of it)."""

    kind: str
    dataset: str
    keys: tuple[str, ...] | None = None
    range: str | None = None
    lookback: int = 0
    days: int | None = None
    window: int | None = None  # ``pairs``: the correlation window
    pairs: tuple[tuple[str, str], ...] = ()  # ``pairs``: (a, b) in either stored order

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown kind of read {self.kind!r}; known: {', '.join(KINDS)}")
        if self.keys is not None:
            object.__setattr__(self, "keys", tuple(dict.fromkeys(str(k) for k in self.keys)))

    def start(self, newest: date) -> date | None:
        """The first date this read needs when the dataset's newest observation is ``newest``."""
        starts = []
        if self.range is not None:
            begin = range_start(self.range, newest)
            if begin is None:
                return None
            starts.append(begin - timedelta(days=self.lookback))
        if self.days is not None:
            starts.append(newest - timedelta(days=self.days))
        return min(starts) if starts else None


@dataclass(frozen=True)
class Query:
    """A read resolved against the data: concrete keys and start date, ready to run."""

    kind: str
    dataset: str
    keys: tuple[str, ...] | None
    start: date | None
    window: int | None = None
    pairs: tuple[tuple[str, str], ...] = ()

    @property
    def group(self) -> tuple:
        """Reads of one group are answered by one query."""
        if self.kind == "bars":
            return (self.kind, self.dataset, self.keys)
        if self.kind == "pairs":
            return (self.kind, self.window)
        return (self.kind, self.dataset)

    def covers(self, other: Query) -> bool:
        """Whether this query's rows include every row ``other`` asks for."""
        if self.group != other.group:
            return False
        if self.start is not None and (other.start is None or other.start < self.start):
            return False
        if self.kind == "pairs":
            return {tuple(sorted(p)) for p in other.pairs} <= {tuple(sorted(p)) for p in self.pairs}
        return self.keys is None or (other.keys is not None and set(other.keys) <= set(self.keys))


def resolve(read: Read, newest: date | None) -> Query | None:
    """The query of ``read`` when its dataset's newest date is ``newest`` (None: nothing stored)."""
    if newest is None:
        return None
    keys = tuple(sorted(read.keys)) if read.keys is not None else None
    pairs = tuple(sorted({tuple(sorted(p)) for p in read.pairs}))
    return Query(read.kind, read.dataset, keys, read.start(newest), read.window, pairs)


def merge(queries: list[Query]) -> list[Query]:
    """One query per group: the union of the series over the earliest start."""
    merged: dict[tuple, Query] = {}
    for query in queries:
        have = merged.get(query.group)
        if have is None:
            merged[query.group] = query
            continue
        keys = None if have.keys is None or query.keys is None else tuple(sorted({*have.keys, *query.keys}))
        start = None if have.start is None or query.start is None else min(have.start, query.start)
        pairs = tuple(sorted({*have.pairs, *query.pairs}))
        merged[query.group] = replace(have, keys=keys, start=start, pairs=pairs)
    return list(merged.values())
