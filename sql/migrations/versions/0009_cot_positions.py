"""cot_positions: the CFTC's weekly Commitments of Traders per market, by trader class

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 17:00:00

Legacy report, futures only: open interest and the long / short (and spreading) positions of
non-commercial, commercial and non-reportable traders, in contracts, as of each report's
Tuesday; the nets (long minus short) are stored with them.

"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

POSITIONS = (
    ("noncomm_long", "non-commercial (large speculators) long, contracts"),
    ("noncomm_short", "non-commercial short, contracts"),
    ("noncomm_spreading", "non-commercial spreading (long and short), contracts"),
    ("comm_long", "commercial (hedgers) long, contracts"),
    ("comm_short", "commercial short, contracts"),
    ("nonrept_long", "non-reportable (small traders) long, contracts"),
    ("nonrept_short", "non-reportable short, contracts"),
    ("noncomm_net", "non-commercial long minus short"),
    ("comm_net", "commercial long minus short"),
    ("nonrept_net", "non-reportable long minus short"),
)


def upgrade() -> None:
    op.create_table(
        "cot_positions",
        sa.Column("market", sa.String(length=16), nullable=False, comment="the catalog's key (ES, GC, CL…)"),
        sa.Column("date", sa.Date(), nullable=False, comment="report date: positions as of that Tuesday"),
        sa.Column("market_name", sa.String(length=128), nullable=True, comment="the CFTC's market and exchange name"),
        sa.Column("contract_code", sa.String(length=8), nullable=True, comment="CFTC contract market code"),
        sa.Column("open_interest", sa.Float(), nullable=False, comment="contracts open, all classes"),
        *[sa.Column(name, sa.Float(), nullable=True, comment=comment) for name, comment in POSITIONS],
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("market", "date", name=op.f("pk_cot_positions")),
    )


def downgrade() -> None:
    op.drop_table("cot_positions")
