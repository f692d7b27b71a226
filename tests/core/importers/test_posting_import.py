"""Posting collections (folders of ``*.posting.yaml`` files, dotenv environments) read
into Courier's model: every field of Posting's RequestModel, exact counts, templates,
and a broken file named by file, line and column with nothing imported."""

from __future__ import annotations

import shutil
import tracemalloc
from pathlib import Path

import pytest

from app.core.importers import (
    COLLECTION_FORMATS,
    MalformedImport,
    collection_format,
    parse_posting,
    parse_posting_folder,
)
from app.core.importers.formats import folder_format
from app.core.importers.posting import detect_posting_folder, read_posting_folder
from app.core.importers.posting_text import parse_dotenv, template
from app.core.model import AuthKind, BodyKind, KeyValue, Request

SHOP = Path(__file__).resolve().parent / "fixtures" / "posting" / "shop"


def by_name(requests: list[tuple[object, Request]], name: str) -> Request:
    return next(r for _chain, r in requests if r.name == name)


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    copy = tmp_path / "shop"
    shutil.copytree(SHOP, copy)
    return copy


def test_the_shop_collection_has_every_request_and_folder() -> None:
    imported = parse_posting_folder(SHOP)
    report = imported.report
    assert (report.requests, report.folders, report.environments) == (9, 4, 2)
    collection = imported.collection
    assert collection.name == "shop"
    assert [r.name for r in collection.requests] == ["Health"]
    assert [f.name for f in collection.folders] == ["auth", "orders", "users"], "docs/ has none"
    users = collection.folders[2]
    assert [r.name for r in users.requests] == ["List users", "Create user", "Update user"]
    assert [f.name for f in users.folders] == ["admin"]
    assert [r.name for r in users.folders[0].requests] == ["Audit log", "Delete user"]
    assert report.lines()[0] == (
        "read Posting collection: 9 request(s), 4 folder(s), 2 environment(s)"
    )


def test_url_params_headers_and_templates() -> None:
    requests = list(parse_posting_folder(SHOP).collection.iter_requests())
    listing = by_name(requests, "List users")
    assert (listing.method, listing.url) == ("GET", "{{BASE_URL}}/users")
    assert listing.params == [
        KeyValue("page_size", "{{PAGE_SIZE}}"),
        KeyValue("sort", "name"),
        KeyValue("tag", "a"),
        KeyValue("tag", "b", enabled=False),
    ]
    assert listing.headers == [
        KeyValue("Accept", "application/json"),
        KeyValue("X-Debug", "1", enabled=False),
        KeyValue("User-Agent", "{{USER_AGENT}}"),
    ]
    assert listing.notes == "Lists the users, a page at a time.\nSorted by name."
    health = by_name(requests, "Health")
    assert (health.method, health.url, health.notes) == (
        "GET",
        "{{BASE_URL}}/health",
        "Is the service up?",
    )


def test_every_body_kind() -> None:
    requests = list(parse_posting_folder(SHOP).collection.iter_requests())
    create = by_name(requests, "Create user")
    assert create.body.kind is BodyKind.JSON
    assert '"price": "$5"' in create.body.text, "$$ is a dollar sign"
    update = by_name(requests, "Update user")
    assert (update.body.kind, update.body.content_type) == (BodyKind.RAW, "application/xml")
    assert update.body.text.startswith("<user>")
    login = by_name(requests, "Log in")
    assert login.body.kind is BodyKind.FORM
    assert login.body.form == [
        KeyValue("username", "ada"),
        KeyValue("password", "{{PASSWORD}}"),
        KeyValue("remember", "true", enabled=False),
    ]
    export = by_name(requests, "Export orders")
    assert (export.body.kind, export.body.text, export.body.content_type) == (
        BodyKind.RAW,
        "from=2024-01-01&to=2024-12-31",
        "",
    )
    assert by_name(requests, "Health").body.kind is BodyKind.NONE


def test_every_auth_kind() -> None:
    requests = list(parse_posting_folder(SHOP).collection.iter_requests())
    create = by_name(requests, "Create user")
    assert (create.auth.kind, create.auth.token) == (AuthKind.BEARER, "{{API_TOKEN}}")
    delete = by_name(requests, "Delete user")
    assert (delete.auth.kind, delete.auth.username, delete.auth.password) == (
        AuthKind.BASIC,
        "{{ADMIN_USER}}",
        "s3cret-admin",
    )
    digest = by_name(requests, "Digest check")
    assert (digest.auth.kind, digest.auth.username, digest.auth.password) == (
        AuthKind.DIGEST,
        "ada",
        "pw",
    )
    assert by_name(requests, "Health").auth.kind is AuthKind.INHERIT


