"""What a dashboard's query string asks for: range, scale, rebasing, compared instruments, the
stock screener's filters, embed.

Everything lives in the URL, so a link reproduces the view. Anything unknown or malformed falls
back to the default instead of failing the page (``?range=<script>`` is just the default range).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from datetime import date
from urllib.parse import urlencode

from config.catalog import GICS_SECTORS
from config.dashboard_specs import DEFAULT_RANGE, range_start

RANGES = ("1M", "3M", "6M", "YTD", "1Y", "5Y", "MAX")
_KEY = re.compile(r"^[A-Za-z0-9^=._:-]{1,64}$")
MAX_COMPARE = 12
# The stock screener's filters (pages/panels/screener.py), in the order the URL writes them:
# numbers (percent) and choices. Anything else, or a value out of shape, is left out.
SCREEN_NUMBERS = (
    "r1m_min",
    "r1m_max",
    "r3m_min",
    "r3m_max",
    "ytd_min",
    "ytd_max",
    "high_within",
    "low_within",
    "vol_min",
    "vol_max",
)
SCREEN_CHOICES = {"sma50": ("above", "below"), "sma200": ("above", "below"), "sector": GICS_SECTORS}
SCREEN_LIMIT = 100_000  # a filter number beyond this is no percentage


@dataclass(frozen=True)
class ViewState:
    range: str = DEFAULT_RANGE
    log: bool = False
    rebase: bool | None = None  # None: each panel's own default (pages/panels/core.rebase_by_default)
    compare: tuple[str, ...] = ()  # instrument keys / series ids asked for in the URL
    embed: bool = False
    screen: tuple[tuple[str, str], ...] = ()  # the screener's filters: (name, canonical value)

    def start(self, newest: date) -> date | None:
        """The first date of the range, counted back from the newest observation (None: all)."""
        return range_start(self.range, newest)

    def query(self, **changes) -> str:
        """The query string of this view with ``changes`` (``?`` included; defaults left out)."""
        state = replace(self, **changes)
        params = {}
        if state.range != DEFAULT_RANGE:
            params["range"] = state.range
        if state.log:
            params["scale"] = "log"
        if state.rebase is not None:
            params["rebase"] = "1" if state.rebase else "0"
        if state.compare:
            params["compare"] = ",".join(state.compare)
        params.update(state.screen)
        if state.embed:
            params["embed"] = "1"
        return "?" + urlencode(params) if params else ""


def _flag(value: object) -> bool:
    return str(value).lower() in ("1", "true", "yes", "on")


def _choice(value: str) -> bool | None:
    """A yes/no the URL may leave open: None when absent or neither (the default applies)."""
    value = value.lower()
    return True if value in ("1", "true", "yes", "on") else False if value in ("0", "false", "no", "off") else None


def _number(text: str) -> str | None:
    """A filter number as the URL writes it ("5", "-2.5"), None when it is none."""
    try:
        value = float(text)
    except ValueError:
        return None
    return f"{value:g}" if math.isfinite(value) and abs(value) <= SCREEN_LIMIT else None


def parse_screen(text) -> tuple[tuple[str, str], ...]:
    """The screener's filters of a query (``text(name)``: its value), canonical and in order."""
    found = [(name, _number(text(name))) for name in SCREEN_NUMBERS if text(name)]
    lowered = {name: text(name).lower() for name in SCREEN_CHOICES}
    found += [
        (name, next((c for c in choices if c.lower() == lowered[name]), None))
        for name, choices in SCREEN_CHOICES.items()
    ]
    return tuple((name, value) for name, value in found if value is not None)


def parse_view(query: dict[str, object] | None) -> ViewState:
    """The view a query string (Dash passes it to layouts as keyword arguments) asks for."""
    query = query or {}

    def text(name: str) -> str:
        value = query.get(name)
        if isinstance(value, list | tuple):
            value = value[0] if value else ""
        return str(value or "").strip()

    range_ = text("range").upper()
    compare = tuple(dict.fromkeys(k for k in (part.strip() for part in text("compare").split(",")) if _KEY.match(k)))[
        :MAX_COMPARE
    ]
    return ViewState(
        range=range_ if range_ in RANGES else DEFAULT_RANGE,
        log=text("scale").lower() == "log",
        rebase=_choice(text("rebase")),
        compare=compare,
        embed=_flag(text("embed")),
        screen=parse_screen(text),
    )
