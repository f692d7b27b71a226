"""A secret Courier could not read (keychain locked, or no keychain) is unknown,
never empty: saving keeps its reference and its keychain entry, a send that needs
it is refused, and once the keychain is unlocked the next send reads it."""

from __future__ import annotations

import asyncio
import copy
import os
import subprocess
import sys
import uuid
from pathlib import Path

import keyring
import pytest
from PySide6.QtWidgets import QApplication

from app.core import storage, yamlio
from app.core.errors import SecretUnavailable
from app.core.model import Auth, AuthKind, Collection, KeyValue, Request, Variable
from app.core.unknown_secret import is_unknown
from app.secrets import KeyringStore, MemoryStore, SecretStore, open_secret_store
from app.services.workspace import Workspace
from app.session import Session
from tests.secrets.conftest import (
    assert_nowhere_on_disk,
    lock_keychain,
    no_keychain_at_all,
    unlock_keychain,
)

ROOT = Path(__file__).resolve().parents[2]


def _collection_with_credentials(
    tmp_path: Path, keychain: SecretStore, base_url: str = "http://127.0.0.1:1"
) -> tuple[Collection, str, str]:
    """A collection Bearer token and a request's Basic password, saved as the window does."""
    token, password = f"tok-{uuid.uuid4().hex}", f"pw-{uuid.uuid4().hex}"
    ws = Workspace(state_path=tmp_path / "state.json", secrets=keychain)
    collection = ws.create_collection(tmp_path / "api", "API")
    collection.base_url = base_url
    collection.auth = Auth(kind=AuthKind.BEARER, token=token)
    ws.save_collection_settings(collection)
    stored = ws.add_request(collection, None, Request(name="Me", url="/me"))
    edited = copy.deepcopy(stored)
    edited.auth = Auth(kind=AuthKind.BASIC, username="ada", password=password)
    ws.save_request(collection, stored, edited)
    return collection, token, password


def _edit_url_and_notes(ws: Workspace, opened: Collection) -> None:
    stored = opened.requests[0]
    edited = copy.deepcopy(stored)  # as the editor hands it back: the password unknown
    edited.url = "/me/v2"
    ws.save_request(opened, stored, edited)
    opened.notes = "edited while the keychain was locked"
    ws.save_collection_settings(opened)


def _files(root: Path) -> tuple[dict[str, object], dict[str, object]]:
    collection = yamlio.load((root / "collection.yaml").read_text())
    request = yamlio.load((root / "me.request.yaml").read_text())
    assert isinstance(collection, dict)
    assert isinstance(request, dict)
    return collection, request


def test_saving_while_the_keychain_is_locked_keeps_every_credential(
    keychain: SecretStore, qapp: QApplication, tmp_path: Path, courier_home: Path
) -> None:
    collection, token, password = _collection_with_credentials(tmp_path, keychain)
    token_key = f"{collection.id}/auth:collection.yaml/token"
    password_key = f"{collection.id}/auth:me.request.yaml/password"
    lock_keychain()
    try:
        store = open_secret_store()
        assert isinstance(store, KeyringStore), "locked is not absent"
        assert store.persistent
        assert "locked" in store.reason
        ws = Workspace(state_path=tmp_path / "s2.json", secrets=store)
        opened = ws.open_collection(tmp_path / "api")
        assert is_unknown(opened.auth.token), "unread is unknown, not empty"
        assert is_unknown(opened.requests[0].auth.password)
        _edit_url_and_notes(ws, opened)
    finally:
        unlock_keychain()
    assert keyring.get_password("courier", token_key) == token
    assert keyring.get_password("courier", password_key) == password
    meta, request = _files(tmp_path / "api")
    assert meta["auth"] == {"type": "bearer", "secret_fields": ["token"]}
    assert meta["notes"] == "edited while the keychain was locked"
    assert request["url"] == "/me/v2"
    assert request["auth"] == {"type": "basic", "username": "ada", "secret_fields": ["password"]}
    assert_nowhere_on_disk([token, password, "courier-unknown-secret"], tmp_path, courier_home)
    again = Session(secrets=open_secret_store()).load_collection(tmp_path / "api")
    assert (again.auth.token, again.requests[0].auth.password) == (token, password)


