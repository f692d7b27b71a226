"""Bruno collections (a folder of ``.bru`` files, or Bruno 2's YAML) become Courier's
model: folders and requests in Bruno's ``seq`` order, every body mode, auth at every
level, variables, environments with secret variables, scripts kept as notes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.core.importers import MalformedImport, collection_format, parse_bruno_folder
from app.core.importers.bruno import detect_bruno_folder, read_bruno_folder
from app.core.importers.formats import folder_format
from app.core.model import AuthKind, BodyKind, Collection, Folder, KeyValue, PartKind, Request

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "bruno"
BRU = FIXTURES / "shop-bru"
YAML = FIXTURES / "shop-yaml"


def folder(container: Collection | Folder, name: str) -> Folder:
    return next(f for f in container.folders if f.name == name)


def request(container: Collection | Folder, name: str) -> Request:
    return next(r for r in container.requests if r.name == name)


def test_bru_collection_tree_in_seq_order() -> None:
    imported = parse_bruno_folder(BRU)
    collection = imported.collection
    assert collection.name == "Shop API"
    assert imported.report.requests == 11
    assert imported.report.folders == 4
    assert imported.report.environments == 2
    assert [r.name for r in collection.requests] == ["Log in", "Health"]
    # folders by folder.bru seq (Users 1, Orders 2), then those without one by name
    assert [f.name for f in collection.folders] == ["Users", "Orders", "files"]
    users = folder(collection, "Users")
    assert [r.name for r in users.requests] == ["List users", "Get user", "Create user"]
    assert [f.name for f in users.folders] == ["Admin"]
    orders = folder(collection, "Orders")
    assert [r.name for r in orders.requests] == ["Add note", "Delete order", "Search orders"]
    # bruno.json's "ignore" list keeps scratch/ out
    assert all(f.name != "scratch" for f in collection.folders)


def test_bru_collection_level_settings() -> None:
    collection = parse_bruno_folder(BRU).collection
    assert collection.headers == [
        KeyValue("X-Client", "courier-tests"),
        KeyValue("X-Debug", "1", enabled=False),
    ]
    assert collection.auth.kind is AuthKind.BEARER
    assert collection.auth.token == "{{apiToken}}"
    assert [(v.name, v.value, v.enabled) for v in collection.variables] == [
        ("baseUrl", "http://127.0.0.1:8000", True),
        ("legacy", "old", False),
    ]
    assert collection.notes == (
        "# Shop API\n\nEverything the shop exposes.\n\n"
        "--- Bruno pre-request script (kept as text; Courier does not run it) ---\n"
        'req.setHeader("X-Request-Start", Date.now());'
    )


def test_bru_folder_level_settings_and_auth() -> None:
    collection = parse_bruno_folder(BRU).collection
    users = folder(collection, "Users")
    assert users.headers == [KeyValue("X-Area", "users")]
    assert users.auth.kind is AuthKind.API_KEY
    assert (users.auth.key_name, users.auth.key_value, users.auth.key_in) == (
        "X-Api-Key",
        "{{usersKey}}",
        "header",
    )
    assert [(v.name, v.value) for v in users.variables] == [("pageSize", "20")]
    assert users.notes == "Users of the shop."
    admin = folder(users, "Admin")
    assert admin.auth.kind is AuthKind.OAUTH2
    assert admin.auth.grant == "client_credentials"
    assert admin.auth.token_url == "{{baseUrl}}/oauth/token"
    assert (admin.auth.client_id, admin.auth.client_secret) == ("shop-admin", "s3cr3t-client")
    assert admin.auth.scope == "admin"
    orders = folder(collection, "Orders")
    assert orders.auth.kind is AuthKind.BASIC
    assert (orders.auth.username, orders.auth.password) == ("orders", "orders-pass")
    # a folder without folder.bru inherits
    assert folder(collection, "files").auth.kind is AuthKind.INHERIT


def test_bru_requests_params_headers_and_auth() -> None:
    collection = parse_bruno_folder(BRU).collection
    users = folder(collection, "Users")
    listing = request(users, "List users")
    assert (listing.method, listing.url) == ("GET", "{{baseUrl}}/users")
    assert listing.params == [
        KeyValue("page", "1"),
        KeyValue("size", "{{pageSize}}"),
        KeyValue("sort", "name", enabled=False),
    ]
    assert listing.headers == [
        KeyValue("Accept", "application/json"),
        KeyValue("X-Trace", "on", enabled=False),
    ]
    assert listing.auth.kind is AuthKind.INHERIT
    one = request(users, "Get user")
    assert one.url == "{{baseUrl}}/users/42"
    assert one.auth.kind is AuthKind.DIGEST
    assert (one.auth.username, one.auth.password) == ("alice", "{{adminPassword}}")
    ban = request(folder(users, "Admin"), "Ban user")
    assert (ban.method, ban.url) == ("PUT", "{{baseUrl}}/admin/users/{{userId}}/ban")
    login = request(collection, "Log in")
    assert login.auth.kind is AuthKind.BASIC
    assert (login.auth.username, login.auth.password) == ("{{user}}", "hunter2")
    assert request(collection, "Health").auth.kind is AuthKind.NONE
    delete = request(folder(collection, "Orders"), "Delete order")
    assert delete.auth.kind is AuthKind.AWS_SIGV4
    assert (delete.auth.access_key, delete.auth.secret_key) == ("AKIDEXAMPLE", "wJalrXUtnFEMI")
    assert (delete.auth.service, delete.auth.region) == ("execute-api", "eu-west-1")


def test_bru_every_body_mode() -> None:
    collection = parse_bruno_folder(BRU).collection
    users, orders, files = (folder(collection, n) for n in ("Users", "Orders", "files"))
    login = request(collection, "Log in").body
    assert login.kind is BodyKind.FORM
    assert login.form == [KeyValue("grant_type", "password"), KeyValue("remember", "yes", False)]
    created = request(users, "Create user").body
    assert created.kind is BodyKind.JSON
    assert json.loads(created.text) == {
        "name": "Ada",
        "tags": ["admin", "ops"],
        "address": {"city": "London"},
    }
    assert created.text.startswith('{\n  "name"')  # outdented by Bruno's two spaces
    xml = request(folder(users, "Admin"), "Ban user").body
    assert (xml.kind, xml.content_type) == (BodyKind.RAW, "application/xml")
    assert xml.text == "<ban>\n  <reason>spam</reason>\n</ban>"
    text = request(orders, "Add note").body
    assert (text.kind, text.content_type) == (BodyKind.RAW, "text/plain")
    assert text.text == "Leave at the door.\nRing twice."
    graphql = request(orders, "Search orders").body
    assert graphql.kind is BodyKind.JSON
    assert json.loads(graphql.text) == {
        "query": "query Orders($status: String!) {\n  orders(status: $status) {\n    id\n  }\n}",
        "variables": {"status": "open"},
    }
    upload = request(files, "Upload avatar").body
    assert upload.kind is BodyKind.MULTIPART
    assert [(p.name, p.value, p.kind, p.enabled) for p in upload.parts] == [
        ("title", "My avatar", PartKind.TEXT, True),
        ("avatar", "avatar.png", PartKind.FILE, True),
        ("extra", "a.txt", PartKind.FILE, False),
        ("extra", "b.txt", PartKind.FILE, False),
    ]
    sparql = request(files, "Describe")
    assert (sparql.body.kind, sparql.body.content_type) == (
        BodyKind.RAW,
        "application/sparql-query",
    )
    assert sparql.body.text == "SELECT ?s WHERE { ?s ?p ?o }"
    # a ''' multi-line value
    assert sparql.headers == [KeyValue("X-Note", "first line\nsecond line")]
    assert request(collection, "Health").body.kind is BodyKind.NONE


def test_bru_scripts_tests_asserts_and_docs_become_notes() -> None:
    imported = parse_bruno_folder(BRU)
    collection = imported.collection
    health = request(collection, "Health")
    assert health.notes == (
        "--- Bruno tests (kept as text; Courier does not run it) ---\n"
        'test("is up", function() {\n  expect(res.getStatus()).to.equal(200);\n});\n\n'
        "--- Bruno assertions (kept as text; Courier does not run it) ---\n"
        "res.status: eq 200\n~res.body.ok: eq true"
    )
    created = request(folder(collection, "Users"), "Create user")
    assert created.notes.startswith("Creates a user.\n\nMulti-line docs stay.\n\n")
    assert "role: admin" in created.notes
    login = request(collection, "Log in")
    assert 'bru.setVar("apiToken", res.body.token);' in login.notes
    notes = imported.report.notes
    assert "health.bru (Health): tests, assertions kept as text in the notes, not run" in notes
    assert (
        "login.bru (Log in): post-response script, post-response variables kept as text "
        "in the notes, not run"
    ) in notes


def test_bru_report_lists_what_courier_does_not_hold() -> None:
    report = parse_bruno_folder(BRU).report
    assert report.source == "Bruno collection"
    assert report.not_imported == [
        "files/upload.bru (Upload avatar): 'ntlm' auth (Courier has no ntlm auth); "
        "the request sends none"
    ]
    assert (
        "files/upload.bru (Upload avatar): body:json not imported: the request sends its "
        "multipartForm body"
    ) in report.notes
    assert (
        "orders/note.bru (Add note): uses process.env.ORDERS_TOKEN (Bruno's .env values; "
        "define them as variables in Courier)"
    ) in report.notes
    assert "users/get-user.bru (Get user): path parameters :id written into the URL" in (
        report.notes
    )


def test_bru_environments_with_secret_variables_arrive_empty() -> None:
    imported = parse_bruno_folder(BRU)
    local, production = imported.environments
    assert local.name == "Local"
    assert [(v.name, v.value, v.enabled, v.secret) for v in local.variables] == [
        ("baseUrl", "http://127.0.0.1:8000", True, False),
        ("user", "alice", True, False),
        ("unused", "nothing", False, False),
        ("apiToken", "", True, True),
        ("adminPassword", "", True, True),
    ]
    assert [(v.name, v.value) for v in production.variables] == [
        ("baseUrl", "https://shop.example.com")
    ]
    assert (
        "environments/Local.bru: secret variable(s) apiToken, adminPassword imported empty "
        "(Bruno keeps their values outside the file): set them in Courier, which keeps them "
        "in the keychain"
    ) in imported.report.notes


def test_yaml_collection_tree_and_content() -> None:
    imported = parse_bruno_folder(YAML)
    collection = imported.collection
    assert imported.report.source == "Bruno collection (YAML)"
    assert collection.name == "Shop API (YAML)"
    assert (imported.report.requests, imported.report.folders) == (10, 2)
    assert [r.name for r in collection.requests] == ["Log in", "Health"]
    assert [f.name for f in collection.folders] == ["Users", "Orders"]
    assert collection.auth.kind is AuthKind.BEARER
    assert collection.auth.token == "{{apiToken}}"
    assert collection.headers == [
        KeyValue("X-Client", "courier-tests"),
        KeyValue("X-Debug", "1", enabled=False),
    ]
    assert [(v.name, v.value) for v in collection.variables] == [
        ("baseUrl", "http://127.0.0.1:8000")
    ]
    assert collection.notes.startswith("# Shop API\nEverything the shop exposes.\n\n--- Bruno")
    users = folder(collection, "Users")
    assert [r.name for r in users.requests] == [
        "List users",
        "Get user",
        "Create user",
        "Upload avatar",
    ]
    assert users.auth.kind is AuthKind.API_KEY
    assert (users.auth.key_name, users.auth.key_in) == ("api_key", "query")
    assert users.notes == "Users of the shop."
    listing = request(users, "List users")
    assert listing.url == "{{baseUrl}}/users"
    assert listing.params == [KeyValue("page", "1"), KeyValue("sort", "name", enabled=False)]
    assert listing.auth.kind is AuthKind.INHERIT
    assert request(users, "Get user").url == "{{baseUrl}}/users/42"
    avatar = request(users, "Upload avatar").body
    assert [(p.name, p.value, p.kind, p.content_type) for p in avatar.parts] == [
        ("title", "Me", PartKind.TEXT, ""),
        ("avatar", "avatar.png", PartKind.FILE, "image/png"),
    ]
    orders = folder(collection, "Orders")
    assert orders.auth.kind is AuthKind.OAUTH2
    assert (orders.auth.grant, orders.auth.client_secret) == ("password", "shop-secret")
    assert (orders.auth.username, orders.auth.password) == ("alice", "pw")
    receipt = request(orders, "Upload receipt")
    assert (receipt.body.kind, receipt.body.path) == (BodyKind.FILE, "receipt.pdf")
    assert receipt.auth.kind is AuthKind.NONE
    search = json.loads(request(orders, "Search orders").body.text)
    assert search == {"query": "{ orders { id } }", "variables": {"status": "open"}}
    assert request(orders, "Add note").auth.kind is AuthKind.AWS_SIGV4
    assert request(collection, "Log in").body.form == [
        KeyValue("grant_type", "password"),
        KeyValue("remember", "yes", enabled=False),
    ]
    (local,) = imported.environments
    assert [(v.name, v.value, v.enabled, v.secret) for v in local.variables] == [
        ("baseUrl", "http://127.0.0.1:8000", True, False),
        ("apiToken", "", True, True),
        ("old", "gone", False, False),
    ]
    assert imported.report.not_imported == [
        "login.yml (Log in): 1 post-response action(s) (Courier has none)",
        "login.yml (Log in): 1 saved example(s) (Courier has none)",
        "orders/upload.yml: 'wsse' auth (Courier has no wsse auth); the request sends none",
    ]


def test_detect_folder_recognises_both_layouts_and_nothing_else(tmp_path: Path) -> None:
    assert detect_bruno_folder(BRU)
    assert detect_bruno_folder(YAML)
    assert not detect_bruno_folder(tmp_path)
    assert not detect_bruno_folder(BRU / "bruno.json")
    courier = tmp_path / "courier"
    courier.mkdir()
    (courier / "collection.yaml").write_text("name: x\n")
    (courier / "bruno.json").write_text("{}")
    assert not detect_bruno_folder(courier)
    assert folder_format(BRU) is collection_format("bruno")
    assert folder_format(YAML) is collection_format("bruno")


def test_parsing_writes_nothing(tmp_path: Path) -> None:
    before = sorted((p.relative_to(BRU), p.stat().st_mtime_ns) for p in BRU.rglob("*"))
    parse_bruno_folder(BRU)
    after = sorted((p.relative_to(BRU), p.stat().st_mtime_ns) for p in BRU.rglob("*"))
    assert before == after


def test_registry_entry_is_a_folder_format(tmp_path: Path) -> None:
    bruno = collection_format("bruno")
    assert bruno.label == "Bruno collection"
    assert bruno.import_title == "Import a Bruno collection"
    assert bruno.parse is None
    assert bruno.read(BRU).report.requests == 11
    (tmp_path / "one.bru").write_text("get {\n  url: x\n}\n")
    with pytest.raises(MalformedImport, match="is a folder"):
        bruno.read(tmp_path / "one.bru")
    with pytest.raises(MalformedImport, match="not a Bruno collection"):
        bruno.read(tmp_path)


@pytest.mark.parametrize("root", [BRU, YAML], ids=["bru", "yaml"])
def test_each_request_comes_with_its_source_file(root: Path) -> None:
    """Opening in place finds a request by its file."""
    read = read_bruno_folder(root)
    requests = [r for _chain, r in read.imported.collection.iter_requests()]
    assert sorted(id(r) for r, _ in read.sources) == sorted(id(r) for r in requests)
    by_name = {r.name: path.relative_to(root).as_posix() for r, path in read.sources}
    suffix = "bru" if root is BRU else "yml"
    assert by_name["Get user"] == f"users/get-user.{suffix}"
    assert by_name["Health"] == f"health.{suffix}"


def test_yaml_request_settings() -> None:
    collection = parse_bruno_folder(YAML).collection
    health = request(collection, "Health")
    assert health.settings.follow_redirects is True
    assert health.settings.max_redirects == 5
    assert health.settings.timeout_s is None  # Bruno's 0: no timeout of its own


def test_bru_file_body_and_typed_multipart_parts(tmp_path: Path) -> None:
    (tmp_path / "bruno.json").write_text('{"name": "files"}')
    (tmp_path / "send-file.bru").write_text(
        "meta {\n  name: Send file\n  seq: 1\n}\n\npost {\n  url: http://x/upload\n"
        "  body: file\n  auth: none\n}\n\nbody:file {\n"
        "  ~file: @file(old.json) @contentType(application/json)\n"
        "  file: @file(data/report.csv) @contentType(text/csv)\n}\n"
    )
    (tmp_path / "form.bru").write_text(
        "meta {\n  name: Form\n  seq: 2\n}\n\npost {\n  url: http://x/form\n"
        "  body: multipartForm\n}\n\nbody:multipart-form {\n"
        "  photo: @file(me.png) @contentType(image/png)\n"
        '  meta: {"a": 1} @contentType(application/json)\n}\n'
    )
    collection = parse_bruno_folder(tmp_path).collection
    sent, form = collection.requests
    assert (sent.body.kind, sent.body.path, sent.body.content_type) == (
        BodyKind.FILE,
        "data/report.csv",
        "text/csv",
    )
    assert [(p.name, p.value, p.kind, p.content_type) for p in form.body.parts] == [
        ("photo", "me.png", PartKind.FILE, "image/png"),
        ("meta", '{"a": 1}', PartKind.TEXT, "application/json"),
    ]
    # no auth line: Bruno's default mode for a request is none
    assert form.auth.kind is AuthKind.NONE


def test_bru_request_settings() -> None:
    health = request(parse_bruno_folder(BRU).collection, "Health")
    assert health.settings.timeout_s == 2.5
    assert health.settings.follow_redirects is False
    assert health.settings.max_redirects == 0


def test_collection_auth_inherit_means_none_and_local_variables(tmp_path: Path) -> None:
    (tmp_path / "bruno.json").write_text('{"name": "c"}')
    (tmp_path / "collection.bru").write_text(
        "auth {\n  mode: inherit\n}\n\nvars:pre-request {\n  @session: abc\n}\n"
    )
    (tmp_path / "a.bru").write_text("get {\n  url: http://x\n  auth: inherit\n}\n")
    collection = parse_bruno_folder(tmp_path).collection
    assert collection.auth.kind is AuthKind.NONE
    assert [(v.name, v.value) for v in collection.variables] == [("session", "abc")]
    (only,) = collection.requests
    assert (only.name, only.auth.kind) == ("a", AuthKind.INHERIT)


@pytest.mark.parametrize("root", [BRU, YAML], ids=["bru", "yaml"])
def test_a_bruno_folder_opens_in_place_with_this_importer(root: Path, courier_home: Path) -> None:
    """The session opens a Bruno folder as it is (read by ``parse_folder``), writing nothing."""
    from app.session import Session

    before = sorted((p, p.stat().st_mtime_ns) for p in root.rglob("*"))
    collection = Session().load_collection(root, settle_identity=False)
    assert collection.foreign == "bruno"
    assert collection.problems == []
    assert sum(1 for _ in collection.iter_requests()) == (11 if root is BRU else 10)
    assert sorted((p, p.stat().st_mtime_ns) for p in root.rglob("*")) == before


def test_old_plain_body_block_is_json(tmp_path: Path) -> None:
    (tmp_path / "bruno.json").write_text('{"name": "old"}')
    (tmp_path / "old.bru").write_text('post {\n  url: http://x\n}\n\nbody {\n  {"a": 1}\n}\n')
    (only,) = parse_bruno_folder(tmp_path).collection.requests
    assert (only.method, only.body.kind, only.body.text) == ("POST", BodyKind.JSON, '{"a": 1}')
