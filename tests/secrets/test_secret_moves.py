"""Secrets follow their items and leave with them, against the real keychain.

- Renaming or copying an item whose secret is unknown (keychain locked) is
  refused: the value cannot be read, so it could not move to the new keys.
  Once the keychain is unlocked the same rename moves it.
- A secret the user removed in a settings save (auth set to None, a proxy
  password or a secret variable deleted, an environment deleted) leaves the
  keychain; an unknown one never does.
"""

from __future__ import annotations

import copy
import uuid
from pathlib import Path

import keyring
import pytest
from PySide6.QtWidgets import QApplication

from app.core.errors import SecretUnavailable
from app.core.model import Auth, AuthKind, Collection, Environment, Request, Settings, Variable
from app.secrets import SecretStore
from app.secrets.store import SERVICE
from app.services.workspace import Workspace
from tests.secrets.conftest import lock_keychain, unlock_keychain


def _in_keychain(key: str) -> str | None:
    value: str | None = keyring.get_password(SERVICE, key)
    return value


def _workspace(tmp_path: Path, keychain: SecretStore) -> Workspace:
    return Workspace(state_path=tmp_path / f"state-{uuid.uuid4().hex}.json", secrets=keychain)


def _with_a_folder_request(tmp_path: Path, keychain: SecretStore) -> tuple[Collection, str]:
    ws = _workspace(tmp_path, keychain)
    collection = ws.create_collection(tmp_path / "api", "API")
    folder = ws.add_folder(collection, None, "Users")
    stored = ws.add_request(collection, folder, Request(name="Me", url="/me"))
    password = f"pw-{uuid.uuid4().hex}"
    edited = copy.deepcopy(stored)
    edited.auth = Auth(kind=AuthKind.BASIC, username="ada", password=password)
    ws.save_request(collection, stored, edited)
    return collection, password


def test_rename_is_refused_while_the_keychain_is_locked_and_moves_the_secret_after(
    keychain: SecretStore, qapp: QApplication, tmp_path: Path, courier_home: Path
) -> None:
    collection, password = _with_a_folder_request(tmp_path, keychain)
    old_key = f"{collection.id}/auth:users/me.request.yaml/password"
    assert _in_keychain(old_key) == password
    lock_keychain()
    try:
        locked = _workspace(tmp_path, keychain)
        opened = locked.open_collection(tmp_path / "api")
        folder = opened.folders[0]
        request = folder.requests[0]
        for item in (request, folder):
            with pytest.raises(SecretUnavailable, match="Unlock the keychain to rename"):
                locked.rename(opened, item, "Renamed")
        with pytest.raises(SecretUnavailable, match="Unlock the keychain to duplicate"):
            locked.duplicate(opened, request)
        # nothing moved on disk or in the model
        assert request.path == tmp_path / "api" / "users" / "me.request.yaml"
        assert request.path.is_file()
        assert folder.path == tmp_path / "api" / "users"
        assert [r.name for r in folder.requests] == ["Me"]
    finally:
        unlock_keychain()
    assert _in_keychain(old_key) == password
    # unlocked now: the same rename reads the secret again and moves it
    locked.rename(opened, request, "Who am I")
    new_key = f"{collection.id}/auth:users/who-am-i.request.yaml/password"
    assert request.path == tmp_path / "api" / "users" / "who-am-i.request.yaml"
    assert _in_keychain(new_key) == password
    assert _in_keychain(old_key) is None
    locked.rename(opened, folder, "People")
    moved = f"{collection.id}/auth:people/who-am-i.request.yaml/password"
    assert _in_keychain(moved) == password
    assert _in_keychain(new_key) is None
    keyring.delete_password(SERVICE, moved)


