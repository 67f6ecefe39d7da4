"""data_quality: suspicious points, written and flagged rather than refused

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 03:00:00

A frame with a large move, a stale value or a gap is written and its points are flagged in
``data_quality`` (in the transaction that writes the data), then checked against a second
provider. ``dataset_versions.flag_count`` holds each dataset's number of flags, so a page reads
the flags of a dataset only when it has some.
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "data_quality",
        sa.Column("dataset", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False, comment="the series: the dataset's key column"),
        sa.Column("date", sa.Date(), nullable=False, comment="the observation's date (UTC)"),
        sa.Column("rule", sa.String(length=16), nullable=False, comment="jump | stale | gap | non_positive"),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("value", sa.Float(), nullable=True, comment="the flagged value (a gap: its length in days)"),
        sa.Column("source", sa.String(length=64), nullable=False, comment="the provider of the flagged row"),
        sa.Column("status", sa.String(length=16), nullable=False, comment="open | confirmed | disputed | unchecked"),
        sa.Column("second_source", sa.String(length=64), nullable=True, comment="the provider it was checked against"),
        sa.Column(
            "second_value",
            sa.Float(),
            nullable=True,
            comment="that provider's value (a gap: its rows inside the gap)",
        ),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("dataset", "key", "date", "rule", name=op.f("pk_data_quality")),
    )
    with op.batch_alter_table("data_quality") as batch:
        batch.create_index(batch.f("ix_data_quality_last_seen"), ["last_seen"], unique=False)
    with op.batch_alter_table("dataset_versions") as batch:
        batch.add_column(
            sa.Column("flag_count", sa.Integer(), nullable=False, server_default="0", comment="rows of data_quality")
        )


def downgrade() -> None:
    with op.batch_alter_table("dataset_versions") as batch:
        batch.drop_column("flag_count")
    op.drop_table("data_quality")
