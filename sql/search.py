"""Search over the catalog's instruments and series, from the database: the sidecar writes the
catalog's entries and the words of their keys and labels (``write_index``, with every catalog
sync); the web matches query words by prefix in one indexed query (``search``), merged with the
dashboards and panels of the specs in memory (config/dashboard_index.py), and finds a series'
related ones — those sharing its rarest label words — in one query too (``related``).

Both reads are memoized on the newest version of any dataset (the station's own records, moved
when the entries change, included): they say which series have data, which any write may change.
"""

from __future__ import annotations

import math
from collections import Counter
from urllib.parse import quote

import pandas as pd
from sqlalchemy import Connection, and_, case, delete, func, literal, not_, or_, select

from config.catalog import Catalog
from config.dashboard_index import match_boards
from config.search_terms import ALL_WORDS, EXACT, KEY_PREFIX, LABEL_START, Hit, key_term, prefix_end, query_words, words
from sql import versions
from sql.cache import SYSTEM_DATASET
from sql.datasets import DATASETS
from sql.memo import versioned
from sql.schema import catalog_entries, catalog_terms, series_stats

# The datasets whose detail page is /series/<id>; the others' is /instrument/<symbol>.
SERIES_DATASETS = frozenset({"fred_series", "economic_indicators"})
# Most instruments one query returns (the best first); a page of results is cut from them.
CANDIDATES = 200
RELATED = 8


def kind_of(dataset: str) -> str:
    return "series" if dataset in SERIES_DATASETS else "instrument"


def detail_href(dataset: str, key: str) -> str:
    """The detail page of ``key`` in ``dataset`` (``?dataset=`` picks it where several hold the key)."""
    return f"/{kind_of(dataset)}/{quote(key, safe='')}?dataset={dataset}"


# --- the writer's side (the sidecar, with every catalog sync) -----------------------------------


def _terms(key: str, label: str) -> dict[str, int]:
    """A catalog entry's words and where each is: 0 the key (and its parts the label lacks), 1
    the label's first word, 2… the rest."""
    found: dict[str, int] = {}
    for position, word in enumerate(words(label), start=1):
        found.setdefault(word, position)
    for part in (key_term(key), *words(key.replace("_", " "))):
        if part and (part == key_term(key) or part not in found):
            found[part] = 0
    return found


def index_rows(catalog: Catalog) -> tuple[list[dict], list[dict]]:
    """The rows of ``catalog_entries`` and ``catalog_terms`` for ``catalog``: every instrument of
    a dataset with a detail page (one value a row), its words weighted by how rare they are."""
    entries: dict[tuple[str, str], dict] = {}
    for inst in catalog.instruments:
        spec = DATASETS.get(inst.dataset)
        if spec is None or spec.value_column is None:
            continue
        entries.setdefault(
            (inst.dataset, inst.key),
            {
                "dataset": inst.dataset,
                "key": inst.key,
                "kind": kind_of(inst.dataset),
                "label": inst.label,
                "unit": inst.unit,
            },
        )
    found = {ident: _terms(ident[1], row["label"]) for ident, row in entries.items()}
    df = Counter(term for terms in found.values() for term in terms)
    total = max(len(entries), 1)
    terms = [
        {"term": term, "dataset": d, "key": k, "position": pos, "weight": round(math.log(total / df[term]), 6)}
        for (d, k), found_terms in found.items()
        for term, pos in found_terms.items()
    ]
    return list(entries.values()), terms


def write_index(conn: Connection, catalog: Catalog) -> bool:
    """Replace the search entries with ``catalog``'s, in the caller's transaction, when they
    differ; moves the version of the station's own records then (as the sources of the catalog
    in ``data_sources`` are read under it). Returns whether anything was written."""
    entries, terms = index_rows(catalog)
    c = catalog_entries.c
    stored = {tuple(r) for r in conn.execute(select(c.dataset, c.key, c.kind, c.label, c.unit))}
    wanted = {(e["dataset"], e["key"], e["kind"], e["label"], e["unit"]) for e in entries}
    stored_terms = conn.execute(select(func.count()).select_from(catalog_terms)).scalar_one()
    if stored == wanted and stored_terms == len(terms):
        return False
    conn.execute(delete(catalog_terms))
    conn.execute(delete(catalog_entries))
    if entries:
        conn.execute(catalog_entries.insert(), entries)
        conn.execute(catalog_terms.insert(), terms)
    versions.bump_version(conn, SYSTEM_DATASET, len(entries), None)
    return True


