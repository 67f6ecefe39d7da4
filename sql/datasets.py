"""Which table holds each dataset, and the column that names its instruments."""

from __future__ import annotations

from dataclasses import dataclass

from sql.schema import table


@dataclass(frozen=True)
class DatasetSpec:
    name: str
    table: str
    key_column: str
    date_column: str
    title: str

    @property
    def value_column(self) -> str | None:
        """The one column that is "the value" of a row (close for bars), None for wide tables
        (sector rotation, market breadth) that have several."""
        columns = table(self.table).c
        return "value" if "value" in columns else "close" if "close" in columns else None

    @property
    def kind(self) -> str:
        """What a connector must parse for it: ``bars`` (OHLCV), ``observations`` (one value a
        row) or ``rows`` (the table's own columns, e.g. an option-chain summary)."""
        columns = table(self.table).c
        return "bars" if "close" in columns else "observations" if "value" in columns else "rows"


DATASETS: dict[str, DatasetSpec] = {
    spec.name: spec
    for spec in (
        DatasetSpec("treasury_yields", "treasury_yields", "tenor", "date", "Treasury yields"),
        DatasetSpec("credit_spreads", "credit_spreads", "spread_id", "date", "Credit & term spreads"),
        DatasetSpec("fred_series", "fred_series", "series_id", "date", "FRED series"),
        DatasetSpec("economic_indicators", "economic_indicators", "indicator_id", "date", "Economic indicators"),
        DatasetSpec("market_indices", "market_indices", "symbol", "ts", "Market indices"),
        DatasetSpec("commodities", "commodities", "symbol", "ts", "Commodities"),
        DatasetSpec("forex_rates", "forex_rates", "symbol", "ts", "Forex"),
        DatasetSpec("crypto_prices", "crypto_prices", "symbol", "ts", "Crypto"),
        DatasetSpec("volatility_indicators", "volatility_indicators", "symbol", "ts", "Volatility"),
        DatasetSpec("equities", "equities", "symbol", "ts", "Large-cap stocks"),
        DatasetSpec("correlations", "correlations", "asset_a", "date", "Correlations"),
        DatasetSpec("sector_rotation", "sector_rotation", "symbol", "date", "Sector rotation"),
        DatasetSpec("sentiment_indicators", "sentiment_indicators", "indicator_id", "date", "Sentiment"),
        DatasetSpec("market_breadth", "market_breadth", "universe", "date", "Market breadth"),
        DatasetSpec("options_chain", "options_chain", "underlying", "date", "Option chains"),
        DatasetSpec("crypto_derivatives", "crypto_derivatives", "symbol", "date", "Crypto derivatives"),
        DatasetSpec("fundamentals", "fundamentals", "symbol", "date", "Company fundamentals"),
        DatasetSpec("cot_positions", "cot_positions", "market", "date", "COT positioning"),
    )
}


def dataset(name: str) -> DatasetSpec:
    """The spec of dataset ``name``; ``KeyError`` with the known names otherwise."""
    try:
        return DATASETS[name]
    except KeyError:
        raise KeyError(f"unknown dataset {name!r}; known: {', '.join(sorted(DATASETS))}") from None


def columns_of(name: str) -> list[str]:
    return [c.name for c in table(DATASETS[name].table).columns]
