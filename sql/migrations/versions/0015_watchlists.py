"""watchlists: each user's own lists of instruments and series

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 00:00:00

With ``SPARTAN_AUTH=local`` a user keeps watchlists (pages /watchlists and /watchlists/<id>).
``watchlists`` holds each list's owner, name and creation time; ``watchlist_items`` its
instruments (a symbol) and series (a FRED id) in the order shown. A user removed takes their
lists along, a list removed its items.
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "watchlists",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"], name="fk_watchlists_owner_id", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_watchlists")),
    )
    op.create_index("ix_watchlists_owner_id", "watchlists", ["owner_id"], unique=False)
    op.create_table(
        "watchlist_items",
        sa.Column("watchlist_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False, comment="instrument | series"),
        sa.Column("key", sa.String(length=64), nullable=False, comment="catalog key: a symbol or a FRED series id"),
        sa.Column("position", sa.Integer(), nullable=False, comment="order in the list, from 0"),
        sa.ForeignKeyConstraint(
            ["watchlist_id"], ["watchlists.id"], name="fk_watchlist_items_watchlist_id", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("watchlist_id", "kind", "key", name=op.f("pk_watchlist_items")),
    )


def downgrade() -> None:
    op.drop_table("watchlist_items")
    op.drop_index("ix_watchlists_owner_id", table_name="watchlists")
    op.drop_table("watchlists")
