"""Example request bodies of an OpenAPI operation: 3.x ``requestBody`` media types
and Swagger 2.0 ``in: body`` / ``in: formData`` parameters with ``consumes``.

The description's own example first (``example``, then the first of
``examples``), else one generated from the schema (``openapi_examples``).  JSON
becomes a JSON body, form-urlencoded a form, multipart/form-data parts (a
``binary`` property: a file part with no file chosen, noted), other text types a
raw body with their content type, binary types a file body to choose.
"""

from __future__ import annotations

import json
from typing import Any

from app.core.importers.json_doc import child
from app.core.importers.openapi_examples import example_of, plain
from app.core.importers.openapi_refs import Refs
from app.core.model import Body, BodyKind, FormPart, KeyValue, PartKind

JSON_TYPE = "application/json"
FORM_TYPE = "application/x-www-form-urlencoded"
MULTIPART_TYPE = "multipart/form-data"


def is_json(media_type: str) -> bool:
    base = media_type.split(";", 1)[0].strip().lower()
    return base == JSON_TYPE or base.endswith("+json") or base == "*/*"


def choose_media_type(types: list[str]) -> str:
    """The media type a person would send: JSON first, then forms, then the first."""
    lowered = [t.split(";", 1)[0].strip().lower() for t in types]
    for wanted in (JSON_TYPE, FORM_TYPE, MULTIPART_TYPE):
        if wanted in lowered:
            return types[lowered.index(wanted)]
    for i, media_type in enumerate(lowered):
        if media_type.endswith("+json"):
            return types[i]
    return types[0]


def text_value(value: Any) -> str:
    """A parameter or form value as text: numbers as JSON writes them, objects as JSON."""
    value = plain(value)
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value, ensure_ascii=False, default=str)


class BodyBuilder:
    """Bodies for the operations of one description."""

    def __init__(self, refs: Refs) -> None:
        self.refs = refs

    def media_example(self, media: dict[str, Any], where: str) -> tuple[bool, Any]:
        """``(found, value)``: the example a media type object gives or its schema makes."""
        found, value = self.given_example(media, where)
        if found:
            return found, value
        schema = media.get("schema")
        if schema is None:
            return False, None
        return True, example_of(schema, self.refs, child(where, "schema"))

    def given_example(self, media: dict[str, Any], where: str) -> tuple[bool, Any]:
        """``(found, value)``: the example the description itself gives (none made up)."""
        if "example" in media:
            return True, plain(media["example"])
        examples = media.get("examples")
        if isinstance(examples, dict):
            for name, raw in examples.items():
                here = child(child(where, "examples"), str(name))
                example = self.refs.resolve(raw, here)
                if isinstance(example, dict) and "value" in example:
                    return True, plain(example["value"])
                if isinstance(example, dict) and "externalValue" in example:
                    self.refs.once(
                        here,
                        f"the example at {example['externalValue']} is not fetched (offline); "
                        "one was made from the schema",
                    )
                break
        schema = self.refs.resolve(media.get("schema"), child(where, "schema"))
        if isinstance(schema, dict) and "example" in schema:
            return True, plain(schema["example"])
        return False, None

    def body(
        self, media_type: str, media: dict[str, Any], where: str, headers: list[KeyValue]
    ) -> Body:
        """The body for one media type (3.x media type object, or 2.0 ``{schema}``)."""
        base = media_type.split(";", 1)[0].strip().lower()
        schema = self.refs.resolve(media.get("schema"), child(where, "schema"))
        if base == FORM_TYPE:
            return Body(BodyKind.FORM, form=self.form_rows(schema, where))
        if base == MULTIPART_TYPE or base.startswith("multipart/"):
            if base != MULTIPART_TYPE:
                self.refs.once(where, f"{media_type} sent as multipart/form-data")
            return Body(BodyKind.MULTIPART, parts=self.parts(schema, media, where))
        if (
            _is_binary(schema)
            or base in ("application/octet-stream",)
            or base.startswith(("image/", "audio/", "video/"))
        ):
            self.refs.once(where, f"the body is a file ({media_type}): choose it in Courier")
            return Body(BodyKind.FILE, content_type=media_type if base != "*/*" else "")
        if not is_json(media_type):
            return self.text_body(media_type, media, where)
        found, value = self.media_example(media, where)
        if base not in (JSON_TYPE, "*/*"):
            headers.append(KeyValue("Content-Type", media_type))
        text = (
            json.dumps(value, indent=2, ensure_ascii=False, default=str)
            if found and value is not None
            else ""
        )
        return Body(BodyKind.JSON, text=text)

    def text_body(self, media_type: str, media: dict[str, Any], where: str) -> Body:
        """XML, plain text, CSV...: the description's own example, never a made-up one."""
        found, value = self.given_example(media, where)
        if found and isinstance(value, str):
            text = value
        else:
            text = ""
            self.refs.once(
                where, f"no {media_type} example in the description: the body is left empty"
            )
        return Body(BodyKind.RAW, text=text, content_type=media_type)

    def form_rows(self, schema: Any, where: str) -> list[KeyValue]:
        rows = []
        for name, sub in _properties(schema, self.refs, where):
            value = example_of(sub, self.refs, child(where, "schema"))
            rows.append(KeyValue(name, text_value(value)))
        return rows

    def parts(self, schema: Any, media: dict[str, Any], where: str) -> list[FormPart]:
        raw_encoding = media.get("encoding")
        encoding: dict[Any, Any] = raw_encoding if isinstance(raw_encoding, dict) else {}
        parts = []
        for name, sub in _properties(schema, self.refs, where):
            resolved = self.refs.resolve(sub, where)
            spec = encoding.get(name)
            content_type = ""
            if isinstance(spec, dict) and isinstance(spec.get("contentType"), str):
                content_type = spec["contentType"].split(",", 1)[0].strip()
            if _is_binary(resolved) or _is_binary(
                self.refs.resolve(resolved.get("items"), where) if resolved else None
            ):
                self.refs.once(where, f"the file part {name!r}: choose its file in Courier")
                parts.append(FormPart(name, "", PartKind.FILE, content_type))
                continue
            value = example_of(sub, self.refs, child(where, "schema"))
            if isinstance(value, (dict, list)) and not content_type:
                content_type = JSON_TYPE
            parts.append(FormPart(name, text_value(value), PartKind.TEXT, content_type))
        return parts

    def form_parameters(self, params: list[dict[str, Any]], multipart: bool, where: str) -> Body:
        """Swagger 2.0 ``in: formData`` parameters as a form or multipart body."""
        if multipart:
            parts = []
            for param in params:
                name = str(param.get("name", ""))
                if param.get("type") == "file":
                    self.refs.once(where, f"the file part {name!r}: choose its file in Courier")
                    parts.append(FormPart(name, "", PartKind.FILE))
                else:
                    value = text_value(parameter_example(param, self.refs, where))
                    parts.append(FormPart(name, value, enabled=_required(param)))
            return Body(BodyKind.MULTIPART, parts=parts)
        rows = [
            KeyValue(
                str(param.get("name", "")),
                text_value(parameter_example(param, self.refs, where)),
                _required(param),
            )
            for param in params
        ]
        return Body(BodyKind.FORM, form=rows)


