"""fundamentals: per company and fiscal year, the annual report's headline figures

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 17:10:00

One row per company (``symbol``) and fiscal year end (``date``), from SEC EDGAR's XBRL company
facts (10-K figures; a restatement replaces the year's row).

"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

FIGURES = (
    ("revenue", "revenue of the year, USD"),
    ("operating_income", "operating income of the year, USD"),
    ("net_income", "net income of the year, USD"),
    ("eps_diluted", "diluted earnings per share, USD"),
    ("diluted_shares", "weighted average diluted shares outstanding"),
    ("operating_cash_flow", "net cash from operating activities, USD"),
    ("cash", "cash and cash equivalents at the year end, USD"),
    ("assets", "total assets at the year end, USD"),
    ("liabilities", "total liabilities at the year end, USD"),
    ("equity", "stockholders' equity at the year end, USD"),
)


def upgrade() -> None:
    op.create_table(
        "fundamentals",
        sa.Column("symbol", sa.String(length=16), nullable=False),
        sa.Column("date", sa.Date(), nullable=False, comment="end of the fiscal year"),
        sa.Column("fiscal_year", sa.Integer(), nullable=True, comment="the fiscal year the period is reported as"),
        sa.Column(
            "form", sa.String(length=16), nullable=True, comment="the filing the figures come from (10-K, 10-K/A, 20-F)"
        ),
        sa.Column("filed", sa.Date(), nullable=True, comment="when that filing was made"),
        *[sa.Column(name, sa.Float(), nullable=True, comment=doc) for name, doc in FIGURES],
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("symbol", "date", name=op.f("pk_fundamentals")),
    )


def downgrade() -> None:
    op.drop_table("fundamentals")
