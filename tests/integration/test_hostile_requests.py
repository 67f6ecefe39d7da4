"""Bad requests are 4xx, logged as one line: every route fed hostile values (100 KB strings, NUL
bytes, ``../``, SQL and script payloads, huge and negative numbers, repeated parameters) answers
without a 5xx and without a traceback in the log; unknown paths are a 404 with the Spartan
not-found page, traversal is a 404, malformed callback requests are a 400, and query parameters
named like a layout's own arguments (``?board_id=x``) leave the page as it is."""

from __future__ import annotations

import inspect
import io
import json
import logging
from urllib.parse import quote, urlencode

import pytest

from config.logging_setup import make_handler
from tests.conftest import demo_settings, drop_backend, make_settings
from tests.fixtures.pages import router_callback

BIG = "Z" * 100_000
HOSTILE = [
    BIG,
    "\x00",
    "%00",
    "../../etc/passwd",
    "' OR 1=1--",
    "<script>alert(1)</script>",
    "ü漢字🚀",
    "9" * 40,
    "-1",
]
# Names a page layout takes or Dash's router uses, beside each layout's own (read from it).
COLLIDING = {"board_id", "symbol", "series_id", "dashboard", "panel", "pathname", "search", "pathname_", "search_"}
DETAIL_EXAMPLES = {"symbol": "SPX", "series_id": "DGS10", "dashboard": "rates", "panel": "curve"}
NOT_FOUND_TITLE = "Page not found · Spartan Research Station"
LINE_MAX = 16_000  # the audit line of 50 parameters of 200 characters is the longest there is


@pytest.fixture(scope="module")
def demo_app(demo_root):
    import app as webapp

    return webapp.create_app(demo_settings(demo_root, SPARTAN_RATE_LIMIT_ENABLED="0"))


@pytest.fixture
def client(demo_app):
    client = demo_app.server.test_client()
    client.get("/")  # Dash registers its pages router on the first request
    return client


@pytest.fixture
def log_lines():
    """Every record of the process during the test, as the station's JSON lines."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    buffer = io.StringIO()
    root.handlers[:] = [make_handler("json", stream=buffer)]
    root.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in buffer.getvalue().splitlines()]
    root.handlers[:] = handlers
    root.setLevel(level)


def assert_no_traceback(lines: list[dict]) -> None:
    """Nothing at ERROR, no traceback, no line that carries a hostile value whole."""
    for line in lines:
        text = json.dumps(line, ensure_ascii=False)
        assert line["level"] not in ("ERROR", "CRITICAL") and "exc_info" not in line, text[:2000]
        assert "Traceback" not in text, text[:2000]
        assert len(text) < LINE_MAX and BIG[:1000] not in text, text[:500]


def page_urls() -> dict[str, dict]:
    """Every page's path (a detail page's with an example), but the not-found page's."""
    import dash

    from pages.routing import is_not_found

    urls = {}
    for page in dash.page_registry.values():
        if is_not_found(page):
            continue
        path = page.get("path_template") or page["path"]
        for name, example in DETAIL_EXAMPLES.items():
            path = path.replace(f"<{name}>", example)
        urls[path] = page
    return urls


def argument_names(page: dict) -> set[str]:
    """The named arguments of a page's own layout function (a dashboard's is a partial)."""
    layout = inspect.unwrap(page["layout"])
    layout = getattr(layout, "func", layout)
    kinds = (inspect.Parameter.VAR_KEYWORD, inspect.Parameter.VAR_POSITIONAL)
    return {name for name, p in inspect.signature(layout).parameters.items() if p.kind not in kinds}


def component_ids(content: str) -> set[str]:
    """The ids of a drawn page's components: what it shows, whatever the time (ages, "updated 4s ago")."""
    found: set[str] = set()

    def walk(node) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("id"), str | dict):
                found.add(json.dumps(node["id"], sort_keys=True))
            for child in node.values():
                walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(json.loads(content))
    return found


def drawn(client, pathname: str, search: str = "") -> tuple[str, str]:
    """(title, content) the pages router draws for the URL."""
    response = client.post("/_dash-update-component", json=router_callback(pathname, search))
    assert response.status_code == 200, (pathname, search[:100], response.get_data(as_text=True)[:500])
    body = response.get_json()["response"]
    return body["_pages_store"]["data"]["title"], json.dumps(body["_pages_content"]["children"])


# --- query parameters named like a layout's arguments ------------------------------------------


