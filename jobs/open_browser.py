"""`python -m jobs.open_browser URL`: open the station in the browser once it is ready.

Started in the background by `make run` beside the web. It opens a browser only where a person
sits at a display: macOS and Windows, or Linux/BSD with ``DISPLAY`` or ``WAYLAND_DISPLAY`` set
(not over plain SSH, not in CI, not in a container), and never with ``SPARTAN_OPEN_BROWSER=0``.
Ready means ``/health`` answers 200, or 503 only because no data is stored yet (the page then
says how to get some): the web is up and its database answers. It gives up after ``--timeout``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import urllib.error
import urllib.request
import webbrowser
from collections.abc import Callable, Mapping

from config.settings import SettingsError, _bool

# Desktop platforms where a browser is there without a display variable.
DESKTOP_PLATFORMS = ("darwin", "win32", "cygwin")


def browser_wanted(env: Mapping[str, str], platform: str) -> tuple[bool, str]:
    """Whether to open a browser, and why (or why not). A bad SPARTAN_OPEN_BROWSER raises
    SettingsError."""
    if not _bool(env, "SPARTAN_OPEN_BROWSER", True):
        return False, "SPARTAN_OPEN_BROWSER is off"
    if platform in DESKTOP_PLATFORMS:
        return True, f"desktop platform {platform}"
    for name in ("WAYLAND_DISPLAY", "DISPLAY"):
        if env.get(name):
            return True, f"{name} is set"
    return False, "no display (neither DISPLAY nor WAYLAND_DISPLAY is set)"


def station_ready(base_url: str, timeout: float = 2.0) -> bool:
    """One look at ``base_url``/health: 200, or a 503 whose only trouble is that no data is stored."""
    if not base_url.startswith(("http://", "https://")):
        raise ValueError(f"the station's URL must start with http:// or https://, got {base_url!r}")
    url = base_url.rstrip("/") + "/health"
    try:
        # http(s) only, checked above: the station's own address.
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310  # nosec B310
            return response.status == 200
    except urllib.error.HTTPError as error:
        if error.code != 503:
            return False
        try:
            return json.loads(error.read() or b"{}").get("status") == "no_data"
        except ValueError:
            return False
    except (OSError, ValueError):  # refused, reset, timed out: not up yet
        return False


def wait_until_ready(
    base_url: str,
    timeout: float,
    interval: float = 0.5,
    ready: Callable[[str], bool] = station_ready,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> bool:
    """Poll until the station is ready (True) or ``timeout`` seconds passed (False)."""
    deadline = clock() + timeout
    while True:
        if ready(base_url):
            return True
        if clock() >= deadline:
            return False
        sleep(interval)


def main(argv: list[str] | None = None, env: Mapping[str, str] | None = None, platform: str | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m jobs.open_browser", description=__doc__.split("\n\n")[0])
    parser.add_argument("url", help="the station's address, e.g. http://localhost:8888")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds to wait for it (default 600)")
    args = parser.parse_args(argv)
    if not args.url.startswith(("http://", "https://")):
        parser.error(f"the URL must start with http:// or https://, got {args.url!r}")
    if args.timeout <= 0:
        parser.error("--timeout must be a positive number of seconds")
    try:
        wanted, reason = browser_wanted(env if env is not None else os.environ, platform or sys.platform)
    except SettingsError as exc:
        print(f"open_browser: {exc}", file=sys.stderr)
        return 2
    if not wanted:
        print(f"Not opening a browser: {reason}.", file=sys.stderr)
        return 0
    if not wait_until_ready(args.url, args.timeout):
        print(
            f"open_browser: {args.url} was not ready after {args.timeout:g} s; not opening a browser", file=sys.stderr
        )
        return 1
    if not webbrowser.open(args.url):
        print(f"open_browser: no browser could be started; open {args.url} yourself", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
