"""embed_links: signed embed links, one row per link (what it opens, until when, revoked)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 00:00:00

With ``SPARTAN_AUTH=local`` a signed-in user issues links that open one panel's or one
dashboard's embed without a session (middleware/embed_links.py). The link's token is signed with
SPARTAN_SECRET_KEY and carries the row's id; the row holds the embed it opens (``target``), its
expiry and the time it was revoked. A user removed takes their links along.
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "embed_links",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column(
            "target",
            sa.String(length=300),
            nullable=False,
            comment="the embed it opens: /embed/<dashboard>/<panel> or a page",
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_embed_links_user_id", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_embed_links")),
    )
    op.create_index("ix_embed_links_user_id", "embed_links", ["user_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_embed_links_user_id", table_name="embed_links")
    op.drop_table("embed_links")