def test_query_parameters_named_like_a_layouts_arguments_leave_every_page_as_it_is(client, log_lines):
    urls = page_urls()
    assert {"/rates", "/instrument/SPX", "/series/DGS10", "/embed/rates/curve", "/fred-explorer"} <= set(urls)
    assert {"/preload", "/api-docs"} <= set(urls)
    kinds_seen = set()
    for path, page in urls.items():
        names = sorted(COLLIDING | argument_names(page))
        title, plain = drawn(client, path)
        assert title != NOT_FOUND_TITLE, path
        shown = component_ids(plain)
        # Each name alone on one page of each layout function (every dashboard shares one).
        kind = getattr(inspect.unwrap(page["layout"]), "func", page["module"])
        alone = [] if kind in kinds_seen else names
        kinds_seen.add(kind)
        crafted = "?" + urlencode([(name, value) for name in names for value in ("x", "<b>y</b>")])
        for search in ["?" + urlencode({name: "x"}) for name in alone] + [crafted]:
            title_now, content = drawn(client, path, search)
            assert (title_now, component_ids(content)) == (title, shown), (path, search)
        assert client.get(quote(path) + crafted).status_code == 200, path
    assert_no_traceback(log_lines())


def test_a_dashboard_ignores_board_id_in_its_url(client):
    title, content = drawn(client, "/rates", "?board_id=x")
    assert title.startswith("Rates") and "graph-rates-curve" in content
    assert client.get("/rates?board_id=x").status_code == 200


def test_the_path_names_a_detail_page_whatever_the_query_string_says(client):
    title, content = drawn(client, "/instrument/SPX", "?symbol=NDX")
    assert title.startswith("S&P 500") and "NDX" not in content
    title, _ = drawn(client, "/series/DGS10", "?series_id=UNRATE")
    assert "(DGS10)" in title and "UNRATE" not in title  # the series' name, then its id
    _, content = drawn(client, "/embed/rates/curve", "?dashboard=nope&panel=nope")
    assert "No such panel" not in content and "graph-rates-curve" in content


def test_hostile_urls_drawn_by_the_pages_router_are_pages_not_errors(client, log_lines):
    urls = list(page_urls()) + [f"/instrument/{quote(v, safe='')}" for v in HOSTILE] + ["/embed/x/y", "/nope"]
    names = ("range", "compare", "compare", "dataset", "scale", "transform")
    search = "?" + urlencode([(name, value) for value in HOSTILE for name in names])
    for path in urls:
        assert drawn(client, path, search)[0], path
        assert drawn(client, path, "?" + urlencode({"compare": BIG}))[0], path
    assert_no_traceback(log_lines())


# --- every route ---------------------------------------------------------------------------------


def _with_values(rule: str, arguments, value: str) -> str:
    url = rule
    for argument in arguments:
        for converter in ("", "path:", "string:"):
            url = url.replace(f"<{converter}{argument}>", quote(value, safe=""))
    return url


def test_every_route_answers_hostile_values_without_a_server_error(demo_app, client, log_lines):
    rules = [r for r in demo_app.server.url_map.iter_rules() if "GET" in r.methods]
    assert any(r.rule == "/csv/<dashboard>/<panel>.csv" for r in rules)
    errors = []
    for rule in rules:
        for value in HOSTILE:
            url = _with_values(rule.rule, rule.arguments, value)
            query = urlencode([(name, value) for name in ("symbol", "start", "limit", "dataset", "range")] * 2)
            for target in (url, f"{url}?{query}"):
                status = client.get(target).status_code
                if status >= 500:
                    errors.append((status, target[:200]))
    assert not errors, errors
    assert_no_traceback(log_lines())


# --- unknown paths, traversal --------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/nope", "/rates/extra", "/robots.txt", "/csv/x", "/not-found-404", "/%00", "/..%2f"])
def test_an_unknown_path_is_a_404_with_the_spartan_not_found_page(client, path):
    response = client.get(path)
    assert response.status_code == 404 and response.mimetype == "text/html"
    body = response.get_data(as_text=True)
    assert f"<title>{NOT_FOUND_TITLE}</title>" in body and "_dash-renderer" in body  # the app shell
    assert "script-src 'self' 'sha256-" in response.headers["Content-Security-Policy"]
    title, content = drawn(client, path)  # what the router draws into the shell: the Spartan page
    assert title == NOT_FOUND_TITLE
    assert "Page not found" in content
    assert "spartan-navbar" in body and "spartan-footer" in body  # the way back: the navbar


