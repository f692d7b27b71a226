"""A collection's id lasts (it keys keychain entries and the cookie jar), environment
secrets are keyed by their file, and a copied collection gets an id of its own."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import keyring
from PySide6.QtWidgets import QApplication

from app.core import storage, yamlio
from app.core.model import Auth, AuthKind, Request, Variable
from app.secrets import SecretStore, open_secret_store
from app.services.workspace import Workspace
from app.session import Session
from tests.secrets.conftest import assert_nowhere_on_disk


def _file(path: Path) -> dict[str, object]:
    data = yamlio.load(path.read_text())
    assert isinstance(data, dict)
    return data


def test_a_collection_without_an_id_keeps_one_and_its_secrets(
    keychain: SecretStore, qapp: QApplication, tmp_path: Path
) -> None:
    root = tmp_path / "hand-written"
    root.mkdir()
    (root / "collection.yaml").write_text(
        "courier: 1\nname: By hand\nvariables:\n  - name: token\n    secret: true\n"
    )
    ws = Workspace(state_path=tmp_path / "state.json", secrets=keychain)
    first = ws.open_collection(root)
    assert _file(root / "collection.yaml")["id"] == first.id, "written on first opening"
    first.variables[0].value = secret = f"s-{uuid.uuid4().hex}"
    ws.save_collection_settings(first)
    again = Session(secrets=open_secret_store()).load_collection(root)
    assert again.id == first.id
    assert again.variables[0].value == secret, "the keychain entry was found again"


def test_an_id_derived_without_writing_the_file_is_stable_and_is_the_one_written(
    keychain: SecretStore, tmp_path: Path
) -> None:
    root = tmp_path / "read-only"
    root.mkdir()
    (root / "collection.yaml").write_text("courier: 1\nname: RO\n")
    session = Session(secrets=keychain, state_path=tmp_path / "state.json")
    ids = {session.load_collection(root, settle_identity=False).id for _ in range(2)}
    assert len(ids) == 1, "the same id at every opening"
    assert "id" not in _file(root / "collection.yaml"), "the command line changes no file"
    assert session.load_collection(root).id in ids, "the id written is the one derived"


def test_two_environments_with_one_name_keep_their_own_secrets(
    keychain: SecretStore, qapp: QApplication, tmp_path: Path, courier_home: Path
) -> None:
    ws = Workspace(state_path=tmp_path / "state.json", secrets=keychain)
    collection = ws.create_collection(tmp_path / "api", "API")
    first, second = f"one-{uuid.uuid4().hex}", f"two-{uuid.uuid4().hex}"
    for value in (first, second):
        env = storage.add_environment(collection, "prod")
        env.variables = [Variable("token", value, secret=True)]
        ws.save_environment(collection, env)
    assert sorted(p.name for p in (tmp_path / "api" / "environments").iterdir()) == [
        "prod-2.yaml",
        "prod.yaml",
    ]
    assert keychain.get(f"{collection.id}/env:environments/prod.yaml/token") == first
    assert keychain.get(f"{collection.id}/env:environments/prod-2.yaml/token") == second
    reopened = Session(secrets=open_secret_store()).load_collection(tmp_path / "api")
    values = {e.path.name: e.variables[0].value for e in reopened.environments if e.path}
    assert values == {"prod.yaml": first, "prod-2.yaml": second}
    assert_nowhere_on_disk([first, second], tmp_path, courier_home)


def test_an_environment_secret_under_its_old_key_moves_to_its_file_key(
    keychain: SecretStore, tmp_path: Path
) -> None:
    collection = storage.create_collection(tmp_path / "api", "API")
    env = storage.add_environment(collection, "staging")
    env.variables = [Variable("token", "", secret=True)]
    storage.save_environment(collection, env)
    old_key = f"{collection.id}/env:staging/token"
    keychain.set(old_key, "from-an-older-courier")
    opened = Session(secrets=keychain).load_collection(tmp_path / "api")
    assert opened.environments[0].variables[0].value == "from-an-older-courier"
    assert keychain.get(f"{collection.id}/env:environments/staging.yaml/token") == (
        "from-an-older-courier"
    )
    assert keychain.get(old_key) is None, "moved, not copied"


def test_a_copied_collection_gets_its_own_id_secrets_and_client(
    keychain: SecretStore, qapp: QApplication, tmp_path: Path, courier_home: Path
) -> None:
    ws = Workspace(state_path=tmp_path / "state.json", secrets=keychain)
    original = ws.create_collection(tmp_path / "api", "API")
    original.auth = Auth(kind=AuthKind.BEARER, token=(token := f"t-{uuid.uuid4().hex}"))
    ws.save_collection_settings(original)
    env = storage.add_environment(original, "prod")
    env.variables = [Variable("key", (env_secret := f"e-{uuid.uuid4().hex}"), secret=True)]
    ws.save_environment(original, env)
    stored = ws.add_request(original, None, Request(name="Me", url="/me"))
    ws.save_request(
        original, stored, Request(name="Me", auth=Auth(kind=AuthKind.BASIC, password="pw-1"))
    )
    ws.close_collection(original)
    shutil.copytree(tmp_path / "api", tmp_path / "api-copy")

    fresh = Workspace(state_path=tmp_path / "s2.json", secrets=open_secret_store())
    notices: list[str] = []
    fresh.notice.connect(notices.append)
    first = fresh.open_collection(tmp_path / "api")
    copy = fresh.open_collection(tmp_path / "api-copy")
    assert first.id == original.id, "the one opened first keeps its id"
    assert copy.id != original.id
    assert _file(tmp_path / "api-copy" / "collection.yaml")["id"] == copy.id
    assert len(notices) == 1
    assert "copy" in notices[0]
    assert str(tmp_path / "api-copy") in notices[0]
    assert copy.auth.token == token, "its secrets were carried over"
    assert copy.environments[0].variables[0].value == env_secret
    assert copy.requests[0].auth.password == "pw-1"

    edited = Request(name="Me", auth=Auth(kind=AuthKind.BASIC, password="pw-copy"))
    fresh.save_request(copy, copy.requests[0], edited)
    assert keyring.get_password("courier", f"{original.id}/auth:me.request.yaml/password") == (
        "pw-1"
    ), "editing the copy leaves the original alone"
    me = fresh.resolve(copy.requests[0], copy)
    assert me.profile.key != fresh.resolve(first.requests[0], first).profile.key
    assert me.profile.cookie_key == copy.id, "a cookie jar of its own"

    later = Session(secrets=open_secret_store()).load_collection(tmp_path / "api-copy")
    assert later.id == copy.id
    assert later.requests[0].auth.password == "pw-copy"
    assert_nowhere_on_disk([token, env_secret, "pw-copy"], tmp_path, courier_home)
