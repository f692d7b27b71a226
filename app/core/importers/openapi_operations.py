"""One OpenAPI / Swagger operation as one Courier request.

Named by ``summary`` (else ``operationId``, else ``METHOD path``), its
description in the notes, the URL ``{{baseUrl}}`` + the path with ``{id}``
written as Courier's ``{{id}}`` (a collection variable holds the example or
default), query parameters as params (required ones on, optional ones off),
header parameters as headers, cookie parameters as a Cookie header (noted),
an example body, and the operation's own ``security`` as its auth.
Parameters of the path item and of the operation are merged (the operation's
win, by name and place).
"""

from __future__ import annotations

import re
from typing import Any

from app.core.importers import swagger2
from app.core.importers.errors import MalformedImport
from app.core.importers.imported import ImportReport
from app.core.importers.json_doc import child, expect_list, expect_object, text_of
from app.core.importers.openapi_bodies import (
    BodyBuilder,
    choose_media_type,
    parameter_example,
    text_value,
)
from app.core.importers.openapi_refs import Refs
from app.core.importers.openapi_security import SecuritySchemes
from app.core.importers.openapi_servers import BASE_URL, server_urls
from app.core.importers.openapi_variables import CollectionVariables
from app.core.model import AuthKind, Body, KeyValue, Request

_PATH_TEMPLATE = re.compile(r"\{([^{}/]+)\}")
#: header parameters OpenAPI says to ignore (the body and auth set them)
_IGNORED_HEADERS = {"accept", "content-type", "authorization"}
#: OpenAPI 3 query styles and Swagger 2.0 collection formats -> the separator
_SEPARATORS = {
    "form": ",",
    "csv": ",",
    "spaceDelimited": " ",
    "ssv": " ",
    "tsv": "\t",
    "pipeDelimited": "|",
    "pipes": "|",
}


