"""Readers: the only way pages and the API see stored data.

Each reader names the version of the data it reads (sql/versions.py: one small read per
process a second, whatever the traffic) and is memoized on it (sql/memo.py: this process's
memory, then the shared cache, then the database), so a committed refresh invalidates every
cached read by moving the version, never by deleting keys. Reads are designed for the
database: each is one indexed query over the window it needs, and what would need a scan
(counts, first and last dates, each series' latest rows) the writer keeps with the data.

Panels declare their reads as data (sql/plans.py); a page runs them inside :func:`batch`,
which asks the database once per dataset the page shows, and :func:`fetch` hands each panel
its part.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, timedelta

import pandas as pd
from sqlalchemy import and_, func, or_, select

from sql import plans, versions
from sql.cache import cache
from sql.datasets import DATASETS, dataset
from sql.memo import versioned
from sql.plans import Query, Read
from sql.schema import data_quality, series_stats, table
from sql.station import (  # noqa: F401 - the status readers, re-exported: pages and the API use read.*
    current_settings,
    dataset_status,
    demo_active,
    download_log_page,
    history_depth,
    recent_downloads,
    source_health,
    staleness,
)
from sql.versions import StorageUnavailable, dataset_version, frame_of, system_version  # noqa: F401 - re-exported

# Days of history a yield-curve panel reads (today, one month and one year ago, with slack).
CURVE_DAYS = 400
# Where the web publishes the reads of every page's default view, for the sidecar to warm.
PAGE_PLANS_KEY = "plans:pages"


def _utc(series: pd.Series) -> pd.Series:
    """Timestamps as tz-aware UTC (SQLite hands them back naive)."""
    values = pd.to_datetime(series)
    return values.dt.tz_localize("UTC") if values.dt.tz is None else values.dt.tz_convert("UTC")


def _value_column(name: str) -> str:
    column = dataset(name).value_column
    if column is None:
        raise ValueError(f"dataset {name!r} has no single value column")
    return column


def dataset_state(name: str) -> versions.DatasetState:
    """A dataset's version, last update, sources and totals, as the writer recorded them."""
    return versions.current().state(dataset(name).name)


def latest_date(name: str) -> date | None:
    """The newest observation date stored for a dataset (kept by the writer), None when empty."""
    return versions.current().state(dataset(name).name).last_date


def _filtered(stmt, date_col, start: str | None, key_col=None, keys: tuple[str, ...] | None = None):
    """``stmt`` limited to the ``keys`` of ``key_col`` (when given) and to dates from ``start``
    (ISO, when given): the filter every windowed reader applies."""
    if keys:
        stmt = stmt.where(key_col.in_(keys))
    if start:
        stmt = stmt.where(date_col >= date.fromisoformat(start))
    return stmt


# --- one value a row: key, date, value, source -------------------------------------------------


@versioned
def _observations(version: int, name: str, keys: tuple[str, ...] | None, start: str | None) -> pd.DataFrame:
    spec = dataset(name)
    tbl = table(spec.table)
    key_col, date_col = tbl.c[spec.key_column], tbl.c[spec.date_column]
    value_col = tbl.c[_value_column(name)]
    stmt = select(key_col.label("key"), date_col.label("date"), value_col.label("value"), tbl.c.source)
    stmt = _filtered(stmt, date_col, start, key_col, keys)
    frame = frame_of(stmt.order_by(key_col, date_col))
    if not frame.empty:
        frame["date"] = pd.to_datetime(frame["date"])
    return frame


def observations(name: str, keys: list[str] | tuple[str, ...] | None = None, start: date | None = None) -> pd.DataFrame:
    """``key, date, value, source`` rows of a dataset, oldest first, optionally filtered."""
    spec = dataset(name)
    key_tuple = tuple(sorted(str(k) for k in keys)) if keys else None
    return _observations(dataset_version(spec.name), spec.name, key_tuple, start.isoformat() if start else None)


def recent_observations(name: str, keys: list[str] | None = None, days: int = 5 * 365) -> pd.DataFrame:
    """``observations`` over the ``days`` before the dataset's newest date (not before today:
    a dataset whose source stopped a while ago still shows its last stretch)."""
    newest = latest_date(name)
    if newest is None:
        return pd.DataFrame(columns=["key", "date", "value", "source"])
    return observations(name, keys, start=newest - timedelta(days=days))


