"""boards: each user's own boards of panels pinned from the dashboards

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 03:00:00

With logins on (``SPARTAN_AUTH=local`` or ``oidc``) a user pins panels of the built-in dashboards
to boards of their own (pages /boards and /boards/<id>). ``boards`` holds each board's owner,
name, whether other signed-in users may read it, and its creation and last change;
``board_panels`` the panels pinned (dashboard id and panel id) in the order shown, each with its
width. A user removed takes their boards along, a board removed its panels.
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "boards",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("shared", sa.Boolean(), nullable=False, comment="readable by every signed-in user"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"], name="fk_boards_owner_id", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_boards")),
    )
    op.create_index("ix_boards_owner_id", "boards", ["owner_id"], unique=False)
    op.create_table(
        "board_panels",
        sa.Column("board_id", sa.Integer(), nullable=False),
        sa.Column("dashboard_id", sa.String(length=48), nullable=False, comment="a dashboard id of config/dashboards"),
        sa.Column("panel_id", sa.String(length=48), nullable=False, comment="a panel id of that dashboard"),
        sa.Column("position", sa.Integer(), nullable=False, comment="order on the board, from 0"),
        sa.Column("width", sa.Integer(), nullable=False, comment="columns of a 12-column row"),
        sa.ForeignKeyConstraint(["board_id"], ["boards.id"], name="fk_board_panels_board_id", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("board_id", "dashboard_id", "panel_id", name=op.f("pk_board_panels")),
    )


def downgrade() -> None:
    op.drop_table("board_panels")
    op.drop_index("ix_boards_owner_id", table_name="boards")
    op.drop_table("boards")
