"""Bad OpenAPI input says where it went wrong and imports nothing: line and column for
broken JSON or YAML, the JSON path for a wrong shape; references that loop or leave the
file never hang and are named in the report."""

from __future__ import annotations

import json
from typing import Any

import pytest

from app.core.importers import MalformedImport, parse_openapi
from app.core.model import BodyKind


def spec(paths: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"openapi": "3.0.3", "info": {"title": "T", "version": "1"}, "paths": paths, **extra}


def test_malformed_json_gives_line_and_column() -> None:
    with pytest.raises(MalformedImport) as caught:
        parse_openapi('{\n  "openapi": "3.0.0",\n  "paths": {,}\n}')
    assert (caught.value.line, caught.value.column) == (3, 13)


def test_malformed_yaml_gives_line_and_column() -> None:
    text = "openapi: 3.0.0\ninfo:\n  title: T\n  version: '1\npaths: {}\n"
    with pytest.raises(MalformedImport) as caught:
        parse_openapi(text)
    assert caught.value.line >= 4
    assert "not valid YAML" in caught.value.reason


def test_yaml_with_bad_indentation_points_at_it() -> None:
    text = "openapi: 3.0.0\npaths:\n  /a:\n    get:\n   summary: x\n  - y\n"
    with pytest.raises(MalformedImport) as caught:
        parse_openapi(text)
    assert (caught.value.line, caught.value.column) == (5, 4)


def test_not_openapi_says_so() -> None:
    with pytest.raises(MalformedImport) as caught:
        parse_openapi(json.dumps({"info": {"name": "x"}, "item": []}))
    assert 'no "openapi" or "swagger" field' in str(caught.value)
    with pytest.raises(MalformedImport) as caught:
        parse_openapi("just: some\nyaml: here\n")
    assert "not an OpenAPI or Swagger description" in str(caught.value)
    with pytest.raises(MalformedImport) as caught:
        parse_openapi("plain text")
    assert "not an OpenAPI or Swagger description" in str(caught.value)


def test_unknown_versions_are_refused() -> None:
    with pytest.raises(MalformedImport) as caught:
        parse_openapi(json.dumps({"openapi": "4.0.0", "paths": {}}))
    assert caught.value.where == "openapi"
    with pytest.raises(MalformedImport) as caught:
        parse_openapi(json.dumps({"swagger": "1.2"}))
    assert caught.value.where == "swagger"


def test_a_wrong_shape_is_named_by_json_path() -> None:
    parameters = [{"name": "a", "in": "query"}, {"name": "b", "in": "query"}, "oops"]
    document = spec({"/pets": {"get": {"parameters": parameters}}})
    with pytest.raises(MalformedImport) as caught:
        parse_openapi(json.dumps(document))
    assert caught.value.where == "paths./pets.get.parameters[2]"
    assert str(caught.value).startswith("paths./pets.get.parameters[2]: expected an object")


def test_a_parameter_without_a_place_is_named() -> None:
    document = spec({"/pets": {"get": {"parameters": [{"name": "a"}]}}})
    with pytest.raises(MalformedImport) as caught:
        parse_openapi(json.dumps(document))
    assert caught.value.where == "paths./pets.get.parameters[0]"


def test_an_operation_that_is_not_an_object() -> None:
    with pytest.raises(MalformedImport) as caught:
        parse_openapi(json.dumps(spec({"/pets": {"post": [1, 2]}})))
    assert caught.value.where == "paths./pets.post"


def test_circular_schemas_and_reference_loops_never_hang() -> None:
    document = spec(
        {
            "/nodes": {
                "post": {
                    "requestBody": {
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Node"}}
                        }
                    },
                    "parameters": [{"$ref": "#/components/parameters/Loop"}],
                }
            }
        },
        components={
            "schemas": {
                "Node": {
                    "type": "object",
                    "properties": {
                        "name": {"type": "string"},
                        "children": {
                            "type": "array",
                            "items": {"$ref": "#/components/schemas/Node"},
                        },
                        "parent": {"$ref": "#/components/schemas/Node"},
                        "self": {"$ref": "#/components/schemas/Self"},
                    },
                },
                "Self": {"$ref": "#/components/schemas/Self"},
            },
            "parameters": {
                "Loop": {"$ref": "#/components/parameters/Again"},
                "Again": {"$ref": "#/components/parameters/Loop"},
            },
        },
    )
    imported = parse_openapi(json.dumps(document))
    (request,) = imported.collection.requests
    assert request.body.kind is BodyKind.JSON
    body = json.loads(request.body.text)
    assert body == {"name": "string", "children": [], "parent": None, "self": None} or (
        body["name"] == "string" and body["children"] == []
    )
    notes = "\n".join(imported.report.notes)
    assert "refers back to itself" in notes


def test_a_yaml_alias_bomb_is_refused_with_a_message() -> None:
    lines = ["openapi: 3.0.0", "a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 8):
        prev = chr(ord("a") + i - 1)
        name = chr(ord("a") + i)
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 10) + "]")
    with pytest.raises(MalformedImport) as caught:
        parse_openapi("\n".join(lines) + "\npaths: {}\n")
    assert "alias bomb" in str(caught.value)


def test_schemas_that_fan_out_give_a_bounded_example() -> None:
    """Each level refers to the one below four times: 4**7 leaves if expanded; the
    example stops at its size limit instead."""
    schemas: dict[str, Any] = {
        "L0": {"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "integer"}}}
    }
    for i in range(1, 8):
        ref = {"$ref": f"#/components/schemas/L{i - 1}"}
        schemas[f"L{i}"] = {"type": "object", "properties": {f"p{j}": ref for j in range(4)}}
    body = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/L7"}}}}
    document = spec({"/x": {"post": {"requestBody": body}}}, components={"schemas": schemas})
    (request,) = parse_openapi(json.dumps(document)).collection.requests
    example = json.loads(request.body.text)
    assert example["p0"]["p0"]["p0"]["p0"]["p0"]["p0"]["p0"] == {"a": "string", "b": 0}
    leaves = request.body.text.count('"a": "string"')
    assert 100 < leaves < 4**7 // 10, "the example stopped at its size limit"
