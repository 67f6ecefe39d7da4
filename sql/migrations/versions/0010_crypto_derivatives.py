"""crypto_derivatives: per coin and UTC day, perpetual-swap funding and open interest

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 17:30:00

Funding: the day's settled funding rates summed (percent) with the count summed and the sum
annualised (x 365); open interest in coins and, where the venue gives it, in US dollars
(datasources/derivatives.py). Written by the keyless Binance, Bybit and OKX futures connectors.
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "crypto_derivatives",
        sa.Column("symbol", sa.String(length=16), nullable=False, comment="the coin: BTC, ETH..."),
        sa.Column("date", sa.Date(), nullable=False, comment="UTC day"),
        sa.Column("funding_rate", sa.Float(), nullable=True, comment="sum of the day's settled funding rates, percent"),
        sa.Column("funding_annualized", sa.Float(), nullable=True, comment="funding_rate x 365, percent a year"),
        sa.Column(
            "funding_periods", sa.Integer(), nullable=True, comment="funding settlements summed (3 a day at 8 h)"
        ),
        sa.Column("open_interest", sa.Float(), nullable=True, comment="open interest in coins at the day's snapshot"),
        sa.Column(
            "open_interest_usd",
            sa.Float(),
            nullable=True,
            comment="open interest in US dollars, where the venue gives it",
        ),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("symbol", "date", name=op.f("pk_crypto_derivatives")),
    )


def downgrade() -> None:
    op.drop_table("crypto_derivatives")