def parameter_example(param: dict[str, Any], refs: Refs, where: str) -> Any:
    """A parameter's example (3.x ``example`` / ``examples`` / schema; 2.0 ``x-example``,
    ``default``, ``enum`` on the parameter): what a person would send (None: nothing)."""
    for key in ("example", "x-example"):
        if key in param:
            return plain(param[key])
    examples = param.get("examples")
    if isinstance(examples, dict):
        for name, raw in examples.items():
            example = refs.resolve(raw, child(child(where, "examples"), str(name)))
            if isinstance(example, dict) and "value" in example:
                return plain(example["value"])
            break
    content = param.get("content")
    if isinstance(content, dict) and content:  # 3.x: a parameter described by a media type
        media = next(iter(content.values()))
        if isinstance(media, dict):
            if "example" in media:
                return plain(media["example"])
            if media.get("schema") is not None:
                return example_of(media["schema"], refs, child(where, "content"))
        return None
    schema = param.get("schema")
    schema = refs.resolve(schema, child(where, "schema")) if schema is not None else param
    if not isinstance(schema, dict):
        return None
    for key in ("example", "default"):
        if key in schema:
            return plain(schema[key])
    if isinstance(schema.get("examples"), list) and schema["examples"]:
        return plain(schema["examples"][0])
    enum = schema.get("enum")
    if isinstance(enum, list) and enum:
        return plain(enum[0])
    items = refs.resolve(schema.get("items"), where)
    if isinstance(items, dict):  # an array of enums / defaults: one item
        for key in ("example", "default"):
            if key in items:
                return [plain(items[key])]
        if isinstance(items.get("enum"), list) and items["enum"]:
            return [plain(items["enum"][0])]
    return None


def _required(param: dict[str, Any]) -> bool:
    return param.get("required") is True


def _is_binary(schema: Any) -> bool:
    if not isinstance(schema, dict):
        return False
    return (
        schema.get("format") == "binary"
        or schema.get("type") == "file"
        or (schema.get("contentMediaType") == "application/octet-stream")
    )


def _properties(schema: Any, refs: Refs, where: str) -> list[tuple[str, Any]]:
    """An object schema's properties, ``allOf`` parts merged."""
    schema = refs.resolve(schema, where)
    if not isinstance(schema, dict):
        return []
    out: dict[str, Any] = {}
    all_of = schema.get("allOf")
    parts: list[Any] = all_of if isinstance(all_of, list) else []
    for part in [*parts, schema]:
        part = refs.resolve(part, where)
        if isinstance(part, dict) and isinstance(part.get("properties"), dict):
            for name, sub in part["properties"].items():
                if isinstance(sub, dict) and sub.get("readOnly") is True:
                    continue
                out[str(name)] = sub
    return list(out.items())
