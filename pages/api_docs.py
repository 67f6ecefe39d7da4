"""/api-docs: the REST API's documentation, rendered server-side from its OpenAPI document
(/api/openapi.json): every endpoint with its parameters, formats, responses and an example
curl, and for each dataset endpoint what the station holds of it right now."""

from __future__ import annotations

import json
import re
from urllib.parse import urlencode

import dash
import pandas as pd
from dash import html
from flask import has_request_context, request

from api.openapi import OPENAPI_PATH, openapi_document
from components.cards import degraded_state, format_age
from sql import read

PATH = "/api-docs"
TAG_TITLES = {
    "health": "Health",
    "market": "Market data",
    "economic": "Economic data",
    "analytics": "Analytics",
    "system": "System",
}
# Query parameters the example requests show (where an endpoint takes them).
EXAMPLE_QUERY = {"start": "2025-01-01", "interval": "weekly"}

dash.register_page(
    __name__,
    path=PATH,
    name="REST API",
    title="REST API · Spartan Research Station",
    description="The REST API: endpoints, parameters, formats and example requests.",
    group="System",
    order=90,
)


# The OpenAPI description's markdown, drawn as components here: paragraphs, "- " lists (an
# indented line continues an item), **bold**, `code` and [links](…) — all it uses. dcc.Markdown
# would fetch a 325 KB renderer for this one page and parse the text in the browser.
INLINE = re.compile(r"\*\*(?P<bold>.+?)\*\*|`(?P<code>[^`]+)`|\[(?P<text>[^\]]+)\]\((?P<href>[^)\s]+)\)")


def _inline(text: str) -> list:
    out, at = [], 0
    for match in INLINE.finditer(text):
        if match.start() > at:
            out.append(text[at : match.start()])
        if match["bold"] is not None:
            out.append(html.Strong(_inline(match["bold"])))
        elif match["code"] is not None:
            out.append(html.Code(match["code"]))
        else:
            out.append(html.A(match["text"], href=match["href"]))
        at = match.end()
    if at < len(text):
        out.append(text[at:])
    return out


def markdown_blocks(text: str) -> list:
    """``text`` (the markdown subset above) as paragraphs and lists."""
    blocks: list = []
    for chunk in re.split(r"\n\s*\n", text.strip()):
        lines = chunk.splitlines()
        if lines and lines[0].startswith("- "):
            items: list[str] = []
            for line in lines:
                if line.startswith("- "):
                    items.append(line[2:].strip())
                elif items:
                    items[-1] += " " + line.strip()
            blocks.append(html.Ul([html.Li(_inline(item)) for item in items]))
        elif lines:
            blocks.append(html.P(_inline(" ".join(line.strip() for line in lines))))
    return blocks


def _slug(path: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in path).strip("-")


def _base_url() -> str:
    return request.host_url.rstrip("/") if has_request_context() else "http://localhost:8888"


def _resolve(spec: dict, node: dict) -> dict:
    """``node`` with a ``$ref`` to ``#/components/…`` followed."""
    ref = node.get("$ref") if isinstance(node, dict) else None
    if not ref:
        return node
    target = spec
    for part in ref.lstrip("#/").split("/"):
        target = target[part]
    return target


def _type_text(schema: dict) -> str:
    kind = schema.get("type", "string")
    if kind == "array":
        return f"list of {_type_text(schema.get('items', {}))}"
    return f"{kind} ({schema['format']})" if schema.get("format") else kind


def _constraints(schema: dict) -> str:
    parts = []
    if "enum" in schema:
        parts.append("one of " + ", ".join(str(v) for v in schema["enum"]))
    if "minimum" in schema or "maximum" in schema:
        parts.append(f"{schema.get('minimum', '…')} to {schema.get('maximum', '…')}")
    if "default" in schema:
        parts.append(f"default {schema['default']}")
    return "; ".join(parts)


def parameters_table(parameters: list[dict]) -> html.Table | html.P:
    if not parameters:
        return html.P("No parameters.", className="text-secondary")
    rows = [
        html.Tr(
            [
                html.Td(html.Code(p["name"])),
                html.Td(p["in"]),
                html.Td(_type_text(p.get("schema", {}))),
                html.Td("yes" if p.get("required") else "no"),
                html.Td([p.get("description", ""), html.Br(), html.Small(_constraints(p.get("schema", {})))]),
            ]
        )
        for p in parameters
    ]
    head = html.Thead(html.Tr([html.Th(h) for h in ("Parameter", "In", "Type", "Required", "Meaning")]))
    return html.Table([head, html.Tbody(rows)], className="table table-sm")


def _response_key(code: str, response: dict) -> str:
    return json.dumps([code, response.get("description"), sorted(response.get("content", {}))])


