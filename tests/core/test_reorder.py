"""Items keep the order the user gave them, in the files (``order:``, ``app.core.ordering``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core import disk_apply, disk_scan, storage
from app.core.errors import StorageError
from app.core.model import Collection, Folder, Request


def names(items: list[Request] | list[Folder]) -> list[str]:
    return [item.name for item in items]


def reopen(collection: Collection) -> Collection:
    assert collection.path is not None
    return storage.load_collection(collection.path, use_cache=False)


def folder_named(collection: Collection, name: str) -> Folder:
    return next(f for f in collection.folders if f.name == name)


def test_requests_keep_the_order_they_were_created_in_after_a_restart(tmp_path: Path) -> None:
    collection = storage.create_collection(tmp_path / "c", "C")
    for name in ["Zeta", "alpha", "Mid"]:
        storage.add_request(collection, None, Request(name=name))
    users = storage.add_folder(collection, None, "Users")
    for name in ["Update user", "Create user"]:
        storage.add_request(collection, users, Request(name=name))
    loaded = reopen(collection)
    assert names(loaded.requests) == ["Zeta", "alpha", "Mid"]
    assert names(folder_named(loaded, "Users").requests) == ["Update user", "Create user"]


def test_a_reorder_rewrites_only_the_parents_order_list(tmp_path: Path) -> None:
    collection = storage.create_collection(tmp_path / "c", "C")
    users = storage.add_folder(collection, None, "Users")
    for name in ["One", "Two", "Three"]:
        storage.add_request(collection, users, Request(name=name))
    assert users.path is not None
    before = {p: p.stat().st_mtime_ns for p in users.path.glob("*.request.yaml")}
    three = users.requests[2]
    storage.move(collection, three, users, 0)
    assert names(users.requests) == ["Three", "One", "Two"]
    assert {p: p.stat().st_mtime_ns for p in users.path.glob("*.request.yaml")} == before
    assert (users.path / "folder.yaml").read_text() == (
        "name: Users\norder:\n- three.request.yaml\n- one.request.yaml\n- two.request.yaml\n"
    )
    assert names(folder_named(reopen(collection), "Users").requests) == ["Three", "One", "Two"]


def test_unknown_keys_and_comments_survive_an_order_write(tmp_path: Path) -> None:
    collection = storage.create_collection(tmp_path / "c", "C")
    root = tmp_path / "c"
    (root / "collection.yaml").write_text(
        (root / "collection.yaml").read_text() + "# kept by hand\nx-team: core  # owner\n"
    )
    (root / "b.request.yaml").write_text("name: B\n")
    (root / "a.request.yaml").write_text("name: A\n")
    loaded = reopen(collection)
    assert names(loaded.requests) == ["A", "B"]
    storage.move(loaded, loaded.requests[1], None, 0)
    text = (root / "collection.yaml").read_text()
    assert "# kept by hand\nx-team: core  # owner\n" in text
    assert "order:\n- b.request.yaml\n- a.request.yaml\n" in text
    assert names(reopen(loaded).requests) == ["B", "A"]


def test_items_the_order_does_not_name_follow_in_natural_order(tmp_path: Path) -> None:
    root = tmp_path / "c"
    storage.create_collection(root, "C")
    for slug, name in [("d", "Delta"), ("c", "Charlie"), ("b", "Bravo"), ("a", "Alpha")]:
        (root / f"{slug}.request.yaml").write_text(f"name: {name}\n")
    with (root / "collection.yaml").open("a") as file:
        file.write("order:\n- c.request.yaml\n- gone.request.yaml\n- a.request.yaml\n")
    loaded = storage.load_collection(root, use_cache=False)
    assert names(loaded.requests) == ["Charlie", "Alpha", "Bravo", "Delta"]


def test_move_between_folders_moves_the_file_and_keeps_both_orders(tmp_path: Path) -> None:
    collection = storage.create_collection(tmp_path / "c", "C")
    users = storage.add_folder(collection, None, "Users")
    admins = storage.add_folder(collection, None, "Admins")
    one = storage.add_request(collection, users, Request(name="One", url="/1"))
    storage.add_request(collection, users, Request(name="Two"))
    storage.add_request(collection, admins, Request(name="A"))
    storage.add_request(collection, admins, Request(name="B"))
    old_path = one.path
    assert old_path is not None
    assert admins.path is not None
    storage.move(collection, one, admins, 1)
    assert not old_path.exists()
    assert one.path == admins.path / "one.request.yaml"
    assert one.path.is_file()
    assert names(admins.requests) == ["A", "One", "B"]
    loaded = reopen(collection)
    assert names(folder_named(loaded, "Admins").requests) == ["A", "One", "B"]
    assert names(folder_named(loaded, "Users").requests) == ["Two"]
    assert folder_named(loaded, "Admins").requests[1].url == "/1"


def test_a_moved_request_whose_file_name_is_taken_gets_a_free_one(tmp_path: Path) -> None:
    collection = storage.create_collection(tmp_path / "c", "C")
    users = storage.add_folder(collection, None, "Users")
    top = storage.add_request(collection, None, Request(name="Get"))
    storage.add_request(collection, users, Request(name="Get"))
    storage.move(collection, top, users, 2)
    assert top.path is not None
    assert top.path.name == "get-2.request.yaml"
    assert names(folder_named(reopen(collection), "Users").requests) == ["Get", "Get"]


def test_a_folder_moves_into_another_with_everything_in_it(tmp_path: Path) -> None:
    collection = storage.create_collection(tmp_path / "c", "C")
    users = storage.add_folder(collection, None, "Users")
    admins = storage.add_folder(collection, None, "Admins")
    inner = storage.add_request(collection, admins, Request(name="List admins"))
    storage.move(collection, admins, users, 0)
    assert users.path is not None
    assert admins.path == users.path / "admins"
    assert inner.path == users.path / "admins" / "list-admins.request.yaml"
    assert inner.path.is_file()
    loaded = reopen(collection)
    assert names(loaded.folders) == ["Users"]
    assert names(loaded.folders[0].folders) == ["Admins"]
    assert names(loaded.folders[0].folders[0].requests) == ["List admins"]


def test_a_folder_never_moves_into_itself(tmp_path: Path) -> None:
    collection = storage.create_collection(tmp_path / "c", "C")
    users = storage.add_folder(collection, None, "Users")
    admins = storage.add_folder(collection, users, "Admins")
    with pytest.raises(StorageError, match="into itself"):
        storage.move(collection, users, admins, 0)
    with pytest.raises(StorageError, match="into itself"):
        storage.move(collection, users, users, 0)
    assert users.path is not None
    assert users.path.is_dir()


def test_rename_duplicate_and_delete_keep_the_order_consistent(tmp_path: Path) -> None:
    collection = storage.create_collection(tmp_path / "c", "C")
    for name in ["Zeta", "Alpha", "Mid"]:
        storage.add_request(collection, None, Request(name=name))
    zeta, alpha, _mid = collection.requests
    storage.rename_request(collection, zeta, "Omega")
    storage.duplicate_request(collection, alpha)
    storage.delete_request(collection, alpha)
    assert names(collection.requests) == ["Omega", "Alpha copy", "Mid"]
    assert names(reopen(collection).requests) == ["Omega", "Alpha copy", "Mid"]
    text = (tmp_path / "c" / "collection.yaml").read_text()
    assert text.endswith(
        "order:\n- omega.request.yaml\n- alpha-copy.request.yaml\n- mid.request.yaml\n"
    )


def test_a_renamed_folder_keeps_its_place(tmp_path: Path) -> None:
    collection = storage.create_collection(tmp_path / "c", "C")
    for name in ["Zulu", "Bravo", "Alpha"]:
        storage.add_folder(collection, None, name)
    storage.rename_folder(collection, collection.folders[0], "Yankee")
    assert names(reopen(collection).folders) == ["Yankee", "Bravo", "Alpha"]


def test_a_duplicated_folder_keeps_the_order_inside(tmp_path: Path) -> None:
    collection = storage.create_collection(tmp_path / "c", "C")
    users = storage.add_folder(collection, None, "Users")
    for name in ["Second", "First"]:
        storage.add_request(collection, users, Request(name=name))
    copy = storage.duplicate_folder(collection, users)
    assert isinstance(copy, Folder)
    assert names(folder_named(reopen(collection), "Users copy").requests) == ["Second", "First"]


def test_an_order_changed_on_disk_reorders_the_open_collection(tmp_path: Path) -> None:
    collection = storage.create_collection(tmp_path / "c", "C")
    for name in ["One", "Two"]:
        storage.add_request(collection, None, Request(name=name))
    loaded = reopen(collection)
    meta = tmp_path / "c" / "collection.yaml"
    meta.write_text(
        meta.read_text().replace(
            "- one.request.yaml\n- two.request.yaml\n", "- two.request.yaml\n- one.request.yaml\n"
        )
    )
    changes = disk_scan.scan(disk_scan.known_files(loaded), {meta})
    applied = disk_apply.apply(loaded, changes, lambda _request: False)
    assert names(loaded.requests) == ["Two", "One"]
    assert any(node is loaded for node in applied.trees)


def test_a_file_added_outside_goes_where_the_order_names_it(tmp_path: Path) -> None:
    root = tmp_path / "c"
    collection = storage.create_collection(root, "C")
    for name in ["One", "Two"]:
        storage.add_request(collection, None, Request(name=name))
    loaded = reopen(collection)
    meta = root / "collection.yaml"
    meta.write_text(
        meta.read_text().replace(
            "- one.request.yaml\n", "- one.request.yaml\n- between.request.yaml\n"
        )
    )
    (root / "between.request.yaml").write_text("name: Between\n")
    (root / "after.request.yaml").write_text("name: After\n")
    changes = disk_scan.scan(
        disk_scan.known_files(loaded),
        {meta, root / "between.request.yaml", root / "after.request.yaml"},
    )
    disk_apply.apply(loaded, changes, lambda _request: False)
    assert names(loaded.requests) == ["One", "Between", "Two", "After"]


def test_names_yaml_would_read_as_other_things_keep_their_order(tmp_path: Path) -> None:
    """Folders named like YAML's booleans, nulls, numbers and dates stay text in order:."""
    collection = storage.create_collection(tmp_path / "c", "C")
    for name in ["yes", "2024-01-01", "123", "null", "On", "a b"]:
        storage.add_folder(collection, None, name)
    storage.move(collection, collection.folders[-1], None, 0)
    expected = ["a b", "yes", "2024-01-01", "123", "null", "On"]
    assert names(collection.folders) == expected
    assert names(reopen(collection).folders) == expected


