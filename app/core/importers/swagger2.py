"""What Swagger 2.0 says differently from OpenAPI 3: ``consumes`` / ``produces``
media types (the operation's, else the document's) and the request body given
as an ``in: body`` parameter (a schema) or ``in: formData`` parameters (a form,
multipart when ``consumes`` says so or a parameter is a file).
"""

from __future__ import annotations

from typing import Any

from app.core.importers.openapi_bodies import (
    FORM_TYPE,
    JSON_TYPE,
    MULTIPART_TYPE,
    BodyBuilder,
    choose_media_type,
)
from app.core.model import Body, KeyValue


def media_types(operation: dict[str, Any], document: dict[str, Any], key: str) -> list[str]:
    """``consumes`` or ``produces``: the operation's list, else the document's."""
    for owner in (operation, document):
        listed = owner.get(key)
        if isinstance(listed, list):
            return [str(t) for t in listed if isinstance(t, str)]
    return []


def body(
    bodies: BodyBuilder,
    document: dict[str, Any],
    operation: dict[str, Any],
    params: list[tuple[dict[str, Any], str]],
    headers: list[KeyValue],
) -> Body:
    """The example body of a Swagger 2.0 operation."""
    consumes = media_types(operation, document, "consumes")
    for param, where in params:
        if param.get("in") == "body":
            media_type = choose_media_type(consumes) if consumes else JSON_TYPE
            if media_type.split(";", 1)[0].strip().lower() in (FORM_TYPE, MULTIPART_TYPE):
                media_type = JSON_TYPE  # a schema body is not a form; send it as JSON
            media = {"schema": param.get("schema")}
            if "x-example" in param:
                media["example"] = param["x-example"]
            return bodies.body(media_type, media, where, headers)
    form = [param for param, _where in params if param.get("in") == "formData"]
    if not form:
        return Body()
    multipart = MULTIPART_TYPE in [t.split(";", 1)[0].strip().lower() for t in consumes] or any(
        param.get("type") == "file" for param in form
    )
    first = next(where for param, where in params if param.get("in") == "formData")
    return bodies.form_parameters(form, multipart, first.rsplit(".", 1)[0])