def responses_list(spec: dict, responses: dict | list, common: frozenset = frozenset()) -> list:
    """The responses (a dict, or (code, response) pairs) as a list (but the ``common`` ones:
    named in one line after it)."""
    items, shared = [], []
    pairs = responses.items() if isinstance(responses, dict) else responses
    for code, raw in sorted(pairs, key=lambda kv: (kv[0] == "default", kv[0])):
        response = _resolve(spec, raw)
        if _response_key(code, response) in common:
            shared.append(code)
            continue
        formats = ", ".join(response.get("content", {})) or "no body"
        items.append(html.Li([html.Code(code), f" {response.get('description', '')} ({formats})"]))
    out = [html.Ul(items, className="mb-2")] if items else []
    if shared:
        out.append(
            html.P(
                ["The ", html.A("common responses", href="#common-responses"), ": " + ", ".join(shared)],
                className="small mb-2",
            )
        )
    return out


def common_responses(spec: dict, by_tag: dict[str, list]) -> dict[str, tuple[str, dict]]:
    """The responses COMMON_AT or more endpoints give the same (by key: code and response)."""
    counts: dict[str, int] = {}
    first: dict[str, tuple[str, dict]] = {}
    for operations in by_tag.values():
        for _path, _method, operation, _shared in operations:
            for code, raw in operation.get("responses", {}).items():
                response = _resolve(spec, raw)
                key = _response_key(code, response)
                counts[key] = counts.get(key, 0) + 1
                first.setdefault(key, (code, response))
    return {k: first[k] for k in sorted(counts, key=lambda k: first[k][0]) if counts[k] >= COMMON_AT}


def example_keys(spec: dict) -> dict[str, str]:
    """Per list endpoint, the example key of its one-series endpoint (``/api/market/indices``:
    ``SPX``), for a ``symbols=`` example."""
    out = {}
    for path, item in spec.get("paths", {}).items():
        examples = [p.get("example") for p in item.get("parameters", []) if p.get("in") == "path"]
        if examples and all(examples):
            out[path.split("/{")[0]] = str(examples[0])
    return out


def example_request(spec_path: str, parameters: list[dict], base: str, symbol: str | None = None) -> str:
    """A curl command for the endpoint, with the path's example keys and a few query parameters."""
    path = spec_path
    for p in parameters:
        if p["in"] == "path":
            path = path.replace("{" + p["name"] + "}", str(p.get("example", p["name"])))
    names = {p["name"] for p in parameters if p["in"] == "query"}
    query = {k: v for k, v in EXAMPLE_QUERY.items() if k in names}
    fmt = "csv" if query else "toon"  # a history as CSV, a list as TOON
    if symbol and "symbols" in names:
        query["symbols"] = symbol
    if "format" in names:
        query["format"] = fmt
    url = base + path + (f"?{urlencode(query)}" if query else "")
    return f"curl -s --compressed '{url}'"


def _stored_line(dataset: str | None, status: pd.DataFrame | None) -> html.P | None:
    """What the station holds of the endpoint's dataset (a degraded note if it cannot tell)."""
    if dataset is None:
        return None
    if status is None:
        return html.P("Stored: unknown (the database is not answering).", className="text-warning small")
    rows = status[status["dataset"] == dataset]
    if rows.empty or not rows.iloc[0]["rows"]:
        return html.P("Stored: No data yet.", className="text-secondary small")
    row = rows.iloc[0]
    parts = [f"Stored: {int(row['instruments'])} series, {int(row['rows']):,} rows"]
    if pd.notna(row["latest_observation"]):
        parts.append(f"newest observation {pd.Timestamp(row['latest_observation']):%Y-%m-%d}")
    if pd.notna(row["last_update"]):
        age = (pd.Timestamp.now(tz="UTC") - row["last_update"]).total_seconds()
        parts.append(f"updated {format_age(max(age, 0))} ago")
    if row["sources"]:
        parts.append(f"sources: {row['sources']}")
    return html.P(" · ".join(parts), className="text-secondary small")


def operation_card(
    spec: dict,
    path: str,
    method: str,
    operation: dict,
    shared: list,
    status,
    base: str,
    symbol,
    common: frozenset = frozenset(),
    common_answers: frozenset = frozenset(),
):
    """One endpoint: method and path, what it does, what is stored, its own parameters and the
    names of the ``common`` ones it takes, its responses (``common_answers`` named only), a curl
    (``symbol``: an example key for its ``symbols=``)."""
    parameters = [_resolve(spec, p) for p in (*shared, *operation.get("parameters", []))]
    own = [p for p in parameters if _parameter_key(p) not in common]
    shared_names = [p["name"] for p in parameters if _parameter_key(p) in common]
    anchor = "op-" + _slug(path)
    return html.Section(
        [
            html.H3(
                [html.Span(method.upper(), className="badge bg-success me-2"), html.Code(path)],
                className="spartan-card-title",
                id=anchor,
            ),
            html.P(operation.get("summary", ""), className="fw-bold mb-1"),
            html.P(operation.get("description", ""), className="text-secondary"),
            _stored_line(operation.get("x-dataset"), status),
            parameters_table(own) if own or not shared_names else None,
            html.P(
                [
                    "Also takes the ",
                    html.A("common parameters", href="#common-parameters"),
                    ": " + ", ".join(shared_names),
                ],
                className="small mb-2",
            )
            if shared_names
            else None,
            html.Div("Responses", className="kpi-label"),
            *responses_list(spec, operation.get("responses", {}), common_answers),
            html.Div("Example", className="kpi-label"),
            html.Pre(
                html.Code(example_request(path, parameters, base, symbol)),
                className="embed-code",
            ),
        ],
        className="spartan-card mb-3 api-operation",
    )


