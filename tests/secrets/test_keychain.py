"""Secrets in the real OS keychain (GNOME Keyring in a private D-Bus session, started by
scripts/test.sh), never on disk; a clear session-only fallback without a keychain."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail
from PySide6.QtWidgets import QApplication

from app.core import storage
from app.core.model import Auth, AuthKind, KeyValue, Request, Variable
from app.secrets import KeyringStore, MemoryStore, SecretStore, open_secret_store
from app.services.workspace import Workspace


@pytest.fixture
def keychain() -> SecretStore:
    store = open_secret_store()
    if not store.persistent:
        message = f"no private Secret Service (run scripts/test.sh): {store.reason}"
        if os.environ.get("COURIER_REQUIRE_KEYCHAIN"):
            pytest.fail(message + " (run the suite with scripts/test.sh)")
        pytest.skip(message)
    return store


@pytest.fixture
def no_keyring() -> Iterator[None]:
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        yield
    finally:
        keyring.set_keyring(previous)


def test_keychain_round_trip(keychain: SecretStore) -> None:
    assert isinstance(keychain, KeyringStore)
    key = f"test/{uuid.uuid4().hex}"
    assert keychain.get(key) is None
    keychain.set(key, "v@lue ✓")
    assert keychain.get(key) == "v@lue ✓"
    assert keyring.get_password("courier", key) == "v@lue ✓", "service name is 'courier'"
    keychain.delete(key)
    keychain.delete(key)  # deleting twice is fine
    assert keychain.get(key) is None


def test_without_a_keychain_secrets_are_session_only_and_said_so(no_keyring: None) -> None:
    store = open_secret_store()
    assert isinstance(store, MemoryStore)
    assert not store.persistent
    assert "session only" in store.reason
    store.set("k", "v")
    assert store.get("k") == "v"


def every_file_under(*roots: Path) -> list[Path]:
    return [p for root in roots if root.exists() for p in root.rglob("*") if p.is_file()]


def test_the_issue_scenario_secret_in_keychain_and_nowhere_on_disk(
    keychain: SecretStore, qapp: QApplication, tmp_path: Path, courier_home: Path
) -> None:
    """Collection: shared header + Bearer from a secret variable; a folder uses Basic with
    a literal password (secret by default); two environments switch the base URL."""
    token = f"tok-{uuid.uuid4().hex}"
    password = f"pw-{uuid.uuid4().hex}"
    root = tmp_path / "api"
    collection = storage.create_collection(root, "API")
    collection.base_url = "{{base}}"
    collection.headers = [KeyValue("X-Team", "courier")]
    collection.auth = Auth(kind=AuthKind.BEARER, token="{{token}}")
    collection.variables = [Variable("token", token, secret=True)]
    ws = Workspace(state_path=tmp_path / "state.json", secrets=keychain)
    ws.save_collection_settings(collection)
    for name, base in (("local", "http://127.0.0.1:1"), ("staging", "https://staging.example")):
        env = storage.add_environment(collection, name)
        env.variables = [Variable("base", base)]
        ws.save_environment(collection, env)
    folder = storage.add_folder(collection, None, "Admin")
    folder.auth = Auth(kind=AuthKind.BASIC, username="ada", password=password)
    ws.save_folder_settings(collection, folder)
    in_folder = storage.add_request(collection, folder, Request(name="Users", url="/users"))
    plain = storage.add_request(collection, None, Request(name="Me", url="/me"))
    off = storage.add_request(collection, None, Request(name="Health", url="/health"))
    off_edit = Request(name="Health", url="/health", auth=Auth(kind=AuthKind.NONE))
    ws.save_request(collection, off, off_edit)

    # reopen as after a restart: values come back from the keychain
    reopened = Workspace(state_path=tmp_path / "state.json", secrets=open_secret_store())
    opened = reopened.open_collection(root)
    assert opened.variables[0].value == token
    assert opened.folders[0].auth.password == password
    users = opened.folders[0].requests[0]
    me = next(r for r in opened.requests if r.name == "Me")
    health = next(r for r in opened.requests if r.name == "Health")
    assert users.name == in_folder.name
    assert me.name == plain.name

    first = reopened.resolve(me, opened)
    assert first.profile.base_url == "http://127.0.0.1:1"
    assert first.profile.auth is not None
    assert first.profile.auth.token == token
    assert first.profile.headers == (("X-Team", "courier"),)
    basic = reopened.resolve(users, opened)
    assert basic.request.auth is not None
    assert (basic.request.auth.kind, basic.request.auth.password) == ("basic", password)
    assert reopened.resolve(health, opened).request.auth_mode == "none"
    reopened.set_active_environment(opened, "staging")
    assert reopened.resolve(me, opened).profile.base_url == "https://staging.example"
    reopened.save_state()

    files = every_file_under(root, courier_home, tmp_path)
    assert root / "collection.yaml" in files, "the leak check reads the collection's files"
    for path in files:
        data = path.read_bytes()
        assert token.encode() not in data, f"the token leaked into {path}"
        assert password.encode() not in data, f"the password leaked into {path}"
    assert keyring.get_password("courier", f"{collection.id}/collection/token") == token


def test_renaming_and_deleting_move_and_remove_secrets(
    keychain: SecretStore, qapp: QApplication, tmp_path: Path
) -> None:
    secret = f"key-{uuid.uuid4().hex}"
    ws = Workspace(state_path=tmp_path / "state.json", secrets=keychain)
    collection = ws.create_collection(tmp_path / "c", "C")
    stored = ws.add_request(collection, None, Request(name="One"))
    edited = Request(
        name="One", auth=Auth(kind=AuthKind.API_KEY, key_name="X-Key", key_value=secret)
    )
    ws.save_request(collection, stored, edited)
    old_key = f"{collection.id}/auth:one.request.yaml/key_value"
    assert keychain.get(old_key) == secret
    ws.rename(collection, stored, "Renamed")
    new_key = f"{collection.id}/auth:renamed.request.yaml/key_value"
    assert keychain.get(new_key) == secret
    assert keychain.get(old_key) is None
    again = ws.reload_collection(collection)
    assert again.requests[0].auth.key_value == secret
    ws.delete(again, again.requests[0])
    assert keychain.get(new_key) is None


def test_a_scratch_request_saved_into_a_collection_keeps_its_token(
    keychain: SecretStore, qapp: QApplication, tmp_path: Path
) -> None:
    token = f"scratch-{uuid.uuid4().hex}"
    ws = Workspace(state_path=tmp_path / "state.json", secrets=keychain)
    collection = ws.create_collection(tmp_path / "c", "C")
    scratch = Request(name="Mine", url="/me", auth=Auth(kind=AuthKind.BEARER, token=token))
    ws.add_request(collection, None, scratch)
    assert token not in (tmp_path / "c" / "mine.request.yaml").read_text()
    reopened = Workspace(state_path=tmp_path / "s2.json", secrets=open_secret_store())
    assert reopened.open_collection(tmp_path / "c").requests[0].auth.token == token


def test_courier_send_reads_secrets_from_the_keychain(
    keychain: SecretStore, tmp_path: Path, courier_home: Path, demo_server: str
) -> None:
    """The command line resolves a secret variable from the real keychain."""
    import json
    import subprocess
    import sys

    from app.core import secret_slots
    from app.session import Session

    collection = storage.create_collection(tmp_path / "api", "API")
    collection.base_url = demo_server
    collection.headers = [KeyValue("X-Token", "{{api_token}}")]
    collection.variables = [Variable("api_token", f"kc-{uuid.uuid4().hex}", secret=True)]
    session = Session(secrets=keychain, state_path=tmp_path / "state.json")
    session.store_secrets(secret_slots.collection_slots(collection))
    storage.save_collection_settings(collection)
    added = storage.add_request(collection, None, Request(name="Echo", url="/headers"))
    token = collection.variables[0].value
    assert token not in (tmp_path / "api" / "collection.yaml").read_text()
    assert added.path is not None
    done = subprocess.run(
        [sys.executable, "-m", "app", "send", str(added.path)],
        capture_output=True,
        env=dict(os.environ, COURIER_HOME=str(courier_home)),
        cwd=Path(__file__).resolve().parents[2],
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode()
    assert json.loads(done.stdout)["headers"]["x-token"] == token
    keychain.delete(secret_slots.collection_slots(collection)[0].key)
