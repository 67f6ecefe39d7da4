"""The station's own tables beyond its data and download bookkeeping: the sidecar's last runs and
the search index of the catalog. Defined on the shared metadata (sql/metadata.py); sql/schema.py
re-exports them with every other table."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Float, Index, Integer, String, Table, Text

from sql.metadata import metadata

# --- the sidecar's runs ------------------------------------------------------------
# Its last preload and refresh (name), as it also writes them to the cache's preload:status
# and refresh:last_run: a cache loss or outage leaves the status here (sql/sidecar.py).
sidecar_status = Table(
    "sidecar_status",
    metadata,
    Column("name", String(16), primary_key=True, comment="preload | refresh"),
    Column("state", String(16), nullable=False, comment="running | complete | interrupted"),
    Column("owner", String(255), comment="host:pid of the run's process"),
    Column("run_id", String(36)),
    Column("started_at", DateTime(timezone=True)),
    Column("heartbeat_at", DateTime(timezone=True), comment="moved every few seconds while the run lives"),
    Column("finished_at", DateTime(timezone=True)),
    Column("detail", Text, nullable=False, comment="the whole status as JSON"),
)


# --- search --------------------------------------------------------------------------
# The catalog's instruments that have a detail page, as the sidecar last synced them
# (sql/search.py), and the words of their keys and labels: what /api/search and the search box
# match by word prefix, through the index on ``term``, in one query.
catalog_entries = Table(
    "catalog_entries",
    metadata,
    Column("dataset", String(64), primary_key=True),
    Column("key", String(64), primary_key=True),
    Column("kind", String(16), nullable=False, comment="instrument | series: its detail page"),
    Column("label", String(255), nullable=False),
    Column("unit", String(64)),
)

catalog_terms = Table(
    "catalog_terms",
    metadata,
    Column("term", String(32), primary_key=True, comment="a word of the key or label: lower-case [a-z0-9]"),
    Column("dataset", String(64), primary_key=True),
    Column("key", String(64), primary_key=True),
    Column("position", Integer, nullable=False, comment="0: the key; 1: the label's first word; 2…: the rest"),
    Column("weight", Float, nullable=False, comment="how rare the word is among labels: ln(entries / entries with it)"),
    Index("ix_catalog_terms_dataset_key", "dataset", "key"),
)