class OperationReader:
    """Requests for the operations of one description."""

    def __init__(
        self,
        document: dict[str, Any],
        refs: Refs,
        security: SecuritySchemes,
        report: ImportReport,
        variables: CollectionVariables,
    ) -> None:
        self.document = document
        self.swagger = "swagger" in document
        self.refs = refs
        self.security = security
        self.report = report
        self.variables = variables
        self.bodies = BodyBuilder(refs)

    def request(
        self, path: str, method: str, item: dict[str, Any], operation: dict[str, Any], where: str
    ) -> Request:
        summary = text_of(operation.get("summary"), child(where, "summary")).strip()
        operation_id = text_of(operation.get("operationId"), child(where, "operationId"))
        name = summary or operation_id or f"{method.upper()} {path}"
        request = Request(name=name.replace("\n", " "), method=method.upper())
        request.notes = self.notes(operation, where)
        request.url = self.base(item, operation, where) + self.path(path, where)
        params = self.parameters(item, operation, where)
        for param, here in params:
            self.parameter(param, here, request)
        self.accept(operation, request, where)
        request.body = self.body(operation, params, where, request)
        request.auth = self.security.auth_for(
            operation.get("security"), child(where, "security"), AuthKind.INHERIT
        )
        if isinstance(operation.get("callbacks"), dict) and operation["callbacks"]:
            self.report.note(
                f"{where} ({request.name})",
                "callbacks (requests the API sends back) are not imported",
            )
        return request

    def notes(self, operation: dict[str, Any], where: str) -> str:
        parts = []
        description = text_of(operation.get("description"), child(where, "description"))
        if description.strip():
            parts.append(description.strip())
        if operation.get("deprecated") is True:
            parts.append("Deprecated: the API description marks this operation deprecated.")
        docs = operation.get("externalDocs")
        if isinstance(docs, dict) and isinstance(docs.get("url"), str) and docs["url"]:
            label = docs.get("description")
            shown = label.strip() if isinstance(label, str) and label.strip() else "More"
            parts.append(f"{shown}: {docs['url']}")
        return "\n\n".join(parts)

    def base(self, item: dict[str, Any], operation: dict[str, Any], where: str) -> str:
        """``{{baseUrl}}``, or the server an operation or path item names for itself."""
        if self.swagger:
            return "{{" + BASE_URL + "}}"
        for owner, here in ((operation, where), (item, where.rsplit(".", 1)[0])):
            servers = owner.get("servers")
            if isinstance(servers, list) and servers:
                urls = server_urls(servers, child(here, "servers"), self.report)
                if urls:
                    self.refs.once(child(here, "servers"), f"uses its own server {urls[0][0]}")
                    return urls[0][0]
        return "{{" + BASE_URL + "}}"

    def path(self, path: str, where: str) -> str:
        """``/pets/{petId}`` -> ``/pets/{{petId}}`` (each name a collection variable)."""

        def variable(match: re.Match[str]) -> str:
            name = match.group(1).strip()
            self.variables.define(name)
            return "{{" + name + "}}"

        return _PATH_TEMPLATE.sub(variable, path)

    def parameters(
        self, item: dict[str, Any], operation: dict[str, Any], where: str
    ) -> list[tuple[dict[str, Any], str]]:
        """The path item's parameters and the operation's, merged by (name, in)."""
        merged: dict[tuple[str, str], tuple[dict[str, Any], str]] = {}
        path_where = where.rsplit(".", 1)[0]
        for owner, here in ((item, path_where), (operation, where)):
            raw = owner.get("parameters")
            if raw is None:
                continue
            listed = child(here, "parameters")
            for i, entry in enumerate(expect_list(raw, listed)):
                at = f"{listed}[{i}]"
                param = expect_object(self.refs.resolve(entry, at), at)
                if not param:  # an unresolvable $ref (noted)
                    continue
                name = text_of(param.get("name"), child(at, "name"))
                place = text_of(param.get("in"), child(at, "in"))
                if not name or not place:
                    raise MalformedImport('a parameter needs "name" and "in"', where=at)
                merged[(name, place)] = (param, at)
        return list(merged.values())

    def parameter(self, param: dict[str, Any], where: str, request: Request) -> None:
        name = str(param["name"])
        place = str(param["in"])
        required = param.get("required") is True
        value = parameter_example(param, self.refs, where)
        if place == "path":
            self.path_value(name, value, where)
        elif place == "query":
            request.params += self.query_rows(param, name, value, required)
        elif place == "header":
            if name.lower() in _IGNORED_HEADERS:
                if name.lower() == "authorization":
                    self.refs.once(where, "an Authorization header parameter: set the auth instead")
                return
            request.headers.append(KeyValue(name, text_value(value), required))
        elif place == "cookie":
            self.cookie(name, text_value(value), required, request, where)
        elif place in ("body", "formData"):
            return  # Swagger 2.0: the body (below)
        else:
            self.refs.once(where, f"a parameter in {place!r}, which OpenAPI does not have; ignored")

    def path_value(self, name: str, value: Any, where: str) -> None:
        """The path parameter's example as its collection variable's value (the first
        example met wins; a different one later is noted)."""
        text = text_value(",".join(map(text_value, value)) if isinstance(value, list) else value)
        variable = self.variables.define(name)
        if not variable.value:
            variable.value = text
        elif text and text != variable.value:
            self.refs.once(
                where,
                f"the example {text!r} for {{{{{name}}}}} differs from the collection "
                f"variable's {variable.value!r}, which is used",
            )

    def query_rows(
        self, param: dict[str, Any], name: str, value: Any, required: bool
    ) -> list[KeyValue]:
        if isinstance(value, list):
            if self.swagger:
                style = str(param.get("collectionFormat", "csv"))
                repeated = style == "multi"
            else:
                style = str(param.get("style", "form"))
                repeated = style == "form" and param.get("explode", True) is not False
            if repeated:
                rows = [KeyValue(name, text_value(v), required) for v in value]
                return rows or [KeyValue(name, "", required)]
            separator = _SEPARATORS.get(style, ",")
            return [KeyValue(name, separator.join(text_value(v) for v in value), required)]
        return [KeyValue(name, text_value(value), required)]

    def cookie(self, name: str, value: str, required: bool, request: Request, where: str) -> None:
        self.refs.once(where, f"the cookie parameter {name!r} is sent as a Cookie header")
        pair = f"{name}={value}"
        for header in request.headers:
            if header.name == "Cookie":
                header.value += "; " + pair
                header.enabled = header.enabled or required
                return
        request.headers.append(KeyValue("Cookie", pair, required))

    def accept(self, operation: dict[str, Any], request: Request, where: str) -> None:
        """An Accept header naming what a successful response is (JSON when offered)."""
        if self.swagger:
            types = swagger2.media_types(operation, self.document, "produces")
        else:
            types = []
            responses = operation.get("responses")
            if isinstance(responses, dict):
                for code, raw in responses.items():
                    if str(code).startswith("2") or str(code) in ("default", "2XX"):
                        response = self.refs.resolve(
                            raw, child(child(where, "responses"), str(code))
                        )
                        content = response.get("content") if isinstance(response, dict) else None
                        if isinstance(content, dict) and content:
                            types = [str(t) for t in content]
                            break
        if types:
            request.headers.insert(0, KeyValue("Accept", choose_media_type(types)))

    def body(
        self,
        operation: dict[str, Any],
        params: list[tuple[dict[str, Any], str]],
        where: str,
        request: Request,
    ) -> Body:
        if self.swagger:
            return swagger2.body(self.bodies, self.document, operation, params, request.headers)
        raw = operation.get("requestBody")
        if raw is None:
            return Body()
        here = child(where, "requestBody")
        request_body = expect_object(self.refs.resolve(raw, here), here)
        content = request_body.get("content")
        if not isinstance(content, dict) or not content:
            return Body()
        types = [str(t) for t in content]
        chosen = choose_media_type(types)
        at = child(child(here, "content"), chosen)
        media = content[chosen]
        media = expect_object({} if media is None else media, at)
        return self.bodies.body(chosen, media, at, request.headers)