def test_saving_without_any_keychain_keeps_the_references(
    keychain: SecretStore, qapp: QApplication, tmp_path: Path, courier_home: Path
) -> None:
    _collection, token, password = _collection_with_credentials(tmp_path, keychain)
    with no_keychain_at_all():
        store = open_secret_store()
        assert isinstance(store, MemoryStore)
        ws = Workspace(state_path=tmp_path / "s2.json", secrets=store)
        opened = ws.open_collection(tmp_path / "api")
        assert is_unknown(opened.auth.token)
        _edit_url_and_notes(ws, opened)
    meta, request = _files(tmp_path / "api")
    assert meta["auth"] == {"type": "bearer", "secret_fields": ["token"]}
    assert request["auth"] == {"type": "basic", "username": "ada", "secret_fields": ["password"]}
    assert_nowhere_on_disk([token, password, "courier-unknown-secret"], tmp_path, courier_home)
    again = Session(secrets=open_secret_store()).load_collection(tmp_path / "api")
    assert (again.auth.token, again.requests[0].auth.password) == (token, password)


def test_a_secret_variable_read_while_locked_is_kept_and_the_user_may_replace_it(
    keychain: SecretStore, qapp: QApplication, tmp_path: Path
) -> None:
    ws = Workspace(state_path=tmp_path / "state.json", secrets=keychain)
    collection = ws.create_collection(tmp_path / "api", "API")
    collection.variables = [Variable("token", "old", secret=True), Variable("k", "v1", secret=True)]
    ws.save_collection_settings(collection)
    lock_keychain()
    try:
        locked = Workspace(state_path=tmp_path / "s2.json", secrets=open_secret_store())
        opened = locked.open_collection(tmp_path / "api")
        assert all(is_unknown(v.value) for v in opened.variables)
        opened.variables[1].value = "v2"  # typed anew: the keychain refuses, nothing is saved
        with pytest.raises(Exception, match="keychain refused"):
            locked.save_collection_settings(opened)
    finally:
        unlock_keychain()
    locked.save_collection_settings(opened)  # unlocked now: the new value is stored
    assert keychain.get(f"{collection.id}/collection/token") == "old", "untouched: kept"
    assert keychain.get(f"{collection.id}/collection/k") == "v2"


def test_after_unlocking_the_next_send_reads_the_secret(
    keychain: SecretStore, tmp_path: Path, demo_server: str
) -> None:
    _collection, token, password = _collection_with_credentials(tmp_path, keychain, demo_server)
    lock_keychain()
    try:
        session = Session(secrets=open_secret_store(), state_path=tmp_path / "state.json")
        opened = session.load_collection(tmp_path / "api")
        request = opened.requests[0]
        with pytest.raises(SecretUnavailable) as refused:
            asyncio.run(session.prepare(request, opened, request))
        assert refused.value.labels == ["password of the basic auth in me.request.yaml"]
        assert "password of the basic auth in me.request.yaml" in refused.value.message
    finally:
        unlock_keychain()
    resolution = asyncio.run(session.prepare(request, opened, request))
    assert resolution.request.auth is not None
    assert resolution.request.auth.password == password
    assert opened.auth.token == token, "the collection's token was read again too"


def _cli(
    request_file: Path, courier_home: Path, *args: str, no_keychain: bool = False
) -> subprocess.CompletedProcess[bytes]:
    env = dict(os.environ, COURIER_HOME=str(courier_home))
    if no_keychain:
        env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    return subprocess.run(
        [sys.executable, "-m", "app", "send", str(request_file), *args],
        capture_output=True,
        env=env,
        cwd=ROOT,
        timeout=60,
        check=False,
    )


def test_courier_send_refuses_a_secret_it_could_not_read(
    keychain: SecretStore, tmp_path: Path, courier_home: Path, demo_server: str
) -> None:
    ws_session = Session(secrets=keychain, state_path=tmp_path / "state.json")
    collection = storage.create_collection(tmp_path / "api", "API")
    collection.base_url = demo_server
    collection.headers = [KeyValue("X-Token", "{{api_token}}")]
    collection.variables = [Variable("api_token", f"kc-{uuid.uuid4().hex}", secret=True)]
    from app.core import secret_slots

    ws_session.store_secrets(secret_slots.collection_slots(collection))
    storage.save_collection_settings(collection)
    added = storage.add_request(collection, None, Request(name="Echo", url="/headers"))
    assert added.path is not None
    lock_keychain()
    try:
        done = _cli(added.path, courier_home)
    finally:
        unlock_keychain()
    assert done.returncode == 2, done.stderr.decode()
    assert done.stdout == b"", "nothing was sent"
    assert "{{api_token}}" in done.stderr.decode()
    assert "--var" in done.stderr.decode()

    absent = _cli(added.path, courier_home, no_keychain=True)
    assert absent.returncode == 2
    assert "{{api_token}}" in absent.stderr.decode()

    given = _cli(added.path, courier_home, "--var", "api_token=given", no_keychain=True)
    assert given.returncode == 0, given.stderr.decode()
    assert b'"x-token":"given"' in given.stdout.replace(b" ", b"")
