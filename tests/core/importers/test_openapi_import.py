"""OpenAPI 3.0 / 3.1 and Swagger 2.0 descriptions as people publish them: one request per
operation in a folder per tag, example parameters and bodies, servers as ``baseUrl``,
security schemes as auth, and a report of what was not imported."""

from __future__ import annotations

import json
from pathlib import Path

from app.core.importers import parse_openapi
from app.core.inherit import resolve
from app.core.model import AuthKind, BodyKind, Collection, KeyValue, PartKind, Request

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "openapi"
PETSTORE3 = FIXTURES / "petstore3.openapi.json"
SWAGGER2 = FIXTURES / "petstore.swagger2.json"
LIBRARY = FIXTURES / "library.openapi31.yaml"


def by_name(collection: Collection) -> dict[str, Request]:
    return {request.name: request for _chain, request in collection.iter_requests()}


def counts(collection: Collection) -> dict[str, int]:
    out = {folder.name: len(folder.requests) for folder in collection.folders}
    out[""] = len(collection.requests)
    return out


def test_petstore3_one_request_per_operation_in_tag_folders() -> None:
    imported = parse_openapi(PETSTORE3.read_bytes())
    collection = imported.collection
    assert imported.report.source == "OpenAPI 3.0.4"
    assert (imported.report.requests, imported.report.folders) == (19, 3)
    assert collection.name == "Swagger Petstore - OpenAPI 3.0"
    assert counts(collection) == {"pet": 8, "store": 4, "user": 7, "": 0}
    assert collection.folders[0].notes == "Everything about your Pets"
    assert collection.notes.endswith("API version 1.0.27")
    assert [r.name for r in collection.folders[1].requests] == [
        "Returns pet inventories by status.",
        "Place an order for a pet.",
        "Find purchase order by ID.",
        "Delete purchase order by identifier.",
    ]


def test_petstore3_urls_parameters_and_base_url() -> None:
    imported = parse_openapi(PETSTORE3.read_bytes())
    collection = imported.collection
    requests = by_name(collection)
    variables = {v.name: v.value for v in collection.variables}
    assert variables["baseUrl"] == "/api/v3"
    assert any("/api/v3 is relative" in line for line in imported.report.notes)
    by_id = requests["Find pet by ID."]
    assert (by_id.method, by_id.url) == ("GET", "{{baseUrl}}/pet/{{petId}}")
    assert by_id.notes == "Returns a single pet."
    assert "petId" in variables
    status = requests["Finds Pets by status."]
    assert status.params == [KeyValue("status", "available", True)]
    login = requests["Logs user into the system."]
    assert login.params == [KeyValue("username", "", False), KeyValue("password", "", False)]
    delete = requests["Deletes a pet."]
    assert delete.headers == [KeyValue("api_key", "", False)]
    assert requests["Get user by user name."].headers == [KeyValue("Accept", "application/json")]


def test_petstore3_example_bodies_from_schemas() -> None:
    requests = by_name(parse_openapi(PETSTORE3.read_bytes()).collection)
    add = requests["Add a new pet to the store."]
    assert add.body.kind is BodyKind.JSON
    assert json.loads(add.body.text) == {
        "id": 10,
        "name": "doggie",
        "category": {"id": 1, "name": "Dogs"},
        "photoUrls": ["string"],
        "tags": [{"id": 0, "name": "string"}],
        "status": "available",
    }
    order = json.loads(requests["Place an order for a pet."].body.text)
    assert order["shipDate"] == "2024-01-01T00:00:00Z"
    assert order["status"] == "approved"
    users = json.loads(requests["Creates list of users with given input array."].body.text)
    assert [user["username"] for user in users] == ["theUser"]
    upload = requests["Uploads an image."]
    assert (upload.body.kind, upload.body.path) == (BodyKind.FILE, "")
    assert upload.body.content_type == "application/octet-stream"


