"""The shared HTTP client against a real local server: retries, Retry-After, timeouts, errors, User-Agent."""

from __future__ import annotations

import socket
import threading
import time
from email.utils import formatdate

import pytest
from werkzeug import Request, Response

from datasources.base import FetchError, HttpRequest, RateLimited
from datasources.http import USER_AGENT, HttpClient, parse_retry_after
from tests.conftest import make_settings


class RecordingClient(HttpClient):
    """An HttpClient whose waits are recorded instead of slept."""

    sleeps: list[float]


def make_client(tmp_path, **env: str) -> RecordingClient:
    settings = make_settings(
        tmp_path, "sqlite", **{"SPARTAN_HTTP_RETRIES": "2", "SPARTAN_HTTP_MAX_RETRY_AFTER": "30", **env}
    )
    sleeps: list[float] = []
    client = RecordingClient(settings, sleep=sleeps.append)
    client.sleeps = sleeps
    return client


@pytest.fixture
def client(tmp_path) -> RecordingClient:
    return make_client(tmp_path)


def data_request(httpserver) -> HttpRequest:
    return HttpRequest(url=httpserver.url_for("/data"), params={"id": "DGS10"})


def closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- success and retries -------------------------------------------------------------------------


def test_200_returns_the_body_on_the_first_attempt(client, httpserver):
    httpserver.expect_request("/data", query_string="id=DGS10").respond_with_data("observation_date,DGS10\n")
    result = client.get(data_request(httpserver))
    assert result.body == b"observation_date,DGS10\n"
    assert (result.http_status, result.attempts) == (200, 1)
    assert result.latency_ms > 0
    assert client.sleeps == []
    assert len(httpserver.log) == 1


def test_500_then_200_succeeds_on_the_retry(client, httpserver):
    httpserver.expect_ordered_request("/data").respond_with_data("oops", status=500)
    httpserver.expect_ordered_request("/data").respond_with_data("ok")
    result = client.get(data_request(httpserver))
    assert (result.body, result.http_status, result.attempts) == (b"ok", 200, 2)
    assert len(client.sleeps) == 1
    assert 0.5 <= client.sleeps[0] <= 1.0  # first backoff: 0.5 s plus up to 0.5 s jitter
    assert len(httpserver.log) == 2


@pytest.mark.parametrize("status", [502, 503, 504])
def test_gateway_errors_are_retried_too(client, httpserver, status):
    httpserver.expect_ordered_request("/data").respond_with_data("busy", status=status)
    httpserver.expect_ordered_request("/data").respond_with_data("ok")
    assert client.get(data_request(httpserver)).attempts == 2


def test_persistent_500_raises_fetch_error_after_retries_plus_one_attempts(client, httpserver):
    httpserver.expect_request("/data").respond_with_data("down", status=500)
    with pytest.raises(FetchError, match="^HTTP 500$") as err:
        client.get(data_request(httpserver))
    assert err.value.http_status == 500
    assert not isinstance(err.value, RateLimited)
    assert len(httpserver.log) == 3  # SPARTAN_HTTP_RETRIES=2: the first try and two retries
    assert len(client.sleeps) == 2  # no wait after the last attempt
    assert 0.5 <= client.sleeps[0] <= 1.0 and 1.0 <= client.sleeps[1] <= 1.5  # exponential backoff


def test_zero_retries_means_a_single_attempt(tmp_path, httpserver):
    client = make_client(tmp_path, SPARTAN_HTTP_RETRIES="0")
    httpserver.expect_request("/data").respond_with_data("down", status=503)
    with pytest.raises(FetchError, match="HTTP 503"):
        client.get(data_request(httpserver))
    assert len(httpserver.log) == 1 and client.sleeps == []


# --- 429 and Retry-After -------------------------------------------------------------------------


def test_429_with_retry_after_1_waits_one_second_then_succeeds(client, httpserver):
    httpserver.expect_ordered_request("/data").respond_with_response(Response("slow", 429, {"Retry-After": "1"}))
    httpserver.expect_ordered_request("/data").respond_with_data("ok")
    result = client.get(data_request(httpserver))
    assert (result.body, result.attempts) == (b"ok", 2)
    assert client.sleeps == [1.0]


def test_429_with_retry_after_1_really_waits_with_the_default_sleep(tmp_path, httpserver):
    settings = make_settings(tmp_path, "sqlite", SPARTAN_HTTP_RETRIES="2", SPARTAN_HTTP_MAX_RETRY_AFTER="30")
    httpserver.expect_ordered_request("/data").respond_with_response(Response("slow", 429, {"Retry-After": "1"}))
    httpserver.expect_ordered_request("/data").respond_with_data("ok")
    started = time.monotonic()
    assert HttpClient(settings).get(data_request(httpserver)).body == b"ok"
    assert time.monotonic() - started >= 1.0


def test_429_with_retry_after_exactly_at_the_ceiling_is_still_waited_for(client, httpserver):
    httpserver.expect_ordered_request("/data").respond_with_response(Response("slow", 429, {"Retry-After": "30"}))
    httpserver.expect_ordered_request("/data").respond_with_data("ok")
    assert client.get(data_request(httpserver)).attempts == 2
    assert client.sleeps == [30.0]


