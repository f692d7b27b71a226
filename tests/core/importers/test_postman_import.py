"""Postman collections (v2.0, v2.1) and environments as a user's exports give them:
every level of folders, auth, variables and body modes lands in Courier's model;
what cannot is in the report; a malformed file says where, by JSON path."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.core.importers import MalformedImport, parse_postman, parse_postman_environment
from app.core.model import AuthKind, BodyKind, Collection, KeyValue, PartKind, Request

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "postman"
SHOP = FIXTURES / "shop.postman_collection.json"
ECHO = FIXTURES / "echo.postman_collection_v2.0.json"
ENV = FIXTURES / "shop.postman_environment.json"


def by_name(collection: Collection) -> dict[str, Request]:
    return {request.name: request for _chain, request in collection.iter_requests()}


def test_v21_collection_imports_every_request_in_its_folders() -> None:
    imported = parse_postman(SHOP.read_text())
    collection = imported.collection
    assert imported.report.source == "Postman collection v2.1"
    assert (imported.report.requests, imported.report.folders) == (15, 4)
    assert collection.name == "Shop API"
    assert [f.name for f in collection.folders] == ["Products", "Orders", "Payments"]
    products = collection.folders[0]
    assert [r.name for r in products.requests] == [
        "List products",
        "Create product",
        "Replace product (XML)",
    ]
    assert [f.name for f in products.folders] == ["Admin"]
    assert [r.name for r in products.folders[0].requests] == [
        "Upload image",
        "Bulk import (binary)",
        "Public stats",
    ]
    assert [r.name for r in collection.requests] == ["Health", "GraphQL products", "Get customer"]


def test_v21_auth_at_every_level() -> None:
    collection = parse_postman(SHOP.read_text()).collection
    assert (collection.auth.kind, collection.auth.token) == (AuthKind.BEARER, "{{token}}")
    admin = collection.folders[0].folders[0]
    assert (admin.auth.kind, admin.auth.username, admin.auth.password) == (
        AuthKind.BASIC,
        "admin",
        "s3cret-admin",
    )
    orders = collection.folders[1]
    assert orders.auth.kind is AuthKind.API_KEY
    assert (orders.auth.key_name, orders.auth.key_value, orders.auth.key_in) == (
        "X-Api-Key",
        "{{ordersKey}}",
        "header",
    )
    assert collection.folders[2].auth.kind is AuthKind.INHERIT  # no auth: inherits
    requests = by_name(collection)
    assert requests["Health"].auth.kind is AuthKind.INHERIT
    assert requests["Public stats"].auth.kind is AuthKind.NONE
    query_key = requests["Order by query key"].auth
    assert (query_key.key_name, query_key.key_value, query_key.key_in) == (
        "api_key",
        "q-key-123",
        "query",
    )
    digest = requests["Cancel order"].auth
    assert (digest.kind, digest.username, digest.password) == (AuthKind.DIGEST, "ops", "digest-pw")
    oauth = requests["Token (OAuth 2.0)"].auth
    assert oauth.kind is AuthKind.OAUTH2
    assert (oauth.grant, oauth.token_url, oauth.client_id, oauth.client_secret, oauth.scope) == (
        "client_credentials",
        "https://auth.example.com/oauth/token",
        "shop-client",
        "cs-very-secret",
        "payments:write",
    )
    aws = requests["Signed call (AWS)"].auth
    assert (aws.kind, aws.access_key, aws.secret_key, aws.region, aws.service) == (
        AuthKind.AWS_SIGV4,
        "AKIAEXAMPLE",
        "aws-secret",
        "eu-west-1",
        "execute-api",
    )
    assert requests["Legacy (OAuth 1.0)"].auth.kind is AuthKind.NONE


def test_v21_every_body_mode() -> None:
    requests = by_name(parse_postman(SHOP.read_text()).collection)
    create = requests["Create product"].body
    assert (create.kind, json.loads(create.text)) == (BodyKind.JSON, {"name": "Mug", "price": 9.5})
    xml = requests["Replace product (XML)"].body
    assert (xml.kind, xml.content_type, xml.text) == (
        BodyKind.RAW,
        "application/xml",
        "<product><name>Mug</name></product>",
    )
    text = requests["Token (OAuth 2.0)"].body
    assert (text.kind, text.content_type, text.text) == (BodyKind.RAW, "text/plain", "amount=10")
    form = requests["Search orders"].body
    assert form.kind is BodyKind.FORM
    assert form.form == [
        KeyValue("status", "open"),
        KeyValue("customer", "{{customerId}}"),
        KeyValue("limit", "10", enabled=False),
    ]
    upload = requests["Upload image"].body
    assert upload.kind is BodyKind.MULTIPART
    assert [(p.name, p.kind, p.value, p.content_type, p.enabled) for p in upload.parts] == [
        ("title", PartKind.TEXT, "Front", "", True),
        ("image", PartKind.FILE, "/home/me/mug.png", "image/png", True),
        ("draft", PartKind.TEXT, "true", "", False),
    ]
    binary = requests["Bulk import (binary)"].body
    assert (binary.kind, binary.path) == (BodyKind.FILE, "/home/me/products.csv")
    graphql = requests["GraphQL products"].body
    assert graphql.kind is BodyKind.JSON
    assert json.loads(graphql.text) == {
        "query": "query Products($first: Int) {\n  products(first: $first) { id name }\n}",
        "variables": {"first": 5},
    }
    assert requests["Health"].body.kind is BodyKind.NONE


def test_v21_urls_headers_variables_notes_and_scripts() -> None:
    imported = parse_postman(SHOP.read_text())
    collection = imported.collection
    requests = by_name(collection)
    listing = requests["List products"]
    assert listing.url == "{{baseUrl}}/products"
    assert listing.params == [
        KeyValue("page", "1"),
        KeyValue("per_page", "50"),
        KeyValue("sort", "price", enabled=False),
    ]
    assert listing.headers == [
        KeyValue("Accept", "application/json"),
        KeyValue("X-Debug", "1", enabled=False),
    ]
    assert listing.notes.startswith("Pages of 50 by default.\n\n--- Postman test script")
    assert "pm.response.to.have.status(200);" in listing.notes
    assert requests["Get customer"].url == "{{baseUrl}}/customers/c_123"
    assert [(v.name, v.value) for v in collection.variables] == [
        ("baseUrl", "https://shop.example.com/api"),
        ("customerId", "c_123"),
        ("ordersKey", "ok-123"),
    ]
    assert collection.notes.startswith("The shop's public API.")
    assert "pm.request.headers.add" in collection.notes
    admin = collection.folders[0].folders[0]
    assert "console.log('admin call');" in admin.notes
    cancel = requests["Cancel order"].settings
    assert (cancel.follow_redirects, cancel.verify_tls) == (False, False)
    report = "\n".join(imported.report.lines())
    assert "oauth1 auth, which Courier does not have" in report
    assert "(List products): 1 saved response(s)" in report
    assert "GraphQL body became a JSON body" in report
    assert "path variables :customerId written into the URL" in report


def test_v20_collection_imports_with_its_older_shapes() -> None:
    imported = parse_postman(ECHO.read_text())
    collection = imported.collection
    assert imported.report.source == "Postman collection v2.0"
    assert (imported.report.requests, imported.report.folders) == (6, 2)
    assert (collection.auth.kind, collection.auth.username, collection.auth.password) == (
        AuthKind.BASIC,
        "postman",
        "password",
    )
    requests = by_name(collection)
    get = requests["GET Request"]
    assert (get.url, get.params) == ("https://postman-echo.com/get", [KeyValue("test", "123")])
    assert get.notes == "The HTTP `GET` request method is meant to retrieve data."
    digest = requests["DigestAuth Success"]
    assert (digest.auth.kind, digest.auth.username) == (AuthKind.DIGEST, "postman")
    assert digest.headers == [KeyValue("Accept", "application/json"), KeyValue("X-Trace", "on")]
    assert requests["Bearer"].url == "https://postman-echo.com/headers"
    assert requests["Bearer"].auth.token == "{{bearer}}"
    assert requests["Just a URL"].url == "https://postman-echo.com/ip"
    raw = requests["POST Raw Text"].body
    assert (raw.kind, raw.content_type) == (BodyKind.RAW, "text/plain")
    assert requests["POST Form Data"].body.form == [
        KeyValue("strange", "boom"),
        KeyValue("foo", "bar"),
    ]


def test_environment_file_gives_its_values_and_marks_secrets() -> None:
    imported = parse_postman_environment(ENV.read_text())
    (environment,) = imported.environments
    assert environment.name == "Shop dev"
    assert [(v.name, v.value, v.enabled, v.secret) for v in environment.variables] == [
        ("baseUrl", "http://127.0.0.1:8000/api", True, False),
        ("token", "dev-token-7f3a", True, True),
        ("debug", "1", False, False),
        ("retries", "3", True, False),
    ]


@pytest.mark.parametrize(
    ("text", "where"),
    [
        (
            '{"info": {"name": "x", "schema": "https://example.com/other.json"}, "item": []}',
            "info.schema",
        ),
        ('{"item": []}', "info"),
        ("[1, 2]", "$"),
    ],
)
def test_wrong_shape_says_where_by_json_path(text: str, where: str) -> None:
    with pytest.raises(MalformedImport) as caught:
        parse_postman(text)
    assert caught.value.where == where
    assert caught.value.line == 0


def test_a_bad_value_deep_inside_names_its_json_path() -> None:
    data = json.loads(SHOP.read_text())
    data["item"][1]["item"][3]["item"][0]["request"]["url"] = 42
    with pytest.raises(MalformedImport) as caught:
        parse_postman(json.dumps(data))
    assert caught.value.where == "item[1].item[3].item[0].request.url"
    assert str(caught.value).startswith("item[1].item[3].item[0].request.url: expected an object")


def test_invalid_json_says_line_and_column() -> None:
    text = SHOP.read_text().replace('"name": "Health",', '"name": "Health"', 1)
    with pytest.raises(MalformedImport) as caught:
        parse_postman(text)
    line = next(i for i, t in enumerate(text.splitlines(), 1) if '"name": "Health"' in t) + 1
    assert (caught.value.line, caught.value.location) == (line, f"{line}:{caught.value.column}")
    assert "not valid JSON" in caught.value.reason


def test_an_environment_is_not_a_collection() -> None:
    with pytest.raises(MalformedImport) as caught:
        parse_postman(ENV.read_text())
    assert caught.value.where == "info"
    with pytest.raises(MalformedImport) as caught:
        parse_postman_environment(SHOP.read_text())
    assert caught.value.where == "values"


def test_saved_responses_that_are_not_a_list_say_where() -> None:
    data = json.loads(SHOP.read_text())
    data["item"][1]["item"][2]["response"] = True  # found by the fuzz test: was a TypeError
    with pytest.raises(MalformedImport) as caught:
        parse_postman(json.dumps(data))
    assert caught.value.where == "item[1].item[2].response"


def test_a_large_collection_parses_in_memory_bounded_by_its_size() -> None:
    import tracemalloc

    data = json.loads(SHOP.read_text())
    folder = data["item"][1]
    data["item"] = [copy_of(folder) for _ in range(250)]  # 250 x 6 requests
    text = json.dumps(data, indent="\t")
    tracemalloc.start()
    try:
        imported = parse_postman(text)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert imported.report.requests == 1500
    assert peak < 8 * len(text.encode()), (peak, len(text))


def copy_of(value: object) -> object:
    return json.loads(json.dumps(value))


def test_url_object_without_raw_and_secret_collection_variables() -> None:
    document = {
        "info": {"name": "Parts", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
        "variable": [{"key": "apiKey", "value": "k-1", "type": "secret"}],
        "item": [
            {
                "name": "Built from parts",
                "request": {
                    "method": "get",
                    "url": {
                        "protocol": "http",
                        "host": ["localhost"],
                        "port": "8080",
                        "path": ["v1", {"type": "string", "value": "items"}],
                        "query": [{"key": "q", "value": "a b"}, {"key": None, "value": None}],
                    },
                },
            }
        ],
    }  # fmt: skip
    collection = parse_postman(json.dumps(document)).collection
    (request,) = collection.requests
    assert (request.method, request.url) == ("GET", "http://localhost:8080/v1/items")
    assert request.params == [KeyValue("q", "a b")]
    (variable,) = collection.variables
    assert (variable.name, variable.value, variable.secret) == ("apiKey", "k-1", True)
