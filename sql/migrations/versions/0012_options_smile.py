"""options_chain smile: the implied volatility of each expiry at strikes 80 … 120 % of spot

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 21:00:00

The volatility smile per expiry (datasources/chains.SMILE_POINTS): out-of-the-money IV in
percent at fixed moneyness, interpolated between the listed strikes; NULL where the chain does
not reach that strike (rows written before this revision, short expiries' far wings).

"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

SMILE = ("iv_80", "iv_90", "iv_95", "iv_97_5", "iv_102_5", "iv_105", "iv_110", "iv_120")


def upgrade() -> None:
    with op.batch_alter_table("options_chain") as batch:
        for name in SMILE:
            moneyness = name[3:].replace("_", ".")
            comment = f"implied volatility at a strike {moneyness} % of spot, percent"
            batch.add_column(sa.Column(name, sa.Float(), nullable=True, comment=comment))


def downgrade() -> None:
    with op.batch_alter_table("options_chain") as batch:
        for name in reversed(SMILE):
            batch.drop_column(name)