def test_options_cookies_and_posting_default_timeout() -> None:
    imported = parse_posting_folder(SHOP)
    assert imported.collection.settings.timeout_s == 5.0
    requests = list(imported.collection.iter_requests())
    settings = by_name(requests, "Export orders").settings
    assert settings.timeout_s == 12.5
    assert settings.follow_redirects is True
    assert settings.verify_tls is False
    assert settings.no_cookies is True
    assert settings.proxy == "http://proxy.internal:3128"
    assert by_name(requests, "Log in").settings.follow_redirects is False
    audit = by_name(requests, "Audit log")
    assert audit.headers == [KeyValue("Cookie", "session=abc")]
    assert "users/admin/audit-log.posting.yaml: cookies sent as a Cookie header" in (
        imported.report.notes
    )


def test_scripts_are_kept_as_read_only_notes() -> None:
    imported = parse_posting_folder(SHOP)
    login = by_name(list(imported.collection.iter_requests()), "Log in")
    assert login.notes.startswith(
        "--- Posting setup script scripts/auth.py (kept as text; Courier does not run it) ---\n"
        "from posting import Posting\n"
    )
    assert (
        "--- Posting on-response script scripts/log_response.py (kept as text; "
        "Courier does not run it) ---\ndef on_response(response, posting):"
    ) in login.notes
    export = by_name(list(imported.collection.iter_requests()), "Export orders")
    assert export.notes.endswith(
        "--- Posting on-request script scripts/missing.py "
        "(kept as text; Courier does not run it) ---"
    ), "a missing script is named"
    assert "auth/login.posting.yaml: 2 script(s) kept as text in the notes, not run" in (
        imported.report.notes
    )


def test_env_files_are_collection_variables_and_environments() -> None:
    imported = parse_posting_folder(SHOP)
    shared = {v.name: v.value for v in imported.collection.variables}
    assert shared == {"BASE_URL": "http://127.0.0.1:8000", "USER_AGENT": "courier-fixture/1.0"}
    assert [e.name for e in imported.environments] == ["dev", "prod"]
    dev = {v.name: v for v in imported.environments[0].variables}
    assert list(dev) == ["BASE_URL", "API_TOKEN", "ADMIN_USER", "PAGE_SIZE", "GREETING"]
    assert (dev["API_TOKEN"].value, dev["API_TOKEN"].secret) == ("dev-token-7f3a", True)
    assert dev["PAGE_SIZE"].value == "20", "export and a trailing comment"
    assert dev["GREETING"].value == "hello $name", "single quotes are literal"
    prod = {v.name: v.value for v in imported.environments[1].variables}
    assert prod["BASE_URL"] == "https://api.example.com"


def test_dotenv_quoting_and_bad_lines() -> None:
    variables = parse_dotenv('A="x \\"y\\"\nz"\nB=${A}/b\n\n# c\nC="two\nlines"\n', ".env")
    assert [(v.name, v.value) for v in variables] == [
        ("A", 'x "y"\nz'),
        ("B", "{{A}}/b"),
        ("C", "two\nlines"),
    ]
    with pytest.raises(MalformedImport) as caught:
        parse_dotenv("A=1\n  not a line\n", "dev.env")
    assert (caught.value.line, caught.value.column) == (2, 3)
    assert "dev.env" in caught.value.message
    with pytest.raises(MalformedImport) as unclosed:
        parse_dotenv('A=1\nB="open\n', "dev.env")
    assert unclosed.value.line == 2


def test_templates() -> None:
    assert template("$a/${b_2}/$$c/$ d/{x}") == "{{a}}/{{b_2}}/$c/$ d/{x}"
    assert template("no dollars") == "no dollars"


def test_bad_yaml_names_file_line_and_column_and_imports_nothing(shop: Path) -> None:
    (shop / "users" / "list-users.posting.yaml").write_text(
        "name: List users\nurl: [unclosed\nmethod: GET\n"
    )
    with pytest.raises(MalformedImport) as caught:
        parse_posting_folder(shop)
    error = caught.value
    assert error.message.startswith("users/list-users.posting.yaml: not valid YAML")
    assert (error.line, error.column) == (3, 7)


