"""An example value generated from a JSON Schema, for a request body or a parameter
that the description gives no example for.

What a person would type: an object with each property, an array with one item,
an enum's first value, the default, ``format`` honoured (date-time, uuid, email,
...), ``allOf`` merged, ``oneOf`` / ``anyOf`` the first, ``type: [string, "null"]``
(OpenAPI 3.1) the non-null type.  Bounded: recursive schemas stop at
``MAX_DEPTH`` and one example holds at most ``MAX_NODES`` values, so a schema
that refers to itself, or a YAML document that reuses one schema everywhere,
never hangs.
"""

from __future__ import annotations

import datetime
from typing import Any

from app.core.importers.openapi_refs import Refs

MAX_DEPTH = 8
MAX_NODES = 2000
MAX_PROPERTIES = 100

#: an example for each common string ``format``
FORMATS: dict[str, str] = {
    "date-time": "2024-01-01T00:00:00Z",
    "date": "2024-01-01",
    "time": "12:00:00Z",
    "duration": "P1D",
    "email": "user@example.com",
    "idn-email": "user@example.com",
    "hostname": "example.com",
    "idn-hostname": "example.com",
    "ipv4": "192.0.2.1",
    "ipv6": "2001:db8::1",
    "uri": "https://example.com",
    "uri-reference": "https://example.com",
    "iri": "https://example.com",
    "url": "https://example.com",
    "uuid": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
    "byte": "U3dhZ2dlciByb2Nrcw==",
    "binary": "",
    "password": "",
    "regex": ".*",
    "json-pointer": "/",
}


def example_of(schema: Any, refs: Refs, where: str) -> Any:
    """An example value for ``schema`` (None when the schema says nothing usable)."""
    return _Generator(refs, where).value(schema, 0, ())


def plain(value: Any) -> Any:
    """A value YAML may have given (a date, a set) as JSON can write it."""
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value


class _Generator:
    def __init__(self, refs: Refs, where: str) -> None:
        self.refs = refs
        self.where = where
        self.left = MAX_NODES

    def value(self, schema: Any, depth: int, chain: tuple[str, ...]) -> Any:
        self.left -= 1
        if self.left < 0 or depth > MAX_DEPTH:
            return None
        if isinstance(schema, dict) and isinstance(schema.get("$ref"), str):
            ref = schema["$ref"]
            if ref in chain:  # recursion: this branch stops here
                return None
            chain = (*chain, ref)
        schema = self.refs.resolve(schema, self.where)
        if not isinstance(schema, dict):
            return None
        for key in ("example", "const", "default"):
            if key in schema:
                return plain(schema[key])
        examples = schema.get("examples")  # JSON Schema's (3.1): a list
        if isinstance(examples, list) and examples:
            return plain(examples[0])
        enum = schema.get("enum")
        if isinstance(enum, list) and enum:
            return plain(next((v for v in enum if v is not None), enum[0]))
        if isinstance(schema.get("allOf"), list):
            return self.all_of(schema, depth, chain)
        for key in ("oneOf", "anyOf"):
            options = schema.get(key)
            if isinstance(options, list) and options:
                chosen = next((o for o in options if not _is_null(o)), options[0])
                return self.value(chosen, depth + 1, chain)
        return self.typed(schema, _type_of(schema), depth, chain)

    def typed(self, schema: dict[str, Any], kind: str, depth: int, chain: tuple[str, ...]) -> Any:
        if kind == "object":
            return self.object(schema, depth, chain)
        if kind == "array":
            item = self.value(schema.get("items"), depth + 1, chain)
            return [] if item is None else [item]
        if kind == "string":
            fmt = schema.get("format")
            return FORMATS.get(fmt, "string") if isinstance(fmt, str) else "string"
        if kind == "integer":
            return _number(schema, 0)
        if kind == "number":
            return _number(schema, 0)
        if kind == "boolean":
            return True
        return None

    def object(self, schema: dict[str, Any], depth: int, chain: tuple[str, ...]) -> Any:
        properties = schema.get("properties")
        out: dict[str, Any] = {}
        if isinstance(properties, dict):
            for i, (name, sub) in enumerate(properties.items()):
                if i >= MAX_PROPERTIES or self.left < 0:
                    break
                if isinstance(sub, dict) and sub.get("readOnly") is True:
                    continue  # the server sets it; a request does not send it
                value = self.value(sub, depth + 1, chain)
                if value is not None or _is_null(sub):
                    out[str(name)] = value
        extra = schema.get("additionalProperties")
        if not out and isinstance(extra, dict) and extra:
            out["key"] = self.value(extra, depth + 1, chain)
        return out

    def all_of(self, schema: dict[str, Any], depth: int, chain: tuple[str, ...]) -> Any:
        merged: dict[str, Any] = {}
        others: list[Any] = []
        parts = [p for p in schema["allOf"]] + [{k: v for k, v in schema.items() if k != "allOf"}]
        for part in parts:
            value = self.value(part, depth + 1, chain)
            if isinstance(value, dict):
                merged.update(value)
            elif value is not None:
                others.append(value)
        if merged or not others:
            return merged
        return others[0]


def _type_of(schema: dict[str, Any]) -> str:
    kind = schema.get("type")
    if isinstance(kind, list):  # 3.1: ["string", "null"]
        kind = next((k for k in kind if k != "null"), "null")
    if isinstance(kind, str):
        return kind
    if "properties" in schema or "additionalProperties" in schema:
        return "object"
    if "items" in schema:
        return "array"
    return ""


def _is_null(schema: Any) -> bool:
    if not isinstance(schema, dict):
        return False
    kind = schema.get("type")
    return kind == "null" or kind == ["null"] or (schema.get("nullable") is True and not kind)


def _number(schema: dict[str, Any], fallback: int) -> Any:
    low = schema.get("minimum")
    if isinstance(low, (int, float)) and not isinstance(low, bool):
        return low
    high = schema.get("maximum")
    if isinstance(high, (int, float)) and not isinstance(high, bool) and high < fallback:
        return high
    return fallback
