"""A Posting folder opened by the Qt-free session (what the window and ``courier send``
share): marked foreign, requests tied to their files, broken files listed as problems,
every write refused; converting writes a Courier collection elsewhere, secrets in the
keychain, the original untouched."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from app.core import storage
from app.core.errors import StorageError
from app.session import Session
from app.session.foreign import (
    ForeignReadOnly,
    convert,
    default_target,
    foreign_root,
    refuse_writes,
)

SHOP = Path(__file__).resolve().parent / "fixtures" / "posting" / "shop"


def tree_hash(root: Path) -> list[tuple[str, str]]:
    return [
        (str(p.relative_to(root)), hashlib.sha256(p.read_bytes()).hexdigest())
        for p in sorted(root.rglob("*"))
        if p.is_file()
    ]


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    copy = tmp_path / "shop"
    shutil.copytree(SHOP, copy)
    return copy


@pytest.fixture
def session(tmp_path: Path) -> Session:
    return Session(state_path=tmp_path / "state.json")  # the test keychain


def test_the_session_opens_a_posting_folder_as_it_is(shop: Path, session: Session) -> None:
    before = tree_hash(shop)
    collection = session.load_collection(shop)
    assert (collection.foreign, collection.name, collection.path) == ("posting", "shop", shop)
    assert sum(1 for _ in collection.iter_requests()) == 9
    files = {r.name: r.path for _chain, r in collection.iter_requests()}
    assert files["Delete user"] == shop / "users" / "admin" / "delete-user.posting.yaml"
    assert collection.folders[2].path == shop / "users"
    assert [e.name for e in collection.environments] == ["dev", "prod"]
    assert collection.id == session.load_collection(shop).id, "the same id each time"
    with pytest.raises(ForeignReadOnly) as refused:
        refuse_writes(collection)
    assert str(refused.value) == (
        "This is a Posting collection. Convert it to a Courier collection to save changes?"
    )
    assert tree_hash(shop) == before


def test_a_broken_request_file_is_a_problem_the_rest_opens(shop: Path, session: Session) -> None:
    broken = shop / "auth" / "login.posting.yaml"
    broken.write_text("name: Log in\nmethod: [\n")
    (shop / "prod.env").write_text("NOT A LINE\n")
    collection = session.load_collection(shop)
    assert [p.path for p in collection.problems] == [broken, shop / "prod.env"]
    assert "auth/login.posting.yaml: not valid YAML" in collection.problems[0].reason
    assert "prod.env: expected NAME=value" in collection.problems[1].reason
    assert sum(1 for _ in collection.iter_requests()) == 8
    assert [e.name for e in collection.environments] == ["dev"], "the other env file is read"


def test_a_plain_folder_is_still_no_collection(tmp_path: Path, session: Session) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "notes.txt").write_text("hi")
    with pytest.raises(StorageError):
        session.load_collection(plain)


def test_convert_writes_a_courier_collection_and_leaves_the_folder_alone(
    shop: Path, session: Session
) -> None:
    before = tree_hash(shop)
    foreign = session.load_collection(shop)
    target = default_target(foreign)
    assert target == shop.parent / "shop (Courier)"
    converted = convert(session, foreign, target)
    fresh = converted.collection
    assert (fresh.path, fresh.foreign, fresh.name) == (target, "", "shop")
    assert fresh.id != foreign.id
    pairs = [(r.name, converted.requests[id(r)].name) for _c, r in foreign.iter_requests()]
    assert all(a == b for a, b in pairs)
    assert len(pairs) == 9
    on_disk = storage.load_collection(target)
    assert sum(1 for _ in on_disk.iter_requests()) == 9
    assert [e.name for e in on_disk.environments] == ["dev", "prod"]
    text = "".join(p.read_text() for p in target.rglob("*.yaml"))
    assert "s3cret-admin" not in text
    assert "dev-token-7f3a" not in text
    admin = next(r for _c, r in fresh.iter_requests() if r.name == "Delete user")
    assert converted.secrets_kept
    assert admin.auth.password == "s3cret-admin", "from the keychain"
    assert tree_hash(shop) == before
    assert default_target(foreign) == shop.parent / "shop (Courier 2)", "the next is numbered"
    with pytest.raises(StorageError, match="already exists"):
        convert(session, foreign, target)


def test_foreign_root_of_a_request_file(shop: Path, tmp_path: Path) -> None:
    assert foreign_root(shop / "users" / "admin" / "delete-user.posting.yaml") == shop
    lone = tmp_path / "lone" / "a"
    lone.mkdir(parents=True)
    (lone / "x.posting.yaml").write_text("name: x\n")
    assert foreign_root(lone / "x.posting.yaml") == lone
    assert foreign_root(tmp_path / "lone" / "y.request.yaml") is None
