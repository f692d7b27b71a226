"""Collections on disk: exact file format, round trips, broken files, every edit."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.core import storage
from app.core.errors import CollectionNotFound, StorageError
from app.core.model import (
    Body,
    BodyKind,
    Collection,
    Environment,
    Folder,
    KeyValue,
    Request,
    Variable,
)
from app.resources import resource_path

SAMPLE = resource_path("sample-collection")


def all_files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def names(collection: Collection) -> list[str]:
    return [r.name for _chain, r in collection.iter_requests()]


def test_request_file_has_stable_order_and_omits_defaults(tmp_path: Path) -> None:
    collection = storage.create_collection(tmp_path / "c", "C")
    request = Request(
        name="Create post",
        method="POST",
        url="/posts",
        params=[KeyValue("debug", "", enabled=False)],
        headers=[KeyValue("X-Trace", "demo")],
        body=Body(BodyKind.JSON, text='{\n  "title": "foo"\n}\n'),
        notes="Creates a post.\nSecond line.\n",
    )
    storage.add_request(collection, None, request)
    assert request.path == tmp_path / "c" / "create-post.request.yaml"
    assert request.path.read_text(encoding="utf-8") == (
        "name: Create post\n"
        "method: POST\n"
        "url: /posts\n"
        "params:\n"
        "- name: debug\n"
        "  enabled: false\n"
        "headers:\n"
        "- name: X-Trace\n"
        "  value: demo\n"
        "body:\n"
        "  type: json\n"
        "  text: |\n"
        "    {\n"
        '      "title": "foo"\n'
        "    }\n"
        "notes: |\n"
        "  Creates a post.\n"
        "  Second line.\n"
    )
    minimal = storage.add_request(collection, None, Request(name="Ping"))
    assert minimal.path is not None
    assert minimal.path.read_text(encoding="utf-8") == "name: Ping\nmethod: GET\n"


def test_sample_collection_loads_and_round_trips_byte_identical(tmp_path: Path) -> None:
    collection = storage.load_collection(SAMPLE)
    assert collection.problems == []
    assert collection.name == "Courier demo"
    assert [f.name for f in collection.folders] == ["Auth demos", "Posts", "Test routes", "Viewers"]
    assert "Get post 1" in names(collection)
    assert [e.name for e in collection.environments] == ["local", "staging"]

    # save everything again into a copy: every byte must be the same
    import shutil

    copy_root = tmp_path / "copy"
    shutil.copytree(SAMPLE, copy_root)
    before = all_files(copy_root)
    loaded = storage.load_collection(copy_root)
    storage.save_collection_settings(loaded)
    for folder in loaded.folders:
        storage.save_folder_settings(loaded, folder)
    for _chain, request in loaded.iter_requests():
        storage.save_request(loaded, request)
    for environment in loaded.environments:
        storage.save_environment(loaded, environment)
    assert all_files(copy_root) == before


def test_model_round_trip_through_files(tmp_path: Path) -> None:
    collection = storage.create_collection(tmp_path / "c", "Ünïcode API")
    collection.base_url = "https://api.example.com/v1"
    collection.headers = [KeyValue("Accept", "application/json")]
    collection.variables = [Variable("token", "s3cr3t", secret=True), Variable("page", "2")]
    storage.save_collection_settings(collection)
    folder = storage.add_folder(collection, None, "Users & Admins")
    folder.headers = [KeyValue("X-Folder", "1", enabled=False)]
    storage.save_folder_settings(collection, folder)
    sub = storage.add_folder(collection, folder, "Nested")
    storage.add_request(
        collection,
        sub,
        Request(
            name="Form 🚀",
            method="PATCH",
            url="{{base}}/users/{{id}}",
            body=Body(BodyKind.FORM, form=[KeyValue("a", "1"), KeyValue("b", "x y", False)]),
        ),
    )
    storage.add_request(
        collection,
        folder,
        Request(name="Raw", method="PUT", body=Body(BodyKind.RAW, "<a/>", "application/xml")),
    )
    env = storage.add_environment(collection, "Staging")
    env.variables = [Variable("base", "https://staging")]
    storage.save_environment(collection, env)

    loaded = storage.load_collection(tmp_path / "c")
    assert loaded.problems == []
    assert loaded.id == collection.id
    assert loaded.name == "Ünïcode API"
    assert loaded.headers == collection.headers
    assert loaded.folders[0].headers == folder.headers
    assert loaded.folders[0].folders[0].requests == sub.requests
    assert loaded.folders[0].requests == folder.requests
    assert loaded.environments == [Environment("Staging", [Variable("base", "https://staging")])]
    # a secret variable keeps its name and flag, never its value
    assert loaded.variables[0] == Variable("token", "", secret=True)
    assert b"s3cr3t" not in (tmp_path / "c" / "collection.yaml").read_bytes()


def test_a_broken_request_file_is_reported_untouched_and_the_rest_loads(tmp_path: Path) -> None:
    collection = storage.create_collection(tmp_path / "c", "C")
    storage.add_request(collection, None, Request(name="Good", url="/ok"))
    bad = storage.add_request(collection, None, Request(name="Bad")).path
    assert bad is not None
    bad.write_bytes(b"name: [oops\n")
    wrong_shape = tmp_path / "c" / "list.request.yaml"
    wrong_shape.write_bytes(b"- just\n- a list\n")
    not_utf8 = tmp_path / "c" / "latin.request.yaml"
    not_utf8.write_bytes(b"name: caf\xe9\n")
    snapshot = {p: p.read_bytes() for p in (bad, wrong_shape, not_utf8)}

    loaded = storage.load_collection(tmp_path / "c")
    assert names(loaded) == ["Good"]
    problems = {p.path: p.reason for p in loaded.problems}
    assert set(problems) == {bad, wrong_shape, not_utf8}
    assert "not valid YAML (line 2" in problems[bad]
    assert "mapping" in problems[wrong_shape]
    assert "UTF-8" in problems[not_utf8]
    assert {p: p.read_bytes() for p in snapshot} == snapshot


def test_bad_field_types_are_problems_not_crashes(tmp_path: Path) -> None:
    collection = storage.create_collection(tmp_path / "c", "C")
    (tmp_path / "c" / "a.request.yaml").write_text("name: A\nheaders: nope\n")
    (tmp_path / "c" / "b.request.yaml").write_text("name: B\nbody: {type: xml}\n")
    (tmp_path / "c" / "c.request.yaml").write_text("method: GET\n")
    loaded = storage.load_collection(collection.path)  # type: ignore[arg-type]
    reasons = sorted(p.reason for p in loaded.problems)
    assert len(reasons) == 3
    assert any("'headers' must be a list" in r for r in reasons)
    assert any("unknown body type 'xml'" in r for r in reasons)
    assert any("no 'name'" in r for r in reasons)


def test_missing_or_broken_collection_file(tmp_path: Path) -> None:
    with pytest.raises(CollectionNotFound):
        storage.load_collection(tmp_path)
    (tmp_path / "collection.yaml").write_text("courier: 1\nname: [\n")
    with pytest.raises(StorageError, match=r"collection\.yaml"):
        storage.load_collection(tmp_path)
    (tmp_path / "collection.yaml").write_text("courier: 99\nname: Future\n")
    with pytest.raises(StorageError, match="newer Courier"):
        storage.load_collection(tmp_path)


def test_a_failed_write_leaves_the_original_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    collection = storage.create_collection(tmp_path / "c", "C")
    request = storage.add_request(collection, None, Request(name="R", url="/v1"))
    assert request.path is not None
    original = request.path.read_bytes()

    def disk_full(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", disk_full)
    request.url = "/v2"
    with pytest.raises(StorageError, match="No space left on device"):
        storage.save_request(collection, request)
    monkeypatch.undo()
    assert request.path.read_bytes() == original
    assert sorted(p.name for p in (tmp_path / "c").iterdir()) == [
        "collection.yaml",
        "r.request.yaml",
    ], "no temp file is left behind"


def test_add_rename_duplicate_delete(tmp_path: Path) -> None:
    collection = storage.create_collection(tmp_path / "c", "C")
    folder = storage.add_folder(collection, None, "Users")
    first = storage.add_request(collection, folder, Request(name="List"))
    second = storage.add_request(collection, folder, Request(name="List"))
    assert first.path is not None
    assert second.path is not None
    assert first.path.name == "list.request.yaml"
    assert second.path.name == "list-2.request.yaml"

    storage.rename_request(collection, first, "All users")
    assert first.path.name == "all-users.request.yaml"
    assert not (folder.path / "list.request.yaml").exists()  # type: ignore[operator]

    copy = storage.duplicate_request(collection, first)
    assert copy.name == "All users copy"
    assert folder.requests.index(copy) == folder.requests.index(first) + 1

    storage.rename_folder(collection, folder, "People")
    assert folder.path == tmp_path / "c" / "people"
    assert all(r.path is not None and r.path.parent == folder.path for r in folder.requests)

    twin = storage.duplicate_folder(collection, folder)
    assert twin.path == tmp_path / "c" / "people-copy"
    assert len(twin.requests) == 3

    storage.delete_request(collection, second)
    storage.delete_folder(collection, twin)
    assert not (tmp_path / "c" / "people-copy").exists()

    loaded = storage.load_collection(tmp_path / "c")
    assert [f.name for f in loaded.folders] == ["People"]
    assert names(loaded) == ["All users", "All users copy"]


def test_a_folder_cannot_take_the_environments_directory(tmp_path: Path) -> None:
    collection = storage.create_collection(tmp_path / "c", "C")
    storage.add_environment(collection, "local")
    folder = storage.add_folder(collection, None, "Environments")
    assert folder.path is not None
    assert folder.path.name == "environments-2"
    loaded = storage.load_collection(tmp_path / "c")
    assert [f.name for f in loaded.folders] == ["Environments"]
    assert [e.name for e in loaded.environments] == ["local"]


def test_files_without_an_order_load_in_natural_order(tmp_path: Path) -> None:
    storage.create_collection(tmp_path / "c", "C")
    for i, name in enumerate(["Item 10", "item 2", "Item 1", "beta"]):
        (tmp_path / "c" / f"r{i}.request.yaml").write_text(f"name: {name}\n")
    loaded = storage.load_collection(tmp_path / "c")
    assert names(loaded) == ["beta", "Item 1", "item 2", "Item 10"]


def test_create_collection_refuses_a_non_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "keep.txt").write_text("mine")
    with pytest.raises(StorageError, match="not empty"):
        storage.create_collection(tmp_path / "x", "X")
    assert (tmp_path / "x" / "keep.txt").read_text() == "mine"


def test_ten_thousand_requests_load(tmp_path: Path) -> None:
    root = tmp_path / "big"
    collection = storage.create_collection(root, "Big")
    for f in range(20):
        folder = storage.add_folder(collection, None, f"Folder {f}")
        folder_path = folder.path
        assert folder_path is not None
        for r in range(500):
            (folder_path / f"r{r}.request.yaml").write_text(
                f"name: Request {r}\nmethod: GET\nurl: /items/{r}\n"
            )
    loaded = storage.load_collection(root)
    assert sum(1 for _ in loaded.iter_requests()) == 10_000
    assert loaded.problems == []


def test_parse_cache_sees_every_change(tmp_path: Path) -> None:
    from app.core.parse_cache import cache_file_for

    collection = storage.create_collection(tmp_path / "c", "C")
    request = storage.add_request(collection, None, Request(name="R", url="/v1"))
    assert request.path is not None
    first = storage.load_collection(tmp_path / "c")
    assert cache_file_for(tmp_path / "c").is_file()
    assert first.requests[0].url == "/v1"

    request.path.write_text("name: R\nmethod: GET\nurl: /v2-longer\n")
    assert storage.load_collection(tmp_path / "c").requests[0].url == "/v2-longer"

    request.path.write_text("name: [broken\n")
    for _ in range(2):  # broken files are reported every time, never cached
        assert len(storage.load_collection(tmp_path / "c").problems) == 1

    cache_file_for(tmp_path / "c").write_bytes(b"\x00 not json")
    request.path.write_text("name: R\nmethod: GET\nurl: /v3\n")
    assert storage.load_collection(tmp_path / "c").requests[0].url == "/v3"
    assert storage.load_collection(tmp_path / "c", use_cache=False).requests[0].url == "/v3"


def test_auth_and_settings_round_trip_and_credentials_stay_out_of_files(tmp_path: Path) -> None:
    from app.core.model import Auth, AuthKind, Settings

    collection = storage.create_collection(tmp_path / "c", "C")
    collection.auth = Auth(kind=AuthKind.BEARER, token="literal-token-123")
    collection.settings = Settings(timeout_s=10.0, verify_tls=False, proxy="http://p:3128")
    storage.save_collection_settings(collection)
    folder = storage.add_folder(collection, None, "F")
    folder.auth = Auth(kind=AuthKind.BASIC, username="ada", password="{{password}}")
    storage.save_folder_settings(collection, folder)
    request = storage.add_request(
        collection,
        folder,
        Request(
            name="R",
            auth=Auth(kind=AuthKind.API_KEY, key_name="api_key", key_value="k-999", key_in="query"),
            settings=Settings(follow_redirects=False),
            disabled_inherited_headers=["X-Team"],
        ),
    )
    text = (tmp_path / "c" / "collection.yaml").read_text()
    assert "literal-token-123" not in text
    assert "secret_fields:\n  - token" in text
    assert "k-999" not in request.path.read_text()  # type: ignore[union-attr]

    loaded = storage.load_collection(tmp_path / "c")
    assert loaded.auth.kind is AuthKind.BEARER
    assert loaded.auth.token == ""
    assert loaded.auth.stored_secrets == ["token"]
    assert loaded.settings == collection.settings
    assert loaded.folders[0].auth == folder.auth, "a {{reference}} is not a secret"
    got = loaded.folders[0].requests[0]
    assert got.auth.key_in == "query"
    assert got.auth.key_name == "api_key"
    assert got.settings.follow_redirects is False
    assert got.disabled_inherited_headers == ["X-Team"]
    # saving without the keychain value keeps the reference to it
    storage.save_collection_settings(loaded)
    assert "secret_fields:\n  - token" in (tmp_path / "c" / "collection.yaml").read_text()


def test_bad_auth_or_settings_are_problems(tmp_path: Path) -> None:
    collection = storage.create_collection(tmp_path / "c", "C")
    (tmp_path / "c" / "a.request.yaml").write_text("name: A\nauth: {type: kerberos}\n")
    (tmp_path / "c" / "b.request.yaml").write_text("name: B\nsettings: {timeout_s: soon}\n")
    loaded = storage.load_collection(collection.path)  # type: ignore[arg-type]
    reasons = sorted(p.reason for p in loaded.problems)
    assert any("unknown auth type 'kerberos'" in r for r in reasons)
    assert any("timeout_s" in r for r in reasons)


def test_broken_folder_and_environment_files_are_problems_and_untouched(tmp_path: Path) -> None:
    collection = storage.create_collection(tmp_path / "c", "C")
    folder = storage.add_folder(collection, None, "Users")
    storage.add_request(collection, folder, Request(name="List users"))
    good_env = storage.add_environment(collection, "local")
    bad_env = storage.add_environment(collection, "prod")
    assert folder.path is not None
    assert bad_env.path is not None
    folder_file = folder.path / "folder.yaml"
    folder_file.write_bytes(b"name: Users\nheaders: {not: a list}\n")
    bad_env.path.write_bytes(b"name: prod\nvariables:\n- [x\n")
    snapshot = {p: p.read_bytes() for p in (folder_file, bad_env.path)}

    loaded = storage.load_collection(tmp_path / "c")
    problems = {p.path: p.reason for p in loaded.problems}
    assert set(problems) == {folder_file, bad_env.path}
    assert "'headers' must be a list" in problems[folder_file]
    assert "not valid YAML" in problems[bad_env.path]
    # the folder still shows (named after its directory) with its requests
    assert [f.name for f in loaded.folders] == ["users"]
    assert names(loaded) == ["List users"]
    assert [e.name for e in loaded.environments] == [good_env.name]
    # saving the folder would replace settings that were never read: refused
    loaded.folders[0].notes = "edited"
    with pytest.raises(StorageError, match="could not be read"):
        storage.save_folder_settings(loaded, loaded.folders[0])
    assert {p: p.read_bytes() for p in snapshot} == snapshot


def test_format_versions(tmp_path: Path) -> None:
    (tmp_path / "collection.yaml").write_text("courier: '1'\nname: Odd\n")
    with pytest.raises(StorageError, match="unknown format version"):
        storage.load_collection(tmp_path)
    (tmp_path / "collection.yaml").write_text("name: No version line\n")
    assert storage.load_collection(tmp_path).name == "No version line"


def test_folder_slugs_collide_and_renames_keep_or_move_files(tmp_path: Path) -> None:
    collection = storage.create_collection(tmp_path / "c", "C")
    first = storage.add_folder(collection, None, "Users")
    second = storage.add_folder(collection, None, "users!")
    nested = storage.add_folder(collection, first, "Users")
    assert first.path == tmp_path / "c" / "users"
    assert second.path == tmp_path / "c" / "users-2"
    assert nested.path == tmp_path / "c" / "users" / "users"

    # a rename that only changes case keeps the file and rewrites the name inside it
    request = storage.add_request(collection, nested, Request(name="list"))
    storage.rename_request(collection, request, "LIST")
    assert request.path == tmp_path / "c" / "users" / "users" / "list.request.yaml"
    assert request.path.read_text(encoding="utf-8") == "name: LIST\nmethod: GET\n"

    # renaming onto a taken slug picks the next free one; everything below follows
    storage.rename_folder(collection, first, "Users 2")
    assert first.path == tmp_path / "c" / "users-2-2"
    assert nested.path == tmp_path / "c" / "users-2-2" / "users"
    assert request.path == nested.path / "list.request.yaml"
    assert request.path.is_file()
    assert not (tmp_path / "c" / "users").exists()

    loaded = storage.load_collection(tmp_path / "c")
    assert [f.name for f in loaded.folders] == ["Users 2", "users!"]
    assert [f.name for f in loaded.folders[0].folders] == ["Users"]
    assert names(loaded) == ["LIST"]


def test_parent_folder_and_duplicating_nested_folders(tmp_path: Path) -> None:
    collection = storage.create_collection(tmp_path / "c", "C")
    top = storage.add_request(collection, None, Request(name="Top"))
    outer = storage.add_folder(collection, None, "Outer")
    inner = storage.add_folder(collection, outer, "Inner")
    deep = storage.add_request(collection, inner, Request(name="Deep", url="/deep"))
    assert storage.parent_folder(collection, top) is None
    assert storage.parent_folder(collection, outer) is None
    assert storage.parent_folder(collection, inner) is outer
    assert storage.parent_folder(collection, deep) is inner
    with pytest.raises(StorageError, match="not part of"):
        storage.parent_folder(collection, Request(name="Stray"))

    twin = storage.duplicate_folder(collection, outer)
    assert twin.name == "Outer copy"
    twin_deep = twin.folders[0].requests[0]
    assert twin_deep is not deep
    assert twin_deep.path == tmp_path / "c" / "outer-copy" / "inner" / "deep.request.yaml"
    assert deep.path == tmp_path / "c" / "outer" / "inner" / "deep.request.yaml"
    loaded = storage.load_collection(tmp_path / "c")
    assert [f.name for f in loaded.folders] == ["Outer", "Outer copy"]
    assert names(loaded) == ["Top", "Deep", "Deep"]


def test_deletes_stay_inside_the_collection(tmp_path: Path) -> None:
    collection = storage.create_collection(tmp_path / "c", "C")
    outside = tmp_path / "precious"
    outside.mkdir()
    (outside / "keep.txt").write_text("mine")
    stray = Folder(name="Stray", path=outside)
    collection.folders.append(stray)
    with pytest.raises(StorageError, match="outside the collection"):
        storage.delete_folder(collection, stray)
    assert (outside / "keep.txt").read_text() == "mine"
    root_folder = Folder(name="Root", path=tmp_path / "c")
    collection.folders.append(root_folder)
    with pytest.raises(StorageError, match="collection folder itself"):
        storage.delete_folder(collection, root_folder)
    assert (tmp_path / "c" / "collection.yaml").is_file()


def test_environments_add_save_delete(tmp_path: Path) -> None:
    collection = storage.create_collection(tmp_path / "c", "C")
    env = storage.add_environment(collection, "Prod (EU)")
    twin = storage.add_environment(collection, "prod eu")
    assert env.path == tmp_path / "c" / "environments" / "prod-eu.yaml"
    assert twin.path == tmp_path / "c" / "environments" / "prod-eu-2.yaml"
    env.variables = [Variable("host", "eu.example.com"), Variable("key", "k-1", secret=True)]
    storage.save_environment(collection, env)
    assert env.path.read_text(encoding="utf-8") == (
        "name: Prod (EU)\n"
        "variables:\n"
        "- name: host\n"
        "  value: eu.example.com\n"
        "- name: key\n"
        "  secret: true\n"
    )
    storage.delete_environment(collection, twin)
    assert not twin.path.exists()
    loaded = storage.load_collection(tmp_path / "c")
    assert loaded.environments == [
        Environment("Prod (EU)", [Variable("host", "eu.example.com"), Variable("key", secret=True)])
    ]


def test_collection_file_key_order_and_defaults(tmp_path: Path) -> None:
    collection = storage.create_collection(tmp_path / "c", "Shop")
    path = tmp_path / "c" / "collection.yaml"
    assert path.read_text(encoding="utf-8") == f"courier: 1\nid: {collection.id}\nname: Shop\n"
    collection.notes = "Line one\nLine two\n"
    collection.base_url = "https://shop.example"
    collection.variables = [Variable("page", "1", enabled=False)]
    collection.headers = [KeyValue("Accept", "application/json")]
    storage.save_collection_settings(collection)
    assert path.read_text(encoding="utf-8") == (
        f"courier: 1\nid: {collection.id}\nname: Shop\n"
        "base_url: https://shop.example\n"
        "headers:\n- name: Accept\n  value: application/json\n"
        "variables:\n- name: page\n  value: '1'\n  enabled: false\n"
        "notes: |\n  Line one\n  Line two\n"
    )
