"""Public economic and sentiment APIs (keyless): New York Fed reference rates, World Bank
indicators, US Treasury Fiscal Data, alternative.me crypto Fear & Greed, open.er-api FX."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pandas as pd

from datasources._json import load_json
from datasources.base import OBSERVATION_COLUMNS, HttpRequest, ParseError, bars_frame


def _observations(series_id: str, dates, values, labels=None) -> pd.DataFrame:
    frame = pd.DataFrame(
        {"series_id": series_id, "date": pd.to_datetime(dates).date, "value": pd.to_numeric(values, errors="coerce")}
    )
    if labels is not None:
        frame["label"] = labels
    frame = frame.dropna(subset=["value"]).drop_duplicates(subset=["date"], keep="last")
    return frame.sort_values("date").reset_index(drop=True)


class NyFedRatesConnector:
    """``/api/rates/{secured|unsecured}/{sofr|effr|…}/last/{n}.json`` → ``refRates`` with ``percentRate``.
    Symbols: ``secured/sofr``, ``unsecured/effr``, ``unsecured/obfr``, ``secured/tgcr``, ``secured/bgcr``."""

    provider = "nyfed"
    kind = "observations"

    def build_requests(
        self, base_url: str, symbol: str, since: date | None, api_key: str | None = None
    ) -> list[HttpRequest]:
        count = 30 if since else 1300
        return [HttpRequest(url=f"{base_url}/api/rates/{symbol}/last/{count}.json")]

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        doc = load_json(body)
        rates = doc.get("refRates") if isinstance(doc, dict) else None
        if not isinstance(rates, list):
            raise ParseError("no refRates in the response")
        if any("effectiveDate" not in r or "percentRate" not in r for r in rates):
            raise ParseError("refRates entries lack effectiveDate/percentRate")
        return _observations(symbol, [r["effectiveDate"] for r in rates], [r["percentRate"] for r in rates])[
            OBSERVATION_COLUMNS
        ]


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
        if not isinstance(doc, list) or len(doc) != 2 or not isinstance(doc[0], dict):
            raise ParseError("expected [paging, observations]")
        rows = doc[1] or []
        if any("date" not in r or "value" not in r for r in rows):
            raise ParseError("observations lack date/value")
        frame = _observations(symbol, [f"{r['date']}-01-01" for r in rows], [r["value"] for r in rows])
        return frame[OBSERVATION_COLUMNS].assign(country=symbol.split(":", 1)[0])


class FiscalDataConnector:
    """US Treasury Fiscal Data (``/services/api/fiscal_service/…``). Symbol: ``endpoint:field``,
    e.g. ``v2/accounting/od/debt_to_penny:tot_pub_debt_out_amt``; rows dated by ``record_date``."""

    provider = "fiscaldata"
    kind = "observations"

    def build_requests(
        self, base_url: str, symbol: str, since: date | None, api_key: str | None = None
    ) -> list[HttpRequest]:
        endpoint, field = symbol.split(":", 1)
        params = {"fields": f"record_date,{field}", "sort": "-record_date", "page[size]": "10000"}
        if since:
            params["filter"] = f"record_date:gte:{since.isoformat()}"
        return [HttpRequest(url=f"{base_url}/services/api/fiscal_service/{endpoint}", params=params)]

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        field = symbol.split(":", 1)[1]
        doc = load_json(body)
        if not isinstance(doc, dict) or not isinstance(doc.get("data"), list):
            raise ParseError(
                f"Fiscal Data error: {doc.get('error') or doc.get('message') if isinstance(doc, dict) else doc}"
            )
        rows = doc["data"]
        if any("record_date" not in r or field not in r for r in rows):
            raise ParseError(f"rows lack record_date/{field}")
        return _observations(symbol, [r["record_date"] for r in rows], [r[field] for r in rows])[OBSERVATION_COLUMNS]


class AlternativeMeFearGreedConnector:
    """``/fng/?limit=0&format=json``: the crypto Fear & Greed index, ``data`` newest first."""

    provider = "alternative_me"
    kind = "observations"

    def build_requests(
        self, base_url: str, symbol: str, since: date | None, api_key: str | None = None
    ) -> list[HttpRequest]:
        limit = "30" if since else "0"  # 0 = the whole history
        return [HttpRequest(url=f"{base_url}/fng/", params={"limit": limit, "format": "json"})]

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        doc = load_json(body)
        error = (doc.get("metadata") or {}).get("error") if isinstance(doc, dict) else "not an object"
        if error or not isinstance(doc.get("data"), list):
            raise ParseError(f"alternative.me error: {error or 'no data'}")
        rows = doc["data"]
        if any("timestamp" not in r or "value" not in r for r in rows):
            raise ParseError("data entries lack timestamp/value")
        dates = pd.to_datetime([int(r["timestamp"]) for r in rows], unit="s", utc=True)
        return _observations(symbol, dates, [r["value"] for r in rows], [r.get("value_classification") for r in rows])


class OpenErApiConnector:
    """``/v6/latest/{BASE}``: today's rates for one base currency (one bar per pair per day)."""

    provider = "open_er_api"
    kind = "bars"

    def build_requests(
        self, base_url: str, symbol: str, since: date | None, api_key: str | None = None
    ) -> list[HttpRequest]:
        return [HttpRequest(url=f"{base_url}/v6/latest/{symbol[:3].upper()}")]

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        doc = load_json(body)
        if not isinstance(doc, dict) or doc.get("result") != "success":
            raise ParseError(f"open.er-api error: {doc.get('error-type') if isinstance(doc, dict) else doc}")
        base, quote = symbol[:3].upper(), symbol[3:].upper()
        if doc.get("base_code") != base or quote not in (doc.get("rates") or {}):
            raise ParseError(f"{base}/{quote} not in the response")
        day = pd.to_datetime(int(doc["time_last_update_unix"]), unit="s", utc=True).normalize()
        return bars_frame(symbol, [day], close=[doc["rates"][quote]])