def test_petstore3_security_api_key_and_unsupported_implicit_flow() -> None:
    imported = parse_openapi(PETSTORE3.read_bytes())
    collection = imported.collection
    requests = by_name(collection)
    assert collection.auth.kind is AuthKind.NONE
    by_id = requests["Find pet by ID."].auth
    assert (by_id.kind, by_id.key_name, by_id.key_in) == (AuthKind.API_KEY, "api_key", "header")
    assert by_id.key_value == "{{api_key}}"
    api_key = next(v for v in collection.variables if v.name == "api_key")
    assert (api_key.secret, api_key.value) == (True, "")
    # petstore_auth is OAuth 2.0 implicit only: Courier cannot run it, and says so
    assert requests["Add a new pet to the store."].auth.kind is AuthKind.NONE
    assert any("implicit flow" in line for line in imported.report.notes)
    assert requests["Place an order for a pet."].auth.kind is AuthKind.INHERIT


def test_swagger2_petstore() -> None:
    imported = parse_openapi(SWAGGER2.read_bytes())
    collection = imported.collection
    assert imported.report.source == "Swagger 2.0"
    assert counts(collection) == {"pet": 8, "store": 4, "user": 8, "": 0}
    variables = {v.name: v.value for v in collection.variables}
    assert variables["baseUrl"] == "https://petstore.swagger.io/v2"
    assert [(e.name, e.variables[0].value) for e in imported.environments] == [
        ("HTTPS", "https://petstore.swagger.io/v2"),
        ("HTTP", "http://petstore.swagger.io/v2"),
    ]
    requests = by_name(collection)
    add = requests["Add a new pet to the store"]
    assert (add.method, add.url, add.body.kind) == ("POST", "{{baseUrl}}/pet", BodyKind.JSON)
    assert json.loads(add.body.text)["name"] == "doggie"
    form = requests["Updates a pet in the store with form data"]
    assert form.body.kind is BodyKind.FORM
    assert form.body.form == [KeyValue("name", "", False), KeyValue("status", "", False)]
    upload = requests["uploads an image"]
    assert upload.body.kind is BodyKind.MULTIPART
    assert [(p.name, p.kind) for p in upload.body.parts] == [
        ("additionalMetadata", PartKind.TEXT),
        ("file", PartKind.FILE),
    ]
    assert requests["Finds Pets by status"].params == [KeyValue("status", "available", True)]
    assert "Deprecated" in requests["Finds Pets by tags"].notes
    login = requests["Logs user into the system"]
    assert login.params == [KeyValue("username", "", True), KeyValue("password", "", True)]
    inventory = requests["Returns pet inventories by status"].auth
    assert (inventory.kind, inventory.key_name) == (AuthKind.API_KEY, "api_key")


def test_openapi31_servers_become_environments_and_variables_defaults() -> None:
    imported = parse_openapi(LIBRARY.read_bytes())
    assert imported.report.source == "OpenAPI 3.1.0"
    assert (imported.report.requests, imported.report.folders) == (10, 3)
    assert counts(imported.collection) == {"books": 5, "loans": 2, "members": 2, "": 1}
    assert [(e.name, e.variables[0].value) for e in imported.environments] == [
        ("Production", "https://eu.library.example/v2"),
        ("Staging", "https://staging.library.example/v2"),
        ("Local", "http://localhost:8080/v2"),
    ]
    variables = {v.name: v.value for v in imported.collection.variables}
    assert variables["baseUrl"] == "https://eu.library.example/v2"
    assert (variables["isbn"], variables["loanId"], variables["memberId"]) == (
        "978-0441172719",
        "7",
        "42",
    )
    health = imported.collection.requests[0]
    assert (health.name, health.url) == ("health", "https://status.library.example/health")
    assert health.auth.kind is AuthKind.NONE


def test_openapi31_parameters_merged_and_styled() -> None:
    requests = by_name(parse_openapi(LIBRARY.read_bytes()).collection)
    search = requests["Search the catalogue"]
    assert search.params == [
        KeyValue("limit", "20", False),
        KeyValue("q", "dune", True),
        KeyValue("genre", "fiction", False),
        KeyValue("genre", "poetry", False),
        KeyValue("fields", "title,isbn", False),
    ]
    assert search.headers == [
        KeyValue("Accept", "application/json"),
        KeyValue("X-Request-Id", "0d7ad1bf-7a3f-4d9e-9a4e-5f0e7f0b2d4c", True),
        KeyValue("Cookie", "session=abc123", False),
    ]
    assert search.auth.kind is AuthKind.NONE  # security: []
    # the operation's Accept-Language wins over the path item's
    assert requests["getBook"].headers[1:] == [KeyValue("Accept-Language", "fr", True)]
    assert requests["Change a book"].headers == [
        KeyValue("Accept-Language", "en", False),
        KeyValue("Content-Type", "application/merge-patch+json"),
    ]
    assert requests["Change a book"].notes.startswith("Deprecated")


