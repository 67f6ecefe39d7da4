"""The shared HTTP client against a real local server: retries, Retry-After, timeouts, errors."""

from __future__ import annotations

import time
from email.utils import formatdate

import pytest
from werkzeug import Response

from datasources.base import FetchError, HttpRequest, RateLimited
from datasources.http import HttpClient, parse_retry_after
from tests.conftest import make_settings


@pytest.fixture
def client(tmp_path):
    sleeps: list[float] = []
    settings = make_settings(tmp_path, "sqlite", SPARTAN_HTTP_RETRIES="2", SPARTAN_HTTP_MAX_RETRY_AFTER="30")
    http = HttpClient(settings, sleep=sleeps.append)
    http.sleeps = sleeps
    return http


def request(httpserver, path="/data") -> HttpRequest:
    return HttpRequest(url=httpserver.url_for(path), params={"id": "X"})


def test_success_returns_the_body_on_the_first_attempt(client, httpserver):
    httpserver.expect_request("/data", query_string="id=X").respond_with_data("a,b\n1,2\n")
    result = client.get(request(httpserver))
    assert (result.body, result.http_status, result.attempts) == (b"a,b\n1,2\n", 200, 1)
    assert client.sleeps == []


def test_a_5xx_is_retried_with_backoff(client, httpserver):
    httpserver.expect_ordered_request("/data").respond_with_data("oops", status=503)
    httpserver.expect_ordered_request("/data").respond_with_data("ok")
    result = client.get(request(httpserver))
    assert (result.body, result.attempts) == (b"ok", 2)
    assert len(client.sleeps) == 1 and 0.5 <= client.sleeps[0] <= 1.0


def test_persistent_5xx_fails_after_all_retries(client, httpserver):
    httpserver.expect_request("/data").respond_with_data("down", status=500)
    with pytest.raises(FetchError, match="HTTP 500") as err:
        client.get(request(httpserver))
    assert err.value.http_status == 500
    assert len(httpserver.log) == 3  # the first try and two retries
    assert client.sleeps[1] > client.sleeps[0] - 0.5  # exponential: 0.5-1.0 then 1.0-1.5


def test_429_waits_as_long_as_retry_after_says(client, httpserver):
    httpserver.expect_ordered_request("/data").respond_with_response(Response("slow", 429, {"Retry-After": "1"}))
    httpserver.expect_ordered_request("/data").respond_with_data("ok")
    assert client.get(request(httpserver)).body == b"ok"
    assert client.sleeps == [1.0]


def test_429_with_a_retry_after_past_the_ceiling_gives_up_at_once(client, httpserver):
    httpserver.expect_request("/data").respond_with_response(Response("slow", 429, {"Retry-After": "120"}))
    with pytest.raises(RateLimited) as err:
        client.get(request(httpserver))
    assert err.value.retry_after == 120 and err.value.http_status == 429
    assert len(httpserver.log) == 1 and client.sleeps == []


def test_a_4xx_is_not_retried(client, httpserver):
    httpserver.expect_request("/data").respond_with_data("no such series", status=404)
    with pytest.raises(FetchError, match="HTTP 404"):
        client.get(request(httpserver))
    assert len(httpserver.log) == 1


def test_a_slow_server_times_out(tmp_path, httpserver):
    httpserver.expect_request("/data").respond_with_handler(lambda _r: time.sleep(1) or Response("late"))
    settings = make_settings(tmp_path, "sqlite", SPARTAN_HTTP_TIMEOUT="0.3", SPARTAN_HTTP_RETRIES="0")
    with pytest.raises(FetchError, match="timed out"):
        HttpClient(settings).get(request(httpserver))


def test_a_refused_connection_is_a_fetch_error(client):
    with pytest.raises(FetchError, match="connection failed: connection refused"):
        client.get(HttpRequest(url="http://127.0.0.1:9/data"))


def test_requests_carry_the_station_user_agent(client, httpserver):
    httpserver.expect_request("/data").respond_with_data("ok")
    client.get(request(httpserver))
    assert "SpartanResearchStation" in httpserver.log[0][0].headers["User-Agent"]


def test_parse_retry_after_accepts_seconds_and_http_dates():
    assert parse_retry_after("7") == 7.0
    assert 55 <= parse_retry_after(formatdate(time.time() + 60, usegmt=True)) <= 61
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None
