"""Parsers of Norges Bank's SDMX-JSON exchange rates.

Wire-format facts: SDMX-JSON 1.0 wrapped in ``data`` (``{"meta": {...}, "data": {"dataSets":
[{"series": {"0:0:0:0": {"attributes": [...], "observations": {"0": ["10.1"]}}}}], "structure":
{"dimensions": {"series": [...], "observation": [{"id": "TIME_PERIOD", "values": [{"id":
"2024-01-02"}]}]}}}}``, observation values as strings), from navikt/bidrag-grunnlag
``src/main/kotlin/no/nav/bidrag/grunnlag/consumer/valutakurser/api/NorgesBankResponse.kt`` and a
TypeScript response type of a Norges Bank client (``ExchangeRateResponse``: ``meta``, ``data.dataSets``
``observations: {[key]: [string]}``); the URL shape ``/api/data/EXR/B.USD+EUR.NOK.SP?format=sdmx-json
&startPeriod=`` from the same clients (e.g. mlvrkhn/my-Nordes README.md). No recorded body under
../shared/samples/real."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from datasources.base import ParseError
from datasources.providers.norges_bank import NorgesBankExrConnector
from tests.unit.providers.bodies import body

CONNECTOR = NorgesBankExrConnector()


def exr(values: dict[str, list], days: list[str]):
    return body(
        {
            "meta": {"id": "IREF000123", "prepared": "2024-01-04T09:00:00", "test": False, "sender": {"id": "NB"}},
            "data": {
                "dataSets": [
                    {
                        "action": "Information",
                        "series": {"0:0:0:0": {"attributes": [0, 0, 0, 0], "observations": values}},
                    }
                ],
                "structure": {
                    "dimensions": {
                        "series": [{"id": "FREQ", "values": [{"id": "B"}]}],
                        "observation": [{"id": "TIME_PERIOD", "values": [{"id": d} for d in days]}],
                    }
                },
            },
        }
    )


def test_string_observations_become_close_only_daily_bars():
    bars = CONNECTOR.parse(exr({"0": ["10.1724"], "1": ["10.2403"]}, ["2024-01-02", "2024-01-03"]), "B.USD.NOK.SP")
    assert bars["close"].tolist() == [10.1724, 10.2403]
    assert bars["ts"].iloc[-1] == pd.Timestamp("2024-01-03", tz="UTC")


def test_bad_bodies_are_parse_errors():
    with pytest.raises(ParseError, match="Norges Bank error"):
        CONNECTOR.parse(body({"errors": [{"code": 404, "message": "No results found"}]}), "B.USD.NOK.SP")
    with pytest.raises(ParseError, match="no 'data'"):
        CONNECTOR.parse(body({"meta": {}}), "B.USD.NOK.SP")
    with pytest.raises(ParseError, match="not an SDMX-JSON"):
        CONNECTOR.parse(body({"data": {"dataSets": []}}), "B.USD.NOK.SP")


def test_the_request_asks_for_sdmx_json_from_the_start_and_refuses_per_100_series():
    (request,) = CONNECTOR.build_requests("https://nb", "B.EUR.NOK.SP", date(2024, 1, 2))
    assert request.url == "https://nb/api/data/EXR/B.EUR.NOK.SP"
    assert request.params == {"format": "sdmx-json", "startPeriod": "2024-01-02", "locale": "en"}
    with pytest.raises(ValueError, match="per-unit"):
        CONNECTOR.build_requests("https://nb", "B.JPY.NOK.SP", None)  # quoted per 100 yen
