"""Official statistics and exchange data published keyless: BLS public API v1, IMF DataMapper,
the ECB's euro reference rates XML, Nasdaq's historical quotes, CBOE delayed option quotes."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pandas as pd
from defusedxml import ElementTree

from datasources._json import load_json
from datasources.base import OBSERVATION_COLUMNS, HttpRequest, ParseError, bars_frame


class BlsTimeseriesConnector:
    """``/publicAPI/v1/timeseries/data/{series}``: monthly ``data`` entries (``year``, ``period``
    ``M01``…``M12``; ``M13`` is the annual average and is skipped)."""

    provider = "bls"
    kind = "observations"

    def build_requests(
        self, base_url: str, symbol: str, since: date | None, api_key: str | None = None
    ) -> list[HttpRequest]:
        return [HttpRequest(url=f"{base_url}/publicAPI/v1/timeseries/data/{symbol}")]

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        doc = load_json(body)
        if not isinstance(doc, dict) or doc.get("status") != "REQUEST_SUCCEEDED":
            message = "; ".join(doc.get("message") or []) if isinstance(doc, dict) else ""
            raise ParseError(f"BLS: {doc.get('status') if isinstance(doc, dict) else 'bad body'} {message}".strip())
        series = (doc.get("Results") or {}).get("series") or []
        if len(series) != 1:
            raise ParseError(f"expected one series, got {len(series)}")
        rows = [r for r in series[0].get("data") or [] if re.fullmatch(r"M(0[1-9]|1[0-2])", r.get("period", ""))]
        dates = [f"{r['year']}-{r['period'][1:]}-01" for r in rows]
        values = pd.to_numeric([r.get("value") for r in rows], errors="coerce")
        frame = pd.DataFrame({"series_id": symbol, "date": pd.to_datetime(dates).date, "value": values})
        return frame.dropna(subset=["value"]).sort_values("date").reset_index(drop=True)[OBSERVATION_COLUMNS]


class ImfDataMapperConnector:
    """``/external/datamapper/api/v1/{indicator}/{ISO3}``: ``values.{indicator}.{country}.{year}``
    (World Economic Outlook). Symbol: ``USA:NGDP_RPCH``."""

    provider = "imf"
    kind = "observations"

    def build_requests(
        self, base_url: str, symbol: str, since: date | None, api_key: str | None = None
    ) -> list[HttpRequest]:
        country, indicator = symbol.split(":", 1)
        return [HttpRequest(url=f"{base_url}/external/datamapper/api/v1/{indicator}/{country}")]

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        country, indicator = symbol.split(":", 1)
        doc = load_json(body)
        by_year = ((doc.get("values") if isinstance(doc, dict) else None) or {}).get(indicator, {}).get(country)
        if not isinstance(by_year, dict):
            raise ParseError(f"no values.{indicator}.{country} in the response")
        # WEO carries forecasts for years ahead; stored observations are outcomes only (a
        # forecast would need its vintage to be meaningful), so future years are left out.
        years = sorted(y for y in by_year if y.isdigit() and int(y) <= datetime.now(UTC).year)
        frame = pd.DataFrame(
            {
                "series_id": symbol,
                "date": [date(int(y), 1, 1) for y in years],
                "value": pd.to_numeric([by_year[y] for y in years], errors="coerce"),
            }
        )
        return frame.dropna(subset=["value"])[OBSERVATION_COLUMNS].assign(country=country)


class EcbReferenceXmlConnector:
    """``/stats/eurofxref/eurofxref-hist-90d.xml`` (or ``-hist.xml``): ``Cube time=… > Cube currency rate``."""

    provider = "ecb_xml"
    kind = "bars"

    def build_requests(
        self, base_url: str, symbol: str, since: date | None, api_key: str | None = None
    ) -> list[HttpRequest]:
        recent = since is not None and since >= datetime.now(UTC).date() - timedelta(days=80)
        name = "eurofxref-hist-90d.xml" if recent else "eurofxref-hist.xml"
        return [HttpRequest(url=f"{base_url}/stats/eurofxref/{name}")]

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        if not body or not body.strip():
            raise ParseError("empty body")
        base, quote = symbol[:3].upper(), symbol[3:].upper()
        if base != "EUR":
            raise ParseError(f"reference rates are per EUR, not {base}")
        try:
            root = ElementTree.fromstring(body)
        except ElementTree.ParseError as exc:
            raise ParseError(f"not XML: {exc}") from None
        days, values = [], []
        for cube in root.iter():
            if cube.tag.endswith("Cube") and "time" in cube.attrib:
                for rate in cube:
                    if rate.attrib.get("currency") == quote:
                        days.append(cube.attrib["time"])
                        values.append(rate.attrib.get("rate"))
        if not days:
            raise ParseError(f"no {quote} rates in the file")
        frame = bars_frame(symbol, pd.to_datetime(days, format="%Y-%m-%d"), close=values)
        return frame.sort_values("ts").reset_index(drop=True)


def _number(text) -> float | None:
    if text is None:
        return None
    cleaned = str(text).replace(",", "").replace("$", "").strip()
    return None if cleaned in ("", "--", "N/A") else float(cleaned)


class NasdaqHistoricalConnector:
    """``/api/quote/{symbol}/historical?assetclass=index|etf|stocks``: ``data.tradesTable.rows``
    with ``MM/DD/YYYY`` dates and comma-grouped, $-prefixed numbers. Symbol: ``SPX:index``."""

    provider = "nasdaq"
    kind = "bars"

    def build_requests(
        self, base_url: str, symbol: str, since: date | None, api_key: str | None = None
    ) -> list[HttpRequest]:
        ticker, asset_class = symbol.split(":", 1)
        start = since or (datetime.now(UTC).date() - timedelta(days=5 * 365 + 7))
        params = {"assetclass": asset_class, "fromdate": start.isoformat(), "limit": "9999"}
        return [HttpRequest(url=f"{base_url}/api/quote/{ticker}/historical", params=params)]

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        doc = load_json(body)
        status = (doc.get("status") or {}) if isinstance(doc, dict) else {}
        data = doc.get("data") if isinstance(doc, dict) else None
        if not data:
            messages = status.get("bCodeMessage") or []
            detail = "; ".join(m.get("errorMessage", "") for m in messages if isinstance(m, dict))
            raise ParseError(f"Nasdaq: no data ({detail or status.get('rCode')})")
        rows = ((data.get("tradesTable") or {}).get("rows")) or []
        if any("date" not in r or "close" not in r for r in rows):
            raise ParseError("rows lack date/close")
        days = pd.to_datetime([r["date"] for r in rows], format="%m/%d/%Y")
        frame = bars_frame(
            symbol.split(":", 1)[0],
            days,
            [_number(r.get("open")) for r in rows],
            [_number(r.get("high")) for r in rows],
            [_number(r.get("low")) for r in rows],
            [_number(r.get("close")) for r in rows],
            [_number(r.get("volume")) for r in rows],
        )
        return frame.sort_values("ts").reset_index(drop=True)


def _count(value) -> float:
    """A volume or open interest as a number; what is not one (missing, "n/a", < 0) counts 0."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return 0.0
    return number if number > 0 and number != float("inf") else 0.0