# A parameter taken, the same, by this many endpoints or more is documented once, in "Common
# parameters" (format, limit, offset, start, end, …: 208 of the 236 rows the page had), and
# named in each endpoint's card: the page draws ~1,500 components instead of ~3,700.
COMMON_AT = 3


def _parameter_key(parameter: dict) -> str:
    return json.dumps(
        [parameter.get("name"), parameter.get("in"), parameter.get("description"), parameter.get("schema")],
        sort_keys=True,
        default=str,
    )


def common_parameters(spec: dict, by_tag: dict[str, list]) -> list[dict]:
    """The parameters COMMON_AT or more endpoints take with the same meaning, most used first."""
    counts: dict[str, int] = {}
    first: dict[str, dict] = {}
    for operations in by_tag.values():
        for _path, _method, operation, shared in operations:
            for raw in (*shared, *operation.get("parameters", [])):
                parameter = _resolve(spec, raw)
                key = _parameter_key(parameter)
                counts[key] = counts.get(key, 0) + 1
                first.setdefault(key, parameter)
    keys = sorted((k for k, n in counts.items() if n >= COMMON_AT), key=lambda k: -counts[k])
    return [first[k] for k in keys]


def _operations(spec: dict) -> dict[str, list[tuple[str, str, dict, list]]]:
    by_tag: dict[str, list] = {}
    for path, item in spec.get("paths", {}).items():
        shared = item.get("parameters", [])
        for method, operation in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                tag = (operation.get("tags") or ["other"])[0]
                by_tag.setdefault(tag, []).append((path, method, operation, shared))
    return by_tag


def _dataset_status() -> pd.DataFrame | None:
    try:
        return read.dataset_status()
    except read.StorageUnavailable:
        return None


def layout(**_query) -> html.Div:
    header = [
        html.H1("REST API", className="spartan-page-title"),
        html.P(
            [
                "Every dataset of the station over HTTP, read from its database and cache, never from a provider. "
                "This page is generated from the OpenAPI 3 document at ",
                html.A(OPENAPI_PATH, href=OPENAPI_PATH),
                ".",
            ],
            className="spartan-subtitle",
        ),
    ]
    try:
        spec = openapi_document()
    except (RuntimeError, KeyError):
        return html.Div([*header, degraded_state("The API is not registered on this server.")])
    status, base, symbols = _dataset_status(), _base_url(), example_keys(spec)
    by_tag = _operations(spec)
    tags = [t["name"] for t in spec.get("tags", []) if t["name"] in by_tag] + sorted(
        set(by_tag) - {t["name"] for t in spec.get("tags", [])}
    )
    descriptions = {t["name"]: t.get("description", "") for t in spec.get("tags", [])}
    contents = html.Nav(
        [
            html.Div(
                [
                    html.Strong(TAG_TITLES.get(tag, tag.title())),
                    html.Ul(
                        [html.Li(html.A(f"{m.upper()} {p}", href="#op-" + _slug(p))) for p, m, _o, _s in by_tag[tag]]
                    ),
                ],
                className="col-12 col-md-6 col-xl-4",
            )
            for tag in tags
        ],
        className="row",
        **{"aria-label": "Endpoints"},
    )
    common = common_parameters(spec, by_tag)
    common_keys = frozenset(_parameter_key(p) for p in common)
    answers = common_responses(spec, by_tag)
    sections = [
        html.Section(
            [
                html.H2(TAG_TITLES.get(tag, tag.title()), className="mt-4"),
                html.P(descriptions.get(tag, ""), className="text-secondary"),
                *[
                    operation_card(spec, p, m, o, s, status, base, symbols.get(p), common_keys, frozenset(answers))
                    for p, m, o, s in by_tag[tag]
                ],
            ],
            id=f"tag-{tag}",
        )
        for tag in tags
    ]
    info = spec.get("info", {})
    conventions = html.Section(
        [
            html.H2(f"{info.get('title', 'API')} {info.get('version', '')}", className="spartan-card-title"),
            *markdown_blocks(info.get("description", "")),
        ],
        className="spartan-card mb-3",
    )
    shared = html.Section(
        [
            html.H2("Common parameters", className="spartan-card-title", id="common-parameters"),
            html.P("Taken with the same meaning by the endpoints that name them below.", className="text-secondary"),
            parameters_table(common),
            html.H2("Common responses", className="spartan-card-title mt-3", id="common-responses"),
            *responses_list(spec, list(answers.values())),
        ],
        className="spartan-card mb-3",
    )
    return html.Div(
        [*header, conventions, html.Section(contents, className="spartan-card mb-3"), shared, *sections],
        className="api-docs",
    )
