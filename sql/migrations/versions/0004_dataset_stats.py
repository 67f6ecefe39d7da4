"""dataset totals and series stats, kept by the writer with the data

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04 19:00:00

``dataset_versions`` gains each dataset's row and series counts, first and last observation
date and providers; ``series_stats`` holds the same per series, with its second-newest date.
The writer maintains both in the transaction that writes the data (sql/write.py), so the web
reads a dataset's status, its newest date and every series' latest two rows without
aggregating the data tables. This migration counts what is already stored, once.
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# The datasets as they were at this revision (sql.datasets may grow later): name, table, key column.
DATASETS_AT_0004 = (
    ("treasury_yields", "treasury_yields", "tenor"),
    ("credit_spreads", "credit_spreads", "spread_id"),
    ("fred_series", "fred_series", "series_id"),
    ("economic_indicators", "economic_indicators", "indicator_id"),
    ("market_indices", "market_indices", "symbol"),
    ("commodities", "commodities", "symbol"),
    ("forex_rates", "forex_rates", "symbol"),
    ("crypto_prices", "crypto_prices", "symbol"),
    ("volatility_indicators", "volatility_indicators", "symbol"),
    ("equities", "equities", "symbol"),
    ("correlations", "correlations", "asset_a"),
    ("sector_rotation", "sector_rotation", "symbol"),
    ("sentiment_indicators", "sentiment_indicators", "indicator_id"),
    ("market_breadth", "market_breadth", "universe"),
    ("options_chain", "options_chain", "underlying"),
)


def upgrade() -> None:
    with op.batch_alter_table("dataset_versions") as batch:
        batch.add_column(sa.Column("row_count", sa.BigInteger(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("key_count", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("first_date", sa.Date(), nullable=True, comment="oldest observation date"))
        batch.add_column(sa.Column("last_date", sa.Date(), nullable=True, comment="newest observation date"))
        batch.add_column(
            sa.Column("sources", sa.Text(), nullable=True, comment="providers of the stored series, comma-separated")
        )
    op.create_table(
        "series_stats",
        sa.Column("dataset", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("row_count", sa.BigInteger(), nullable=False),
        sa.Column("first_date", sa.Date(), nullable=False),
        sa.Column("last_date", sa.Date(), nullable=False),
        sa.Column(
            "prev_date", sa.Date(), nullable=False, comment="second-newest observation date (= last_date with one)"
        ),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("dataset", "key", name=op.f("pk_series_stats")),
    )
    _count_what_is_stored()


def _count_what_is_stored() -> None:
    conn = op.get_bind()
    sqlite = conn.dialect.name == "sqlite"
    for dataset, table, key in DATASETS_AT_0004:
        columns = {c["name"]: c for c in sa.inspect(conn).get_columns(table)}
        date_col = "ts" if "ts" in columns else "date"
        if date_col == "date":
            day = '"date"'
        else:
            day = 'date("ts")' if sqlite else "(\"ts\" AT TIME ZONE 'UTC')::date"
        # Per series: rows, first and last date, the second-newest date, the newest row's source.
        rows = conn.execute(
            sa.text(
                f"""
                WITH per_day AS (
                    SELECT "{key}" AS k, {day} AS d, count(*) AS n, max(source) AS source
                    FROM "{table}" GROUP BY "{key}", {day}
                ), ranked AS (
                    SELECT k, d, n, source, ROW_NUMBER() OVER (PARTITION BY k ORDER BY d DESC) AS rk FROM per_day
                )
                SELECT k, sum(n), min(d), max(d), max(CASE WHEN rk = 2 THEN d END),
                       max(CASE WHEN rk = 1 THEN source END)
                FROM ranked GROUP BY k
                """
            )
        ).all()
        if not rows:
            continue
        as_date = sa.Date().result_processor(conn.dialect, None) if sqlite else None

        def day_of(value, as_date=as_date):
            return as_date(value) if as_date and isinstance(value, str) else value

        conn.execute(
            sa.text(
                "INSERT INTO series_stats (dataset, key, row_count, first_date, last_date, prev_date, source, "
                "updated_at) VALUES (:dataset, :key, :n, :first, :last, :prev, :source, CURRENT_TIMESTAMP)"
            ).bindparams(
                sa.bindparam("first", type_=sa.Date()),
                sa.bindparam("last", type_=sa.Date()),
                sa.bindparam("prev", type_=sa.Date()),
            ),
            [
                {
                    "dataset": dataset,
                    "key": str(k),
                    "n": int(n),
                    "first": day_of(first),
                    "last": day_of(last),
                    "prev": day_of(prev or last),
                    "source": source,
                }
                for k, n, first, last, prev, source in rows
            ],
        )
        conn.execute(
            sa.text(
                """
                UPDATE dataset_versions SET
                    key_count = (SELECT count(*) FROM series_stats WHERE dataset = :d),
                    row_count = (SELECT coalesce(sum(row_count), 0) FROM series_stats WHERE dataset = :d),
                    first_date = (SELECT min(first_date) FROM series_stats WHERE dataset = :d),
                    last_date = (SELECT max(last_date) FROM series_stats WHERE dataset = :d)
                WHERE dataset = :d
                """
            ),
            {"d": dataset},
        )
        sources = conn.execute(
            sa.text("SELECT DISTINCT source FROM series_stats WHERE dataset = :d ORDER BY source"), {"d": dataset}
        ).scalars()
        conn.execute(
            sa.text("UPDATE dataset_versions SET sources = :s WHERE dataset = :d"),
            {"s": ", ".join(sources), "d": dataset},
        )


def downgrade() -> None:
    op.drop_table("series_stats")
    with op.batch_alter_table("dataset_versions") as batch:
        for column in ("sources", "last_date", "first_date", "key_count", "row_count"):
            batch.drop_column(column)
