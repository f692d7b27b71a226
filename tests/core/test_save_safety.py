"""Saving, renaming and deleting on real files: nothing of anyone else's is lost.

Unknown keys and comments survive an edit, a file changed outside Courier is
not overwritten, a symlinked request stays a link, renames never leave a
request twice, crash leftovers are cleaned on open, and deleting a folder names
the files Courier never showed.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from app.core import fileops, storage
from app.core.errors import FileChangedOnDisk, StorageError
from app.core.filestamp import stamp_file
from app.core.model import Auth, AuthKind, Collection, KeyValue, Request, Variable

HAND_WRITTEN = """\
# Owned by the platform team
name: Get user
method: GET
url: https://old.example/users/1   # staging
x-team-owner: alice
headers:
  - name: Accept
    value: application/json
    x-why: the API needs it   # keep
body:
  type: json
  text: '{}'
  x-schema: user.json
auth:
  type: bearer
  token: '{{token}}'
  x-scopes: [read]
settings:
  timeout_s: 5
  x-retries: 3
tests:
  - status == 200
"""


def collection_with(tmp_path: Path, name: str, text: str) -> tuple[Collection, Path]:
    root = tmp_path / "c"
    storage.create_collection(root, "C")
    path = root / name
    path.write_text(text)
    return storage.load_collection(root, use_cache=False), path


def test_edit_keeps_unknown_keys_comments_and_formatting(tmp_path: Path) -> None:
    collection, path = collection_with(tmp_path, "get-user.request.yaml", HAND_WRITTEN)
    request = collection.requests[0]
    request.url = "https://new.example/users/1"
    request.headers.append(KeyValue("X-Trace", "1"))
    storage.save_request(collection, request)
    expected = HAND_WRITTEN.replace("https://old.example", "https://new.example").replace(
        "    x-why: the API needs it   # keep\n",
        "    x-why: the API needs it   # keep\n  - name: X-Trace\n    value: '1'\n",
    )
    assert path.read_text() == expected
    assert storage.load_collection(collection.path, use_cache=False).requests[0] == request  # type: ignore[arg-type]


def test_unchanged_save_does_not_write(tmp_path: Path) -> None:
    collection, path = collection_with(tmp_path, "get-user.request.yaml", HAND_WRITTEN)
    before = os.stat(path)
    storage.save_request(collection, collection.requests[0])
    after = os.stat(path)
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_literal_secret_typed_by_hand_is_removed_on_save(tmp_path: Path) -> None:
    text = "name: R\nauth:\n  type: basic\n  username: u\n  password: hunter2  # oops\n"
    collection, path = collection_with(tmp_path, "r.request.yaml", text)
    request = collection.requests[0]
    request.url = "https://x"
    storage.save_request(collection, request)
    assert "hunter2" not in path.read_text()
    assert "secret_fields:\n  - password" in path.read_text()


def test_proxy_password_typed_by_hand_is_removed_on_save(tmp_path: Path) -> None:
    text = (
        "name: R\nx-owner: alice\nsettings:\n"
        "  proxy: http://bob:hunter2@127.0.0.1:3128  # corp proxy\n"
    )
    collection, path = collection_with(tmp_path, "r.request.yaml", text)
    request = collection.requests[0]
    assert request.settings.proxy == "http://bob:hunter2@127.0.0.1:3128"
    storage.save_request(collection, request)  # nothing else changed: still scrubbed
    saved = path.read_text()
    assert "hunter2" not in saved
    assert re.search(r"proxy: http://bob@127\.0\.0\.1:3128 +# corp proxy", saved)
    assert "  secret_fields:\n  - proxy" in saved
    assert "x-owner: alice" in saved


def test_values_ruamel_cannot_parse_as_numbers_keep_the_comments(tmp_path: Path) -> None:
    # ruamel's int pattern matches "-_" and its int parsing then fails (IndexError):
    # the save fell back to a full dump that dropped every comment and unknown key
    text = "# mine\nname: -_\nx-owner: alice  # keep\nurl: https://a\n"
    collection, path = collection_with(tmp_path, "r.request.yaml", text)
    request = collection.requests[0]
    request.url = "https://b"
    storage.save_request(collection, request)
    saved = path.read_text()
    assert saved.startswith("# mine\n")
    assert "x-owner: alice  # keep" in saved
    assert "url: https://b" in saved
    assert storage.load_collection(collection.path, use_cache=False).requests[0].name == "-_"  # type: ignore[arg-type]


def test_save_refuses_a_file_changed_outside_courier(tmp_path: Path) -> None:
    collection, path = collection_with(tmp_path, "r.request.yaml", "name: R\nurl: https://a\n")
    request = collection.requests[0]
    path.write_text("name: R\nurl: https://theirs\nnotes: from git pull\n")
    request.url = "https://mine"
    with pytest.raises(FileChangedOnDisk) as caught:
        storage.save_request(collection, request)
    assert caught.value.path == path
    assert str(path) in str(caught.value)
    assert "theirs" in path.read_text()  # nothing written
    storage.save_request(collection, request, force=True)  # keep mine
    assert "url: https://mine" in path.read_text()
    request.notes = ""
    storage.save_request(collection, request)  # the stamp now is the write's


def test_touched_but_identical_file_is_not_a_change(tmp_path: Path) -> None:
    collection, path = collection_with(tmp_path, "r.request.yaml", "name: R\n")
    request = collection.requests[0]
    request.url = "https://a"
    storage.save_request(collection, request)  # stamp with the content hash
    os.utime(path, ns=(1, 1))
    request.url = "https://b"
    storage.save_request(collection, request)
    assert "https://b" in path.read_text()


def test_vanished_and_unknown_files_are_refused(tmp_path: Path) -> None:
    collection, path = collection_with(tmp_path, "r.request.yaml", "name: R\n")
    request = collection.requests[0]
    path.unlink()
    with pytest.raises(FileChangedOnDisk):
        storage.save_request(collection, request)
    assert not path.exists()
    storage.save_request(collection, request, force=True)
    assert path.exists()
    stranger = Request(name="S", path=path)  # never read: its stamp is unknown
    with pytest.raises(FileChangedOnDisk):
        storage.save_request(collection, stranger)


def test_every_save_function_checks_the_stamp(tmp_path: Path) -> None:
    root = tmp_path / "c"
    collection = storage.create_collection(root, "C")
    folder = storage.add_folder(collection, None, "F")
    environment = storage.add_environment(collection, "Dev")
    for path in (root / "collection.yaml", root / "f" / "folder.yaml", environment.path):
        assert path is not None
        path.write_text(path.read_text() + "x-edited: yes\n")
    with pytest.raises(FileChangedOnDisk):
        storage.save_collection_settings(collection)
    with pytest.raises(FileChangedOnDisk):
        storage.save_folder_settings(collection, folder)
    with pytest.raises(FileChangedOnDisk):
        storage.save_environment(collection, environment)
    environment.variables.append(Variable("pw", "s3cret", secret=True))
    storage.save_environment(collection, environment, force=True)
    assert environment.path is not None
    text = environment.path.read_text()
    assert "x-edited: yes" in text
    assert "s3cret" not in text


def test_courier_own_flows_keep_stamps(tmp_path: Path) -> None:
    collection = storage.create_collection(tmp_path / "c", "C")
    folder = storage.add_folder(collection, None, "F")
    request = storage.add_request(collection, folder, Request(name="R"))
    twin = storage.duplicate_request(collection, request)
    folder_twin = storage.duplicate_folder(collection, folder)
    storage.rename_request(collection, request, "Renamed")
    storage.rename_folder(collection, folder, "G")
    environment = storage.add_environment(collection, "Dev")
    for item in (request, twin, folder_twin.requests[0]):
        item.notes = "edited"
        storage.save_request(collection, item)
    for f in (folder, folder_twin):
        f.notes = "edited"
        storage.save_folder_settings(collection, f)
    collection.notes = "edited"
    storage.save_collection_settings(collection)
    environment.variables.append(Variable("a", "1"))
    storage.save_environment(collection, environment)
    assert request.path is not None
    assert request.disk == stamp_file(request.path, request.path.read_bytes())


def test_saving_a_symlinked_request_writes_through_the_link(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    target = shared / "real.request.yaml"
    target.write_text("name: R\n# theirs\nx-k: v\n")
    root = tmp_path / "c"
    storage.create_collection(root, "C")
    link = root / "r.request.yaml"
    link.symlink_to(target)
    collection = storage.load_collection(root, use_cache=False)
    request = collection.requests[0]
    request.url = "https://x"
    storage.save_request(collection, request)
    assert link.is_symlink()
    assert target.read_text() == "name: R\nurl: https://x\n# theirs\nx-k: v\n"
    assert not [p for p in root.iterdir() if fileops.is_temp_name(p.name)]


def test_rename_request_moves_the_file_atomically(tmp_path: Path) -> None:
    collection, path = collection_with(tmp_path, "old.request.yaml", "name: Old\n# c\nx-k: v\n")
    request = collection.requests[0]
    storage.rename_request(collection, request, "New name")
    assert not path.exists()
    assert request.path == path.parent / "new-name.request.yaml"
    assert request.path.read_text() == "name: New name\n# c\nx-k: v\n"


def test_rename_refuses_a_changed_file_and_moves_nothing(tmp_path: Path) -> None:
    collection, path = collection_with(tmp_path, "old.request.yaml", "name: Old\n")
    path.write_text("name: Theirs\n")
    with pytest.raises(FileChangedOnDisk):
        storage.rename_request(collection, collection.requests[0], "New")
    assert path.read_text() == "name: Theirs\n"
    assert sorted(p.name for p in path.parent.glob("*.request.yaml")) == ["old.request.yaml"]


def test_rename_noreplace_never_replaces(tmp_path: Path) -> None:
    (tmp_path / "a").write_text("a")
    (tmp_path / "b").write_text("b")
    (tmp_path / "d").mkdir()
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileExistsError):
        fileops.rename_noreplace(tmp_path / "a", tmp_path / "b")
    with pytest.raises(FileExistsError):
        fileops.rename_noreplace(tmp_path / "d", tmp_path / "empty")
    assert (tmp_path / "b").read_text() == "b"


def test_rename_folder_moves_directory_then_name(tmp_path: Path) -> None:
    collection = storage.create_collection(tmp_path / "c", "C")
    folder = storage.add_folder(collection, None, "Users")
    request = storage.add_request(collection, folder, Request(name="R"))
    storage.rename_folder(collection, folder, "People")
    assert folder.path == tmp_path / "c" / "people"
    assert request.path == folder.path / "r.request.yaml"
    assert "name: People" in (folder.path / "folder.yaml").read_text()
    assert not (tmp_path / "c" / "users").exists()


def test_stale_temp_files_are_removed_when_the_collection_opens(tmp_path: Path) -> None:
    root = tmp_path / "c"
    collection = storage.create_collection(root, "C")
    storage.add_folder(collection, None, "F")
    storage.add_environment(collection, "Dev")
    stale = [
        root / ".collection.yaml.a1b2c3d4.tmp",
        root / "f" / ".r.request.yaml.zz_0k9qp.tmp",
        root / "environments" / ".dev.yaml.abcdefgh.tmp",
    ]
    keep = [root / ".gitignore", root / "f" / ".notes.tmp", root / "f" / "x.yaml.abcdefgh.tmp"]
    for path in stale + keep:
        path.write_text("partial")
    storage.load_collection(root, use_cache=False)
    assert [p.exists() for p in stale] == [False] * 3
    assert [p.exists() for p in keep] == [True] * 3


def test_delete_folder_names_files_courier_does_not_show(tmp_path: Path) -> None:
    root = tmp_path / "c"
    collection = storage.create_collection(root, "C")
    folder = storage.add_folder(collection, None, "F")
    storage.add_request(collection, folder, Request(name="R", auth=Auth(kind=AuthKind.NONE)))
    assert folder.path is not None
    (folder.path / "README.md").write_text("docs")
    (folder.path / "broken.request.yaml").write_text("name: [unclosed\n")
    collection = storage.load_collection(root, use_cache=False)
    folder = collection.folders[0]
    assert folder.path is not None
    unshown = storage.unshown_files(collection, folder)
    assert sorted(p.name for p in unshown) == ["README.md", "broken.request.yaml"]
    with pytest.raises(StorageError, match=r"README\.md.*broken\.request\.yaml"):
        storage.delete_folder(collection, folder)
    assert (folder.path / "README.md").exists()
    assert collection.folders == [folder]
    storage.delete_folder(collection, folder, also_delete=unshown)
    assert not folder.path.exists()
    assert collection.folders == []
