"""docs/API_REFERENCE.md, written from the API's OpenAPI document (the one served at
/api/openapi.json): ``python -m api.reference > docs/API_REFERENCE.md``.

The document is built on a bare Flask app (``api.rest.init_app``), so writing the reference needs
no database, settings or UI. tests/unit/test_api_reference.py fails when the committed file
differs from what this module writes; tests/integration/test_api_openapi.py checks the document
served by the full station gives the same file.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REGENERATE = "python -m api.reference > docs/API_REFERENCE.md"
REFERENCE_FILE = Path(__file__).resolve().parent.parent / "docs" / "API_REFERENCE.md"
METHODS = ("get", "put", "post", "patch", "delete", "head", "options")
MAX_ENUM = 12  # longer enumerations are cut, with a count of the rest


def build_document() -> dict:
    """The OpenAPI document of the station's API, from its routes and schemas alone."""
    from flask import Flask

    from api.openapi import EXTENSION
    from api.rest import init_app

    server = Flask("spartan-api-reference")
    init_app(server)
    with server.app_context():
        return server.extensions[EXTENSION].spec.to_dict()


def _cell(text: object) -> str:
    """Text for one table cell: one line, pipes escaped."""
    return " ".join(str(text or "").split()).replace("|", "\\|")


def _anchor(name: str) -> str:
    return "schema-" + name.lower()


def _ref_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def type_of(schema: dict | None) -> str:
    """A schema in a few words: ``integer (1–10000, default 1000)``, ``array of string``, a link
    to a named schema, or ``one of json, csv, toon``."""
    if not schema:
        return "any"
    if "$ref" in schema:
        name = _ref_name(schema["$ref"])
        return f"[{name}](#{_anchor(name)})"
    for combinator in ("oneOf", "anyOf", "allOf"):
        if combinator in schema:
            return " or ".join(type_of(part) for part in schema[combinator])
    kind = schema.get("type", "object")
    if kind == "array":
        text = f"array of {type_of(schema.get('items'))}"
    else:
        text = kind + (f" ({schema['format']})" if "format" in schema else "")
    if "enum" in schema:
        values = [str(v) for v in schema["enum"]]
        shown = ", ".join(f"`{v}`" for v in values[:MAX_ENUM])
        more = f" and {len(values) - MAX_ENUM} more" if len(values) > MAX_ENUM else ""
        text += f": one of {shown}{more}"
    bounds = []
    if "minimum" in schema or "maximum" in schema:
        bounds.append(f"{schema.get('minimum', '')}–{schema.get('maximum', '')}")
    if "minItems" in schema or "maxItems" in schema:
        bounds.append(f"{schema.get('minItems', 0)}–{schema.get('maxItems', '')} items")
    if "default" in schema:
        bounds.append(f"default {schema['default']}")
    if schema.get("nullable"):
        bounds.append("nullable")
    return text + (f" ({', '.join(bounds)})" if bounds else "")


def _resolve(item: dict, components: dict, kind: str) -> dict:
    if "$ref" in item:
        return components.get(kind, {}).get(_ref_name(item["$ref"]), {})
    return item


def _body_type(response: dict) -> str:
    content = response.get("content") or {}
    parts = [f"{type_of(body.get('schema'))} ({media})" for media, body in content.items()]
    return "; ".join(parts) or "—"


def _operation(path: str, method: str, op: dict, components: dict) -> list[str]:
    lines = [f"### `{method.upper()} {path}`", ""]
    if op.get("summary"):
        lines += [f"**{op['summary']}**", ""]
    if op.get("description"):
        lines += [op["description"].strip(), ""]
    params = [_resolve(p, components, "parameters") for p in op.get("parameters", [])]
    if params:
        lines += ["| Parameter | In | Type | Required | Description |", "|---|---|---|---|---|"]
        for p in params:
            required = "yes" if p.get("required") else "no"
            lines.append(
                f"| `{p['name']}` | {p['in']} | {_cell(type_of(p.get('schema')))} | {required} | "
                f"{_cell(p.get('description'))} |"
            )
        lines.append("")
    lines += ["| Status | Description | Body |", "|---|---|---|"]
    for status, response in sorted(op.get("responses", {}).items()):
        response = _resolve(response, components, "responses")
        lines.append(f"| {status} | {_cell(response.get('description'))} | {_cell(_body_type(response))} |")
    return [*lines, ""]


def _schema(name: str, schema: dict) -> list[str]:
    lines = [f'<a id="{_anchor(name)}"></a>', f"### {name}", ""]
    if schema.get("description"):
        lines += [schema["description"].strip(), ""]
    properties = schema.get("properties") or {}
    if not properties:
        return [*lines, f"Type: {type_of(schema)}", ""]
    required = set(schema.get("required", []))
    lines += ["| Field | Type | Required | Description |", "|---|---|---|---|"]
    for field, spec in properties.items():
        flag = "yes" if field in required else "no"
        lines.append(f"| `{field}` | {_cell(type_of(spec))} | {flag} | {_cell(spec.get('description'))} |")
    return [*lines, ""]


def render(document: dict) -> str:
    """The Markdown reference of an OpenAPI 3 document: every operation by tag (paths sorted),
    then every named schema."""
    info = document.get("info", {})
    components = document.get("components", {})
    lines = [
        f"# {info.get('title', 'API')} — reference (version {info.get('version', '?')})",
        "",
        f"<!-- Generated from the OpenAPI document ({document.get('openapi', '3')}) by `{REGENERATE}`; "
        "do not edit by hand. -->",
        "",
        (info.get("description") or "").strip(),
        "",
    ]
    tags = [t["name"] for t in document.get("tags", [])]
    by_tag: dict[str, list[tuple[str, str, dict]]] = {}
    for path in sorted(document.get("paths", {})):
        for method, op in document["paths"][path].items():
            if method in METHODS:
                tag = (op.get("tags") or ["other"])[0]
                by_tag.setdefault(tag, []).append((path, method, op))
                if tag not in tags:
                    tags.append(tag)
    descriptions = {t["name"]: t.get("description", "") for t in document.get("tags", [])}
    lines += ["## Endpoints", ""]
    for tag in tags:
        for path, method, _op in by_tag.get(tag, []):
            lines.append(f"- `{method.upper()} {path}` ({tag})")
    lines.append("")
    for tag in tags:
        if not by_tag.get(tag):
            continue
        lines += [f"## {tag}", ""]
        if descriptions.get(tag):
            lines += [descriptions[tag], ""]
        for path, method, op in by_tag[tag]:
            lines += _operation(path, method, op, components)
    schemas = components.get("schemas", {})
    if schemas:
        lines += ["## Schemas", ""]
        for name in sorted(schemas):
            lines += _schema(name, schemas[name])
    return "\n".join(lines).rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m api.reference", description=__doc__.split("\n\n")[0])
    parser.add_argument("-o", "--output", type=Path, help="write here instead of to standard output")
    args = parser.parse_args(argv)
    text = render(build_document())
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
