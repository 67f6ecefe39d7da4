"""FRED (St. Louis Fed): the keyless graph CSV download (``/graph/fredgraph.csv?id=…``), read
as observations or as close-only bars, and the keyed API v1 (``/fred/series/observations``).

The CSV header's date column has been ``DATE`` and, since 2024, ``observation_date``; a value
of ``.`` marks a missing observation (a holiday, say) and is dropped (in the API too).
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from datasources.base import OBSERVATION_COLUMNS, HttpRequest, ParseError, ProviderSpec, bars_frame
from datasources.wire import load_json, member, parse_days, read_csv_body, require_fields

DATE_HEADERS = ("observation_date", "DATE")
MISSING = "."


class FredGraphConnector:
    provider = "fred"
    kind = "observations"
    # fredgraph.csv takes several ids at once (one column each): a FRED cache of a thousand
    # series is a few dozen requests.
    batch_size = 40

    def build_batch_request(self, base_url: str, symbols: list[str], since: date | None) -> HttpRequest:
        params = {"id": ",".join(symbols)}
        if since is not None:
            params["cosd"] = since.isoformat()
        return HttpRequest(url=f"{base_url}/graph/fredgraph.csv", params=params)

    def build_requests(
        self, base_url: str, symbol: str, since: date | None, api_key: str | None = None
    ) -> list[HttpRequest]:
        params = {"id": symbol}
        if since is not None:
            params["cosd"] = since.isoformat()
        return [HttpRequest(url=f"{base_url}/graph/fredgraph.csv", params=params)]

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        return parse_fredgraph_csv(body, [symbol])

    def parse_batch(self, body: bytes, symbols: list[str]) -> dict[str, pd.DataFrame | ParseError]:
        """Every symbol of a batch body from one read of it (``parse`` per symbol would read
        the whole body once per symbol)."""
        return parse_fredgraph_batch(body, symbols)


class FredCloseConnector(FredGraphConnector):
    """The same download read as close-only daily bars (SP500, DEXUSEU, DCOILWTICO, VIXCLS…),
    so FRED can stand in the cascade of market datasets."""

    provider = "fred_bars"
    kind = "bars"

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        return self._bars(symbol, parse_fredgraph_csv(body, [symbol]))

    def parse_batch(self, body: bytes, symbols: list[str]) -> dict[str, pd.DataFrame | ParseError]:
        parsed = parse_fredgraph_batch(body, symbols)
        return {s: f if isinstance(f, ParseError) else self._bars(s, f) for s, f in parsed.items()}

    @staticmethod
    def _bars(symbol: str, frame: pd.DataFrame) -> pd.DataFrame:
        return bars_frame(symbol, pd.to_datetime(frame["date"]), close=frame["value"])


def _read_fredgraph(body: bytes) -> tuple[pd.DataFrame, pd.Series]:
    """The CSV as text columns, and its parsed dates."""
    raw = read_csv_body(body, dtype=str, keep_default_na=False)
    date_col = next((c for c in DATE_HEADERS if c in raw.columns), None)
    if date_col is None:
        raise ParseError(f"no date column: expected one of {DATE_HEADERS}, got {list(raw.columns)[:5]}")
    return raw, parse_days(raw, date_col, "%Y-%m-%d")


def _series(raw: pd.DataFrame, dates: pd.Series, series_id: str) -> pd.DataFrame:
    if series_id not in raw.columns:
        raise ParseError(f"series {[series_id]} not in the CSV header {list(raw.columns)[:10]}")
    text_values = raw[series_id].str.strip()
    values = pd.to_numeric(text_values.where(text_values != MISSING), errors="coerce")
    garbage = values.isna() & text_values.ne(MISSING) & text_values.ne("")
    if garbage.any():
        raise ParseError(f"{series_id}: non-numeric value {text_values[garbage].iloc[0]!r}")
    frame = pd.DataFrame({"series_id": series_id, "date": dates.dt.date, "value": values})
    return frame.dropna(subset=["value"])[OBSERVATION_COLUMNS].reset_index(drop=True)


def parse_fredgraph_csv(body: bytes, series_ids: list[str]) -> pd.DataFrame:
    """fredgraph CSV bytes → ``series_id, date, value`` rows for ``series_ids`` (long format)."""
    raw, dates = _read_fredgraph(body)
    missing = [s for s in series_ids if s not in raw.columns]
    if missing:
        raise ParseError(f"series {missing} not in the CSV header {list(raw.columns)[:10]}")
    return pd.concat([_series(raw, dates, s) for s in series_ids], ignore_index=True)[OBSERVATION_COLUMNS]


def parse_fredgraph_batch(body: bytes, series_ids: list[str]) -> dict[str, pd.DataFrame | ParseError]:
    """One batch body read once: each series' rows, or the ParseError that series alone has
    (a body that cannot be read at all raises for the whole batch)."""
    raw, dates = _read_fredgraph(body)
    out: dict[str, pd.DataFrame | ParseError] = {}
    for series_id in series_ids:
        try:
            out[series_id] = _series(raw, dates, series_id)
        except ParseError as exc:
            out[series_id] = exc
    return out


class FredApiConnector:
    """``/fred/series/observations?series_id=…&file_type=json``: ``observations`` of ``date`` and
    ``value`` strings (``"."`` for missing). Needs a key."""

    provider = "fred_api"
    kind = "observations"

    def build_requests(
        self, base_url: str, symbol: str, since: date | None, api_key: str | None = None
    ) -> list[HttpRequest]:
        params = {"series_id": symbol, "file_type": "json", "api_key": api_key or ""}
        if since:
            params["observation_start"] = since.isoformat()
        return [HttpRequest(url=f"{base_url}/fred/series/observations", params=params, key_param="api_key")]

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        doc = load_json(body)
        if not isinstance(doc, dict) or not isinstance(doc.get("observations"), list):
            message = member(doc, "error_message")
            raise ParseError(f"FRED API error: {message or 'no observations'}")
        rows = doc["observations"]
        require_fields(rows, ("date", "value"), "observations")
        values = pd.to_numeric([None if r["value"] == MISSING else r["value"] for r in rows], errors="coerce")
        frame = pd.DataFrame(
            {"series_id": symbol, "date": pd.to_datetime([r["date"] for r in rows]).date, "value": values}
        )
        return frame.dropna(subset=["value"]).reset_index(drop=True)[OBSERVATION_COLUMNS]


PROVIDER = ProviderSpec(
    "fred",
    (FredGraphConnector(), FredCloseConnector(), FredApiConnector()),
    rate_limit_per_minute=120,
    credentials={"fred_api": "SPARTAN_FRED_API_KEYS"},
)
