"""``import_into``: an import through the session the window uses, into a collection it
has open (the same object gains the folder) or a new one, secrets in its keychain."""

from __future__ import annotations

from pathlib import Path

from app.core import storage
from app.core.importers import parse_postman
from app.session import Session
from app.session.collection_import import import_into

SHOP = Path(__file__).resolve().parent / "core" / "importers" / "fixtures" / "postman"
SHOP = SHOP / "shop.postman_collection.json"


def test_into_an_open_collection_the_open_object_gains_the_folder(tmp_path: Path) -> None:
    session = Session()
    into = tmp_path / "api"
    storage.create_collection(into, "API")
    opened = session.adopt(session.load_collection(into))
    placed = import_into(session, parse_postman(SHOP.read_text()), into)
    assert placed.collection is opened
    assert not placed.created
    assert placed.folder is not None
    assert opened.folders == [placed.folder]
    key = f"{opened.id}/auth:shop-api/products/admin/folder.yaml/password"
    assert placed.secrets_kept
    assert session.secrets.get(key) == "s3cret-admin"


def test_a_new_collection_reopens_with_its_secrets(tmp_path: Path) -> None:
    placed = import_into(Session(), parse_postman(SHOP.read_text()), tmp_path / "shop")
    assert placed.created
    reopened = Session().load_collection(tmp_path / "shop")
    orders = {r.name: r for r in reopened.folders[1].requests}
    assert orders["Cancel order"].auth.password == "digest-pw"
    assert reopened.id == placed.collection.id
