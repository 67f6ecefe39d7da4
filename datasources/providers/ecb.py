"""The European Central Bank (keyless): its data API (SDMX-JSON, EXR dataflow) and the euro
reference rates XML files. Symbols are pairs like ``EURUSD`` = USD per 1 EUR."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pandas as pd
from defusedxml import ElementTree

from datasources.base import HttpRequest, ParseError, ProviderSpec, bars_frame
from datasources.wire import backfill_start, load_json, split_pair


class EcbExrConnector:
    """``/service/data/EXR/D.{CUR}.EUR.SP00.A?format=jsondata``: the ECB's daily reference rate."""

    provider = "ecb"
    kind = "bars"

    def build_requests(
        self, base_url: str, symbol: str, since: date | None, api_key: str | None = None
    ) -> list[HttpRequest]:
        base, quote = split_pair(symbol)
        if base != "EUR":
            raise ValueError(f"ECB reference rates are quoted per EUR, not per {base}")
        params = {"format": "jsondata", "startPeriod": backfill_start(since).isoformat(), "detail": "dataonly"}
        return [HttpRequest(url=f"{base_url}/service/data/EXR/D.{quote}.EUR.SP00.A", params=params)]

    def parse(self, body: bytes, symbol: str) -> pd.DataFrame:
        return parse_sdmx_json(load_json(body), symbol)


def parse_sdmx_json(doc, symbol: str) -> pd.DataFrame:
    """SDMX-JSON data message with one series → close-only daily bars."""
    try:
        series = doc["dataSets"][0]["series"]
        periods = next(d for d in doc["structure"]["dimensions"]["observation"] if d["id"] == "TIME_PERIOD")["values"]
    except (KeyError, IndexError, TypeError, StopIteration):
        raise ParseError("not an SDMX-JSON data message (dataSets/structure missing)") from None
    if len(series) != 1:
        raise ParseError(f"expected one series, got {len(series)}")
    observations = next(iter(series.values())).get("observations") or {}
    days, values = [], []
    for index, obs in sorted(observations.items(), key=lambda kv: int(kv[0])):
        if obs and obs[0] is not None:
            days.append(periods[int(index)]["id"])
            values.append(obs[0])
    return bars_frame(symbol, pd.to_datetime(days, format="%Y-%m-%d"), close=values)


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


PROVIDER = ProviderSpec("ecb", (EcbExrConnector(), EcbReferenceXmlConnector()), rate_limit_per_minute=30)