@versioned
def _last_two(version: int, name: str) -> pd.DataFrame:
    spec = dataset(name)
    tbl = table(spec.table)
    key_col, date_col = tbl.c[spec.key_column], tbl.c[spec.date_column]
    stats = series_stats.c
    # Each series' rows from its second-newest date on, found by its primary key (the writer
    # keeps that date in series_stats): a few rows a series, however long its history.
    since_prev = and_(stats.dataset == name, stats.key == key_col, date_col >= stats.prev_date)
    stmt = select(
        key_col.label("key"), date_col.label("date"), tbl.c[_value_column(name)].label("value"), tbl.c.source
    ).select_from(tbl.join(series_stats, since_prev))
    frame = frame_of(stmt)
    if frame.empty:
        return frame
    frame["date"] = pd.to_datetime(frame["date"])
    newest_first = frame.sort_values(["key", "date"], ascending=[True, False], kind="stable")
    return newest_first.groupby("key", sort=False).head(2).reset_index(drop=True)


def last_two(name: str) -> pd.DataFrame:
    """The two newest rows of every series of a dataset (for latest value and change)."""
    spec = dataset(name)
    return _last_two(dataset_version(spec.name), spec.name)


# --- whole rows (the analytics panels: tables with several value columns) ----------------------


@versioned
def _rows(version: int, name: str, keys: tuple[str, ...] | None, start: str | None) -> pd.DataFrame:
    spec = dataset(name)
    tbl = table(spec.table)
    key_col, date_col = tbl.c[spec.key_column], tbl.c[spec.date_column]
    stmt = select(*[c for c in tbl.c if c.name != "fetched_at"])
    stmt = _filtered(stmt, date_col, start, key_col, keys)
    frame = frame_of(stmt.order_by(key_col, date_col))
    if not frame.empty:
        frame[spec.date_column] = pd.to_datetime(frame[spec.date_column])
    return frame


def rows(name: str, keys: list[str] | tuple[str, ...] | None = None, start: date | None = None) -> pd.DataFrame:
    """Every column of a dataset's rows (but ``fetched_at``), by key then date, optionally only
    ``keys`` (of its key column) and dates from ``start``; for tables with several value columns."""
    spec = dataset(name)
    key_tuple = tuple(sorted(str(k) for k in keys)) if keys else None
    return _rows(dataset_version(spec.name), spec.name, key_tuple, start.isoformat() if start else None)


@versioned
def _correlation_pairs(
    version: int, pairs: tuple[tuple[str, str], ...], window: int, start: str | None
) -> pd.DataFrame:
    tbl = table("correlations")
    either_order = [
        or_(and_(tbl.c.asset_a == a, tbl.c.asset_b == b), and_(tbl.c.asset_a == b, tbl.c.asset_b == a))
        for a, b in pairs
    ]
    stmt = select(tbl.c.asset_a, tbl.c.asset_b, tbl.c.date, tbl.c.value).where(
        tbl.c.window_days == window, or_(*either_order)
    )
    stmt = _filtered(stmt, tbl.c.date, start)
    frame = frame_of(stmt.order_by(tbl.c.asset_a, tbl.c.asset_b, tbl.c.date))
    if not frame.empty:
        frame["date"] = pd.to_datetime(frame["date"])
    return frame


def correlation_pairs(pairs: list[tuple[str, str]], window: int, start: date | None = None) -> pd.DataFrame:
    """``asset_a, asset_b, date, value`` of just these pairs (in either stored order) for one
    window: the pair-history charts read a few hundred rows, not every pair of their assets."""
    key = tuple(sorted(tuple(sorted(p)) for p in pairs))
    return _correlation_pairs(dataset_version("correlations"), key, int(window), start.isoformat() if start else None)


# --- OHLCV bars of one instrument (instrument detail pages) -----------------------------------

BAR_FIELDS = ("open", "high", "low", "close", "volume")


@versioned
def _bars(version: int, name: str, key: str, start: str | None) -> pd.DataFrame:
    spec = dataset(name)
    tbl = table(spec.table)
    date_col = tbl.c[spec.date_column]
    stmt = select(date_col.label("date"), *(tbl.c[f] for f in BAR_FIELDS), tbl.c.source).where(
        tbl.c[spec.key_column] == key, tbl.c.interval == "1d"
    )
    stmt = _filtered(stmt, date_col, start)
    frame = frame_of(stmt.order_by(date_col))
    if not frame.empty:
        # Naive UTC timestamps on both backends (PostgreSQL hands them back tz-aware).
        frame["date"] = _utc(frame["date"]).dt.tz_localize(None)
        for field in BAR_FIELDS:
            frame[field] = pd.to_numeric(frame[field], errors="coerce")
    return frame


