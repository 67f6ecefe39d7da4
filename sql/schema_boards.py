"""Each user's own station (SPARTAN_AUTH=local or oidc): personal boards of panels pinned from the
built-in dashboards. Defined on the shared metadata (sql/metadata.py); sql/schema.py re-exports
them with every other table."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Index, Integer, String, Table

from sql.metadata import metadata

boards = Table(
    "boards",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("owner_id", Integer, ForeignKey("users.id", ondelete="CASCADE", name="fk_boards_owner_id"), nullable=False),
    Column("name", String(64), nullable=False),
    Column("shared", Boolean, nullable=False, default=False, comment="readable by every signed-in user"),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("ix_boards_owner_id", "owner_id"),
)

# A board's panels in the order shown: each names a panel of config/dashboards/*.yaml.
board_panels = Table(
    "board_panels",
    metadata,
    Column(
        "board_id",
        Integer,
        ForeignKey("boards.id", ondelete="CASCADE", name="fk_board_panels_board_id"),
        primary_key=True,
    ),
    Column("dashboard_id", String(48), primary_key=True, comment="a dashboard id of config/dashboards"),
    Column("panel_id", String(48), primary_key=True, comment="a panel id of that dashboard"),
    Column("position", Integer, nullable=False, comment="order on the board, from 0"),
    Column("width", Integer, nullable=False, comment="columns of a 12-column row"),
)
