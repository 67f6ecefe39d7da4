"""World Bank indicators API v2 (keyless), annual observations by country."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pandas as pd

from datasources.base import OBSERVATION_COLUMNS, HttpRequest, ParseError, ProviderSpec, observations_frame
from datasources.wire import load_json, require_fields


class WorldBankConnector:
    """``/v2/country/{ISO3}/indicator/{id}?format=json`` → ``[paging, [observations…]]``.
    Symbol: ``USA:NY.GDP.MKTP.KD.ZG`` (country, indicator). Annual values dated 1 January."""

    provider = "worldbank"
    kind = "observations"

    def build_requests(
        self, base_url: str, symbol: str, since: date | None, api_key: str | None = None
    ) -> list[HttpRequest]:
        country, indicator = symbol.split(":", 1)
        params = {
            "format": "json",
            "per_page": "1000",
            "date": f"{(since.year if since else 1960)}:{datetime.now(UTC).year}",
        }
        return [HttpRequest(url=f"{base_url}/v2/country/{country}/indicator/{indicator}", params=params)]

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        doc = load_json(body)
        if isinstance(doc, list) and doc and isinstance(doc[0], dict) and "message" in doc[0]:
            message = doc[0]["message"][0] if doc[0]["message"] else {}
            raise ParseError(f"World Bank error {message.get('id')}: {message.get('value')}")
        shaped = isinstance(doc, list) and len(doc) == 2 and isinstance(doc[0], dict)
        if not shaped or not isinstance(doc[1] or [], list):
            raise ParseError("expected [paging, observations]")
        rows = doc[1] or []
        require_fields(rows, ("date", "value"), "observations")
        by_series = series_rows(rows, symbol)
        mine = by_series.get(symbol.upper(), [])
        if rows and not mine:
            held = ", ".join(sorted(by_series))
            raise ParseError(f"the body holds {held}, not {symbol}")
        frame = observations_frame(symbol, [f"{r['date']}-01-01" for r in mine], [r["value"] for r in mine])
        return frame[OBSERVATION_COLUMNS].assign(country=symbol.split(":", 1)[0])


def series_rows(rows: list[dict], asked: str) -> dict[str, list[dict]]:
    """A body's observations by series, ``COUNTRY:INDICATOR`` as the symbols are written: a
    body can hold several countries (``/country/USA;CHN/…``) or several indicators, one row per
    country, indicator and year. The country is ``countryiso3code`` (else ``country.id``, else
    the one asked for), the indicator ``indicator.id`` (else the one asked for)."""
    country_asked, indicator_asked = asked.upper().split(":", 1)
    out: dict[str, list[dict]] = {}
    for row in rows:
        country = row.get("countryiso3code") or _id(row.get("country")) or country_asked
        if country.upper() != country_asked and _id(row.get("country")).upper() == country_asked:
            country = country_asked  # asked by its two-letter code
        indicator = _id(row.get("indicator")) or indicator_asked
        out.setdefault(f"{country}:{indicator}".upper(), []).append(row)
    return out


def _id(member) -> str:
    return str(member.get("id") or "") if isinstance(member, dict) else ""


PROVIDER = ProviderSpec("worldbank", (WorldBankConnector(),), rate_limit_per_minute=60)
