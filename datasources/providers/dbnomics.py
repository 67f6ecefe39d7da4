"""DBnomics API v22 (keyless): one series of any of the statistical offices it aggregates (AMECO,
Eurostat, IMF, OECD…), by ``provider/dataset/series`` code. Symbols: ``COUNTRY:PROVIDER/DATASET/SERIES``
(``EMU:AMECO/ZUTN/EA19.1.0.0.0.ZUTN``): the country the catalog files the series under (ISO 3),
then the series' DBnomics id."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pandas as pd

from datasources.base import OBSERVATION_COLUMNS, HttpRequest, ParseError, ProviderSpec, observations_frame
from datasources.wire import describe, load_json, member


class DbnomicsSeriesConnector:
    """``/v22/series/{provider}/{dataset}/{series}?observations=1&format=json`` → ``{"_meta",
    "series": {"docs": [{"provider_code", "dataset_code", "series_code", "@frequency",
    "period": [...], "period_start_day": [...], "value": [...]}], "num_found", "limit",
    "offset"}, …}``: parallel arrays, a missing value written ``"NA"``. A series is dated by the
    first day of its period (annual: 1 January). Values for periods that have not started yet
    (AMECO's forecast years) are left out: stored observations are outcomes."""

    provider = "dbnomics"
    kind = "observations"

    def build_requests(
        self, base_url: str, symbol: str, since: date | None, api_key: str | None = None
    ) -> list[HttpRequest]:
        _country, series_id = split_symbol(symbol)
        return [
            HttpRequest(
                url=f"{base_url}/v22/series/{series_id}",
                params={"observations": "1", "format": "json", "metadata": "false"},
            )
        ]

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        country, series_id = split_symbol(symbol)
        frame = parse_series(load_json(body), series_id, symbol)
        return frame[OBSERVATION_COLUMNS].assign(country=country)


def split_symbol(symbol: str) -> tuple[str, str]:
    """``EMU:AMECO/ZUTN/EA19.1.0.0.0.ZUTN`` → ``("EMU", "AMECO/ZUTN/EA19.1.0.0.0.ZUTN")``."""
    country, sep, series_id = symbol.partition(":")
    if not sep or not country or series_id.count("/") != 2 or "" in series_id.split("/"):
        raise ValueError(f"not COUNTRY:PROVIDER/DATASET/SERIES: {symbol!r}")
    return country.upper(), series_id


def parse_series(doc, series_id: str, symbol: str) -> pd.DataFrame:
    """The observations of ``series_id`` in a series response, dated by their period's first day."""
    if member(doc, "series") is None:
        message = member(doc, "message") or member(doc, "errors")
        if message:
            raise ParseError(f"DBnomics error: {message}")
        raise ParseError(f"expected a DBnomics series response, got {describe(doc)}")
    docs = member(member(doc, "series"), "docs")
    if not isinstance(docs, list):
        raise ParseError("no series.docs in the response")
    wanted = [d for d in docs if isinstance(d, dict) and _series_id(d) == series_id]
    if not wanted:
        held = ", ".join(sorted(_series_id(d) for d in docs if isinstance(d, dict))) or "no series"
        raise ParseError(f"the body holds {held}, not {series_id}")
    series = wanted[0]
    values = series.get("value")
    starts = series.get("period_start_day") or series.get("period")
    if not isinstance(values, list) or not isinstance(starts, list):
        raise ParseError(f"{series_id}: no period/value arrays (asked without observations=1?)")
    if len(values) != len(starts):
        raise ParseError(f"{series_id}: {len(starts)} periods but {len(values)} values")
    days = pd.to_datetime(pd.Series([_first_day(p) for p in starts], dtype=object), format="%Y-%m-%d", errors="coerce")
    if days.isna().any():
        raise ParseError(f"{series_id}: unparseable period {starts[int(days.isna().to_numpy().argmax())]!r}")
    numbers = pd.to_numeric(pd.Series([None if v == "NA" else v for v in values], dtype=object), errors="coerce")
    bad = numbers.isna() & pd.Series([v not in (None, "NA") for v in values])
    if bad.any():
        raise ParseError(f"{series_id}: value {values[int(bad.to_numpy().argmax())]!r} is not a number")
    started = (days.dt.date <= datetime.now(UTC).date()).to_numpy()
    return observations_frame(symbol, pd.DatetimeIndex(days[started]), numbers[started].tolist())


def _series_id(series: dict) -> str:
    return f"{series.get('provider_code')}/{series.get('dataset_code')}/{series.get('series_code')}"


def _first_day(period) -> str:
    """A period's first day: ``2024-03-01`` as is; ``2024`` → ``2024-01-01``; ``2024-03`` →
    ``2024-03-01`` (when ``period_start_day`` is absent)."""
    text = str(period)
    if len(text) == 4 and text.isdigit():
        return f"{text}-01-01"
    if len(text) == 7 and text[4] == "-":
        return f"{text}-01"
    return text


PROVIDER = ProviderSpec("dbnomics", (DbnomicsSeriesConnector(),), rate_limit_per_minute=60)
