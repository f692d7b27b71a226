"""disk_scan + disk_apply: outside changes read from real files and applied in place."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

from app.core import disk_apply, disk_scan, storage
from app.core.model import Auth, AuthKind, Collection, Folder, Request
from tests.helpers.stamps import stamp_all


def make(tmp_path: Path) -> Collection:
    c = storage.create_collection(tmp_path / "api", "API")
    folder = storage.add_folder(c, None, "Users")
    storage.add_request(c, folder, Request(name="List users", url="https://x/users"))
    storage.add_request(c, None, Request(name="Health", url="https://x/health"))
    storage.add_environment(c, "Local")
    assert c.path is not None
    loaded = storage.load_collection(c.path)
    stamp_all(loaded)
    return loaded


def sync(
    collection: Collection, *touched: Path, held: Request | None = None
) -> disk_apply.AppliedChanges:
    changes = disk_scan.scan(disk_scan.known_files(collection), touched)
    return disk_apply.apply(collection, changes, lambda r: r is held)


def request_named(collection: Collection, name: str) -> Request:
    return next(r for _c, r in collection.iter_requests() if r.name == name)


def test_a_changed_request_file_updates_the_same_object(tmp_path: Path) -> None:
    c = make(tmp_path)
    users = request_named(c, "List users")
    assert users.path is not None
    users.path.write_text(users.path.read_text().replace("/users", "/people"))
    applied = sync(c, users.path)
    assert request_named(c, "List users") is users
    assert users.url == "https://x/people"
    assert applied.items == [users]
    assert users.disk is not None
    assert users.disk.sha256 == hashlib.sha256(users.path.read_bytes()).hexdigest()


def test_courier_own_write_and_a_touch_are_not_changes(tmp_path: Path) -> None:
    c = make(tmp_path)
    users = request_named(c, "List users")
    users.url = "https://x/mine"
    storage.save_request(c, users)  # the stamp is now stale: content decides
    assert users.path is not None
    os.utime(users.path)
    applied = sync(c, users.path)
    assert not applied
    assert users.url == "https://x/mine"


def test_added_files_and_folders_appear_removed_ones_go(tmp_path: Path) -> None:
    c = make(tmp_path)
    assert c.path is not None
    new_request = c.path / "users" / "get-user.request.yaml"
    new_request.write_text("name: Get user\nmethod: GET\nurl: https://x/users/1\n")
    (c.path / "orders" / "deep").mkdir(parents=True)
    (c.path / "orders" / "folder.yaml").write_text("name: Orders\n")
    (c.path / "orders" / "deep" / "one.request.yaml").write_text("name: One\n")
    (c.path / "environments" / "prod.yaml").write_text("name: Prod\n")
    (c.path / "health.request.yaml").unlink()
    # only some of the events arrive: the directory listings find the rest
    applied = sync(
        c,
        new_request,
        c.path / "orders" / "deep" / "one.request.yaml",
        c.path / "environments" / "prod.yaml",
        c.path / "health.request.yaml",
    )
    users = c.folders[1] if c.folders[0].name == "Orders" else c.folders[0]
    # "Users" keeps the order Courier created its requests in: a file added outside goes last
    assert [r.name for r in users.requests] == ["List users", "Get user"]
    orders = next(f for f in c.folders if f.name == "Orders")
    assert [r.name for r in orders.folders[0].requests] == ["One"]
    assert [e.name for e in c.environments] == ["Local", "Prod"]
    assert c.requests == []
    assert applied.environments
    assert any(node is c for node in applied.trees)
    assert any(node is users for node in applied.trees)

    shutil.rmtree(c.path / "orders")
    sync(c, c.path / "orders")
    assert [f.name for f in c.folders] == ["Users"]


def test_a_held_request_is_left_alone_and_reported(tmp_path: Path) -> None:
    c = make(tmp_path)
    users = request_named(c, "List users")
    assert users.path is not None
    users.path.write_text(users.path.read_text().replace("/users", "/theirs"))
    applied = sync(c, users.path, held=users)
    assert users.url == "https://x/users"
    [conflict] = applied.conflicts
    assert conflict.request is users
    assert conflict.fresh is not None
    assert conflict.fresh.url == "https://x/theirs"
    assert "/theirs" in conflict.text

    users.path.unlink()
    [removed] = sync(c, users.path, held=users).conflicts
    assert removed.fresh is None
    assert request_named(c, "List users") is users, "the draft stays"


def test_a_file_that_breaks_is_a_problem_until_it_parses_again(tmp_path: Path) -> None:
    c = make(tmp_path)
    users = request_named(c, "List users")
    assert users.path is not None
    good = users.path.read_text()
    users.path.write_text("name: [unclosed\n")
    sync(c, users.path)
    assert [p.path for p in c.problems] == [users.path]
    assert users.url == "https://x/users", "the model keeps what it had"
    users.path.write_text(good.replace("/users", "/fixed"))
    sync(c, users.path)
    assert c.problems == []
    assert users.url == "https://x/fixed"


def test_secrets_survive_a_change_to_their_file(tmp_path: Path) -> None:
    c = make(tmp_path)
    users = request_named(c, "List users")
    users.auth = Auth(kind=AuthKind.BEARER, token="s3cret")
    storage.save_request(c, users)  # the file names the token, the value is in memory
    assert users.path is not None
    assert "s3cret" not in users.path.read_text()
    users.path.write_text(users.path.read_text().replace("/users", "/v2/users"))
    sync(c, users.path)
    assert users.url == "https://x/v2/users"
    assert users.auth.token == "s3cret"


def test_folder_and_collection_settings_follow_their_files(tmp_path: Path) -> None:
    c = make(tmp_path)
    assert c.path is not None
    folder: Folder = c.folders[0]
    assert folder.path is not None
    (folder.path / "folder.yaml").write_text("name: People\nheaders:\n- name: X-Team\n  value: a\n")
    meta = c.path / "collection.yaml"
    meta.write_text(meta.read_text() + "base_url: https://api.example\n")
    applied = sync(c, folder.path / "folder.yaml", meta)
    assert folder.name == "People"
    assert [h.name for h in folder.headers] == ["X-Team"]
    assert c.base_url == "https://api.example"
    assert any(i is folder for i in applied.items)
    assert any(i is c for i in applied.items)


def test_hidden_and_foreign_paths_are_ignored(tmp_path: Path) -> None:
    c = make(tmp_path)
    assert c.path is not None
    tmp = c.path / ".health.request.yaml.abc123.tmp"
    tmp.write_text("name: nope\n")
    (c.path / ".git").mkdir()
    outside = tmp_path / "elsewhere.request.yaml"
    outside.write_text("name: nope\n")
    assert not disk_scan.scan(disk_scan.known_files(c), [tmp, c.path / ".git", outside])
