"""catalog search: the catalog's instruments and the words of their keys and labels

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 20:30:00

``catalog_entries`` holds every catalog instrument that has a detail page (dataset, key, kind,
label, unit) as the sidecar last synced the catalog; ``catalog_terms`` the words of each key
and label, lower-case ``[a-z0-9]`` (config/search_terms.py). /api/search matches query words
by prefix (``term >= 'gol' AND term < 'gom'``) on the primary key, which leads with ``term``:
one indexed query on SQLite and PostgreSQL alike, whatever the collation. The index on
``(dataset, key)`` finds an entry's own words (its related series, sql/search.py).
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "catalog_entries",
        sa.Column("dataset", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False, comment="instrument | series: its detail page"),
        sa.Column("label", sa.String(length=255), nullable=False),
        sa.Column("unit", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("dataset", "key", name=op.f("pk_catalog_entries")),
    )
    op.create_table(
        "catalog_terms",
        sa.Column(
            "term", sa.String(length=32), nullable=False, comment="a word of the key or label: lower-case [a-z0-9]"
        ),
        sa.Column("dataset", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column(
            "position",
            sa.Integer(),
            nullable=False,
            comment="0: the key; 1: the label's first word; 2…: the rest",
        ),
        sa.Column(
            "weight",
            sa.Float(),
            nullable=False,
            comment="how rare the word is among labels: ln(entries / entries with it)",
        ),
        sa.PrimaryKeyConstraint("term", "dataset", "key", name=op.f("pk_catalog_terms")),
    )
    op.create_index("ix_catalog_terms_dataset_key", "catalog_terms", ["dataset", "key"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_catalog_terms_dataset_key", table_name="catalog_terms")
    op.drop_table("catalog_terms")
    op.drop_table("catalog_entries")
