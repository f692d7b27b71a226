"""An import lands on disk whole, in one batch: the storage layer reads back the same
collection (order, auth, bodies, notes), secrets go to the keychain and never into
files, and a failure leaves nothing behind."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core import storage
from app.core.importers import (
    parse_postman,
    parse_postman_environment,
    write_into_collection,
    write_new_collection,
)
from app.core.model import Collection, Folder, Request
from app.core.secret_slots import SecretSlot

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "postman"
SHOP = FIXTURES / "shop.postman_collection.json"
ENV = FIXTURES / "shop.postman_environment.json"
SECRETS = ("s3cret-admin", "q-key-123", "digest-pw", "cs-very-secret", "aws-secret")


def tree(container: Collection | Folder) -> list[object]:
    """Everything a user sees of a container, in the order they see it."""
    return [
        [(f.name, f.headers, f.variables, f.notes, f.auth, tree(f)) for f in container.folders],
        [_request(r) for r in container.requests],
    ]


def _request(request: Request) -> tuple[object, ...]:
    return (request.name, request.method, request.url, request.params, request.headers,
            request.body, request.auth, request.notes, request.settings)  # fmt: skip


def all_text(directory: Path) -> str:
    return "".join(p.read_text() for p in sorted(directory.rglob("*.yaml")))


def test_new_collection_reads_back_as_imported_and_keeps_secrets_out(tmp_path: Path) -> None:
    imported = parse_postman(SHOP.read_text())
    expected = tree(parse_postman(SHOP.read_text()).collection)
    stored: dict[str, str] = {}

    def keychain(slots: list[SecretSlot]) -> None:
        assert not (tmp_path / "shop").exists()  # secrets first, then the rename
        stored.update({slot.key: slot.get() for slot in slots if slot.holds_secret()})

    into = tmp_path / "shop"
    written = write_new_collection(imported, into, keychain)
    assert written.path == into
    assert sorted(p.name for p in tmp_path.iterdir()) == ["shop"]  # no staging left
    loaded = storage.load_collection(into)
    assert loaded.problems == []
    assert loaded.id == written.id
    assert loaded.auth.token == "{{token}}"
    for secret in SECRETS:
        assert secret not in all_text(into)
        assert secret in stored.values()
    assert stored[f"{loaded.id}/auth:products/admin/folder.yaml/password"] == "s3cret-admin"
    # the keychain's values filled back in: exactly what was imported, in Postman's order
    for chain_request, key in (
        (loaded.folders[0].folders[0].auth, "auth:products/admin/folder.yaml/password"),
    ):
        chain_request.password = stored[f"{loaded.id}/{key}"]
    for _chain, request in loaded.iter_requests():
        for slot_key, value in stored.items():
            assert request.path is not None
            where = request.path.relative_to(into).as_posix()
            if slot_key.startswith(f"{loaded.id}/auth:{where}/"):
                setattr(request.auth, slot_key.rsplit("/", 1)[1], value)
    assert tree(loaded) == expected
    assert [f.name for f in loaded.folders] == ["Products", "Orders", "Payments"]


def test_written_stamps_let_the_collection_be_saved_at_once(tmp_path: Path) -> None:
    collection = write_new_collection(parse_postman(SHOP.read_text()), tmp_path / "shop")
    request = collection.folders[0].requests[0]
    request.url = "{{baseUrl}}/v2/products"
    storage.save_request(collection, request)  # no "changed on disk" refusal
    assert "v2/products" in request.path.read_text()  # type: ignore[union-attr]


def test_a_refusing_keychain_leaves_nothing_behind(tmp_path: Path) -> None:
    def refuse(slots: list[SecretSlot]) -> None:
        raise OSError("the keychain is locked")

    with pytest.raises(OSError, match="locked"):
        write_new_collection(parse_postman(SHOP.read_text()), tmp_path / "shop", refuse)
    assert list(tmp_path.iterdir()) == []


def test_an_existing_non_empty_directory_is_refused(tmp_path: Path) -> None:
    (tmp_path / "shop").mkdir()
    (tmp_path / "shop" / "notes.txt").write_text("mine")
    with pytest.raises(storage.StorageError, match="not empty"):
        write_new_collection(parse_postman(SHOP.read_text()), tmp_path / "shop")
    assert [p.name for p in (tmp_path / "shop").iterdir()] == ["notes.txt"]


def test_import_into_an_existing_collection_adds_one_folder(tmp_path: Path) -> None:
    into = tmp_path / "api"
    collection = storage.create_collection(into, "API")
    storage.add_request(collection, None, Request(name="Mine", url="https://mine.example"))
    storage.add_folder(collection, None, "Shop API")  # the name is taken: a new slug
    stored: dict[str, str] = {}
    imported = parse_postman(SHOP.read_text())
    folder = write_into_collection(
        imported, collection, lambda slots: stored.update({s.key: s.get() for s in slots})
    )
    assert folder is not None
    assert folder.path == into / "shop-api-2"
    assert [p.name for p in into.iterdir() if p.name.startswith(".")] == []
    loaded = storage.load_collection(into)
    assert [f.name for f in loaded.folders] == ["Shop API", "Shop API"]
    shop = loaded.folders[1]
    assert shop.auth.token == "{{token}}"  # the imported collection's auth, on its folder
    assert [v.name for v in shop.variables] == ["baseUrl", "customerId", "ordersKey"]
    assert [f.name for f in shop.folders] == ["Products", "Orders", "Payments"]
    assert sum(1 for _ in loaded.iter_requests()) == 16
    assert stored[f"{collection.id}/auth:shop-api-2/products/admin/folder.yaml/password"] == (
        "s3cret-admin"
    )
    assert "s3cret-admin" not in all_text(into)


def test_environment_into_existing_collection(tmp_path: Path) -> None:
    into = tmp_path / "api"
    collection = storage.create_collection(into, "API")
    storage.add_environment(collection, "Shop dev")
    stored: dict[str, str] = {}
    folder = write_into_collection(
        parse_postman_environment(ENV.read_text()),
        collection,
        lambda slots: stored.update({s.key: s.get() for s in slots if s.holds_secret()}),
    )
    assert folder is None
    assert sorted(p.name for p in (into / "environments").iterdir()) == [
        "shop-dev-2.yaml",
        "shop-dev.yaml",
    ]
    assert stored == {f"{collection.id}/env:environments/shop-dev-2.yaml/token": "dev-token-7f3a"}
    text = (into / "environments" / "shop-dev-2.yaml").read_text()
    assert "dev-token-7f3a" not in text
    assert "name: token\n  secret: true" in text
    loaded = storage.load_collection(into)
    assert sorted(e.name for e in loaded.environments) == ["Shop dev", "Shop dev"]


def test_a_request_file_that_cannot_be_written_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Request files are written by threads: the first failure (a full disk, which
    cannot be made here, is what the stand-in raises) still reaches the caller, and the
    half-written staging folder is removed."""
    import errno

    from app.core.importers import batch_write

    real = batch_write._write_file
    calls: list[Path] = []

    def disk_full_at_the_fifth(path: Path, text: str) -> object:
        calls.append(path)
        if len(calls) == 5:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(path, text)

    monkeypatch.setattr(batch_write, "_write_file", disk_full_at_the_fifth)
    with pytest.raises(OSError, match="No space left"):
        write_new_collection(parse_postman(SHOP.read_text()), tmp_path / "shop")
    assert list(tmp_path.iterdir()) == []
    existing = storage.create_collection(tmp_path / "mine", "Mine")
    before = sorted(p.relative_to(existing.path) for p in existing.path.rglob("*"))  # type: ignore[arg-type]
    calls.clear()
    with pytest.raises(OSError, match="No space left"):
        write_into_collection(parse_postman(SHOP.read_text()), existing)
    after = sorted(p.relative_to(existing.path) for p in existing.path.rglob("*"))  # type: ignore[arg-type]
    assert after == before, "the collection is as it was"
