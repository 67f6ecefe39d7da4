"""Locust users of ``python -m tests.load.run``: a realistic mix of what the station serves.

Runs in Locust's own virtual environment (bench/requirements-locust.txt; dash[testing] in the
project's venv pins urllib3 1.26, Locust needs 2): it imports nothing from the project. The
requests come from a plan (JSON, ``SPARTAN_LOAD_PLAN``) that tests/load/plan.py builds from the
running station, so every path and callback body is one the station really serves:

- a dashboard page as a browser opens it: the page's HTML shell, ``/_dash-layout`` (with the
  page in its Referer: the station draws the page into the layout), ``/_dash-dependencies``;
- Dash callbacks (``POST /_dash-update-component``): the pages router drawing a page on a
  client-side navigation and the preload banner following the path, the instrument picker
  rewriting the URL (then the router drawing the page for it);
- CSV downloads of panels (``/csv/<dashboard>/<panel>.csv``) and detail pages;
- the REST API: latest values and one series' history;
- revalidations: ``If-None-Match`` with the ETag the station sent this user, a 304 expected.

``SPARTAN_LOAD_WAIT`` is the think time between a user's actions in seconds ("5-15": uniformly
between). ``StationUser`` is the mix; ``CeilingUser`` (named on Locust's command line) asks for
one path, ``SPARTAN_LOAD_CEILING``, at the same pace: the trivial-Flask ceiling, bench/ceiling.py.
"""

import json
import os
import random

from locust import FastHttpUser, between, constant, task

_WAIT = os.environ.get("SPARTAN_LOAD_WAIT", "5-15")
CEILING = os.environ.get("SPARTAN_LOAD_CEILING", "/api/market/indices")
PLAN = {}
if os.environ.get("SPARTAN_LOAD_PLAN"):
    with open(os.environ["SPARTAN_LOAD_PLAN"], encoding="utf-8") as handle:
        PLAN = json.load(handle)

# Names of the request types in Locust's statistics (and the report's table).
SHELL, LAYOUT, DEPENDENCIES = "page: HTML shell", "page: _dash-layout", "page: _dash-dependencies"
ROUTER, BANNER = "callback: pages router", "callback: preload banner"
PICKER = "callback: instrument picker"
CSV, LATEST, HISTORY, REVALIDATE = "CSV download", "API latest", "API history", "API 304 revalidation"


def _wait_time():
    low, _, high = _WAIT.partition("-")
    return between(float(low), float(high)) if high else constant(float(low))


def _expect(response, status: int, content_type: str | None = None) -> None:
    if response.status_code == 0:  # no answer: the connection failed
        response.failure(f"no response, expected HTTP {status}: {response.error!r}")
    elif response.status_code != status:
        response.failure(f"HTTP {response.status_code}, expected {status}")
    elif content_type and content_type not in (response.headers.get("Content-Type") or ""):
        response.failure(f"Content-Type {response.headers.get('Content-Type')!r}, expected {content_type}")
    else:
        response.success()


class StationUser(FastHttpUser):
    """One person at the station: reads pages, moves between them, downloads, uses the API."""

    wait_time = _wait_time()
    # What a browser (and a well-behaved API client) offers.
    default_headers = {"Accept-Encoding": "gzip"}
    # A browser sends a request again once when the kept-alive connection it reused turns out
    # closed (gunicorn keeps an idle connection 2 s; users think longer): a race of the idle
    # connection, not an error of the station. A request that fails twice is counted.
    max_retries = 1

    def on_start(self):
        self.etags = {}

    def _get(self, path: str, name: str, status: int = 200, content_type: str | None = None, headers=None):
        with self.client.get(path, name=name, headers=headers, catch_response=True) as response:
            _expect(response, status, content_type)
            return response

    def _callback(self, page: str, body: dict, name: str):
        headers = {"Content-Type": "application/json", "Referer": self.host + page}
        with self.client.post(
            "/_dash-update-component", data=json.dumps(body), headers=headers, name=name, catch_response=True
        ) as response:
            _expect(response, 200, "application/json")

    @task(4)
    def open_page(self):
        path = random.choice(PLAN["pages"])
        self._get(path, SHELL, content_type="text/html")
        # The app shell asks for its layout (the page drawn in, from the Referer) and callbacks.
        self._get("/_dash-layout", LAYOUT, content_type="application/json", headers={"Referer": self.host + path})
        self._get("/_dash-dependencies", DEPENDENCIES, content_type="application/json")

    @task(2)
    def navigate(self):
        # A click on a link: the router draws the page, the preload banner follows the path.
        entry = random.choice(PLAN["router"])
        self._callback(entry["page"], entry["body"], ROUTER)
        self._callback(entry["page"], entry["banner"], BANNER)

    @task(1)
    def pick_instrument(self):
        # The picker rewrites the URL's ?compare=, then the router draws the page for it.
        entry = random.choice(PLAN["picker"])
        self._callback(entry["page"], entry["body"], PICKER)
        self._callback(entry["page"], entry["follow"], ROUTER)

    @task(1)
    def download_csv(self):
        self._get(random.choice(PLAN["csv"]), CSV, content_type="text/csv")

    @task(3)
    def api_latest(self):
        self._api(random.choice(PLAN["latest"]), LATEST)

    @task(2)
    def api_history(self):
        self._api(random.choice(PLAN["history"]), HISTORY)

    @task(3)
    def revalidate(self):
        if not self.etags:  # nothing fetched yet: fetch as a client would first
            return self.api_latest()
        path, etag = random.choice(list(self.etags.items()))
        self._get(path, REVALIDATE, status=304, headers={"If-None-Match": etag})

    def _api(self, path: str, name: str):
        response = self._get(path, name, content_type="application/json")
        etag = response.headers.get("ETag")
        if response.status_code == 200 and etag:
            self.etags[path] = etag


class CeilingUser(FastHttpUser):
    """The same pace against bench/ceiling.py, which answers one path with fixed bytes."""

    wait_time = _wait_time()
    default_headers = {"Accept-Encoding": "gzip"}

    @task
    def fixed(self):
        with self.client.get(CEILING, name="ceiling: fixed bytes", catch_response=True) as response:
            _expect(response, 200)
