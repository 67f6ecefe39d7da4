"""What the dashboards of config/dashboards/*.yaml offer the search and the detail pages, from
the specs in memory: the dashboards and panels a query names, and the dashboards that show an
instrument ("Shown on" of /instrument/<symbol> and /series/<id>)."""

from __future__ import annotations

import hashlib
from functools import lru_cache

from config.dashboard_specs import Dashboard, PanelSpec, load_dashboards
from config.search_terms import ALL_WORDS, DESCRIPTION, EXACT, LABEL_START, Hit, key_term, matches_all, words

# A picker panel shows one instrument at a time (its ``default`` first): it names only that one.
PICKER_TYPES = frozenset({"instrument_detail"})


@lru_cache(maxsize=1)
def boards() -> tuple[Dashboard, ...]:
    """Every dashboard, in menu order (loaded once per process)."""
    return tuple(load_dashboards().values())


@lru_cache(maxsize=1)
def _by_id() -> dict[str, Dashboard]:
    return {b.id: b for b in boards()}


def board(dashboard_id: str) -> Dashboard | None:
    """The dashboard with that id (from the specs loaded once per process), or None."""
    return _by_id().get(dashboard_id)


@lru_cache(maxsize=1)
def boards_digest() -> str:
    """A digest of what the search shows of the dashboards: a cached answer names it, so a
    deploy that changes a title or a path is not answered from before."""
    shown = [(b.id, b.title, b.path, b.group, b.description, [(p.id, p.title) for p in b.panels]) for b in boards()]
    return hashlib.sha256(repr(shown).encode()).hexdigest()[:16]


def panel_href(board: Dashboard, spec: PanelSpec) -> str:
    return f"{board.path}#panel-{board.id}-{spec.id}"


def _starts(query: tuple[str, ...], text_words: list[str]) -> bool:
    return bool(text_words) and text_words[0].startswith(query[0]) and matches_all(query, text_words)


def _board_rank(board: Dashboard, query: tuple[str, ...]) -> int | None:
    title = words(board.title)
    whole = "".join(query)
    if whole in (key_term(board.id), key_term(board.title)):
        return EXACT
    if _starts(query, title):
        return LABEL_START
    named = title + words(board.path.replace("/", " ")) + words(board.id)
    if matches_all(query, named):
        return ALL_WORDS
    if matches_all(query, named + words(board.description)):
        return DESCRIPTION
    return None


def _panel_rank(spec: PanelSpec, query: tuple[str, ...]) -> int | None:
    title = words(spec.title)
    if _starts(query, title):
        return LABEL_START
    return ALL_WORDS if matches_all(query, title) else None


def match_boards(query: tuple[str, ...]) -> list[Hit]:
    """The dashboards (by title, path or description) and panels (by title) every word of
    ``query`` starts a word of."""
    if not query:
        return []
    hits = []
    for board in boards():
        rank = _board_rank(board, query)
        if rank is not None:
            where = f"{board.group} dashboard" if board.group else "Dashboard"
            detail = f"{where} · {board.description}" if board.description else where
            hits.append(Hit("dashboard", board.title, detail, board.path, rank))
        for spec in board.panels:
            rank = _panel_rank(spec, query) if spec.title else None
            if rank is not None:
                hits.append(Hit("panel", spec.title, f"Panel on {board.title}", panel_href(board, spec), rank))
    return hits


def _strings(value) -> list[str]:
    """Every text in an option's value, nested lists and maps (ratio pairs, ``{a: SPX, b: …}``)
    included; not the keys of a map (those name series the panel's ``keys`` name already)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return _strings(list(value.values()))
    if isinstance(value, list | tuple):
        return [text for item in value for text in _strings(item)]
    return []


def _references(spec: PanelSpec, datasets: set[str]) -> set[str]:
    """The instrument keys a panel's options name: a picker's ``default``, correlation
    ``pairs`` (``SPX/GC``), ratio pairs (``[GC, SI, label]``), series of another dataset
    (``commodities:GC``, counted for that dataset only) and the like — any text in an option,
    split at ``/``."""
    found = set()
    for text in _strings(list(spec.options.values())):
        for part in text.split("/"):
            source, _, key = part.strip().rpartition(":")
            if not source or source in datasets:
                found.add(key)
    return found


def _whole_dataset(spec: PanelSpec) -> bool:
    """Whether the panel lists its whole dataset: no keys, no picker, and no option that picks
    series (a list or map of them, as ratio pairs or basket weights)."""
    return (
        spec.keys is None
        and spec.type not in PICKER_TYPES
        and not any(isinstance(value, list | tuple | dict) for value in spec.options.values())
    )


@lru_cache(maxsize=4096)
def shown_on(dataset: str, key: str, same: frozenset[str] = frozenset()) -> tuple[tuple[Dashboard, PanelSpec], ...]:
    """The dashboards that show ``key`` of ``dataset`` (or of the datasets in ``same``, which
    hold the same series under the same key), each with the first panel that does: those whose
    panels name it (``keys``, or an option such as ``pairs``) first, then those with a panel of
    its whole dataset (a table of every series)."""
    datasets = {dataset, *same}
    named: dict[str, tuple[Dashboard, PanelSpec]] = {}
    whole: dict[str, tuple[Dashboard, PanelSpec]] = {}
    for board in boards():
        for spec in board.panels:
            if (spec.dataset in datasets and spec.keys and key in spec.keys) or key in _references(spec, datasets):
                named.setdefault(board.id, (board, spec))
            elif spec.dataset == dataset and _whole_dataset(spec):
                whole.setdefault(board.id, (board, spec))
    return (*named.values(), *(found for board_id, found in whole.items() if board_id not in named))
