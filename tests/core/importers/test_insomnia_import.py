"""Insomnia exports as a user's Insomnia gives them (format 4 in JSON and in YAML, and
v5 YAML): every level of folders, auth, environments and body modes lands in Courier's
model; what cannot is in the report; a malformed file says where."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.core.importers import Imported, MalformedImport, parse_insomnia
from app.core.model import AuthKind, BodyKind, Collection, KeyValue, PartKind, Request, Variable

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "insomnia"
V4_JSON = FIXTURES / "shop.insomnia_v4.json"
V4_YAML = FIXTURES / "shop.insomnia_v4.yaml"
V5_YAML = FIXTURES / "shop.insomnia_v5.yaml"
EXPORTS = pytest.mark.parametrize("export", [V4_JSON, V4_YAML, V5_YAML], ids=lambda p: p.name)


def by_name(collection: Collection) -> dict[str, Request]:
    return {request.name: request for _chain, request in collection.iter_requests()}


def parse(path: Path) -> Imported:
    return parse_insomnia(path.read_bytes())


@EXPORTS
def test_every_request_lands_in_its_folder_in_insomnias_order(export: Path) -> None:
    imported = parse(export)
    collection = imported.collection
    assert (imported.report.requests, imported.report.folders) == (19, 4)
    assert collection.name == "Shop API"
    assert collection.notes == "The shop's public API."
    assert [r.name for r in collection.requests] == ["Health", "GraphQL products", "Get customer"]
    assert [f.name for f in collection.folders] == ["Products", "Orders", "Payments"]
    products, orders, payments = collection.folders
    assert [r.name for r in products.requests] == [
        "List products",
        "Create product",
        "Replace product (XML)",
    ]
    (admin,) = products.folders
    assert [r.name for r in admin.requests] == [
        "Upload image",
        "Bulk import (binary)",
        "Public stats",
    ]
    assert [r.name for r in orders.requests] == [
        "Search orders",
        "Order by query key",
        "Order by cookie key",
        "Cancel order",
        "Order note (text)",
    ]
    assert [r.name for r in payments.requests] == [
        "Charge",
        "Signed call (AWS)",
        "Legacy (OAuth 1.0)",
        "Partner call (Token prefix)",
        "Intranet (NTLM)",
    ]


def test_the_three_formats_give_the_same_model() -> None:
    first, *others = (parse(path) for path in (V4_JSON, V4_YAML, V5_YAML))
    for other in others:
        other.collection.id = first.collection.id
        assert other.collection == first.collection
        assert other.environments == first.environments
    assert parse(V4_JSON).report.source == "Insomnia export v4"
    assert parse(V5_YAML).report.source == "Insomnia v5"


@EXPORTS
def test_urls_parameters_headers_and_templates(export: Path) -> None:
    requests = by_name(parse(export).collection)
    listing = requests["List products"]
    assert (listing.method, listing.url) == ("GET", "{{base_url}}/products")
    assert listing.params == [
        KeyValue("page", "1"),
        KeyValue("per_page", "{{page_size}}"),
        KeyValue("sort", "price", enabled=False),
    ]
    assert listing.headers == [
        KeyValue("Accept", "application/json"),
        KeyValue("X-Debug", "1", enabled=False),
    ]
    customer = requests["Get customer"]
    assert customer.url == "{{base_url}}/customers/{{customer_id}}"
    assert (
        requests["Cancel order"].method,
        requests["Cancel order"].settings.follow_redirects,
    ) == (
        "DELETE",
        False,
    )
    assert requests["Health"].settings.follow_redirects is None  # "global": inherit


@EXPORTS
def test_every_body_mode(export: Path) -> None:
    requests = by_name(parse(export).collection)
    create = requests["Create product"].body
    assert (create.kind, json.loads(create.text)) == (BodyKind.JSON, {"name": "Mug", "price": 9.5})
    xml = requests["Replace product (XML)"].body
    assert (xml.kind, xml.content_type, xml.text) == (
        BodyKind.RAW,
        "application/xml",
        "<product><name>Mug</name></product>",
    )
    form = requests["Search orders"].body
    assert form.kind is BodyKind.FORM
    assert form.form == [
        KeyValue("status", "open"),
        KeyValue("customer", "{{customer_id}}"),
        KeyValue("limit", "10", enabled=False),
    ]
    upload = requests["Upload image"].body
    assert upload.kind is BodyKind.MULTIPART
    assert [(p.name, p.kind, p.value, p.enabled) for p in upload.parts] == [
        ("title", PartKind.TEXT, "Front", True),
        ("image", PartKind.FILE, "/home/me/mug.png", True),
        ("draft", PartKind.TEXT, "true", False),
    ]
    binary = requests["Bulk import (binary)"].body
    assert (binary.kind, binary.path, binary.content_type) == (
        BodyKind.FILE,
        "/home/me/products.csv",
        "application/octet-stream",
    )
    graphql = requests["GraphQL products"].body
    assert graphql.kind is BodyKind.JSON
    assert json.loads(graphql.text) == {
        "query": "query Products($first: Int) {\n  products(first: $first) { id name }\n}",
        "variables": {"first": 5},
        "operationName": "Products",
    }
    note = requests["Order note (text)"].body
    assert (note.kind, note.content_type, note.text) == (
        BodyKind.RAW,
        "text/plain",
        "Leave at the door. Sent {% now 'iso-8601', '' %}",
    )
    assert requests["Health"].body.kind is BodyKind.NONE
    assert requests["Create product"].headers == [KeyValue("Content-Type", "application/json")]


@EXPORTS
def test_auth_at_every_level(export: Path) -> None:
    collection = parse(export).collection
    assert collection.auth.kind is AuthKind.NONE  # Insomnia workspaces have no auth
    products, orders, payments = collection.folders
    assert products.auth.kind is AuthKind.INHERIT
    admin = products.folders[0].auth
    assert (admin.kind, admin.username, admin.password) == (
        AuthKind.BASIC,
        "admin",
        "s3cret-admin",
    )
    assert (orders.auth.kind, orders.auth.key_name, orders.auth.key_value, orders.auth.key_in) == (
        AuthKind.API_KEY,
        "X-Api-Key",
        "{{orders_key}}",
        "header",
    )
    oauth = payments.auth
    assert (oauth.kind, oauth.grant, oauth.token_url, oauth.client_id, oauth.client_secret) == (
        AuthKind.OAUTH2,
        "client_credentials",
        "https://auth.example.com/oauth/token",
        "shop-client",
        "cs-very-secret",
    )
    assert oauth.scope == "payments:write"
    requests = by_name(collection)
    assert requests["Health"].auth.kind is AuthKind.INHERIT
    assert requests["Charge"].auth.kind is AuthKind.INHERIT
    assert requests["Public stats"].auth.kind is AuthKind.NONE
    bearer = requests["Get customer"].auth
    assert (bearer.kind, bearer.token) == (AuthKind.BEARER, "top-secret-bearer")
    query_key = requests["Order by query key"].auth
    assert (query_key.key_name, query_key.key_value, query_key.key_in) == (
        "api_key",
        "q-key-123",
        "query",
    )
    cookie_key = requests["Order by cookie key"].auth
    assert (cookie_key.kind, cookie_key.key_name, cookie_key.key_value, cookie_key.key_in) == (
        AuthKind.API_KEY,
        "Cookie",
        "session=cookie-key-456",
        "header",
    )
    digest = requests["Cancel order"].auth
    assert (digest.kind, digest.username, digest.password) == (AuthKind.DIGEST, "ops", "digest-pw")
    aws = requests["Signed call (AWS)"].auth
    assert (aws.kind, aws.access_key, aws.secret_key, aws.region, aws.service) == (
        AuthKind.AWS_SIGV4,
        "AKIAEXAMPLE",
        "aws-secret",
        "eu-west-1",
        "execute-api",
    )
    partner = requests["Partner call (Token prefix)"].auth  # sent as Insomnia sends it
    assert (partner.kind, partner.key_name, partner.key_value, partner.key_in) == (
        AuthKind.API_KEY,
        "Authorization",
        "Token {{partner_token}}",
        "header",
    )
    assert requests["Legacy (OAuth 1.0)"].auth.kind is AuthKind.NONE
    assert requests["Intranet (NTLM)"].auth.kind is AuthKind.NONE


@EXPORTS
def test_environments_variables_and_secrets(export: Path) -> None:
    imported = parse(export)
    collection = imported.collection
    assert [(v.name, v.value) for v in collection.variables] == [
        ("base_url", "https://shop.example.com/api"),
        ("customer_id", "c_123"),
        ("orders_key", "ok-123"),
        ("admin.user", "admin"),
        ("admin.id", "7"),
    ]
    assert collection.folders[0].variables == [Variable("page_size", "50")]
    assert collection.folders[0].headers == [KeyValue("X-Shop-Client", "courier-tests")]
    local, production = imported.environments
    assert local.name == "Local"
    assert [(v.name, v.value, v.secret) for v in local.variables] == [
        ("base_url", "http://127.0.0.1:8000/api", False),
        ("partner_token", "dev-partner", False),
    ]
    assert production.name == "Production"
    assert [(v.name, v.value, v.enabled, v.secret) for v in production.variables] == [
        ("base_url", "https://shop.example.com/api", True, False),
        ("partner_token", "prod-partner-9c1d", True, True),
        ("debug", "1", False, False),
    ]


@EXPORTS
def test_descriptions_and_scripts_become_notes(export: Path) -> None:
    collection = parse(export).collection
    listing = by_name(collection)["List products"]
    assert listing.notes.startswith(
        "Pages of 50 by default.\n\n"
        "--- Insomnia after-response script (kept as text; Courier does not run it) ---\n"
    )
    assert "insomnia.expect(insomnia.response.code).to.eql(200);" in listing.notes
    assert collection.folders[0].notes == "Everything on the shelves."
    admin = collection.folders[0].folders[0]
    assert admin.notes == (
        "--- Insomnia pre-request script (kept as text; Courier does not run it) ---\n"
        "console.log('admin call');"
    )


@EXPORTS
def test_the_report_says_what_was_kept_differently_and_what_was_not_imported(
    export: Path,
) -> None:
    report = "\n".join(parse(export).report.lines())
    assert "(List products): scripts kept as text in the notes" in report
    assert "the API key cookie 'session' is sent as a Cookie header" in report
    assert "(Order note (text)): Insomnia template tags or filters kept as text" in report
    assert "a bearer token with its own prefix became an Authorization API key header" in report
    assert "(GraphQL products): the GraphQL body became a JSON body" in report
    assert "(Get customer): path parameters :customerId written into the URL" in report
    assert "not imported: " in report
    assert "OAuth 1.0 auth, which Courier does not have" in report
    assert "NTLM auth, which Courier does not have" in report
    assert "1 cookie(s) (Courier keeps its own cookies)" in report
    assert "gRPC request" in report


def test_v4_reports_api_spec_and_unit_tests() -> None:
    report = "\n".join(parse(V4_JSON).report.lines())
    assert "not imported: resources[28]: an API spec: import it with --format openapi" in report
    assert "not imported: 1 unit test suite(s) (Courier has no tests)" in report
    assert "not imported: 1 unit test(s) (Courier has no tests)" in report
    assert "not imported: 1 gRPC request(s)" in report


def test_an_export_of_several_workspaces_keeps_each_as_a_top_level_folder() -> None:
    data = json.loads(V4_JSON.read_text())
    data["resources"] += [
        {"_id": "wrk_other", "parentId": None, "name": "Status page", "_type": "workspace"},
        {"_id": "env_other", "parentId": "wrk_other", "name": "Base Environment",
         "data": {"host": "https://status.example.com"}, "_type": "environment"},
        {"_id": "env_other_ci", "parentId": "env_other", "name": "CI",
         "data": {"host": "http://127.0.0.1:9000"}, "_type": "environment"},
        {"_id": "req_other", "parentId": "wrk_other", "name": "Status", "method": "GET",
         "url": "{{ _.host }}/status", "_type": "request"},
        {"_id": "wrk_empty", "parentId": None, "name": "Scratch", "_type": "workspace"},
    ]  # fmt: skip
    imported = parse_insomnia(json.dumps(data))
    collection = imported.collection
    assert collection.name == "Insomnia workspaces"
    assert [f.name for f in collection.folders] == ["Shop API", "Status page"]
    assert (imported.report.requests, imported.report.folders) == (20, 6)
    shop, status = collection.folders
    assert [f.name for f in shop.folders] == ["Products", "Orders", "Payments"]
    assert shop.notes == "The shop's public API."
    assert ("base_url", "https://shop.example.com/api") in [
        (v.name, v.value) for v in shop.variables
    ]
    assert status.variables == [Variable("host", "https://status.example.com")]
    assert [(r.name, r.url) for r in status.requests] == [("Status", "{{host}}/status")]
    assert [e.name for e in imported.environments] == [
        "Shop API / Local",
        "Shop API / Production",
        "Status page / CI",
    ]
    report = "\n".join(imported.report.lines())
    assert "note: 2 workspaces: one top-level folder each" in report
    assert "not imported: resources[36] (Scratch): a workspace without requests" in report


def test_requests_without_a_workspace_and_with_a_missing_parent_go_to_the_top() -> None:
    document = {
        "_type": "export",
        "__export_format": 4,
        "resources": [
            {"_id": "req_1", "parentId": "__WORKSPACE_ID__", "_type": "request", "name": "One",
             "method": "post", "url": "https://x.test/1?q=a%20b#frag",
             "body": {"text": "hello"}},
            {"_id": "fld_1", "parentId": "__WORKSPACE_ID__", "_type": "request_group", "name": "F",
             "authentication": {"type": "bearer", "token": "t", "disabled": True}},
            {"_id": "req_2", "parentId": "fld_1", "_type": "request", "name": "Two",
             "url": "{{ host }}/2", "authentication": [
                 {"type": "basic", "username": "u", "password": "p", "disabled": True},
                 {"type": "bearer", "token": "{{ _.tok }}"},
                 {"type": "digest", "username": "d"}]},
        ],
    }  # fmt: skip
    imported = parse_insomnia(json.dumps(document))
    collection = imported.collection
    assert collection.name == "Insomnia collection"
    (one,) = collection.requests
    assert (one.method, one.url, one.params) == ("POST", "https://x.test/1", [KeyValue("q", "a b")])
    assert (one.body.kind, one.body.text, one.body.content_type) == (BodyKind.RAW, "hello", "")
    (folder,) = collection.folders
    assert folder.auth.kind is AuthKind.NONE  # switched off in Insomnia: nothing sent
    (two,) = folder.requests
    assert (two.method, two.url, two.auth.kind, two.auth.token) == (
        "GET",
        "{{host}}/2",
        AuthKind.BEARER,
        "{{tok}}",
    )
    report = "\n".join(imported.report.lines())
    assert "bearer auth is switched off in Insomnia: none is sent" in report
    assert "resources[2] (Two): 1 more auth method(s) after the first" in report


def test_template_conversion_keeps_what_courier_cannot_run() -> None:
    document = {
        "type": "collection.insomnia.rest/5.0",
        "name": "T",
        "collection": [
            {"name": "R", "method": "GET", "meta": {"id": "req_1"},
             "url": "{{_.a}}/{{ b }}/{{ _.c | upper }}/{% uuid 'v4' %}/{{ _['d'] }}",
             "body": {"mimeType": "application/json", "text": "{\"a\": \"{{ _.a }}\"}"},
             "settings": {"renderRequestBody": False, "cookies": {"send": True, "store": True}},
             "headers": [{"name": "X-When", "value": "{% now 'millis', '' %}"},
                         {"name": "X-Key", "value": "{{ vault.api_key }}"}]},
        ],
    }  # fmt: skip
    import yaml

    imported = parse_insomnia(yaml.safe_dump(document))
    (request,) = imported.collection.requests
    assert request.url == "{{a}}/{{b}}/{{ _.c | upper }}/{% uuid 'v4' %}/{{ _['d'] }}"
    assert request.headers == [
        KeyValue("X-When", "{% now 'millis', '' %}"),
        KeyValue("X-Key", "{{api_key}}"),
    ]
    assert request.body.text == '{"a": "{{a}}"}'
    assert imported.report.notes == [
        "collection[0] (R): Insomnia template tags or filters kept as text "
        "(Courier does not run them)",
        "collection[0] (R): Insomnia sends this body without filling in its variables; "
        "Courier does",
    ]


def test_v5_global_environment_file_imports_its_environments() -> None:
    text = (
        "type: environment.insomnia.rest/5.0\n"
        "name: Globals\n"
        "meta:\n  id: wrk_g\n"
        "environments:\n"
        "  name: Base Environment\n"
        "  meta:\n    id: env_g\n"
        "  data:\n    region: eu\n"
        "    __insomnia_vault:\n      api_token: '••••••'\n"
        "  subEnvironments:\n"
        "    - name: Staging\n      meta:\n        id: env_s\n        sortKey: 2\n"
        "      data:\n        region: eu-staging\n"
    )
    imported = parse_insomnia(text)
    base, staging = imported.environments
    assert [(v.name, v.value, v.secret) for v in base.variables] == [
        ("region", "eu", False),
        ("api_token", "", True),
    ]
    assert staging.variables == [Variable("region", "eu-staging")]
    assert imported.report.not_imported == [
        "environments (Base Environment): the secret 'api_token' was masked in the export: "
        "enter it in Courier"
    ]


# ----------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("text", "where", "says"),
    [
        ("[1, 2]", "$", "not an Insomnia export: the file holds a list"),
        ('{"item": [], "info": {}}', "$", "it looks like a Postman collection"),
        ("openapi: 3.0.0\npaths: {}\n", "$", "it looks like an OpenAPI document"),
        ("name: x\n", "$", "neither _type: export (v4) nor type: collection.insomnia.rest/5.0"),
        ('{"_type": "export", "__export_format": 2}', "__export_format", "format 2"),
        ('{"_type": "export", "__export_format": 4}', "resources", "expected a list, found null"),
        ("type: mock.insomnia.rest/5.0\n", "type", "an Insomnia mock server, not a collection"),
        ("type: collection.insomnia.rest/5.0\ncollection: {}\n", "collection", "expected a list"),
    ],
)
def test_wrong_shape_or_not_insomnia_says_where(text: str, where: str, says: str) -> None:
    with pytest.raises(MalformedImport) as caught:
        parse_insomnia(text)
    assert caught.value.where == where
    assert says in str(caught.value)
    assert caught.value.line == 0


def test_a_bad_value_deep_inside_names_its_json_path() -> None:
    data = json.loads(V4_JSON.read_text())
    data["resources"][3 + 3]["body"] = "not a body"
    with pytest.raises(MalformedImport) as caught:
        parse_insomnia(json.dumps(data))
    assert str(caught.value) == "resources[6].body: expected an object, found a string"


def test_a_bad_value_deep_inside_a_v5_tree_names_its_path() -> None:
    import yaml

    data = yaml.safe_load(V5_YAML.read_text())
    data["collection"][3]["children"][3]["children"][0]["headers"] = [{"name": ["x"]}]
    with pytest.raises(MalformedImport) as caught:
        parse_insomnia(yaml.safe_dump(data))
    assert caught.value.where == "collection[3].children[3].children[0].headers[0].name"


def test_folders_inside_themselves_are_refused() -> None:
    document = {
        "_type": "export",
        "__export_format": 4,
        "resources": [
            {"_id": "wrk_1", "_type": "workspace", "name": "W"},
            {"_id": "fld_a", "parentId": "fld_b", "_type": "request_group", "name": "A"},
            {"_id": "fld_b", "parentId": "fld_a", "_type": "request_group", "name": "B"},
        ],
    }
    with pytest.raises(MalformedImport) as caught:
        parse_insomnia(json.dumps(document))
    assert caught.value.where == "resources[1].parentId"
    assert "inside itself" in caught.value.reason


def test_invalid_json_says_line_and_column() -> None:
    text = V4_JSON.read_text().replace('"name": "Health",', '"name": "Health"', 1)
    with pytest.raises(MalformedImport) as caught:
        parse_insomnia(text)
    line = next(i for i, t in enumerate(text.splitlines(), 1) if '"name": "Health"' in t) + 1
    assert caught.value.line == line
    assert "not valid JSON" in caught.value.reason


@pytest.mark.parametrize("fixture", [V4_YAML, V5_YAML], ids=lambda p: p.name)
def test_invalid_yaml_says_line_and_column(fixture: Path) -> None:
    lines = fixture.read_text().splitlines()
    broken = next(i for i, t in enumerate(lines) if t.strip().startswith("name: Health"))
    lines[broken] = lines[broken].replace("name: Health", "name: [Health")
    with pytest.raises(MalformedImport) as caught:
        parse_insomnia("\n".join(lines))
    assert caught.value.line in (broken + 1, broken + 2)
    assert caught.value.column >= 1
    assert caught.value.reason.startswith("not valid YAML")


def test_a_yaml_alias_bomb_is_refused() -> None:
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    levels += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    text = "type: collection.insomnia.rest/5.0\n" + "\n".join(levels) + "\n"
    with pytest.raises(MalformedImport) as caught:
        parse_insomnia(text)
    assert caught.value.line == 1
    assert "alias" in caught.value.reason