def test_an_order_list_with_comments_inside_keeps_them(tmp_path: Path) -> None:
    root = tmp_path / "c"
    collection = storage.create_collection(root, "C")
    for name in ["One", "Two", "Three"]:
        storage.add_request(collection, None, Request(name=name))
    meta = root / "collection.yaml"
    meta.write_text(
        meta.read_text().replace("- two.request.yaml\n", "# the slow one\n- two.request.yaml\n")
    )
    loaded = reopen(collection)
    storage.move(loaded, loaded.requests[2], None, 0)
    text = meta.read_text()
    assert "# the slow one\n" in text
    assert names(reopen(loaded).requests) == ["Three", "One", "Two"]


def test_a_long_order_is_rewritten_fast(tmp_path: Path) -> None:
    """10,000 requests in one folder: a reorder edits the list as text (ruamel's round
    trip of such a list takes seconds) and the file reads back in the new order."""
    import time

    root = tmp_path / "c"
    storage.create_collection(root, "C")
    folder = root / "big"
    folder.mkdir()
    count = 10_000
    for i in range(count):
        (folder / f"r{i:05d}.request.yaml").write_text(f"name: R {i:05d}\n")
    listed = "".join(f"- r{i:05d}.request.yaml\n" for i in reversed(range(count)))
    (folder / "folder.yaml").write_text(f"# by hand\nname: Big\nx-owner: me\norder:\n{listed}")
    loaded = storage.load_collection(root, use_cache=False)
    big = loaded.folders[0]
    assert big.requests[0].name == f"R {count - 1:05d}"
    started = time.perf_counter()
    storage.move(loaded, big.requests[-1], big, 0)
    elapsed = time.perf_counter() - started
    text = (folder / "folder.yaml").read_text()
    assert text.startswith("# by hand\nname: Big\nx-owner: me\norder:\n- r00000.request.yaml\n")
    assert names(reopen(loaded).folders[0].requests)[:2] == ["R 00000", f"R {count - 1:05d}"]
    assert elapsed < 2.5, f"a reorder of 10,000 took {elapsed:.2f} s"
