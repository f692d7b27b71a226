"""Whatever description is given, the OpenAPI importer answers with a collection or with
Courier's error (``MalformedImport``, saying where): never any other exception."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.core.importers import MalformedImport, parse_openapi

_FUZZ = int(os.environ.get("COURIER_FUZZ", "0"))
SETTINGS = settings(
    max_examples=_FUZZ or 300,
    derandomize=not _FUZZ,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "openapi"
PETSTORE3 = json.loads((FIXTURES / "petstore3.openapi.json").read_text())
SWAGGER2 = json.loads((FIXTURES / "petstore.swagger2.json").read_text())
LIBRARY = yaml.safe_load((FIXTURES / "library.openapi31.yaml").read_text())

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)
REF = st.sampled_from(
    ["#/components/schemas/Pet", "#/definitions/Pet", "#", "#/", "#/paths", "other.yaml#/X",
     "#/components/schemas/Book", "#/components/parameters/PageSize", "#/x~1y/~0", "http://x/y"]
).map(lambda ref: {"$ref": ref})  # fmt: skip
KEYS = st.sampled_from(
    ["$ref", "paths", "parameters", "requestBody", "content", "schema", "type", "properties",
     "items", "allOf", "oneOf", "anyOf", "example", "examples", "enum", "default", "format",
     "in", "name", "required", "style", "explode", "collectionFormat", "security",
     "securitySchemes", "flows", "scheme", "servers", "url", "variables", "tags", "summary",
     "operationId", "description", "consumes", "produces", "host", "basePath", "schemes",
     "responses", "webhooks", "callbacks", "encoding", "additionalProperties", "flow",
     "openIdConnectUrl", "get", "post", "value", "nullable", "const"]
)  # fmt: skip


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place inside a document, as a key path."""
    out = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            out += paths(item, (*prefix, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            out += paths(item, (*prefix, i))
    return out


DOCUMENTS = [(PETSTORE3, where) for where in paths(PETSTORE3)]
DOCUMENTS += [(SWAGGER2, where) for where in paths(SWAGGER2)]
DOCUMENTS += [(LIBRARY, where) for where in paths(LIBRARY)]


def mutated(document: Any, where: tuple[Any, ...], key: str, value: Any) -> Any:
    copy = json.loads(json.dumps(document))
    if not where:
        return value
    parent = copy
    for step in where[:-1]:
        parent = parent[step]
    target = parent[where[-1]]
    if isinstance(target, dict) and key:
        target[key] = value
    else:
        parent[where[-1]] = value
    return copy


def outcome(text: str) -> MalformedImport | None:
    try:
        parse_openapi(text)
    except MalformedImport as exc:
        return exc
    return None


def check(text: str) -> None:
    error = outcome(text)
    if error is not None:
        assert error.line >= 1 or error.where, str(error)


@SETTINGS
@given(st.sampled_from(DOCUMENTS), KEYS | st.just(""), JSON | REF)
def test_a_description_changed_anywhere_imports_or_says_where(
    chosen: tuple[Any, tuple[Any, ...]], key: str, value: Any
) -> None:
    document, where = chosen
    changed = mutated(document, where, key, value)
    check(json.dumps(changed))


@SETTINGS
@given(st.sampled_from(DOCUMENTS), KEYS | st.just(""), JSON | REF)
def test_a_yaml_description_changed_anywhere_imports_or_says_where(
    chosen: tuple[Any, tuple[Any, ...]], key: str, value: Any
) -> None:
    document, where = chosen
    check(yaml.safe_dump(mutated(document, where, key, value), sort_keys=False))


@SETTINGS
@given(st.text(max_size=200))
def test_any_text_imports_or_says_where(text: str) -> None:
    check(text)
    check("openapi: 3.0.0\npaths:\n" + text)


@SETTINGS
@given(st.integers(1, len(json.dumps(PETSTORE3, indent=1)) - 1))
def test_a_truncated_json_file_says_line_and_column(cut: int) -> None:
    error = outcome(json.dumps(PETSTORE3, indent=1)[:cut])
    assert error is not None, "a truncated file imported"
    assert error.line >= 1
