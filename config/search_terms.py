"""How the station's search reads text: the words of a catalog label or dashboard title, and of a
query, as lower-case letters and digits only.

Writer and reader share these rules, so a query word matches a stored word by prefix. Terms are
plain ``[a-z0-9]`` strings: their order is the same under every database collation (C, en_US,
ICU), so ``term >= 'gol' AND term < 'gom'`` is a prefix search served by a plain index on both
SQLite and PostgreSQL. ``U.S.`` is one word (``us``) and ``Moody's`` is ``moodys``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Longest query the search accepts, in characters, and the words of it that count.
MAX_QUERY = 64
MAX_WORDS = 5
MAX_TERM = 32
# What a query may hold: letters, digits, spaces and the punctuation of symbols and names; no
# control characters, markup or quotes beyond the apostrophe.
QUERY_PATTERN = r"^[A-Za-z0-9 .,:;'&/()+^=_#%-]*$"
# Punctuation that joins the letters around it rather than separating words.
_JOINERS = re.compile(r"[.'’]")
_SPLIT = re.compile(r"[^a-z0-9]+")
# Words that say nothing about a series: never stored, never searched for.
STOPWORDS = frozenset({"a", "an", "and", "at", "by", "for", "from", "in", "of", "on", "or", "per", "the", "to", "with"})


def words(text: str) -> list[str]:
    """The words of ``text`` in order, lower-case ``[a-z0-9]`` only, stopwords left out."""
    flat = _JOINERS.sub("", str(text).lower())
    return [w[:MAX_TERM] for w in _SPLIT.split(flat) if w and w not in STOPWORDS]


def key_term(key: str) -> str:
    """A catalog key as one term: ``BRK-B`` → ``brkb``, ``HY_OAS`` → ``hyoas``, ``^GSPC`` → ``gspc``."""
    return "".join(_SPLIT.split(str(key).lower()))[:MAX_TERM]


def query_words(query: str) -> tuple[str, ...]:
    """The words of a search query (at most ``MAX_WORDS``, each once, in order)."""
    return tuple(dict.fromkeys(words(query[:MAX_QUERY])))[:MAX_WORDS]


def prefix_end(prefix: str) -> str | None:
    """The smallest term after every term that starts with ``prefix`` (None: no bound), in
    ``[a-z0-9]`` only: ``gol`` → ``gom``, ``az`` → ``b``, ``a9`` → ``aa``, ``zz`` → None."""
    stem = prefix.rstrip("z")
    if not stem:
        return None
    last = stem[-1]
    return stem[:-1] + ("a" if last == "9" else chr(ord(last) + 1))


def matches_all(query: tuple[str, ...], text_words: list[str] | tuple[str, ...]) -> bool:
    """Whether every query word is the start of some word of the text."""
    return all(any(w.startswith(q) for w in text_words) for q in query)


# How well a result matches, best first: its key (or a dashboard's id or title) is the query;
# its key starts with it; its label starts with it; every query word starts a word of its
# label; only a dashboard's description has them.
EXACT, KEY_PREFIX, LABEL_START, ALL_WORDS, DESCRIPTION = range(5)
# Among equally good matches: dashboards, then instruments, series, panels.
KINDS = ("dashboard", "instrument", "series", "panel")


@dataclass(frozen=True)
class Hit:
    """One search result: what it is, what to show, where it leads, and how well it matched."""

    kind: str
    label: str
    detail: str
    href: str
    rank: int
    key: str | None = None
    dataset: str | None = None
    stored: bool = True  # an instrument or series with data (others lead to "no data yet")

    def order(self) -> tuple:
        return (self.rank, KINDS.index(self.kind), not self.stored, len(self.label), self.label.lower())