OPTION_SYMBOL = re.compile(r"^(?P<root>[A-Z]+)(?P<expiry>\d{6})(?P<kind>[CP])(?P<strike>\d{8})$")


class CboeOptionsPutCallConnector:
    """``/api/global/delayed_quotes/options/{_SPX|SPY}.json``: every listed option with its day's
    volume and open interest; parsed into the day's put/call ratios. Symbol:
    ``_SPX:volume`` or ``_SPX:open_interest``."""

    provider = "cboe_options"
    kind = "observations"

    def build_requests(
        self, base_url: str, symbol: str, since: date | None, api_key: str | None = None
    ) -> list[HttpRequest]:
        underlying = symbol.split(":", 1)[0]
        return [HttpRequest(url=f"{base_url}/api/global/delayed_quotes/options/{underlying}.json")]

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        measure = symbol.split(":", 1)[1]
        doc = load_json(body)
        options = ((doc.get("data") if isinstance(doc, dict) else None) or {}).get("options")
        if not isinstance(options, list) or not options:
            raise ParseError("no data.options in the response")
        totals = {"C": 0.0, "P": 0.0}
        for option in options:
            match = OPTION_SYMBOL.match(str(option.get("option", ""))) if isinstance(option, dict) else None
            if match:
                totals[match["kind"]] += _count(option.get(measure))
        if totals["C"] <= 0:
            raise ParseError(f"no call {measure}: cannot form a ratio")
        stamp = pd.Timestamp(doc.get("timestamp") or datetime.now(UTC).isoformat())
        day = (stamp.tz_localize("America/New_York") if stamp.tzinfo is None else stamp).date()
        return pd.DataFrame({"series_id": [symbol], "date": [day], "value": [round(totals["P"] / totals["C"], 4)]})
