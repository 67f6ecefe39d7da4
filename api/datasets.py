"""The datasets the REST API serves: URL slug and group, path keys, columns and examples.

Everything but the slug, the group and the example keys comes from ``sql.datasets`` and the
table definitions in ``sql.schema``, so a new column shows up in the API and its OpenAPI
document without touching this module.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from sqlalchemy import Date, DateTime, Float, Integer

from sql.datasets import DatasetSpec, dataset
from sql.read import identity_columns
from sql.schema import table

GROUPS = {
    "market": "Market data: daily OHLCV bars (indices, stocks, commodities, FX, crypto, volatility), rates, option"
    " chains, crypto perpetual funding and open interest, company fundamentals and futures positioning (COT)",
    "economic": "Economic indicators and the FRED series cache",
    "analytics": "What the sidecar computes: correlations, sector rotation, sentiment, market breadth",
}
# Columns that are bookkeeping, not data (``interval``: the API serves daily bars).
HIDDEN_COLUMNS = ("fetched_at", "interval")


@dataclass(frozen=True)
class ApiDataset:
    """One dataset as the API serves it: ``/api/<group>/<slug>`` (latest value per series) and
    ``/api/<group>/<slug>/<key>`` (one series' history; two keys for correlations)."""

    slug: str
    group: str
    name: str
    example: tuple[str, ...]

    @property
    def spec(self) -> DatasetSpec:
        return dataset(self.name)

    @property
    def title(self) -> str:
        return self.spec.title

    @property
    def path(self) -> str:
        return f"/api/{self.group}/{self.slug}"

    @property
    def endpoint(self) -> str:
        return f"{self.group}_{self.slug.replace('-', '_')}"

    @cached_property
    def path_keys(self) -> tuple[str, ...]:
        """The columns named in a history URL: ``symbol``, ``series_id``… (``asset_a, asset_b``)."""
        return ("asset_a", "asset_b") if self.name == "correlations" else (self.spec.key_column,)

    @cached_property
    def identity(self) -> tuple[str, ...]:
        """The columns that tell one series from another (path keys first, then e.g. ``country``)."""
        ids = identity_columns(self.name)
        return (*self.path_keys, *[c for c in ids if c not in self.path_keys])

    @cached_property
    def extra_identity(self) -> tuple[str, ...]:
        """Identity columns not in the path (``country``, ``benchmark``, ``window_days``)."""
        return tuple(c for c in self.identity if c not in self.path_keys)

    @cached_property
    def data_columns(self) -> tuple[str, ...]:
        """The observed values of a row (``open … volume``, ``value``, ``rs_ratio`` …, ``unit``)."""
        skip = {*self.identity, self.spec.date_column, "source", *HIDDEN_COLUMNS}
        return tuple(c.name for c in table(self.spec.table).columns if c.name not in skip)

    @property
    def value_column(self) -> str | None:
        """The column whose change since the previous observation the latest list reports."""
        return self.spec.value_column

    @property
    def bars(self) -> bool:
        return "close" in self.data_columns

    @property
    def flagged(self) -> bool:
        """Whether its rows can carry quality flags (data_quality): one value per series and date."""
        return self.value_column is not None and self.named

    @property
    def named(self) -> bool:
        """Whether a series has one key, so a ``name`` (the catalog label) can go with it."""
        return len(self.path_keys) == 1

    def column_type(self, column: str) -> str:
        """``number``, ``integer``, ``date`` or ``string`` (the JSON type of a column's values)."""
        kind = table(self.spec.table).c[column].type
        if isinstance(kind, Float):
            return "number"
        if isinstance(kind, Integer):
            return "integer"
        if isinstance(kind, Date | DateTime):
            return "date"
        return "string"

    def column_doc(self, column: str) -> str:
        return table(self.spec.table).c[column].comment or ""


API_DATASETS: tuple[ApiDataset, ...] = (
    ApiDataset("indices", "market", "market_indices", ("SPX",)),
    ApiDataset("equities", "market", "equities", ("AAPL",)),
    ApiDataset("commodities", "market", "commodities", ("GC",)),
    ApiDataset("forex", "market", "forex_rates", ("EURUSD",)),
    ApiDataset("crypto", "market", "crypto_prices", ("BTCUSD",)),
    ApiDataset("volatility", "market", "volatility_indicators", ("VIX",)),
    ApiDataset("treasury-yields", "market", "treasury_yields", ("10Y",)),
    ApiDataset("credit-spreads", "market", "credit_spreads", ("HY_OAS",)),
    ApiDataset("options-chain", "market", "options_chain", ("SPX",)),
    ApiDataset("crypto-derivatives", "market", "crypto_derivatives", ("BTC",)),
    ApiDataset("fundamentals", "market", "fundamentals", ("AAPL",)),
    ApiDataset("cot-positions", "market", "cot_positions", ("ES",)),
    ApiDataset("indicators", "economic", "economic_indicators", ("SOFR_NYFED",)),
    ApiDataset("fred", "economic", "fred_series", ("DGS10",)),
    ApiDataset("correlations", "analytics", "correlations", ("SPX", "GC")),
    ApiDataset("sector-rotation", "analytics", "sector_rotation", ("XLK",)),
    ApiDataset("sentiment", "analytics", "sentiment_indicators", ("FEAR_GREED",)),
    ApiDataset("market-breadth", "analytics", "market_breadth", ("LARGE_CAP",)),
)
BY_PATH = {d.path: d for d in API_DATASETS}
