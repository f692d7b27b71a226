"""A large description (10,000 operations) imports in a few seconds and in memory
bounded by its size."""

from __future__ import annotations

import json
import tracemalloc
from typing import Any

from app.core.importers import parse_openapi

OPERATIONS = 10_000


def large_description(operations: int = OPERATIONS) -> str:
    paths: dict[str, Any] = {}
    for i in range(operations // 2):
        paths[f"/things{i}/{{thingId}}"] = {
            "parameters": [{"$ref": "#/components/parameters/ThingId"}],
            "get": {
                "tags": [f"group{i % 50}"],
                "summary": f"Get thing {i}",
                "parameters": [{"name": "verbose", "in": "query", "schema": {"type": "boolean"}}],
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}
                        },
                    }
                },
            },
            "put": {
                "tags": [f"group{i % 50}"],
                "operationId": f"putThing{i}",
                "requestBody": {
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}
                    }
                },
                "responses": {"204": {"description": "stored"}},
            },
        }
    document = {
        "openapi": "3.0.3",
        "info": {"title": "Big", "version": "1"},
        "servers": [{"url": "https://big.example/api"}],
        "paths": paths,
        "components": {
            "parameters": {
                "ThingId": {
                    "name": "thingId",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "integer", "example": 7},
                }
            },
            "schemas": {
                "Thing": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "integer"},
                        "name": {"type": "string", "example": "widget"},
                        "tags": {"type": "array", "items": {"type": "string"}},
                        "created": {"type": "string", "format": "date-time"},
                        "parent": {"$ref": "#/components/schemas/Thing"},
                    },
                }
            },
        },
    }
    return json.dumps(document)


def test_ten_thousand_operations_parse_whole() -> None:
    """(How fast: tests/bench/import_formats.py.)"""
    text = large_description()
    imported = parse_openapi(text)
    assert imported.report.requests == OPERATIONS
    assert imported.report.folders == 50
    assert len(imported.collection.folders[0].requests) == OPERATIONS // 50
    put = imported.collection.folders[0].requests[1]
    assert (put.name, put.url) == ("putThing0", "{{baseUrl}}/things0/{{thingId}}")
    assert json.loads(put.body.text)["name"] == "widget"


def test_ten_thousand_operations_parse_in_memory_bounded_by_their_size() -> None:
    text = large_description()
    tracemalloc.start()
    try:
        imported = parse_openapi(text)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert imported.report.requests == OPERATIONS
    # the parsed document plus 10,000 requests (each with its auth, settings, body
    # example) come to about 12 times the text; nothing is kept per byte beyond that
    assert peak < 16 * len(text.encode()), (peak, len(text))


def test_a_large_yaml_description_parses_whole() -> None:
    """YAML costs more to read than JSON (libyaml, then Python objects): 2,000
    operations here (how fast: tests/bench/import_formats.py)."""
    import yaml

    document = json.loads(large_description(2_000))
    text = yaml.dump(document, Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper))
    imported = parse_openapi(text)
    assert imported.report.requests == 2_000
