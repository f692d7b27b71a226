"""Details of OpenAPI and Swagger descriptions met in the wild: YAML's numbers and dates,
parameters described by content, servers without a host, every kind of security
scheme, and what Courier cannot run, noted."""

from __future__ import annotations

import json
from typing import Any

from app.core.importers import parse_openapi
from app.core.model import AuthKind, BodyKind, KeyValue


def spec(paths: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"openapi": "3.0.3", "info": {"title": "T", "version": "1"}, "paths": paths, **extra}


def test_numeric_yaml_keys_and_dates_are_read_as_text() -> None:
    text = """
swagger: '2.0'
info: {title: T, version: 1.0}
host: api.example
paths:
  /d:
    post:
      consumes: [application/json]
      produces: [application/json]
      parameters:
        - {in: query, name: since, required: true, type: string, default: 2020-01-02}
        - in: body
          name: body
          schema:
            type: object
            properties:
              when: {type: string, example: 2021-03-04}
      responses:
        200: {description: ok}
"""
    (request,) = parse_openapi(text).collection.requests
    assert request.params[0].value == "2020-01-02"
    assert json.loads(request.body.text) == {"when": "2021-03-04"}
    assert request.url == "{{baseUrl}}/d"


def test_parameters_described_by_content_and_operation_docs() -> None:
    schema = {"type": "object", "properties": {"n": {"type": "integer", "example": 3}}}
    parameter = {
        "name": "filter",
        "in": "query",
        "required": True,
        "content": {"application/json": {"schema": schema}},
    }
    operation = {
        "parameters": [parameter],
        "externalDocs": {"url": "https://docs.example/filter", "description": "Filter syntax"},
    }
    (request,) = parse_openapi(json.dumps(spec({"/f": {"get": operation}}))).collection.requests
    assert request.name == "GET /f"
    assert request.params[0].name == "filter"
    assert json.loads(request.params[0].value) == {"n": 3}
    assert request.notes == "Filter syntax: https://docs.example/filter"


def test_swagger_without_host_or_schemes_notes_the_relative_base() -> None:
    document = {
        "swagger": "2.0",
        "info": {"title": "T", "version": "1"},
        "basePath": "/api/",
        "paths": {"/a": {"get": {"responses": {"200": {"description": "ok"}}}}},
    }
    imported = parse_openapi(json.dumps(document))
    variables = {v.name: v.value for v in imported.collection.variables}
    assert variables["baseUrl"] == "/api"
    assert imported.report.notes == [
        "host: the server URL /api is relative to where the description is served: "
        "set baseUrl to the API's address"
    ]
    assert imported.collection.requests[0].url == "{{baseUrl}}/a"


def test_no_servers_leaves_base_url_to_fill_in() -> None:
    imported = parse_openapi(json.dumps(spec({"/a": {"get": {}}})))
    assert [(v.name, v.value) for v in imported.collection.variables] == [("baseUrl", "")]
    assert imported.report.notes == ["servers: no servers: set baseUrl to the API's address"]


TOKEN_URL = "https://a.example/token"


