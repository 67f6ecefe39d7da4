"""Pages load the station's plotly.js bundle (assets/plotly-spartan.min.js, ``make plotly-bundle``)
instead of Dash's full one, and that bundle holds every trace type the code draws."""

from __future__ import annotations

import re

from tests.conftest import ROOT, drop_backend, make_settings

BUNDLE = ROOT / "assets" / "plotly-spartan.min.js"


def bundled_traces() -> set[str]:
    banner = BUNDLE.read_text(encoding="utf-8").splitlines()[0]
    match = re.search(r"traces: ([a-z ]+);", banner)
    assert match, f"no trace list in the banner of {BUNDLE.name}: {banner[:200]}"
    return set(match.group(1).split())


def drawn_traces() -> set[str]:
    """Trace types built anywhere in the web code (``go.Scatter(`` → scatter)."""
    found: set[str] = set()
    for folder in ("components", "pages"):
        for path in (ROOT / folder).rglob("*.py"):
            found |= {name.lower() for name in re.findall(r"\bgo\.([A-Z][A-Za-z]+)\(", path.read_text())}
    return found - {"figure", "layout"}


def test_every_trace_type_the_pages_draw_is_in_the_bundle():
    drawn = drawn_traces()
    assert {"scatter", "bar", "heatmap"} <= drawn  # the scan finds the code's figures
    missing = drawn - bundled_traces()
    assert not missing, f"add {sorted(missing)} to PLOTLY_TRACES in the Makefile and run make plotly-bundle"


def test_the_bundle_matches_the_plotly_js_of_plotly_py():
    from plotly.offline import get_plotlyjs_version

    assert f"plotly.js {get_plotlyjs_version()} " in BUNDLE.read_text(encoding="utf-8")[:200]
    assert BUNDLE.stat().st_size < 2_000_000


def test_graphs_fetch_the_station_bundle_instead_of_the_full_plotly_js(tmp_path):
    import app as webapp

    settings = make_settings(tmp_path, "sqlite")
    try:
        client = webapp.create_app(settings).server.test_client()
        page = client.get("/").get_data(as_text=True)
        # dcc.Graph fetches it when needed (the page's head only hints it: test_lazy_chunks_are_hinted)
        assert not re.search(r"<script[^>]*plotly", page) and "plotly-spartan" not in page
        response = client.get(
            "/_dash-component-suites/plotly/package_data/plotly.min.js", headers={"Accept-Encoding": "gzip"}
        )
        assert response.status_code == 200
        assert response.headers["Content-Encoding"] == "gzip"
        assert response.headers["Cache-Control"] == "public, max-age=86400"
        import gzip

        body = gzip.decompress(response.data)
        assert body == BUNDLE.read_bytes()
        again = client.get(
            response.request.path, headers={"Accept-Encoding": "gzip", "If-None-Match": response.headers["ETag"]}
        )
        assert again.status_code == 304
        plain = client.get(response.request.path)
        assert "Content-Encoding" not in plain.headers and plain.data == body
    finally:
        drop_backend(settings)


def test_lazy_chunks_are_hinted_in_the_head_of_pages_that_draw_charts(tmp_path):
    """A chart's and a grid's chunks are preloaded where they will be drawn, and each hint names a
    file the server has (a dependency upgrade that renames one fails here, not silently)."""
    import app as webapp

    settings = make_settings(tmp_path, "sqlite")
    try:
        client = webapp.create_app(settings).server.test_client()
        for path in ("/", "/options", "/instrument/SPX", "/embed/options/vix"):
            head = client.get(path).get_data(as_text=True).split("</head>")[0]
            hinted = re.findall(r'<link rel="preload" as="script" href="([^"]+)">', head)
            assert len(hinted) == len(webapp.LAZY_CHUNKS), (path, hinted)
            for href in hinted:
                assert client.get(href).status_code == 200, href
        for path in ("/api-docs", "/no-such-page"):
            assert 'rel="preload" as="script"' not in client.get(path).get_data(as_text=True), path
    finally:
        drop_backend(settings)
