"""docs/API_REFERENCE.md is what ``python -m api.reference`` writes from the API's OpenAPI
document, and the renderer shows what a reader needs of an operation and a schema."""

from __future__ import annotations

from api.reference import METHODS, REFERENCE_FILE, REGENERATE, build_document, render, type_of


def test_the_committed_reference_is_up_to_date():
    expected = render(build_document())
    committed = REFERENCE_FILE.read_text(encoding="utf-8") if REFERENCE_FILE.exists() else ""
    assert committed == expected, (
        f"docs/API_REFERENCE.md is out of date with the OpenAPI document; regenerate it: {REGENERATE}"
    )


def test_every_path_of_the_document_is_in_the_reference():
    document = build_document()
    text = render(document)
    for path, operations in document["paths"].items():
        for method in set(operations) & set(METHODS):
            assert f"### `{method.upper()} {path}`" in text


SMALL = {
    "openapi": "3.0.3",
    "info": {"title": "Small", "version": "2", "description": "About it."},
    "tags": [{"name": "things", "description": "All the things"}],
    "paths": {
        "/things/{id}": {
            "get": {
                "tags": ["things"],
                "summary": "One thing",
                "parameters": [
                    {"in": "path", "name": "id", "required": True, "schema": {"type": "string"}},
                    {"$ref": "#/components/parameters/Limit"},
                ],
                "responses": {
                    "200": {
                        "description": "OK",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}},
                    },
                    "404": {"$ref": "#/components/responses/Missing"},
                },
            }
        }
    },
    "components": {
        "parameters": {
            "Limit": {
                "in": "query",
                "name": "limit",
                "description": "a | b",
                "schema": {"type": "integer", "minimum": 1, "maximum": 9, "default": 3},
            }
        },
        "responses": {"Missing": {"description": "No such thing."}},
        "schemas": {
            "Thing": {
                "required": ["name"],
                "properties": {
                    "name": {"type": "string", "description": "Its name"},
                    "tags": {"type": "array", "items": {"type": "string", "enum": list("abcdefghijklmn")}},
                    "score": {"type": "number", "nullable": True},
                },
            }
        },
    },
}


def test_an_operation_lists_its_parameters_responses_and_linked_schema():
    text = render(SMALL)
    assert text.startswith("# Small — reference (version 2)")
    assert "### `GET /things/{id}`" in text and "**One thing**" in text
    assert "| `id` | path | string | yes |" in text
    # a referenced parameter is resolved, and a pipe in a cell is escaped
    assert "| `limit` | query | integer (1–9, default 3) | no | a \\| b |" in text
    assert "| 200 | OK | [Thing](#schema-thing) (application/json) |" in text
    assert "| 404 | No such thing. | — |" in text
    assert '<a id="schema-thing"></a>' in text
    assert "| `name` | string | yes | Its name |" in text
    assert "| `score` | number (nullable) | no |" in text


def test_a_long_enumeration_is_cut_with_a_count():
    text = type_of({"type": "string", "enum": list("abcdefghijklmn")})
    assert text.startswith("string: one of `a`, `b`")
    assert "`l`" in text and "`m`" not in text and text.endswith("and 2 more")
