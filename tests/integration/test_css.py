"""Bootstrap as the pages load it: trimmed by ``make css`` (PurgeCSS) to what the station draws."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.integration.test_dashboards import demo_web, pages, render  # noqa: F401 - fixture

ASSETS = Path(__file__).resolve().parents[2] / "assets"
CLASS = re.compile(r"\.(-?[_a-zA-Z][\w-]*)")


def selectors(path: Path) -> set[str]:
    """Every selector of the stylesheet at ``path`` (rules inside @media included)."""
    text = re.sub(r"/\*.*?\*/", "", path.read_text(encoding="utf-8"), flags=re.S)
    text = re.sub(r"url\([^)]*\)", "", text)  # data: URIs hold dots that are no classes
    found = set()
    for prelude in re.findall(r"([^{}]+)\{", text):
        if not prelude.strip().startswith("@"):
            found.update(part.strip() for part in prelude.split(","))
    return found


def drawn_classes(text: str) -> set[str]:
    """The class names in a layout's JSON (``className``) and in HTML (``class="..."``)."""
    found: set[str] = set()
    for value in re.findall(r'"className":\s*("(?:[^"\\]|\\.)*")', text):
        found.update(json.loads(value).split())
    for value in re.findall(r'class="([^"]*)"', text):
        found.update(value.split())
    return found


def test_every_bootstrap_class_a_page_draws_survived_the_trim(demo_web):  # noqa: F811
    dash_app, _ = demo_web
    bootstrap = selectors(ASSETS / "vendor" / "bootstrap.min.css")
    trimmed = selectors(ASSETS / "00-bootstrap.min.css")
    assert 100 < len(trimmed) < len(bootstrap) / 5  # trimmed, and not to nothing
    client = dash_app.server.test_client()
    drawn: set[str] = set()
    for page in pages():
        drawn |= drawn_classes(render(dash_app, page)) | drawn_classes(render(dash_app, page, embed="1"))
        drawn |= drawn_classes(client.get(page["path"]).get_data(as_text=True))
    assert {"container-fluid", "d-flex", "navbar-nav", "dropdown-menu"} <= drawn  # the walk found the chrome
    # A Bootstrap rule all of whose classes some page draws applies somewhere: it must be kept.
    applying = {s for s in bootstrap if "[" not in s and CLASS.findall(s) and set(CLASS.findall(s)) <= drawn}
    assert len(applying) > 50
    assert applying - trimmed == set(), "run `make css`: Bootstrap rules that apply were trimmed away"


def test_pages_link_the_trimmed_bootstrap_only(demo_web):  # noqa: F811
    dash_app, _ = demo_web
    body = dash_app.server.test_client().get("/").get_data(as_text=True)
    assert "00-bootstrap.min.css" in body and "vendor/" not in body