def is_bar_dataset(name: str) -> bool:
    """Whether a dataset stores OHLCV bars (``open, high, low, close, volume``)."""
    return "close" in table(dataset(name).table).c


def bars(name: str, key: str, start: date | None = None) -> pd.DataFrame:
    """``date, open, high, low, close, volume, source`` daily bars of one instrument of a bar
    dataset (market_indices, commodities, forex_rates, crypto_prices, …), oldest first."""
    spec = dataset(name)
    if not is_bar_dataset(spec.name):
        raise ValueError(f"dataset {name!r} does not store bars")
    return _bars(dataset_version(spec.name), spec.name, str(key), start.isoformat() if start else None)


# --- the REST API (api/): dataset metadata, latest rows per series -----------------------------


def dataset_meta(name: str) -> dict:
    """``version``, ``updated_at`` (the last committed write, tz-aware UTC, None before the
    first), ``source`` (of that write) and ``demo`` of a dataset."""
    state = versions.current().state(dataset(name).name)
    return {"version": state.version, "updated_at": state.updated_at, "source": state.source, "demo": state.demo}


def identity_columns(name: str) -> list[str]:
    """The primary-key columns that name one series of a dataset (all but its date and the bar
    ``interval``): ``symbol``; ``indicator_id, country``; ``asset_a, asset_b, window_days``…"""
    spec = dataset(name)
    tbl = table(spec.table)
    return [c.name for c in tbl.primary_key.columns if c.name not in (spec.date_column, "interval")]


@versioned
def _latest_rows(version: int, name: str) -> pd.DataFrame:
    spec = dataset(name)
    tbl = table(spec.table)
    date_col = tbl.c[spec.date_column]
    identity = [tbl.c[c] for c in identity_columns(name)]
    rank = func.row_number().over(partition_by=identity, order_by=date_col.desc()).label("rn")
    inner = select(*[c for c in tbl.c if c.name not in ("fetched_at", "interval")], rank)
    if "interval" in tbl.c:
        inner = inner.where(tbl.c.interval == "1d")
    if len(identity) == 1:
        # A series per key: only its rows from its second-newest date on (series_stats).
        stats = series_stats.c
        inner = inner.select_from(
            tbl.join(series_stats, and_(stats.dataset == name, stats.key == identity[0], date_col >= stats.prev_date))
        )
    ranked = inner.subquery("ranked")
    frame = frame_of(select(ranked).where(ranked.c.rn <= 2).order_by(*[ranked.c[c.name] for c in identity], "rn"))
    if not frame.empty:
        frame[spec.date_column] = _utc(frame[spec.date_column]).dt.tz_localize(None)
    return frame


def latest_rows(name: str) -> pd.DataFrame:
    """The two newest rows of every series of a dataset (daily bars only), every column but
    ``fetched_at``, with ``rn`` 1 for the newest and 2 for the one before; naive UTC dates."""
    spec = dataset(name)
    return _latest_rows(dataset_version(spec.name), spec.name)


# --- quality flags (data_quality): suspicious points, written with the data ---------------------

FLAG_FIELDS = (
    "dataset",
    "key",
    "date",
    "rule",
    "detail",
    "value",
    "source",
    "status",
    "second_source",
    "second_value",
    "first_seen",
    "last_seen",
)


def _no_flags() -> pd.DataFrame:
    return pd.DataFrame(columns=list(FLAG_FIELDS))


@versioned
def _flags(states: tuple[tuple[str, int], ...]) -> pd.DataFrame:
    q = data_quality.c
    names = [name for name, _version in states]
    stmt = select(*(q[f] for f in FLAG_FIELDS)).where(q.dataset.in_(names))
    frame = frame_of(stmt.order_by(q.dataset, q.key, q.date, q.rule))
    if not frame.empty:
        frame["date"] = pd.to_datetime(frame["date"])
        frame["first_seen"] = _utc(frame["first_seen"])
        frame["last_seen"] = _utc(frame["last_seen"])
    return frame


def quality_flags(name: str | None = None, keys: Iterable[str] | None = None) -> pd.DataFrame:
    """The quality flags of dataset ``name`` (of every dataset when None), optionally of some
    ``keys``: ``FLAG_FIELDS`` with ``date`` a naive date. One indexed query per version of the
    datasets asked for, and none at all for datasets the writer counted no flags of."""
    snapshot = versions.current()
    names = [dataset(name).name] if name else list(DATASETS)
    states = tuple((n, snapshot.state(n).version) for n in names if snapshot.state(n).flag_count)
    if not states:
        return _no_flags()
    frame = _flags(states)
    if keys is not None and not frame.empty:
        frame = frame[frame["key"].isin({str(k) for k in keys})].reset_index(drop=True)
    return frame


