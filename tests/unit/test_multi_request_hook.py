"""The multi-request hook of the connector contract (datasources/base.py ``reads_together``,
``parse_responses``): a connector with ``parse_bodies`` is handed every answer of its requests at
once — by the download run, check-sources (tests/integration/test_option_venues.py and
test_check_sources.py) and, here, the quality step's cross-check against a second provider."""

from __future__ import annotations

import json
from datetime import date
from types import SimpleNamespace

import pandas as pd
import pytest

import jobs.quality
from config.catalog import Instrument, Provider, Quality
from datasources.base import HttpRequest, ParseError, bars_frame, parse_responses, reads_together
from sql.datasets import DATASETS

DAYS = [d.date().isoformat() for d in pd.bdate_range("2026-03-02", periods=4)]


class TwoPartBars:
    """Daily closes whose dates come from one endpoint and values from another."""

    provider = "two_part"
    kind = "bars"

    def build_requests(self, base_url, symbol, since, api_key=None):
        return [HttpRequest(url=f"{base_url}/dates"), HttpRequest(url=f"{base_url}/closes")]

    def parse(self, body, symbol):
        raise ParseError("one part alone is not a series")

    def parse_bodies(self, bodies, symbol):
        return bars_frame(symbol, json.loads(bodies[0]), close=json.loads(bodies[1]))


class OneByOne:
    provider = "pages"
    kind = "bars"

    def parse(self, body, symbol):
        return bars_frame(symbol, [json.loads(body)[0]], close=[json.loads(body)[1]])


BODIES = {"http://x/dates": json.dumps(DAYS).encode(), "http://x/closes": json.dumps([100, 101, 130.5, 131]).encode()}


def test_parse_responses_joins_the_bodies_of_a_connector_that_reads_together():
    assert reads_together(TwoPartBars()) and not reads_together(OneByOne())
    (frame,) = parse_responses(TwoPartBars(), [BODIES["http://x/dates"], BODIES["http://x/closes"]], "X")
    assert frame["close"].tolist() == [100, 101, 130.5, 131]
    pages = parse_responses(OneByOne(), [b'["2026-03-02", 1]', b'["2026-03-03", 2]'], "X")
    assert [f["close"].item() for f in pages] == [1, 2]


def test_the_cross_check_asks_every_request_of_a_second_provider_that_reads_together(monkeypatch):
    monkeypatch.setitem(jobs.quality.CONNECTORS, "two_part", TwoPartBars())
    first = SimpleNamespace(id="first", provider="yahoo", base_url="http://y")
    second = SimpleNamespace(id="second", provider="two_part", base_url="http://x")
    asked = []

    def fetch(source, request):
        asked.append(request.url)
        return SimpleNamespace(body=BODIES[request.url])

    fetcher = SimpleNamespace(
        is_configured=lambda s: True, circuit_open=lambda sid: False, api_key=lambda sid: None, fetch=fetch
    )
    run = SimpleNamespace(
        catalog=SimpleNamespace(sources={"first": first, "second": second}),
        fetcher=fetcher,
        _canonical=lambda spec, frame, key, symbol: frame,
    )
    spec = DATASETS["market_indices"]
    rules = Quality(max_jump=0.25)
    inst = Instrument("market_indices", "SPX", "S&P 500", (Provider("first", "^GSPC"), Provider("second", "SPX")))
    downloaded = bars_frame("SPX", DAYS, close=[100, 101, 130, 131])
    flags, _ = jobs.quality.judge(spec, downloaded, rules)
    assert list(flags["date"]) == [date(2026, 3, 4)]
    checked = jobs.quality.cross_check(run, spec, inst, inst.providers[0], flags)
    assert asked == ["http://x/dates", "http://x/closes"]
    assert checked["status"].tolist() == ["confirmed"] and checked["second_value"].tolist() == [pytest.approx(130.5)]