@pytest.mark.parametrize(
    "path",
    ["/", "/rates", "/rates/", "/instrument/SPX", "/instrument/NOPE", "/series/DGS10", "/embed/rates/curve"]
    + ["/fred-explorer", "/preload", "/api-docs"],
)
def test_pages_and_path_templates_stay_200(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert NOT_FOUND_TITLE not in response.get_data(as_text=True)


def test_redirects_api_and_csv_routes_keep_their_own_answers(client):
    assert client.get("/sources").status_code == 301
    api = client.get("/api/nope")
    assert api.status_code == 404 and api.mimetype == "application/json"
    assert client.get("/csv/rates/curve.csv").status_code == 200
    assert client.get("/metrics").status_code == 200 and client.get("/health").status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/_dash-component-suites/dash/deps/%2e%2e/%2e%2e/etc/passwd",
        "/_dash-component-suites/dash/deps/../../etc/passwd",
        "/_dash-component-suites/dash/..%2f..%2fapp.py",
        "/_dash-component-suites/os/path.py",
        "/_dash-component-suites/%00/%00",
        "/assets/%2e%2e/app.py",
        "/assets/..%2fapp.py",
        "/assets/%00",
        "/static/..%2fapp.py",
    ],
)
def test_traversal_and_unregistered_files_are_404(client, log_lines, path):
    response = client.get(path)
    assert response.status_code == 404
    assert b"passwd" not in response.data and b"Registered" not in response.data
    assert_no_traceback(log_lines())


def test_registered_bundle_files_are_still_served(demo_app, client):
    file = next(p for p in sorted(demo_app.registered_paths["dash"]) if p.endswith(".js"))
    assert client.get(f"/_dash-component-suites/dash/{file}").status_code == 200


# --- callback requests ---------------------------------------------------------------------------

PICKER = '{"index":["MATCH"],"type":"view-picker-location"}.search'
PRELOAD = "..preload-body.children...preload-interval.disabled...preload-interval.interval.."


def picker_callback(value, search="?compare=NDX") -> dict:
    return {
        "output": PICKER,
        "outputs": {"id": {"index": "p", "type": "view-picker-location"}, "property": "search"},
        "inputs": [{"id": {"index": "p", "type": "view-picker"}, "property": "value", "value": value}],
        "state": [{"id": {"index": "p", "type": "view-picker-location"}, "property": "search", "value": search}],
        "changedPropIds": ['{"index":"p","type":"view-picker"}.value'],
    }


def banner_callback(pathname) -> dict:
    return {
        "output": "preload-banner.children",
        "outputs": {"id": "preload-banner", "property": "children"},
        "inputs": [{"id": "_pages_location", "property": "pathname", "value": pathname}],
        "changedPropIds": ["_pages_location.pathname"],
    }


def preload_callback(n_intervals) -> dict:
    return {
        "output": PRELOAD,
        "outputs": [
            {"id": "preload-body", "property": "children"},
            {"id": "preload-interval", "property": "disabled"},
            {"id": "preload-interval", "property": "interval"},
        ],
        "inputs": [{"id": "preload-interval", "property": "n_intervals", "value": n_intervals}],
        "changedPropIds": ["preload-interval.n_intervals"],
    }


def test_the_stations_callbacks_answer_well_formed_requests(client):
    assert client.post("/_dash-update-component", json=router_callback("/rates")).status_code == 200
    assert client.post("/_dash-update-component", json=banner_callback("/rates")).status_code in (200, 204)
    assert client.post("/_dash-update-component", json=preload_callback(3)).status_code == 200
    picked = client.post("/_dash-update-component", json=picker_callback("SPX"))
    assert picked.status_code == 200 and "compare=SPX" in picked.get_data(as_text=True)


def _router_with(**changes) -> dict:
    body = router_callback("/rates")
    body.update(changes)
    return body


