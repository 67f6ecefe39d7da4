"""Locust users for ``python -m bench.api_load``: each asks for one path again and again.

Runs in Locust's own virtual environment (bench/requirements-locust.txt), not the project's:
it imports nothing from the project. ``SPARTAN_BENCH_PATH`` is the path asked for,
``SPARTAN_BENCH_WAIT`` the think time between a user's requests in seconds ("0" for none,
"0.5-1.5" for uniformly between).
"""

import os

from locust import FastHttpUser, between, constant, task

PATH = os.environ.get("SPARTAN_BENCH_PATH", "/api/market/indices")
_WAIT = os.environ.get("SPARTAN_BENCH_WAIT", "0")


def _wait_time():
    low, _, high = _WAIT.partition("-")
    return between(float(low), float(high)) if high else constant(float(low))


class ApiUser(FastHttpUser):
    wait_time = _wait_time()
    # Like a browser or an API client that took the gzip it was offered.
    default_headers = {"Accept-Encoding": "gzip"}

    @task
    def get(self):
        with self.client.get(PATH, name=PATH, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