def _secret_laden(tmp_path: Path, keychain: SecretStore) -> tuple[Workspace, Collection, str]:
    """Collection, folder and environment secrets of every kind, saved."""
    ws = _workspace(tmp_path, keychain)
    collection = ws.create_collection(tmp_path / "api", "API")
    tag = uuid.uuid4().hex
    collection.auth = Auth(kind=AuthKind.BEARER, token=f"tok-{tag}")
    collection.settings = Settings(proxy=f"http://me:proxy-{tag}@proxy:3128")
    collection.variables = [Variable("api_key", f"key-{tag}", secret=True)]
    ws.save_collection_settings(collection)
    folder = ws.add_folder(collection, None, "Admin")
    folder.auth = Auth(kind=AuthKind.BASIC, username="root", password=f"fpw-{tag}")
    folder.settings = Settings(proxy=f"http://f:fproxy-{tag}@proxy:3128")
    ws.save_folder_settings(collection, folder)
    env = Environment(
        "prod", [Variable("db", f"db-{tag}", secret=True), Variable("old", f"o-{tag}", secret=True)]
    )
    ws.replace_environments(
        collection, [env, Environment("gone", [Variable("x", f"x-{tag}", secret=True)])], []
    )
    return ws, collection, tag


def _keys(collection: Collection) -> dict[str, str]:
    cid = collection.id
    return {
        "token": f"{cid}/auth:collection.yaml/token",
        "proxy": f"{cid}/settings:collection.yaml/proxy",
        "api_key": f"{cid}/collection/api_key",
        "folder_password": f"{cid}/auth:admin/folder.yaml/password",
        "folder_proxy": f"{cid}/settings:admin/folder.yaml/proxy",
        "db": f"{cid}/env:environments/prod.yaml/db",
        "old": f"{cid}/env:environments/prod.yaml/old",
        "gone": f"{cid}/env:environments/gone.yaml/x",
    }


def test_settings_saves_delete_the_secrets_the_edit_removed(
    keychain: SecretStore, qapp: QApplication, tmp_path: Path, courier_home: Path
) -> None:
    ws, collection, tag = _secret_laden(tmp_path, keychain)
    keys = _keys(collection)
    assert all(_in_keychain(key) for key in keys.values()), "all stored to begin with"

    before = copy.copy(collection)
    collection.auth = Auth(kind=AuthKind.NONE)
    collection.settings = Settings(proxy="http://proxy:3128")
    collection.variables = []
    ws.save_collection_settings(collection, before=before)
    folder = collection.folders[0]
    before_folder = copy.copy(folder)
    folder.auth = Auth(kind=AuthKind.INHERIT)
    folder.settings = Settings()
    ws.save_folder_settings(collection, folder, before=before_folder)
    edited = copy.deepcopy(collection.environments)
    prod, gone = edited
    prod.variables = [v for v in prod.variables if v.name != "old"]
    ws.replace_environments(collection, [prod], [gone])

    assert _in_keychain(keys["db"]) == f"db-{tag}", "what stays, stays"
    for name in ("token", "proxy", "api_key", "folder_password", "folder_proxy", "old", "gone"):
        assert _in_keychain(keys[name]) is None, f"{name} was left in the keychain"
    keyring.delete_password(SERVICE, keys["db"])


def test_removing_an_unknown_secret_never_deletes_its_entry(
    keychain: SecretStore, qapp: QApplication, tmp_path: Path, courier_home: Path
) -> None:
    _ws, collection, _tag = _secret_laden(tmp_path, keychain)
    keys = _keys(collection)
    lock_keychain()
    try:
        locked = _workspace(tmp_path, keychain)
        opened = locked.open_collection(tmp_path / "api")
        before = copy.copy(opened)
        opened.auth = Auth(kind=AuthKind.NONE)
        opened.settings = Settings()
        opened.variables = []
        locked.save_collection_settings(opened, before=before)  # no keychain call needed
        edited = copy.deepcopy(opened.environments)
        locked.replace_environments(opened, [edited[0]], [edited[1]])
    finally:
        unlock_keychain()
    for name in ("token", "proxy", "api_key", "gone"):
        assert _in_keychain(keys[name]), f"the unknown {name} was deleted"
    for key in keys.values():
        if _in_keychain(key):
            keyring.delete_password(SERVICE, key)