def test_a_value_of_the_wrong_shape_names_its_key(shop: Path) -> None:
    (shop / "auth" / "login.posting.yaml").write_text(
        "name: Log in\nheaders:\n- name: A\n  value: [1, 2]\n"
    )
    with pytest.raises(MalformedImport) as caught:
        parse_posting_folder(shop)
    assert caught.value.message == (
        "auth/login.posting.yaml: headers[0].value: expected text, found a list"
    )


def test_read_leniently_a_broken_file_is_a_problem_and_the_rest_is_read(shop: Path) -> None:
    broken = shop / "orders" / "export-orders.posting.yaml"
    broken.write_text("name: [\n")
    read = read_posting_folder(shop, lenient=True)
    assert [path for path, _reason in read.problems] == [broken]
    assert "not valid YAML" in read.problems[0][1]
    assert read.imported.report.requests == 8
    assert len(read.sources) == 8
    assert [f.name for f in read.imported.collection.folders] == ["auth", "users"]


def test_unknown_keys_and_auth_types_are_reported() -> None:
    imported = parse_posting(
        "name: Odd\nmethod: patch\nurl: https://x.test/$id\nretries: 3\nauth:\n  type: oauth2\n"
    )
    (request,) = imported.collection.requests
    assert (request.name, request.method, request.url) == ("Odd", "PATCH", "https://x.test/{{id}}")
    assert request.auth.kind is AuthKind.NONE
    assert imported.report.not_imported == [
        "request: 'oauth2' auth (Posting has basic, digest, bearer_token)",
        "request: 'retries' (not part of a Posting request)",
    ]


def test_a_single_file_reads_as_one_request() -> None:
    imported = parse_posting((SHOP / "users" / "create-user.posting.yaml").read_bytes())
    assert imported.report.requests == 1
    assert imported.collection.requests[0].auth.kind is AuthKind.BEARER


def test_detect_and_the_format_table(tmp_path: Path, shop: Path) -> None:
    assert detect_posting_folder(shop)
    assert folder_format(shop) is collection_format("posting")
    plain = tmp_path / "plain"
    (plain / "sub").mkdir(parents=True)
    (plain / "sub" / "notes.yaml").write_text("a: 1\n")
    assert not detect_posting_folder(plain)
    deep = tmp_path / "deep"
    (deep / "a" / "b").mkdir(parents=True)
    (deep / "a" / "b" / "x.posting.yaml").write_text("name: x\n")
    assert detect_posting_folder(deep)
    assert not detect_posting_folder(shop / "health.posting.yaml"), "a file is no folder"
    chosen = collection_format("posting")
    assert chosen in COLLECTION_FORMATS
    assert (chosen.label, chosen.parse_folder is parse_posting_folder) == (
        "Posting collection",
        True,
    )


def test_a_courier_collection_is_not_a_posting_one(shop: Path) -> None:
    (shop / "collection.yaml").write_text("name: shop\n")
    assert not detect_posting_folder(shop)


def test_a_large_collection_reads_in_bounded_memory(tmp_path: Path) -> None:
    root = tmp_path / "big"
    text = (SHOP / "users" / "list-users.posting.yaml").read_text()
    for folder in range(20):
        directory = root / f"f{folder:02d}"
        directory.mkdir(parents=True)
        for i in range(100):
            (directory / f"r{i:03d}.posting.yaml").write_text(text.replace("List users", f"r{i}"))
    tracemalloc.start()
    try:
        imported = parse_posting_folder(root)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert imported.report.requests == 2000
    assert peak < 64 * 1024 * 1024


def test_an_early_posting_file_with_top_level_content() -> None:
    imported = parse_posting("name: Old\nmethod: POST\nurl: http://x.test\ncontent: a=${b}\n")
    body = imported.collection.requests[0].body
    assert (body.kind, body.text) == (BodyKind.RAW, "a={{b}}")
    assert imported.report.not_imported == []


def test_a_bad_env_file_names_file_and_line_and_imports_nothing(shop: Path) -> None:
    (shop / "dev.env").write_text("BASE_URL=http://x\n\n= no name\n")
    with pytest.raises(MalformedImport) as caught:
        parse_posting_folder(shop)
    assert caught.value.message.startswith("dev.env: expected NAME=value")
    assert (caught.value.line, caught.value.column) == (3, 1)
