"""sidecar_status: the sidecar's last preload and refresh, kept beside the cache's status keys

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05 10:00:00

The sidecar writes each run's status (owner, heartbeat, outcome) to ``preload:status`` /
``refresh:last_run`` in the cache and to this table, so that a cache loss or outage does not
turn a finished preload back into "unknown" (sql/sidecar.py).
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sidecar_status",
        sa.Column("name", sa.String(length=16), nullable=False, comment="preload | refresh"),
        sa.Column("state", sa.String(length=16), nullable=False, comment="running | complete | interrupted"),
        sa.Column("owner", sa.String(length=255), nullable=True, comment="host:pid of the run's process"),
        sa.Column("run_id", sa.String(length=36), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "heartbeat_at",
            sa.DateTime(timezone=True),
            nullable=True,
            comment="moved every few seconds while the run lives",
        ),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False, comment="the whole status as JSON"),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_sidecar_status")),
    )


def downgrade() -> None:
    op.drop_table("sidecar_status")
