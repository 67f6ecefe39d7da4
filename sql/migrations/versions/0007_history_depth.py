"""history depth: revised rows in the download log, and how deep each series' history goes

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-08 10:00:00

``download_log.revised_rows`` counts the rows older than a refresh's window that the provider
changed (a full-history body compared with what is stored) and that were written with it.
``instrument_history`` records, per series, the first date asked for on a full-depth download,
the first date the provider served and why the history starts there (jobs/pipeline.py).

"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("download_log") as batch:
        batch.add_column(
            sa.Column(
                "revised_rows",
                sa.Integer(),
                nullable=False,
                server_default="0",
                comment="rows older than the refresh window that the provider changed, written with it",
            )
        )
    op.create_table(
        "instrument_history",
        sa.Column("dataset", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column(
            "source", sa.String(length=64), nullable=False, comment="the provider that served the full-depth download"
        ),
        sa.Column("requested_from", sa.Date(), nullable=False, comment="the first date asked for"),
        sa.Column(
            "provider_first", sa.Date(), nullable=True, comment="the first date the provider served (none: nothing served)"
        ),
        sa.Column("depth_note", sa.Text(), nullable=False, comment="why the history starts where it does"),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("dataset", "key", name=op.f("pk_instrument_history")),
    )


def downgrade() -> None:
    op.drop_table("instrument_history")
    with op.batch_alter_table("download_log") as batch:
        batch.drop_column("revised_rows")
