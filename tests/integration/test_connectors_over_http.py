"""Every connector, request → real local HTTP server → parse: the provider's wire format parses,
and an empty body, a malformed body, a 5xx and a 429 end in the right error — never a crash."""

from __future__ import annotations

import re
import threading
import time
from datetime import date

import pytest
from werkzeug import Response

from datasources.base import FetchError, ParseError, RateLimited, parse_responses
from datasources.http import HttpClient
from datasources.registry import CONNECTORS
from tests.conftest import make_settings
from tests.fixtures.server import MODULES, respond

# Each provider's fixture module names a symbol for each of its connectors.
SYMBOLS = {connector: symbol for module in MODULES.values() for connector, symbol in module.SYMBOLS.items()}


def test_every_connector_has_a_case_here():
    assert set(SYMBOLS) == set(CONNECTORS)


@pytest.fixture
def client(tmp_path):
    return HttpClient(make_settings(tmp_path, "sqlite", SPARTAN_HTTP_RETRIES="0"), sleep=lambda _s: None)


def fetch_and_parse(client, httpserver, provider: str, since: date | None = None):
    connector = CONNECTORS[provider]
    base = httpserver.url_for("").rstrip("/")
    bodies = [client.get(r).body for r in connector.build_requests(base, SYMBOLS[provider], since)]
    return parse_responses(connector, bodies, SYMBOLS[provider])


@pytest.mark.parametrize("provider", sorted(SYMBOLS))
def test_wire_format_round_trip(provider, client, httpserver):
    httpserver.expect_request(re.compile(".*")).respond_with_handler(respond)
    frames = fetch_and_parse(client, httpserver, provider)
    assert frames and all(len(f) > 0 for f in frames)
    kind = CONNECTORS[provider].kind
    columns = {
        "bars": {"symbol", "ts", "close"},
        "observations": {"series_id", "date", "value"},
        "rows": {"date"},  # the table's own columns (tests of each such connector check them)
    }[kind]
    assert all(columns <= set(f.columns) for f in frames)


@pytest.mark.parametrize("provider", sorted(SYMBOLS))
@pytest.mark.parametrize(
    ("answer", "error"),
    [
        (Response(b"", status=200), ParseError),
        (Response(b"\x00\x01 this is not what the provider sends {]", status=200), ParseError),
        (Response("upstream exploded", status=502), FetchError),
        (Response("slow down", status=429, headers={"Retry-After": "3600"}), RateLimited),
    ],
    ids=["empty", "malformed", "5xx", "429"],
)
def test_failures_end_in_a_download_error(provider, answer, error, client, httpserver):
    httpserver.expect_request(re.compile(".*")).respond_with_handler(lambda _r: answer)
    with pytest.raises(error):
        fetch_and_parse(client, httpserver, provider)


STALL_SECONDS = 120  # far past the client's timeout, and past any pause of a loaded machine


@pytest.fixture
def stalled_server(httpserver):
    """A server that takes every request and answers none of them until the test is over."""
    release = threading.Event()

    def stall(_request):
        release.wait(STALL_SECONDS)
        return Response("late")

    httpserver.expect_request(re.compile(".*")).respond_with_handler(stall)
    yield httpserver
    release.set()
    # The single-threaded server still owes the abandoned request: let it answer it now, so that
    # it is free (and its log clean) for the next test.
    deadline = time.monotonic() + STALL_SECONDS
    while not httpserver.log and time.monotonic() < deadline:
        time.sleep(0.01)


@pytest.mark.parametrize("provider", sorted(SYMBOLS))
def test_a_server_that_does_not_answer_in_time_is_a_timeout(provider, tmp_path, stalled_server):
    impatient = HttpClient(make_settings(tmp_path, "sqlite", SPARTAN_HTTP_RETRIES="0", SPARTAN_HTTP_TIMEOUT="0.1"))
    with pytest.raises(FetchError, match=r"timed out after 0\.1s"):  # not the late answer
        fetch_and_parse(impatient, stalled_server, provider)