MALFORMED = {
    "empty object": {},
    "null": None,
    "a list": [],
    "a number": 5,
    "output not text": {"output": 5},
    "unknown output": {"output": "x.y", "outputs": {"id": "x", "property": "y"}, "inputs": []},
    "100 KB output": {"output": BIG, "outputs": {"id": "x", "property": "y"}, "inputs": []},
    "browser-side callback": {
        "output": '{"index":["MATCH"],"type":"grid"}.exportDataAsCsv',
        "outputs": {"id": {"index": "g", "type": "grid"}, "property": "exportDataAsCsv"},
        "inputs": [{"id": {"index": "g", "type": "grid-export"}, "property": "n_clicks", "value": 1}],
    },
    "inputs not a list": _router_with(inputs={"id": "_pages_location"}),
    "inputs null": _router_with(inputs=None),
    "state null": _router_with(state=None),
    "changedPropIds null": _router_with(changedPropIds=None),
    "changedPropIds of lists": _router_with(changedPropIds=[["x"]]),
    "outputs missing": {k: v for k, v in router_callback("/rates").items() if k != "outputs"},
    "outputs not the callback's": _router_with(outputs=[{"id": "x", "property": "y"}] * 2),
    "one input missing": _router_with(inputs=router_callback("/rates")["inputs"][:1]),
    "an input of another component": _router_with(
        inputs=[{"id": "preload-interval", "property": "n_intervals", "value": 1}] * 2
    ),
    "input item not an object": _router_with(inputs=["x", 5]),
    "pathname a number": router_callback(5),
    "pathname null": router_callback(None),
    "pathname without a slash": router_callback("rates"),
    "pathname with a newline": router_callback("/embed/a\nb/c"),
    "pathname a list": router_callback(["/rates"]),
    "search a number": router_callback("/rates", 5),
    "search an object": router_callback("/rates", {"a": 1}),
    "banner pathname relative": banner_callback("../../etc/passwd"),
    "preload count a text": preload_callback("x"),
    "preload count negative": preload_callback(-1),
    "picker value a number": picker_callback(5),
    "picker value an object": picker_callback({"a": 1}),
    "picker search a list": picker_callback("SPX", ["?x"]),
    "picker id of another pattern": {**picker_callback("SPX"), "inputs": [{"id": {"x": 1}, "property": "value"}]},
}


@pytest.mark.parametrize("case", MALFORMED)
def test_a_malformed_callback_request_is_a_400_logged_as_one_line(client, log_lines, case):
    request_id = "hostile-callback-1"
    response = client.post("/_dash-update-component", json=MALFORMED[case], headers={"X-Request-ID": request_id})
    assert response.status_code == 400, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/json"
    error = response.get_json()["error"]
    assert error.startswith("bad callback request: ") and len(error) < 400
    lines = log_lines()
    assert_no_traceback(lines)
    warnings = [line for line in lines if line["level"] == "WARNING"]
    assert len(warnings) == 1 and warnings[0]["logger"] == "api.dash_requests", warnings
    assert warnings[0]["request_id"] == request_id and "\n" not in warnings[0]["message"]


@pytest.mark.parametrize("raw", [b"", b"not json", b"{", b"\x00\xff", b"[1, 2"])
def test_a_body_that_is_not_json_is_a_400(client, log_lines, raw):
    response = client.post("/_dash-update-component", data=raw, content_type="application/json")
    assert response.status_code == 400 and response.mimetype == "application/json"
    assert client.post("/_dash-update-component", data="{}", content_type="text/plain").status_code == 400
    assert_no_traceback(log_lines())


def test_the_access_line_of_a_hostile_path_is_one_line_and_bounded(client, log_lines):
    client.get("/nope%0Aforged%20line" + "z" * 5000, headers={"User-Agent": "evil\tagent" + "u" * 1000})
    access = [line for line in log_lines() if line["logger"] == "spartan.access"]
    assert len(access) == 1 and access[0]["status"] == 404
    assert "\n" not in access[0]["path"] and "\\x0a" in access[0]["path"] and len(access[0]["path"]) <= 500
    assert "\t" not in access[0]["user_agent"] and len(access[0]["user_agent"]) <= 200


# --- both backends -------------------------------------------------------------------------------


@pytest.fixture
def empty_app(tmp_path, backend):
    import app as webapp

    settings = make_settings(tmp_path, backend, SPARTAN_RATE_LIMIT_ENABLED="0")
    yield webapp.create_app(settings)
    drop_backend(settings)


def test_unknown_paths_and_bad_callbacks_on_an_empty_store(empty_app, log_lines):
    client = empty_app.server.test_client()
    assert client.get("/rates?board_id=x").status_code == 200
    assert client.get("/nope").status_code == 404
    assert client.post("/_dash-update-component", json={}).status_code == 400
    assert client.post("/_dash-update-component", json=router_callback("/rates", "?board_id=x")).status_code == 200
    assert client.get("/_dash-component-suites/dash/deps/%2e%2e/%2e%2e/etc/passwd").status_code == 404
    assert_no_traceback(log_lines())
