"""Each user's own station (SPARTAN_AUTH=local): watchlists of instruments and series. Defined on
the shared metadata (sql/metadata.py); sql/schema.py re-exports them with every other table."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, ForeignKey, Index, Integer, String, Table

from sql.metadata import metadata

ITEM_KINDS = ("instrument", "series")

watchlists = Table(
    "watchlists",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "owner_id", Integer, ForeignKey("users.id", ondelete="CASCADE", name="fk_watchlists_owner_id"), nullable=False
    ),
    Column("name", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_watchlists_owner_id", "owner_id"),
)

# A list's items in the order shown; the key is a catalog key (a symbol, a FRED series id).
watchlist_items = Table(
    "watchlist_items",
    metadata,
    Column(
        "watchlist_id",
        Integer,
        ForeignKey("watchlists.id", ondelete="CASCADE", name="fk_watchlist_items_watchlist_id"),
        primary_key=True,
    ),
    Column("kind", String(16), primary_key=True, comment="instrument | series"),
    Column("key", String(64), primary_key=True, comment="catalog key: a symbol or a FRED series id"),
    Column("position", Integer, nullable=False, comment="order in the list, from 0"),
)