# --- declared reads: a page's batch, a panel's part of it -------------------------------------

_BATCH: ContextVar[dict[tuple, tuple[Query, pd.DataFrame]] | None] = ContextVar("spartan_read_batch", default=None)
_DATASET_OF = {"pairs": "correlations"}


def _resolve(read: Read) -> Query | None:
    return plans.resolve(read, latest_date(_DATASET_OF.get(read.kind, read.dataset)))


def _run(query: Query) -> pd.DataFrame:
    start = query.start
    if query.kind == "observations":
        return observations(query.dataset, query.keys, start)
    if query.kind == "rows":
        return rows(query.dataset, query.keys, start)
    if query.kind == "bars":
        return bars(query.dataset, query.keys[0], start)
    if query.kind == "last_two":
        return last_two(query.dataset)
    return correlation_pairs(list(query.pairs), query.window, start)


def _part(frame: pd.DataFrame, query: Query) -> pd.DataFrame:
    """The rows of a merged query's ``frame`` that ``query`` asks for."""
    if frame.empty or query.kind == "last_two":
        return frame
    if query.kind == "pairs":
        a, b = frame["asset_a"].astype(str), frame["asset_b"].astype(str)
        pair = a.where(a <= b, b) + "\x1f" + b.where(a <= b, a)
        keep = pair.isin({f"{x}\x1f{y}" for x, y in query.pairs})
        key_col, date_col = None, "date"
    else:
        spec = dataset(query.dataset)
        plain = query.kind in ("observations", "bars")
        key_col = None if query.kind == "bars" else "key" if plain else spec.key_column
        date_col = "date" if plain else spec.date_column
        keep = pd.Series(True, index=frame.index)
    if key_col and query.keys is not None:
        keep &= frame[key_col].astype(str).isin(query.keys)
    if query.start is not None:
        stamps = pd.to_datetime(frame[date_col])
        if stamps.dt.tz is not None:  # PostgreSQL's timestamps: UTC, as the query compared them
            stamps = stamps.dt.tz_convert("UTC").dt.tz_localize(None)
        keep &= stamps >= pd.Timestamp(query.start)
    return frame[keep].reset_index(drop=True)


def fetch(read: Read) -> pd.DataFrame:
    """The rows of a declared read: the page's batch's part when it ran one, else its own query.
    Empty when the dataset holds nothing yet."""
    query = _resolve(read)
    if query is None:
        return pd.DataFrame()
    found = (_BATCH.get() or {}).get(query.group)
    if found is not None and found[0].covers(query):
        return _part(found[1], query)
    return _run(query)


@contextmanager
def batch(reads: Iterable[Read]) -> Iterator[int]:
    """Run ``reads`` merged — one query per dataset (or correlation window) — and let
    :func:`fetch` serve each of them from those rows inside the block; yields the query count.
    A query the database cannot answer is left out: the panels that need it say so."""
    queries = []
    for read in reads:
        try:
            query = _resolve(read)
        except StorageUnavailable:
            continue
        if query is not None:
            queries.append(query)
    found = {}
    for query in plans.merge(queries):
        try:
            found[query.group] = (query, _run(query))
        except StorageUnavailable:
            continue
    token = _BATCH.set({**(_BATCH.get() or {}), **found})
    try:
        yield len(found)
    finally:
        _BATCH.reset(token)


# --- warming ----------------------------------------------------------------------------------


def publish_page_plans(page_reads: list[list[Read]]) -> None:
    """The reads of every page's default view (the web computes them from the panels'
    declarations), for the sidecar to warm right after each refresh."""
    cache.set(PAGE_PLANS_KEY, page_reads, timeout=0)


def warm() -> int:
    """Fill the hot keys after a refresh (the sidecar calls this once its writes committed):
    every dataset's latest values, the status and health tables, and every page's default
    reads as the web last published them. Returns how many reads were warmed."""
    reads = [dataset_status, source_health, lambda: recent_downloads(500)]
    reads += [lambda name=name: last_two(name) for name, spec in DATASETS.items() if spec.value_column]
    for read in reads:
        read()
    pages = cache.get(PAGE_PLANS_KEY) or []
    for page_reads in pages:
        with batch(page_reads) as queries:
            reads.extend([None] * queries)
    return len(reads)
