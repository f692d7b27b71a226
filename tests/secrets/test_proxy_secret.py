"""A proxy URL's password is a secret like any credential: in the keychain, never in
collection files (which keep the URL without it and say ``secret_fields: [proxy]``),
masked in every display, and sent in full to the proxy."""

from __future__ import annotations

import asyncio
import base64
import copy
import socket
import uuid
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from app.core import storage, yamlio
from app.core.errors import SecretUnavailable
from app.core.model import Request, Settings
from app.core.unknown_secret import is_unknown
from app.secrets import SecretStore, open_secret_store
from app.services.workspace import Workspace
from app.session import Session
from tests.helpers.loopback import LoopbackServer
from tests.secrets.conftest import assert_nowhere_on_disk, lock_keychain, unlock_keychain


class AnsweringProxy(LoopbackServer):
    """An HTTP proxy that answers itself, noting the Proxy-Authorization it was given."""

    def __init__(self) -> None:
        super().__init__()
        self.authorizations: list[str] = []

    def handle(self, conn: socket.socket) -> None:
        with conn:
            head = b""
            while b"\r\n\r\n" not in head:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                head += chunk
            for line in head.decode("latin-1").split("\r\n"):
                name, _, value = line.partition(":")
                if name.lower() == "proxy-authorization":
                    self.authorizations.append(value.strip())
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")


def _settings(path: Path) -> object:
    data = yamlio.load(path.read_text())
    assert isinstance(data, dict)
    return data.get("settings")


def test_proxy_passwords_go_to_the_keychain_at_every_level(
    keychain: SecretStore, qapp: QApplication, tmp_path: Path, courier_home: Path
) -> None:
    secrets = [f"c{uuid.uuid4().hex}", f"f{uuid.uuid4().hex}", f"r{uuid.uuid4().hex}"]
    ws = Workspace(state_path=tmp_path / "state.json", secrets=keychain)
    collection = ws.create_collection(tmp_path / "api", "API")
    collection.settings = Settings(proxy=f"http://alice:{secrets[0]}@127.0.0.1:3128")
    ws.save_collection_settings(collection)
    folder = storage.add_folder(collection, None, "Admin")
    folder.settings = Settings(proxy=f"socks5://bob:{secrets[1]}@127.0.0.1:1080")
    ws.save_folder_settings(collection, folder)
    stored = ws.add_request(collection, folder, Request(name="Me"))
    edited = copy.deepcopy(stored)
    edited.settings = Settings(proxy=f"http://carol:{secrets[2]}@127.0.0.1:8080/")
    ws.save_request(collection, stored, edited)

    root = tmp_path / "api"
    assert _settings(root / "collection.yaml") == {
        "proxy": "http://alice@127.0.0.1:3128",
        "secret_fields": ["proxy"],
    }
    assert _settings(root / "admin" / "folder.yaml") == {
        "proxy": "socks5://bob@127.0.0.1:1080",
        "secret_fields": ["proxy"],
    }
    assert _settings(root / "admin" / "me.request.yaml") == {
        "proxy": "http://carol@127.0.0.1:8080/",
        "secret_fields": ["proxy"],
    }
    assert keychain.get(f"{collection.id}/settings:collection.yaml/proxy") == secrets[0]
    assert keychain.get(f"{collection.id}/settings:admin/folder.yaml/proxy") == secrets[1]
    assert keychain.get(f"{collection.id}/settings:admin/me.request.yaml/proxy") == secrets[2]

    opened = Session(secrets=open_secret_store()).load_collection(root)
    assert opened.settings.proxy == f"http://alice:{secrets[0]}@127.0.0.1:3128"
    assert opened.folders[0].settings.proxy == f"socks5://bob:{secrets[1]}@127.0.0.1:1080"
    request = opened.folders[0].requests[0]
    assert request.settings.proxy == f"http://carol:{secrets[2]}@127.0.0.1:8080/"
    resolution = Session(secrets=keychain).resolve(request, opened)
    assert resolution.profile.transport.proxy == request.settings.proxy
    assert secrets[2] in resolution.request.secrets, "masked out of error messages"
    for shown in (repr(opened.settings), repr(resolution.profile.transport), repr(opened)):
        assert not any(s in shown for s in secrets), shown
    assert "••••" in repr(opened.settings)
    assert_nowhere_on_disk(secrets, tmp_path, courier_home)


def test_the_proxy_gets_its_password_at_send_time(keychain: SecretStore, tmp_path: Path) -> None:
    secret = f"p{uuid.uuid4().hex}"
    with AnsweringProxy() as proxy:
        session = Session(secrets=keychain, state_path=tmp_path / "state.json")
        collection = storage.create_collection(tmp_path / "api", "API")
        collection.base_url = "http://example.invalid"
        collection.settings = Settings(proxy=f"http://alice:{secret}@127.0.0.1:{proxy.port}")
        from app.core import secret_slots

        session.store_secrets(secret_slots.collection_slots(collection))
        storage.save_collection_settings(collection)
        storage.add_request(collection, None, Request(name="Get", url="/get"))
        assert secret not in (tmp_path / "api" / "collection.yaml").read_text()

        fresh = Session(secrets=open_secret_store(), state_path=tmp_path / "s2.json")
        opened = fresh.load_collection(tmp_path / "api")

        async def send() -> int:
            try:
                request = opened.requests[0]
                exchange = await fresh.send(await fresh.prepare(request, opened, request))
                return exchange.response.status_code if exchange.response else 0
            finally:
                await fresh.aclose()

        assert asyncio.run(send()) == 200
    expected = base64.b64encode(f"alice:{secret}".encode()).decode()
    assert proxy.authorizations == [f"Basic {expected}"]


def test_a_locked_proxy_password_is_kept_and_refused_at_send(
    keychain: SecretStore, qapp: QApplication, tmp_path: Path
) -> None:
    ws = Workspace(state_path=tmp_path / "state.json", secrets=keychain)
    collection = ws.create_collection(tmp_path / "api", "API")
    collection.settings = Settings(proxy="http://alice:pw-proxy@127.0.0.1:3128")
    ws.save_collection_settings(collection)
    ws.add_request(collection, None, Request(name="Get", url="http://127.0.0.1:1/"))
    lock_keychain()
    try:
        locked = Workspace(state_path=tmp_path / "s2.json", secrets=open_secret_store())
        opened = locked.open_collection(tmp_path / "api")
        assert is_unknown(opened.settings.proxy)
        opened.notes = "saved while locked"
        locked.save_collection_settings(opened)
        request = opened.requests[0]
        with pytest.raises(SecretUnavailable, match=r"proxy password in collection\.yaml"):
            asyncio.run(locked.session.prepare(request, opened, request))
    finally:
        unlock_keychain()
    assert _settings(tmp_path / "api" / "collection.yaml") == {
        "proxy": "http://alice@127.0.0.1:3128",
        "secret_fields": ["proxy"],
    }
    assert keychain.get(f"{collection.id}/settings:collection.yaml/proxy") == "pw-proxy"
