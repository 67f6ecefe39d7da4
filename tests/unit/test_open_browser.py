"""`make run` opens the browser (jobs/open_browser.py): only where a display is, never with
SPARTAN_OPEN_BROWSER=0, and only once the station answers /health as ready."""

from __future__ import annotations

import json
import threading

import pytest
from werkzeug import Response
from werkzeug.serving import make_server

from config.settings import SettingsError
from jobs import open_browser
from jobs.open_browser import browser_wanted, main, station_ready, wait_until_ready


@pytest.mark.parametrize(
    ("env", "platform", "wanted"),
    [
        ({}, "linux", False),  # a server, SSH without X forwarding, CI, a container
        ({"DISPLAY": ":0"}, "linux", True),
        ({"WAYLAND_DISPLAY": "wayland-0"}, "linux", True),
        ({"DISPLAY": ""}, "linux", False),
        ({}, "darwin", True),
        ({}, "win32", True),
        ({"DISPLAY": ":0", "SPARTAN_OPEN_BROWSER": "0"}, "linux", False),
        ({"SPARTAN_OPEN_BROWSER": "off"}, "darwin", False),
        ({"DISPLAY": ":0", "SPARTAN_OPEN_BROWSER": "1"}, "linux", True),
        ({"SPARTAN_OPEN_BROWSER": "yes"}, "freebsd14", False),  # wanted, but no display
    ],
)
def test_a_browser_is_opened_only_at_a_display_and_unless_switched_off(env, platform, wanted):
    assert browser_wanted(env, platform)[0] is wanted


def test_the_reason_is_said_and_a_bad_switch_is_refused():
    assert browser_wanted({}, "linux") == (False, "no display (neither DISPLAY nor WAYLAND_DISPLAY is set)")
    assert browser_wanted({"SPARTAN_OPEN_BROWSER": "0"}, "darwin") == (False, "SPARTAN_OPEN_BROWSER is off")
    with pytest.raises(SettingsError, match="SPARTAN_OPEN_BROWSER must be"):
        browser_wanted({"SPARTAN_OPEN_BROWSER": "sometimes"}, "darwin")


@pytest.fixture
def health_server():
    """A stand-in of the station's /health whose answer the test sets."""
    state = {"status": 503, "body": {"status": "not_ready"}}

    def app(environ, start_response):
        body = json.dumps(state["body"]) if state["body"] is not None else "not json"
        return Response(body, state["status"], mimetype="application/json")(environ, start_response)

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield state, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


def test_ready_is_a_200_or_a_station_up_without_data(health_server):
    state, url = health_server
    for status, body, ready in [
        (503, {"status": "not_ready"}, False),  # the database does not answer
        (503, {"status": "no_data"}, True),  # up, the page says how to get data
        (503, None, False),
        (500, {"status": "no_data"}, False),
        (200, {"status": "ok"}, True),
        (200, {"status": "degraded"}, True),
    ]:
        state.update(status=status, body=body)
        assert station_ready(url) is ready, (status, body)


def test_nothing_listening_is_not_ready_and_only_http_is_asked():
    from tests.conftest import free_port

    assert station_ready(f"http://127.0.0.1:{free_port()}", timeout=1) is False
    with pytest.raises(ValueError, match="must start with http"):
        station_ready("file:///etc/passwd")


def test_waiting_polls_until_ready_or_gives_up_at_the_deadline():
    now = [0.0]
    answers = iter([False, False, True])
    slept = []

    def sleep(seconds):
        slept.append(seconds)
        now[0] += seconds

    assert wait_until_ready("http://x", 10, 0.5, lambda _: next(answers), lambda: now[0], sleep)
    assert slept == [0.5, 0.5]
    now[0], slept[:] = 0.0, []
    assert not wait_until_ready("http://x", 2, 0.5, lambda _: False, lambda: now[0], sleep)
    assert sum(slept) == 2.0


def test_main_opens_the_station_once_ready_and_not_when_switched_off(health_server, monkeypatch, capsys):
    state, url = health_server
    state.update(status=200, body={"status": "ok"})
    opened = []
    monkeypatch.setattr(open_browser.webbrowser, "open", lambda target: opened.append(target) or True)
    assert main([url], env={"DISPLAY": ":0"}, platform="linux") == 0
    assert opened == [url]
    assert main([url], env={"DISPLAY": ":0", "SPARTAN_OPEN_BROWSER": "0"}, platform="linux") == 0
    assert main([url], env={}, platform="linux") == 0
    assert opened == [url]
    assert "Not opening a browser: no display" in capsys.readouterr().err
    assert main([url], env={"SPARTAN_OPEN_BROWSER": "maybe"}, platform="darwin") == 2
    state.update(status=503, body={"status": "not_ready"})
    assert main([url, "--timeout", "0.3"], env={}, platform="darwin") == 1
    assert "was not ready after 0.3 s" in capsys.readouterr().err
    assert opened == [url]
    with pytest.raises(SystemExit):
        main(["localhost:8888"], env={}, platform="darwin")
