"""Watchlists: a user's own lists of instruments and series (the keys only; their values come
from the data tables through sql/read.py). Every function takes the owner's id and acts on
their lists alone: another user's list is "no such watchlist", never a different answer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, delete, func, select, update

from sql.schema_watchlists import ITEM_KINDS, watchlist_items, watchlists
from sql.users import as_utc

NAME_LENGTH = 64
MAX_LISTS = 50  # per user
MAX_ITEMS = 200  # per list


class WatchlistError(ValueError):
    """A watchlist change that cannot be done: its message says why."""


class NoSuchWatchlist(WatchlistError):
    """The list does not exist, or is another user's."""


@dataclass(frozen=True)
class Item:
    kind: str
    key: str


@dataclass(frozen=True)
class Watchlist:
    id: int
    owner_id: int
    name: str
    created_at: datetime
    items: tuple[Item, ...] = ()


def _name(name: str) -> str:
    name = " ".join(name.split())
    if not name or len(name) > NAME_LENGTH:
        raise WatchlistError(f"a watchlist's name is 1 to {NAME_LENGTH} characters")
    return name


def _owned(conn: Connection, watchlist_id: int, owner_id: int) -> Watchlist:
    row = conn.execute(
        select(watchlists).where(watchlists.c.id == watchlist_id, watchlists.c.owner_id == owner_id)
    ).first()
    if row is None:
        raise NoSuchWatchlist("no such watchlist of yours")
    return Watchlist(row.id, row.owner_id, row.name, as_utc(row.created_at))


def list_watchlists(engine: Engine, owner_id: int) -> list[tuple[Watchlist, int]]:
    """The owner's lists, oldest first, each with its number of items."""
    count = (
        select(func.count())
        .select_from(watchlist_items)
        .where(watchlist_items.c.watchlist_id == watchlists.c.id)
        .scalar_subquery()
    )
    stmt = select(watchlists, count.label("items")).where(watchlists.c.owner_id == owner_id)
    with engine.connect() as conn:
        rows = conn.execute(stmt.order_by(watchlists.c.created_at, watchlists.c.id)).all()
    return [(Watchlist(r.id, r.owner_id, r.name, as_utc(r.created_at)), r.items) for r in rows]


def get_watchlist(engine: Engine, watchlist_id: int, owner_id: int) -> Watchlist:
    """The owner's list ``watchlist_id`` with its items in order."""
    with engine.connect() as conn:
        found = _owned(conn, watchlist_id, owner_id)
        rows = conn.execute(
            select(watchlist_items.c.kind, watchlist_items.c.key)
            .where(watchlist_items.c.watchlist_id == watchlist_id)
            .order_by(watchlist_items.c.position, watchlist_items.c.key)
        ).all()
    return Watchlist(found.id, found.owner_id, found.name, found.created_at, tuple(Item(r.kind, r.key) for r in rows))


def create_watchlist(engine: Engine, owner_id: int, name: str) -> Watchlist:
    name = _name(name)
    with engine.begin() as conn:
        held = conn.execute(
            select(func.count()).select_from(watchlists).where(watchlists.c.owner_id == owner_id)
        ).scalar()
        if held >= MAX_LISTS:
            raise WatchlistError(f"a user keeps at most {MAX_LISTS} watchlists")
        new_id = conn.execute(
            watchlists.insert().values(owner_id=owner_id, name=name, created_at=datetime.now(UTC))
        ).inserted_primary_key[0]
        return _owned(conn, new_id, owner_id)


def rename_watchlist(engine: Engine, watchlist_id: int, owner_id: int, name: str) -> None:
    name = _name(name)
    with engine.begin() as conn:
        _owned(conn, watchlist_id, owner_id)
        conn.execute(update(watchlists).where(watchlists.c.id == watchlist_id).values(name=name))


def delete_watchlist(engine: Engine, watchlist_id: int, owner_id: int) -> None:
    with engine.begin() as conn:
        _owned(conn, watchlist_id, owner_id)
        # Items first: SQLite enforces the cascade only with its foreign keys pragma on.
        conn.execute(delete(watchlist_items).where(watchlist_items.c.watchlist_id == watchlist_id))
        conn.execute(delete(watchlists).where(watchlists.c.id == watchlist_id))


def add_item(engine: Engine, watchlist_id: int, owner_id: int, kind: str, key: str) -> bool:
    """Append ``key`` to the list (False: it was already there). The caller checks that the
    catalog knows the key."""
    if kind not in ITEM_KINDS:
        raise WatchlistError(f"an item is one of: {', '.join(ITEM_KINDS)}")
    with engine.begin() as conn:
        _owned(conn, watchlist_id, owner_id)
        mine = watchlist_items.c.watchlist_id == watchlist_id
        there = conn.execute(
            select(func.count()).where(mine, watchlist_items.c.kind == kind, watchlist_items.c.key == key)
        ).scalar()
        if there:
            return False
        count, last = conn.execute(select(func.count(), func.max(watchlist_items.c.position)).where(mine)).one()
        if count >= MAX_ITEMS:
            raise WatchlistError(f"a watchlist holds at most {MAX_ITEMS} items")
        position = 0 if last is None else last + 1
        conn.execute(watchlist_items.insert().values(watchlist_id=watchlist_id, kind=kind, key=key, position=position))
    return True


def remove_item(engine: Engine, watchlist_id: int, owner_id: int, kind: str, key: str) -> bool:
    """Take ``key`` off the list (False: it was not on it)."""
    with engine.begin() as conn:
        _owned(conn, watchlist_id, owner_id)
        gone = conn.execute(
            delete(watchlist_items).where(
                watchlist_items.c.watchlist_id == watchlist_id,
                watchlist_items.c.kind == kind,
                watchlist_items.c.key == key,
            )
        ).rowcount
    return bool(gone)