def test_every_kind_of_security_scheme() -> None:
    schemes = {
        "digest": {"type": "http", "scheme": "digest"},
        "cookieKey": {"type": "apiKey", "in": "cookie", "name": "sid"},
        "password": {
            "type": "oauth2",
            "flows": {"password": {"tokenUrl": TOKEN_URL, "scopes": {"r": "", "w": ""}}},
        },
        "code": {
            "type": "oauth2",
            "flows": {
                "authorizationCode": {
                    "authorizationUrl": "https://a.example/authorize",
                    "tokenUrl": "https://a.example/token",
                    "scopes": {},
                }
            },
        },
        "oidc": {"type": "openIdConnect", "openIdConnectUrl": "https://a.example/.well-known/openid-configuration"},
        "hoba": {"type": "http", "scheme": "hoba"},
        "tls": {"type": "mutualTLS"},
    }  # fmt: skip
    paths = {f"/{name}": {"get": {"summary": name, "security": [{name: []}]}} for name in schemes}
    paths["/both"] = {"get": {"summary": "both", "security": [{"digest": [], "cookieKey": []}]}}
    paths["/optional"] = {"get": {"summary": "optional", "security": [{}, {"tls": []}]}}
    imported = parse_openapi(
        json.dumps(spec(paths, components={"securitySchemes": schemes}, security=[{"code": ["x"]}]))
    )
    collection = imported.collection
    requests = {r.name: r.auth for _c, r in collection.iter_requests()}
    assert (collection.auth.kind, collection.auth.grant, collection.auth.scope) == (
        AuthKind.OAUTH2,
        "authorization_code",
        "x",
    )
    assert collection.auth.auth_url == "https://a.example/authorize"
    assert requests["digest"].kind is AuthKind.DIGEST
    cookie = requests["cookieKey"]
    assert (cookie.kind, cookie.key_name, cookie.key_value, cookie.key_in) == (
        AuthKind.API_KEY,
        "Cookie",
        "sid={{cookieKey}}",
        "header",
    )
    password = requests["password"]
    assert (password.grant, password.scope, password.username, password.password) == (
        "password",
        "r w",
        "{{password_username}}",
        "{{password_password}}",
    )
    assert (requests["oidc"].kind, requests["oidc"].scope) == (AuthKind.OAUTH2, "openid")
    assert requests["hoba"].kind is AuthKind.NONE
    assert requests["tls"].kind is AuthKind.NONE
    assert requests["both"].kind is AuthKind.DIGEST
    assert requests["optional"].kind is AuthKind.NONE
    notes = "\n".join(imported.report.notes)
    assert "the HTTP hoba scheme: Courier has no such auth" in notes
    assert "the mutualTLS security scheme: Courier has no such auth" in notes
    assert "needs digest and cookieKey together" in notes
    assert "does not read the discovery document https://a.example/.well-known/" in notes


def test_xml_and_text_bodies_and_a_path_example_that_differs() -> None:
    xml = {"application/xml": {"example": "<pet><name>Rex</name></pet>"}}
    csv = {"text/csv": {"schema": {"type": "string"}}}

    def id_example(n: int) -> list[dict[str, Any]]:
        return [{"name": "id", "in": "path", "required": True, "example": n}]

    paths = {
        "/pets/{id}": {
            "put": {"parameters": id_example(1), "requestBody": {"content": xml}},
            "post": {"parameters": id_example(2), "requestBody": {"content": csv}},
        }
    }
    imported = parse_openapi(json.dumps(spec(paths)))
    put, post = imported.collection.requests
    assert (put.body.kind, put.body.text, put.body.content_type) == (
        BodyKind.RAW,
        "<pet><name>Rex</name></pet>",
        "application/xml",
    )
    assert (post.body.kind, post.body.text, post.body.content_type) == (
        BodyKind.RAW,
        "",
        "text/csv",
    )
    assert [(v.name, v.value) for v in imported.collection.variables] == [
        ("baseUrl", ""),
        ("id", "1"),
    ]
    notes = "\n".join(imported.report.notes)
    assert "the example '2' for {{id}} differs from the collection variable's '1'" in notes
    assert "no text/csv example in the description" in notes


def test_swagger_query_collection_formats() -> None:
    def array(name: str, default: list[Any], **more: Any) -> dict[str, Any]:
        return {"name": name, "in": "query", "type": "array", "default": default, **more}

    parameters = [
        array("csv", ["a", "b"]),
        array("pipes", ["a", "b"], collectionFormat="pipes"),
        array("multi", [1, 2], collectionFormat="multi", required=True),
    ]
    document = {
        "swagger": "2.0",
        "info": {"title": "T", "version": "1"},
        "host": "api.example",
        "schemes": ["http"],
        "paths": {"/q": {"get": {"parameters": parameters, "responses": {}}}},
    }
    (request,) = parse_openapi(json.dumps(document)).collection.requests
    assert request.params == [
        KeyValue("csv", "a,b", False),
        KeyValue("pipes", "a|b", False),
        KeyValue("multi", "1", True),
        KeyValue("multi", "2", True),
    ]