# --- the web's side ---------------------------------------------------------------------------


def search_version() -> int:
    """The newest version of any dataset: the entries, and which series have data, move with it."""
    return max((state.version for state in versions.current().datasets.values()), default=0)


def _prefix(column, prefix: str):
    end = prefix_end(prefix)
    return and_(column >= prefix, column < end) if end else column >= prefix


@versioned
def _matches(version: int, query: tuple[str, ...]) -> pd.DataFrame:
    t, e, s = catalog_terms.c, catalog_entries.c, series_stats.c
    whole = "".join(query)
    conditions = [_prefix(t.term, word) for word in query]
    rank = func.min(
        case(
            (and_(t.position == 0, t.term == whole), literal(EXACT)),
            (and_(t.position == 0, _prefix(t.term, whole)), literal(KEY_PREFIX)),
            (and_(t.position == 1, conditions[0]), literal(LABEL_START)),
            else_=literal(ALL_WORDS),
        )
    ).label("rank")
    stored = s.last_date.isnot(None)
    stmt = (
        select(e.dataset, e.key, e.kind, e.label, e.unit, s.last_date, rank)
        .select_from(
            catalog_terms.join(catalog_entries, and_(e.dataset == t.dataset, e.key == t.key)).outerjoin(
                series_stats, and_(s.dataset == e.dataset, s.key == e.key)
            )
        )
        .where(or_(*conditions))
        .group_by(e.dataset, e.key, e.kind, e.label, e.unit, s.last_date)
        # every query word starts some word of the entry
        .having(and_(*(func.max(case((cond, 1), else_=0)) == 1 for cond in conditions)))
        .order_by(rank, not_(stored), func.length(e.label), e.label)
        .limit(CANDIDATES)
    )
    return versions.frame_of(stmt)


def _hit(row, rank: int) -> Hit:
    title = DATASETS[row.dataset].title
    unit = f" · {row.unit}" if isinstance(row.unit, str) and row.unit else ""
    stored = row.last_date is not None and not pd.isna(row.last_date)
    detail = f"{title} · {row.key}{unit}" + ("" if stored else " · no data yet")
    return Hit(row.kind, row.label, detail, detail_href(row.dataset, row.key), rank, row.key, row.dataset, stored)


def instrument_hits(query: tuple[str, ...]) -> list[Hit]:
    """The catalog's instruments and series every word of ``query`` starts a word of (key or
    label), best first; StorageUnavailable when the database cannot answer."""
    if not query:
        return []
    frame = _matches(search_version(), query)
    return [_hit(row, int(row.rank)) for row in frame.itertuples(index=False)]


def search(text: str) -> list[Hit]:
    """Instruments, series, dashboards and panels for the query ``text``, best first."""
    query = query_words(text)
    return sorted([*instrument_hits(query), *match_boards(query)], key=Hit.order)


@versioned
def _related(version: int, dataset: str, key: str, limit: int) -> pd.DataFrame:
    mine, other = catalog_terms.alias("mine"), catalog_terms.alias("other")
    e, s = catalog_entries.c, series_stats.c
    score = func.sum(other.c.weight).label("score")
    stmt = (
        select(e.dataset, e.key, e.kind, e.label, e.unit, s.last_date, score)
        .select_from(
            mine.join(other, other.c.term == mine.c.term)
            .join(catalog_entries, and_(e.dataset == other.c.dataset, e.key == other.c.key))
            .outerjoin(series_stats, and_(s.dataset == e.dataset, s.key == e.key))
        )
        .where(
            mine.c.dataset == dataset,
            mine.c.key == key,
            mine.c.position > 0,
            other.c.position > 0,
            e.key != key,
        )
        .group_by(e.dataset, e.key, e.kind, e.label, e.unit, s.last_date)
        .order_by(not_(s.last_date.isnot(None)), score.desc(), e.key)
        .limit(limit)
    )
    return versions.frame_of(stmt)


def related(dataset: str, key: str, limit: int = RELATED) -> list[Hit]:
    """The series most like ``key`` of ``dataset``: those sharing the rarest words of its label
    (the same measure in another state, the other tenors of a yield), with data first."""
    frame = _related(search_version(), dataset, key, limit)
    return [_hit(row, ALL_WORDS) for row in frame.itertuples(index=False)]