def test_429_with_retry_after_120_over_the_ceiling_raises_rate_limited_at_once(client, httpserver):
    httpserver.expect_request("/data").respond_with_response(Response("slow", 429, {"Retry-After": "120"}))
    with pytest.raises(RateLimited, match="Retry-After 120s") as err:
        client.get(data_request(httpserver))
    assert err.value.retry_after == 120.0
    assert err.value.http_status == 429
    assert len(httpserver.log) == 1
    assert client.sleeps == []


def test_persistent_429_ends_in_rate_limited_with_the_last_retry_after(client, httpserver):
    httpserver.expect_request("/data").respond_with_response(Response("slow", 429, {"Retry-After": "2"}))
    with pytest.raises(RateLimited) as err:
        client.get(data_request(httpserver))
    assert err.value.retry_after == 2.0
    assert len(httpserver.log) == 3
    assert client.sleeps == [2.0, 2.0]


def test_429_without_retry_after_falls_back_to_the_backoff(client, httpserver):
    httpserver.expect_ordered_request("/data").respond_with_data("slow", status=429)
    httpserver.expect_ordered_request("/data").respond_with_data("ok")
    assert client.get(data_request(httpserver)).attempts == 2
    assert len(client.sleeps) == 1 and 0.5 <= client.sleeps[0] <= 1.0


# --- errors that are not retried -----------------------------------------------------------------


@pytest.mark.parametrize("status", [400, 401, 403, 404])
def test_a_4xx_other_than_429_raises_fetch_error_without_retry(client, httpserver, status):
    httpserver.expect_request("/data").respond_with_data("no such series", status=status)
    with pytest.raises(FetchError, match=f"^HTTP {status}$") as err:
        client.get(data_request(httpserver))
    assert err.value.http_status == status
    assert len(httpserver.log) == 1
    assert client.sleeps == []


def test_a_server_slower_than_the_timeout_raises_fetch_error_mentioning_timeout(tmp_path, httpserver):
    client = make_client(tmp_path, SPARTAN_HTTP_TIMEOUT="0.5", SPARTAN_HTTP_RETRIES="1")
    release = threading.Event()

    stall = 120  # far longer than the 0.5 s timeout (and any pause of a loaded machine), unless released

    def slow(_request: Request) -> Response:
        release.wait(timeout=stall)
        return Response("late")

    httpserver.expect_request("/data").respond_with_handler(slow)
    started = time.monotonic()
    try:
        with pytest.raises(FetchError, match=r"timed out after 0\.5s") as err:
            client.get(data_request(httpserver))
        elapsed = time.monotonic() - started
    finally:
        release.set()
        # The single-threaded server still owes the abandoned requests; let it finish them here
        # so they are not logged against the next test.
        deadline = time.monotonic() + stall
        while len(httpserver.log) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
    assert err.value.http_status is None
    assert len(httpserver.log) == 2  # both attempts reached the server
    assert len(client.sleeps) == 1  # a timeout is retried once (SPARTAN_HTTP_RETRIES=1)
    assert 1.0 <= elapsed < stall / 2  # two attempts of 0.5 s each, not the handler's stall


def test_a_refused_connection_raises_fetch_error_without_retry(client):
    request = HttpRequest(url=f"http://127.0.0.1:{closed_port()}/data")
    with pytest.raises(FetchError, match="^connection failed: connection refused$") as err:
        client.get(request)
    assert err.value.http_status is None
    assert client.sleeps == []


# --- what the client sends -----------------------------------------------------------------------


def test_requests_carry_the_station_user_agent_and_the_params(client, httpserver):
    httpserver.expect_request("/data").respond_with_data("ok")
    client.get(HttpRequest(url=httpserver.url_for("/data"), params={"id": "DGS2,DGS10", "cosd": "2026-01-02"}))
    sent, _response = httpserver.log[0]
    assert "SpartanResearchStation" in sent.headers["User-Agent"]
    assert sent.headers["User-Agent"] == USER_AGENT
    assert sent.args.to_dict() == {"id": "DGS2,DGS10", "cosd": "2026-01-02"}


def test_per_request_headers_are_sent_alongside_the_user_agent(client, httpserver):
    httpserver.expect_request("/data", headers={"X-Api-Key": "k1"}).respond_with_data("ok")
    assert client.get(HttpRequest(url=httpserver.url_for("/data"), headers={"X-Api-Key": "k1"})).body == b"ok"
    assert httpserver.log[0][0].headers["User-Agent"] == USER_AGENT


# --- parse_retry_after ---------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "seconds"), [("7", 7.0), (" 120 ", 120.0), ("0", 0.0)])
def test_parse_retry_after_reads_delta_seconds(value, seconds):
    assert parse_retry_after(value) == seconds


def test_parse_retry_after_reads_an_http_date_as_seconds_from_now():
    in_a_minute = formatdate(time.time() + 60, usegmt=True)  # e.g. "Fri, 20 Nov 2026 14:00:00 GMT"
    assert 58.0 < parse_retry_after(in_a_minute) <= 60.0


def test_parse_retry_after_of_a_past_http_date_is_zero():
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0


@pytest.mark.parametrize("value", [None, "", "soon", "-5", "1.5", "Someday, 99 Foo 20xx"])
def test_parse_retry_after_of_garbage_is_none(value):
    assert parse_retry_after(value) is None
