"""The one truth for every table: SQLAlchemy Core metadata.

Tables are unqualified; on PostgreSQL the connection's ``search_path`` points at the
configured schema (``spartan_research`` by default), so the same metadata serves both
backends. Data rows carry their natural key, ``source`` and ``fetched_at`` (UTC).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    Integer,
    String,
    Table,
    Text,
)

from sql.metadata import metadata
from sql.schema_boards import board_panels, boards  # noqa: F401 - re-exported
from sql.schema_station import catalog_entries, catalog_terms, sidecar_status  # noqa: F401 - re-exported
from sql.schema_users import api_tokens, embed_links, user_sessions, users  # noqa: F401 - re-exported
from sql.schema_watchlists import watchlist_items, watchlists  # noqa: F401 - re-exported


def _provenance() -> list[Column]:
    return [
        Column("source", String(64), nullable=False),
        Column("fetched_at", DateTime(timezone=True), nullable=False),
    ]


def _bar_table(name: str) -> Table:
    """OHLCV bars keyed by (symbol, interval, ts)."""
    return Table(
        name,
        metadata,
        Column("symbol", String(32), primary_key=True),
        Column("interval", String(8), primary_key=True),
        Column("ts", DateTime(timezone=True), primary_key=True),
        Column("open", Float),
        Column("high", Float),
        Column("low", Float),
        Column("close", Float, nullable=False),
        Column("volume", Float),
        *_provenance(),
    )


# --- market data -----------------------------------------------------------------
market_indices = _bar_table("market_indices")
commodities = _bar_table("commodities")
forex_rates = _bar_table("forex_rates")
crypto_prices = _bar_table("crypto_prices")
volatility_indicators = _bar_table("volatility_indicators")
# Extra to the seed's 17: the constituents whose daily bars market breadth is computed from.
equities = _bar_table("equities")

treasury_yields = Table(
    "treasury_yields",
    metadata,
    Column("tenor", String(8), primary_key=True),
    Column("date", Date, primary_key=True),
    Column("value", Float, nullable=False, comment="yield in percent"),
    *_provenance(),
)

credit_spreads = Table(
    "credit_spreads",
    metadata,
    Column("spread_id", String(32), primary_key=True),
    Column("date", Date, primary_key=True),
    Column("value", Float, nullable=False, comment="spread in percentage points"),
    *_provenance(),
)

# --- economic --------------------------------------------------------------------
economic_indicators = Table(
    "economic_indicators",
    metadata,
    Column("indicator_id", String(64), primary_key=True),
    Column("country", String(3), primary_key=True),
    Column("date", Date, primary_key=True),
    Column("value", Float, nullable=False),
    Column("unit", String(32)),
    *_provenance(),
)

fred_series = Table(
    "fred_series",
    metadata,
    Column("series_id", String(64), primary_key=True),
    Column("date", Date, primary_key=True),
    Column("value", Float, nullable=False),
    *_provenance(),
)

# --- analytics -------------------------------------------------------------------
correlations = Table(
    "correlations",
    metadata,
    Column("asset_a", String(32), primary_key=True),
    Column("asset_b", String(32), primary_key=True),
    Column("window_days", Integer, primary_key=True),
    Column("date", Date, primary_key=True),
    Column("value", Float, nullable=False),
    *_provenance(),
)

sector_rotation = Table(
    "sector_rotation",
    metadata,
    Column("symbol", String(16), primary_key=True),
    Column("benchmark", String(16), primary_key=True),
    Column("date", Date, primary_key=True),
    Column("rs_ratio", Float),
    Column("rs_momentum", Float),
    Column("return_1w", Float),
    Column("return_1m", Float),
    Column("return_3m", Float),
    Column("return_6m", Float),
    Column("return_1y", Float),
    *_provenance(),
)

sentiment_indicators = Table(
    "sentiment_indicators",
    metadata,
    Column("indicator_id", String(64), primary_key=True),
    Column("date", Date, primary_key=True),
    Column("value", Float, nullable=False),
    Column("label", String(32)),
    *_provenance(),
)

market_breadth = Table(
    "market_breadth",
    metadata,
    Column("universe", String(32), primary_key=True),
    Column("date", Date, primary_key=True),
    Column("advancers", Integer),
    Column("decliners", Integer),
    Column("unchanged", Integer),
    Column("ad_line", Float),
    Column("new_highs", Integer),
    Column("new_lows", Integer),
    Column("pct_above_50d", Float),
    Column("pct_above_200d", Float),
    *_provenance(),
)

# --- options -----------------------------------------------------------------------
# Extra to the seed's 17: one row per expiry of an underlying's option chain, per snapshot day
# (a refresh during the day replaces that day's row: the newest delayed quotes win).
options_chain = Table(
    "options_chain",
    metadata,
    Column("underlying", String(16), primary_key=True),
    Column("date", Date, primary_key=True, comment="snapshot (trade) date, US Eastern"),
    Column("expiry", Date, primary_key=True),
    Column("days_to_expiry", Integer, nullable=False),
    Column("underlying_price", Float),
    Column("contracts", Integer, nullable=False, comment="listed contracts of this expiry"),
    Column("call_volume", Float),
    Column("put_volume", Float),
    Column("call_open_interest", Float),
    Column("put_open_interest", Float),
    Column("put_call_volume", Float, comment="put volume / call volume"),
    Column("put_call_oi", Float, comment="put open interest / call open interest"),
    Column("atm_iv", Float, comment="at-the-money implied volatility in percent"),
    Column("skew_25d", Float, comment="25-delta put IV minus 25-delta call IV, percentage points"),
    Column("max_pain", Float, comment="strike at which expiring options pay holders least"),
    # The volatility smile: implied volatility in percent at strikes 80 … 120 % of spot
    # (out-of-the-money side; datasources/chains.SMILE_POINTS).
    *[
        Column(name, Float, comment=f"implied volatility at a strike {name[3:].replace('_', '.')} % of spot, percent")
        for name in ("iv_80", "iv_90", "iv_95", "iv_97_5", "iv_102_5", "iv_105", "iv_110", "iv_120")
    ],
    *_provenance(),
)

# --- crypto derivatives -------------------------------------------------------------
# Extra to the seed's 17: per coin and UTC day, the perpetual swap's funding (the day's settled
# rates summed) and its open interest at the day's snapshot (datasources/derivatives.py).
crypto_derivatives = Table(
    "crypto_derivatives",
    metadata,
    Column("symbol", String(16), primary_key=True, comment="the coin: BTC, ETH..."),
    Column("date", Date, primary_key=True, comment="UTC day"),
    Column("funding_rate", Float, comment="sum of the day's settled funding rates, percent"),
    Column("funding_annualized", Float, comment="funding_rate x 365, percent a year"),
    Column("funding_periods", Integer, comment="funding settlements summed (3 a day at 8 h)"),
    Column("open_interest", Float, comment="open interest in coins at the day's snapshot"),
    Column("open_interest_usd", Float, comment="open interest in US dollars, where the venue gives it"),
    *_provenance(),
)

# --- fundamentals ------------------------------------------------------------------
# Extra to the seed's 17: one row per company and fiscal year (the period's end date), figures
# as reported in its annual report (10-K) through SEC EDGAR's XBRL company facts; a restated
# year is replaced by the newest filing's figures.
fundamentals = Table(
    "fundamentals",
    metadata,
    Column("symbol", String(16), primary_key=True),
    Column("date", Date, primary_key=True, comment="end of the fiscal year"),
    Column("fiscal_year", Integer, comment="the fiscal year the period is reported as"),
    Column("form", String(16), comment="the filing the figures come from (10-K, 10-K/A, 20-F)"),
    Column("filed", Date, comment="when that filing was made"),
    Column("revenue", Float, comment="revenue of the year, USD"),
    Column("operating_income", Float, comment="operating income of the year, USD"),
    Column("net_income", Float, comment="net income of the year, USD"),
    Column("eps_diluted", Float, comment="diluted earnings per share, USD"),
    Column("diluted_shares", Float, comment="weighted average diluted shares outstanding"),
    Column("operating_cash_flow", Float, comment="net cash from operating activities, USD"),
    Column("cash", Float, comment="cash and cash equivalents at the year end, USD"),
    Column("assets", Float, comment="total assets at the year end, USD"),
    Column("liabilities", Float, comment="total liabilities at the year end, USD"),
    Column("equity", Float, comment="stockholders' equity at the year end, USD"),
    *_provenance(),
)

# --- positioning -------------------------------------------------------------------
# Extra to the seed's 17: the CFTC's weekly Commitments of Traders (legacy, futures only), per
# market and report date (positions as of that Tuesday), by trader class, in contracts.
cot_positions = Table(
    "cot_positions",
    metadata,
    Column("market", String(16), primary_key=True, comment="the catalog's key (ES, GC, CL…)"),
    Column("date", Date, primary_key=True, comment="report date: positions as of that Tuesday"),
    Column("market_name", String(128), comment="the CFTC's market and exchange name"),
    Column("contract_code", String(8), comment="CFTC contract market code"),
    Column("open_interest", Float, nullable=False, comment="contracts open, all classes"),
    Column("noncomm_long", Float, comment="non-commercial (large speculators) long, contracts"),
    Column("noncomm_short", Float, comment="non-commercial short, contracts"),
    Column("noncomm_spreading", Float, comment="non-commercial spreading (long and short), contracts"),
    Column("comm_long", Float, comment="commercial (hedgers) long, contracts"),
    Column("comm_short", Float, comment="commercial short, contracts"),
    Column("nonrept_long", Float, comment="non-reportable (small traders) long, contracts"),
    Column("nonrept_short", Float, comment="non-reportable short, contracts"),
    Column("noncomm_net", Float, comment="non-commercial long minus short"),
    Column("comm_net", Float, comment="commercial long minus short"),
    Column("nonrept_net", Float, comment="non-reportable long minus short"),
    *_provenance(),
)

# --- system ----------------------------------------------------------------------
data_sources = Table(
    "data_sources",
    metadata,
    Column("source_id", String(64), primary_key=True),
    Column("provider", String(64), nullable=False),
    Column("category", String(32), nullable=False),
    Column("base_url", Text, nullable=False),
    Column("auth_env", String(64)),
    Column("rate_limit_per_minute", Integer),
    Column("enabled", Boolean, nullable=False),
    Column("notes", Text),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

download_log = Table(
    "download_log",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("run_id", String(36), nullable=False, index=True),
    Column("run_kind", String(16), nullable=False),
    Column("source_id", String(64), nullable=False, index=True),
    Column("dataset", String(64), nullable=False),
    Column("instrument", String(64), nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False, index=True),
    Column("finished_at", DateTime(timezone=True), nullable=False),
    Column("status", String(16), nullable=False),
    Column("http_status", Integer),
    Column("rows", Integer, nullable=False, default=0),
    Column("latency_ms", Float),
    Column("error", Text),
    Column(
        "revised_rows",
        Integer,
        nullable=False,
        default=0,
        server_default="0",
        comment="rows older than the refresh window that the provider changed, written with it",
    ),
)

health_status = Table(
    "health_status",
    metadata,
    Column("source_id", String(64), primary_key=True),
    Column("state", String(16), nullable=False),
    Column("last_success_at", DateTime(timezone=True)),
    Column("last_failure_at", DateTime(timezone=True)),
    Column("last_error", Text),
    Column("consecutive_failures", Integer, nullable=False, default=0),
    Column("latency_ms", Float),
    Column("checked_at", DateTime(timezone=True), nullable=False),
)

api_rate_limits = Table(
    "api_rate_limits",
    metadata,
    Column("source_id", String(64), primary_key=True),
    Column("window_start", DateTime(timezone=True), primary_key=True),
    Column("requests", Integer, nullable=False),
    Column("limit_per_window", Integer),
)

# Moved forward after every committed write; cache keys carry it. The writer keeps the
# dataset's totals here in the same transaction as the data (sql/write.py), so its status is
# one read of this small table, never a count over the data.
dataset_versions = Table(
    "dataset_versions",
    metadata,
    Column("dataset", String(64), primary_key=True),
    Column("version", BigInteger, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("rows_written", BigInteger, nullable=False),
    Column("source", String(64)),
    Column("demo", Boolean, nullable=False, default=False),
    Column("row_count", BigInteger, nullable=False, default=0, server_default="0"),
    Column("key_count", Integer, nullable=False, default=0, server_default="0"),
    Column("first_date", Date, comment="oldest observation date"),
    Column("last_date", Date, comment="newest observation date"),
    Column("sources", Text, comment="providers of the stored series, comma-separated"),
    Column("flag_count", Integer, nullable=False, default=0, server_default="0", comment="rows of data_quality"),
)

# Per series of a dataset (its key column's value), kept by the writer with the data: row
# count, oldest, newest and second-newest observation date, and the provider of the last
# write. Pages read "the latest two of every series" through it by index, and the sidecar
# plans its next downloads from it, without aggregating the data tables.
series_stats = Table(
    "series_stats",
    metadata,
    Column("dataset", String(64), primary_key=True),
    Column("key", String(64), primary_key=True),
    Column("row_count", BigInteger, nullable=False),
    Column("first_date", Date, nullable=False),
    Column("last_date", Date, nullable=False),
    Column("prev_date", Date, nullable=False, comment="second-newest observation date (= last_date with one)"),
    Column("source", String(64), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# Per series of a dataset: how deep its history goes and why not deeper, as the sidecar found
# when it asked for the full history depth (a first load): the date asked from, the first date
# the provider served, and a note ("kraken serves the last 720 days", "first bar the provider
# has: 2023-05-03"). Written by the pipeline in the transaction that writes the data.
instrument_history = Table(
    "instrument_history",
    metadata,
    Column("dataset", String(64), primary_key=True),
    Column("key", String(64), primary_key=True),
    Column("source", String(64), nullable=False, comment="the provider that served the full-depth download"),
    Column("requested_from", Date, nullable=False, comment="the first date asked for"),
    Column("provider_first", Date, comment="the first date the provider served (none: nothing served)"),
    Column("depth_note", Text, nullable=False, comment="why the history starts where it does"),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# Suspicious points of the data (datasources/quality.py): written with the data, flagged here
# in the same transaction, keyed like the data (dataset, series key, observation date) and the
# rule that fired. A re-download updates the flag (last_seen) rather than adding one; a flag
# whose row was revised so that the rule no longer fires is removed (sql/write.py).
data_quality = Table(
    "data_quality",
    metadata,
    Column("dataset", String(64), primary_key=True),
    Column("key", String(64), primary_key=True, comment="the series: the dataset's key column"),
    Column("date", Date, primary_key=True, comment="the observation's date (UTC)"),
    Column("rule", String(16), primary_key=True, comment="jump | stale | gap | non_positive"),
    Column("detail", Text, nullable=False),
    Column("value", Float, comment="the flagged value (a gap: its length in days)"),
    Column("source", String(64), nullable=False, comment="the provider of the flagged row"),
    Column("status", String(16), nullable=False, comment="open | confirmed | disputed | unchecked"),
    Column("second_source", String(64), comment="the provider it was checked against"),
    Column("second_value", Float, comment="that provider's value (a gap: its rows inside the gap)"),
    Column("first_seen", DateTime(timezone=True), nullable=False),
    Column("last_seen", DateTime(timezone=True), nullable=False, index=True),
)

DATA_TABLES = (
    "market_indices",
    "commodities",
    "forex_rates",
    "crypto_prices",
    "treasury_yields",
    "credit_spreads",
    "volatility_indicators",
    "equities",
    "economic_indicators",
    "fred_series",
    "correlations",
    "sector_rotation",
    "sentiment_indicators",
    "market_breadth",
    "options_chain",
    "crypto_derivatives",
    "fundamentals",
    "cot_positions",
)
SYSTEM_TABLES = (
    "data_sources",
    "download_log",
    "health_status",
    "api_rate_limits",
    "sidecar_status",
    "instrument_history",
    "data_quality",
    "catalog_entries",
    "catalog_terms",
)
# Tables beyond the seed's 17.
EXTRA_TABLES = (
    "equities",
    "options_chain",
    "crypto_derivatives",
    "fundamentals",
    "cot_positions",
    "sidecar_status",
    "instrument_history",
    "data_quality",
    "catalog_entries",
    "catalog_terms",
)


def table(name: str) -> Table:
    """The table called ``name``; ``KeyError`` for anything not in the schema."""
    return metadata.tables[name]
