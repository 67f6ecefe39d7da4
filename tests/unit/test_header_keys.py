"""API keys carried in headers (``Authorization: Token KEY``, Alpaca's key id and secret pair):
built from the key, rotated by the fetcher like a query-string key, and never shown: not in a
request's repr, not in check-sources' URL, headers or messages."""

from __future__ import annotations

import pytest

from config.catalog import Source
from datasources.base import FetchError, HttpRequest, key_header_values, key_parts
from datasources.fetcher import Fetcher
from datasources.http import FetchResult
from jobs.check_sources import REDACTED, _scrub, environment_keys, redacted_request

KEYS = "SPARTAN_TESTHEADER_API_KEYS"
TOKEN = HttpRequest("https://x/daily", {"page": "1"}, key_headers={"Authorization": "Token {key}"})
PAIR = {"APCA-API-KEY-ID": "{key_id}", "APCA-API-SECRET-KEY": "{secret}"}


def test_templates_fill_the_whole_key_or_its_two_halves():
    assert key_header_values({"Authorization": "Bearer {key}"}, "abc") == {"Authorization": "Bearer abc"}
    assert key_header_values(PAIR, "AKID:s3cr:et") == {"APCA-API-KEY-ID": "AKID", "APCA-API-SECRET-KEY": "s3cr:et"}
    assert key_header_values(PAIR, None) == {} and key_header_values(PAIR, "") == {}
    assert key_parts("AKID:s3cret") == ["AKID:s3cret", "s3cret", "AKID"] and key_parts("plain") == ["plain"]


def test_a_header_key_is_carried_replaced_and_hidden_from_the_repr():
    request = TOKEN.with_key("tok-1")
    assert request.headers == {"Authorization": "Token tok-1"} and request.carried_key() == "tok-1"
    assert request.params == {"page": "1"} and request.takes_key
    assert request.with_key("tok-2").headers == {"Authorization": "Token tok-2"}
    assert TOKEN.with_key(None).headers == {} and TOKEN.carried_key() == ""
    assert "tok-1" not in repr(request)
    with pytest.raises(ValueError, match="takes no API key"):
        HttpRequest("https://x").with_key("k")


class HeaderClient:
    def __init__(self, refused: set[str]) -> None:
        self.refused, self.sent = refused, []

    def get(self, request: HttpRequest) -> FetchResult:
        token = request.headers.get("Authorization", "")
        self.sent.append(token)
        if token in self.refused:
            raise FetchError("HTTP 401", http_status=401)
        return FetchResult(b"ok", 200, 1.0, 1)


def test_the_fetcher_rotates_a_refused_header_key(monkeypatch):
    monkeypatch.setenv(KEYS, "t1,t2")
    src = Source("hdr", "tiingo", "stocks", "https://x", KEYS, None, "")
    client = HeaderClient({"Token t1"})
    fetcher = Fetcher(client, {"hdr": src})
    assert fetcher.fetch(src, TOKEN.with_key(fetcher.api_key("hdr"))).body == b"ok"
    assert client.sent == ["Token t1", "Token t2"] and fetcher.api_key("hdr") == "t2"


def test_check_sources_redacts_key_headers_and_both_halves_of_a_pair(monkeypatch):
    monkeypatch.setenv(KEYS, "AKIDXYZ:topsecret123, other")
    src = Source("alp", "alpaca", "stocks", "https://x", KEYS, None, "")
    keys = environment_keys(Fetcher(HeaderClient(set()), {"alp": src}), src)
    assert {"AKIDXYZ:topsecret123", "AKIDXYZ", "topsecret123", "other"} <= set(keys)
    request = HttpRequest(
        "https://x/v2/stocks/bars", {"symbols": "SPY"}, headers={"X-Plain": "AKIDXYZ"}, key_headers=PAIR
    ).with_key("AKIDXYZ:topsecret123")
    url, params, headers = redacted_request(request, keys)
    assert headers == {"X-Plain": REDACTED, "APCA-API-KEY-ID": REDACTED, "APCA-API-SECRET-KEY": REDACTED}
    assert "AKIDXYZ" not in url + str(params) and params == {"symbols": "SPY"}
    assert _scrub("HTTP 403: key topsecret123 refused", keys) == f"HTTP 403: key {REDACTED} refused"


def test_error_messages_lose_the_keys_before_the_download_log(monkeypatch):
    monkeypatch.setenv(KEYS, "AKIDXYZ:topsecret123,plain-key-77")
    src = Source("alp", "alpaca", "stocks", "https://x", KEYS, None, "")
    fetcher = Fetcher(HeaderClient(set()), {"alp": src})
    message = "ParseError: key AKIDXYZ with topsecret123 refused, and plain-key-77 too"
    assert fetcher.hide_keys("alp", message) == "ParseError: key *** with *** refused, and *** too"
    assert fetcher.hide_keys("other", message) == message
    assert "topsecret" not in repr(fetcher.keys["alp"])
