"""The requests of the load (tests/load/locustfile.py), taken from the running station: every
path and callback body in the plan was answered as expected once before the load starts (which
also warms the station, as the page warmer and earlier visitors would have in production).

- pages: every dashboard's path (the System group aside: operators' pages) and the detail
  pages of the catalog; checked by the HTML shell and the layout drawn from its Referer;
- router callbacks: the bodies Dash's renderer posts when a user moves to each of those pages
  (the pages router, the preload banner);
- picker callbacks: every instrument picker of the detail pages, choosing another option,
  followed by the router drawing the page for the URL the picker answered;
- CSV downloads: every panel's CSV that answers with rows (a panel without a table answers 404);
- API latest: every dataset endpoint of the OpenAPI document; API history: one series of each,
  its whole history and its last year by week.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

from tests.fixtures.pages import router_callback as router_body

PICKER_OUTPUT = '{"index":["MATCH"],"type":"view-picker-location"}.search'
PICKER, PICKER_LOCATION = "view-picker", "view-picker-location"
API_GROUPS = ("/api/market/", "/api/economic/", "/api/analytics/")
DETAIL_PAGES = ("/instrument/SPX", "/series/UNRATE")
CHECK_THREADS = 4


class PlanError(RuntimeError):
    """The station did not answer a request of the plan as it should."""


def banner_body(pathname: str) -> dict:
    return {
        "output": "preload-banner.children",
        "outputs": {"id": "preload-banner", "property": "children"},
        "inputs": [{"id": "_pages_location", "property": "pathname", "value": pathname}],
        "changedPropIds": ["_pages_location.pathname"],
    }


def picker_body(index: str, value, search: str = "") -> dict:
    location = {"index": index, "type": PICKER_LOCATION}
    return {
        "output": PICKER_OUTPUT,
        "outputs": {"id": location, "property": "search"},
        "inputs": [{"id": {"index": index, "type": PICKER}, "property": "value", "value": value}],
        "state": [{"id": location, "property": "search", "value": search}],
        "changedPropIds": [json.dumps({"index": index, "type": PICKER}, separators=(",", ":")) + ".value"],
    }


def _call(base: str, path: str, headers: dict | None = None, body: dict | None = None) -> tuple[int, str, bytes]:
    data = json.dumps(body).encode() if body is not None else None
    headers = {**(headers or {}), **({"Content-Type": "application/json"} if body is not None else {})}
    request = urllib.request.Request(base + path, data=data, headers=headers)  # noqa: S310 - our own server
    try:
        with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310
            return response.status, response.headers.get("Content-Type", ""), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Content-Type", ""), exc.read()


def _json(base: str, path: str, **kwargs) -> dict:
    status, _, body = _call(base, path, **kwargs)
    if status != 200:
        raise PlanError(f"{path}: HTTP {status}: {body[:300]!r}")
    return json.loads(body)


def pickers(layout) -> list[tuple[str, object, list]]:
    """(index, value, option values) of every instrument picker in a Dash layout."""
    found = []
    stack = [layout]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, dict):
            props = node.get("props", {})
            ident = props.get("id") if isinstance(props, dict) else None
            if isinstance(ident, dict) and ident.get("type") == PICKER:
                values = [o["value"] if isinstance(o, dict) else o for o in props.get("options") or []]
                found.append((ident["index"], props.get("value"), values))
            stack.extend(v for v in node.values() if isinstance(v, list | dict))
    return found


def dashboard_paths() -> list[str]:
    from config.dashboard_specs import load_dashboards

    boards = sorted(load_dashboards().values(), key=lambda b: (b.order, b.path))
    return [b.path for b in boards if b.group != "System"] + list(DETAIL_PAGES)


def _page_ok(base: str, path: str) -> tuple[str, dict | None]:
    status, kind, _ = _call(base, path)
    if status != 200 or "text/html" not in kind:
        return path, None
    return path, _json(base, "/_dash-layout", headers={"Referer": base + path})


def _csv_ok(base: str, path: str) -> str | None:
    status, kind, _ = _call(base, path)
    if status == 404:  # a panel without a table of its own: no CSV, said so
        return None
    if status != 200 or "text/csv" not in kind:
        raise PlanError(f"{path}: HTTP {status} {kind}")
    return path


def build(base: str, every: int = 1, csv_limit: int = 60) -> dict:
    """The plan for the station at ``base`` (every entry answered once, as expected); with
    ``every`` > 1 only every so many pages and panels (a shorter run: fewer cold builds)."""
    from config.dashboard_specs import load_dashboards

    with ThreadPoolExecutor(CHECK_THREADS) as pool:
        pages = dict(pool.map(lambda p: _page_ok(base, p), dashboard_paths()[::every]))
        missing = [p for p, layout in pages.items() if layout is None]
        if missing:
            raise PlanError(f"pages that did not answer 200 with HTML: {missing}")
        router = [{"page": p, "body": router_body(p), "banner": banner_body(p)} for p in pages]
        bodies = [e[kind] for e in router for kind in ("body", "banner")]
        for answer in pool.map(lambda b: _json(base, "/_dash-update-component", body=b), bodies):
            if "response" not in answer:
                raise PlanError(f"a callback answered without a response: {str(answer)[:300]}")

        picker = []
        for path, layout in pages.items():
            for index, value, options in pickers(layout):
                for other in [o for o in options if o != value][:3]:
                    answer = _json(base, "/_dash-update-component", body=picker_body(index, other))
                    search = next(iter(answer["response"].values()))["search"]
                    follow = router_body(path, search)
                    _json(base, "/_dash-update-component", body=follow)
                    picker.append({"page": path, "body": picker_body(index, other), "follow": follow})

        boards = sorted(load_dashboards().values(), key=lambda b: (b.order, b.path))
        candidates = [f"/csv/{b.id}/{p.id}.csv" for b in boards if b.group != "System" for p in b.panels][::every]
        csv = [p for p in pool.map(lambda p: _csv_ok(base, p), candidates) if p][: max(10, csv_limit // every)]

    spec = _json(base, "/api/openapi.json")
    latest = [p for p in spec["paths"] if p.startswith(API_GROUPS) and "{" not in p]
    history = []
    year_ago = (date.today() - timedelta(days=365)).isoformat()
    for path in latest:
        templates = [p for p in spec["paths"] if p.startswith(path + "/{") and p.count("{") == 1]
        items = _json(base, path).get("items") or []
        if not templates or not items:
            continue
        key = templates[0].rsplit("{", 1)[1].rstrip("}")
        value = next((item[key] for item in items if item.get(key) not in (None, "")), None)
        if value is None:
            continue
        series = templates[0].replace("{" + key + "}", urllib.request.quote(str(value), safe=""))
        for query in ("", f"?start={year_ago}&interval=weekly"):
            _json(base, series + query)
            history.append(series + query)
    plan = {"pages": list(pages), "router": router, "picker": picker, "csv": csv, "latest": latest, "history": history}
    empty = [name for name, entries in plan.items() if not entries]
    if empty:
        raise PlanError(f"nothing to load in: {', '.join(empty)}")
    return plan


def warm(base: str, plan: dict, rounds: int) -> None:
    """Every request of the plan ``rounds`` times more: each gunicorn worker keeps its own memory
    of reads and of page layouts, and which worker answers is the kernel's choice, so a few
    rounds leave every worker warm (as hours of traffic would), not only the one that built."""
    requests = [(p, None, None) for p in plan["pages"]]
    requests += [("/_dash-layout", {"Referer": base + p}, None) for p in plan["pages"]]
    requests += [("/_dash-update-component", None, e[k]) for e in plan["router"] for k in ("body", "banner")]
    requests += [("/_dash-update-component", None, e[k]) for e in plan["picker"] for k in ("body", "follow")]
    requests += [(p, None, None) for key in ("csv", "latest", "history") for p in plan[key]]
    with ThreadPoolExecutor(CHECK_THREADS) as pool:
        for status, _, _ in pool.map(lambda r: _call(base, r[0], headers=r[1], body=r[2]), requests * rounds):
            if status != 200:
                raise PlanError(f"a request of the plan answered {status} while warming")