def test_openapi31_bodies_examples_nulls_forms_and_files() -> None:
    requests = by_name(parse_openapi(LIBRARY.read_bytes()).collection)
    add = json.loads(requests["Add a book"].body.text)
    assert add == {
        "title": "Dune",
        "isbn": "978-0441172719",
        "subtitle": None,
        "authors": [{"name": "Frank Herbert"}],
    }
    patch = json.loads(requests["Change a book"].body.text)
    assert patch["subtitle"] == "string"  # type: [string, "null"]
    assert patch["authors"] == [
        {"name": "string", "email": "user@example.com", "born": "2024-01-01"}
    ]
    cover = requests["Upload a cover"].body
    assert cover.kind is BodyKind.MULTIPART
    assert [(p.name, p.value, p.kind, p.content_type) for p in cover.parts] == [
        ("image", "", PartKind.FILE, "image/png"),
        ("caption", "Front cover", PartKind.TEXT, ""),
        ("meta", '{"width": 1}', PartKind.TEXT, "application/json"),
    ]
    loan = requests["Lend a book"].body
    assert loan.kind is BodyKind.FORM
    assert loan.form == [
        KeyValue("member", "42"),
        KeyValue("isbn", "978-0441172719"),
        KeyValue("due", "2024-01-01"),
    ]


def test_openapi31_security_at_every_level() -> None:
    collection = parse_openapi(LIBRARY.read_bytes()).collection
    assert (collection.auth.kind, collection.auth.token) == (
        AuthKind.BEARER,
        "{{bearerAuth_token}}",
    )
    requests = by_name(collection)
    loan = requests["Lend a book"].auth
    assert (loan.kind, loan.key_name, loan.key_in) == (AuthKind.API_KEY, "key", "query")
    oauth = requests["Return a book"].auth
    assert (oauth.kind, oauth.grant, oauth.token_url, oauth.scope) == (
        AuthKind.OAUTH2,
        "client_credentials",
        "https://auth.library.example/token",
        "loans:write",
    )
    assert (oauth.client_id, oauth.client_secret) == (
        "{{oauth_client_id}}",
        "{{oauth_client_secret}}",
    )
    member = requests["Get a member"].auth
    assert (member.kind, member.username, member.password) == (
        AuthKind.BASIC,
        "{{basicAuth_username}}",
        "{{basicAuth_password}}",
    )
    assert requests["Add a book"].auth.kind is AuthKind.INHERIT
    secrets = {v.name for v in collection.variables if v.secret}
    assert secrets == {
        "bearerAuth_token",
        "apiKeyQuery",
        "oauth_client_secret",
        "basicAuth_password",
    }


def test_openapi31_report_notes_webhooks_callbacks_and_external_refs() -> None:
    imported = parse_openapi(LIBRARY.read_bytes())
    notes = "\n".join(imported.report.notes)
    assert "webhooks: 1 webhook(s) (loanOverdue)" in notes
    assert "paths./loans.post (Lend a book): callbacks" in notes
    assert (
        "paths./members/{memberId}.put.requestBody.content.application/json.schema: the "
        "reference members.yaml#/components/schemas/Member is outside this file; not fetched"
    ) in notes
    assert by_name(imported.collection)["Replace a member"].body.text == ""


def test_imported_request_resolves_to_what_is_sent() -> None:
    imported = parse_openapi(LIBRARY.read_bytes())
    collection = imported.collection
    local = imported.environments[2]
    requests = by_name(collection)
    sent = resolve(requests["getBook"], collection, local).request
    assert sent.url == "http://localhost:8080/v2/books/978-0441172719"
    patch = resolve(requests["Change a book"], collection, local).request
    assert ("Content-Type", "application/merge-patch+json") in patch.headers
    loan = resolve(requests["Lend a book"], collection, local).request
    assert ("Content-Type", "application/x-www-form-urlencoded") in loan.headers
    assert loan.content == b"member=42&isbn=978-0441172719&due=2024-01-01"
