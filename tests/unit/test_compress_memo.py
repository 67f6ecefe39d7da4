"""middleware/compress_memo.py: flask-compress compresses a body once, whatever asks for it."""

from __future__ import annotations

import gzip

import brotli
import flask_compress.flask_compress as fc
import pytest
from flask import Flask, Response, request
from flask_compress import Compress

from middleware import compress_memo

BODY_A = b'{"page": "' + b"a" * 4000 + b'"}'
BODY_B = b'{"page": "' + b"b" * 4000 + b'"}'


@pytest.fixture
def app(monkeypatch):
    server = Flask(__name__)
    Compress(server)

    @server.post("/echo")
    def echo():  # a callback: the body depends on what was posted, not on the URL
        return Response(BODY_A if request.get_data() == b"a" else BODY_B, mimetype="application/json")

    @server.get("/same/<name>")
    def same(name):
        return Response(BODY_A, mimetype="application/json")

    @server.get("/stream")
    def stream():
        return Response((chunk for chunk in (BODY_A, BODY_B)), mimetype="application/json")

    @server.get("/image")
    def image():
        return Response(BODY_A, mimetype="image/png")

    calls = []
    original = fc._compress_data
    monkeypatch.setattr(fc, "_compress_data", lambda a, data, algo: calls.append((algo, data)) or original(a, data, algo))
    server.memo = compress_memo.install(server)
    server.calls = calls
    return server


def test_the_same_bytes_are_compressed_once_whatever_request_asked(app):
    client = app.test_client()
    first = client.get("/same/x", headers={"Accept-Encoding": "gzip"})
    second = client.get("/same/y", headers={"Accept-Encoding": "gzip"})
    assert first.headers["Content-Encoding"] == second.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(first.data) == gzip.decompress(second.data) == BODY_A
    assert app.calls == [("gzip", BODY_A)]


def test_a_post_body_names_its_answer_not_the_url(app):
    client = app.test_client()
    answers = [client.post("/echo", data=d, headers={"Accept-Encoding": "br"}) for d in (b"a", b"b", b"a", b"b")]
    assert [brotli.decompress(r.data) for r in answers] == [BODY_A, BODY_B, BODY_A, BODY_B]
    assert [c[1] for c in app.calls] == [BODY_A, BODY_B]


def test_each_encoding_is_kept_apart(app):
    client = app.test_client()
    br = client.get("/same/x", headers={"Accept-Encoding": "br"})
    gz = client.get("/same/x", headers={"Accept-Encoding": "gzip"})
    assert brotli.decompress(br.data) == gzip.decompress(gz.data) == BODY_A
    assert sorted(c[0] for c in app.calls) == ["br", "gzip"]


def test_what_flask_compress_leaves_alone_is_not_looked_at(app):
    client = app.test_client()
    assert client.get("/image", headers={"Accept-Encoding": "gzip"}).data == BODY_A
    streamed = client.get("/stream", headers={"Accept-Encoding": "br"})
    assert brotli.decompress(streamed.data) == BODY_A + BODY_B
    assert app.calls == [] and len(app.memo) == 0  # a stream is compressed as it goes, not kept


def test_the_memo_is_bounded_in_bytes():
    memo = compress_memo.BodyMemo(max_bytes=100)
    memo.set("gzip;a", b"x" * 60)
    memo.set("gzip;b", b"y" * 60)
    assert memo.get("gzip;a") is None and memo.get("gzip;b") == b"y" * 60
    memo.set("gzip;huge", b"z" * 101)
    memo.set("gzip;", b"no digest")
    assert memo.get("gzip;huge") is None and memo.get("gzip;") is None


def test_without_flask_compress_nothing_is_installed():
    assert compress_memo.install(Flask(__name__)) is None
