"""options_chain: per underlying, snapshot day and expiry, a summary of the option chain

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 16:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "options_chain",
        sa.Column("underlying", sa.String(length=16), nullable=False),
        sa.Column("date", sa.Date(), nullable=False, comment="snapshot (trade) date, US Eastern"),
        sa.Column("expiry", sa.Date(), nullable=False),
        sa.Column("days_to_expiry", sa.Integer(), nullable=False),
        sa.Column("underlying_price", sa.Float(), nullable=True),
        sa.Column("contracts", sa.Integer(), nullable=False, comment="listed contracts of this expiry"),
        sa.Column("call_volume", sa.Float(), nullable=True),
        sa.Column("put_volume", sa.Float(), nullable=True),
        sa.Column("call_open_interest", sa.Float(), nullable=True),
        sa.Column("put_open_interest", sa.Float(), nullable=True),
        sa.Column("put_call_volume", sa.Float(), nullable=True, comment="put volume / call volume"),
        sa.Column("put_call_oi", sa.Float(), nullable=True, comment="put open interest / call open interest"),
        sa.Column("atm_iv", sa.Float(), nullable=True, comment="at-the-money implied volatility in percent"),
        sa.Column(
            "skew_25d", sa.Float(), nullable=True, comment="25-delta put IV minus 25-delta call IV, percentage points"
        ),
        sa.Column("max_pain", sa.Float(), nullable=True, comment="strike at which expiring options pay holders least"),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("underlying", "date", "expiry", name=op.f("pk_options_chain")),
    )


def downgrade() -> None:
    op.drop_table("options_chain")
